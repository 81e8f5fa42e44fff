/*
 * test_federation.c: the pure parts of a federated sign-in
 * (core/federation.c): claim values as attribute strings, the
 * AttributeMapping checked against a pool's schema (what a new user
 * gets, what a later sign-in may update), required attributes the
 * mapping does not give, the identities element as Cognito writes it
 * and the ID token's identities claim, and the provider type names.
 * The database steps are driven by tests/integration.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/federation.h"
#include "core/users.h"
#include "suites.h"

/* email required; custom:tenant immutable; custom:plan at most 5 long. */
static const char schema_json[] = "{\"SchemaAttributes\": ["
    "{\"Name\": \"sub\", \"AttributeDataType\": \"String\", "
    "\"Mutable\": false, \"Required\": true}, "
    "{\"Name\": \"email\", \"AttributeDataType\": \"String\", "
    "\"Mutable\": true, \"Required\": true}, "
    "{\"Name\": \"name\", \"AttributeDataType\": \"String\", "
    "\"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"email_verified\", \"AttributeDataType\": \"Boolean\", "
    "\"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"identities\", \"AttributeDataType\": \"String\", "
    "\"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"custom:tenant\", \"AttributeDataType\": \"String\", "
    "\"Mutable\": false, \"Required\": false}, "
    "{\"Name\": \"custom:groups\", \"AttributeDataType\": \"String\", "
    "\"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"custom:plan\", \"AttributeDataType\": \"String\", "
    "\"Mutable\": true, \"Required\": false, "
    "\"StringAttributeConstraints\": {\"MaxLength\": \"5\"}}]}";

struct fixture {
	json_t			*config;
	struct users_rules	 rules;
	struct fed_identity	 id;
};

static void
fixture_init(struct fixture *f, const char *claims, const char *mapping)
{
	memset(f, 0, sizeof *f);
	f->config = json_loads(schema_json, 0, NULL);
	ck_assert_ptr_nonnull(f->config);
	users_rules_init(&f->rules, f->config);
	f->id.provider_name = "Okta";
	f->id.provider_type = FED_SAML;
	f->id.subject = "alice";
	f->id.claims = json_loads(claims, 0, NULL);
	f->id.mapping = json_loads(mapping, 0, NULL);
	ck_assert_ptr_nonnull(f->id.claims);
	ck_assert_ptr_nonnull(f->id.mapping);
}

static void
fixture_clear(struct fixture *f)
{
	json_decref(f->config);
	json_decref(f->id.claims);
	json_decref(f->id.mapping);
}

START_TEST(test_claim_text)
{
	static const struct {
		const char	*json;
		const char	*want;	/* NULL: nothing */
	} cases[] = {
		{ "\"a@example.com\"", "a@example.com" },
		{ "true", "true" },
		{ "false", "false" },
		{ "1700000000", "1700000000" },
		{ "null", NULL },
		{ "[]", NULL },
		{ "[\"one\"]", "one" },
		{ "[\"admins\", \"staff\"]", "[admins, staff]" },
		{ "{\"formatted\":\"1 Main St\"}",
		    "{\"formatted\":\"1 Main St\"}" },
	};
	size_t	 i;
	json_t	*v;
	char	*text;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		ck_assert_ptr_nonnull(v);
		text = federation_claim_text(v);
		if (cases[i].want == NULL)
			ck_assert_ptr_null(text);
		else
			ck_assert_str_eq(text, cases[i].want);
		free(text);
		json_decref(v);
	}
	ck_assert_ptr_null(federation_claim_text(NULL));
}
END_TEST

/*
 * The mapping gives what the claims have: email_verified only because
 * it is mapped, a boolean claim as "true", several values as a list;
 * username, sub and identities map nothing; the immutable attribute is
 * on the new user but not in what a later sign-in updates.
 */
START_TEST(test_map_create_and_update)
{
	struct fixture		 f;
	enum core_err_kind	 kind;
	json_t			*create, *update;
	char			*msg = NULL;

	fixture_init(&f, "{\"mail\": \"Alice@Example.com\", "
	    "\"verified\": true, \"tenant\": \"acme\", \"groups\": "
	    "[\"a\", \"b\"], \"sub\": \"alice\", \"nick\": null}",
	    "{\"email\": \"mail\", \"email_verified\": \"verified\", "
	    "\"custom:tenant\": \"tenant\", \"custom:groups\": \"groups\", "
	    "\"username\": \"sub\", \"sub\": \"sub\", \"identities\": "
	    "\"sub\", \"name\": \"nick\"}");
	ck_assert_int_eq(federation_map(&f.rules, &f.id, &create, &update,
	    &kind, &msg), 0);
	ck_assert_int_eq(json_object_size(create), 4);
	ck_assert_str_eq(json_string_value(json_object_get(create, "email")),
	    "Alice@Example.com");
	ck_assert_str_eq(json_string_value(json_object_get(create,
	    "email_verified")), "true");
	ck_assert_str_eq(json_string_value(json_object_get(create,
	    "custom:tenant")), "acme");
	ck_assert_str_eq(json_string_value(json_object_get(create,
	    "custom:groups")), "[a, b]");
	ck_assert_int_eq(json_object_size(update), 3);
	ck_assert_ptr_null(json_object_get(update, "custom:tenant"));
	ck_assert_ptr_nonnull(json_object_get(update, "email"));
	json_decref(create);
	json_decref(update);
	fixture_clear(&f);
}
END_TEST

/* An e-mail that is not one, and a value over its schema bound. */
START_TEST(test_map_refused)
{
	static const char *const claims[] = {
		"{\"mail\": \"not an address\"}",
		"{\"mail\": \"a@example.com\", \"plan\": \"premium\"}",
	};
	struct fixture		 f;
	enum core_err_kind	 kind;
	json_t			*create, *update;
	char			*msg;
	size_t			 i;

	for (i = 0; i < sizeof claims / sizeof claims[0]; i++) {
		fixture_init(&f, claims[i], "{\"email\": \"mail\", "
		    "\"custom:plan\": \"plan\"}");
		msg = NULL;
		ck_assert_int_eq(federation_map(&f.rules, &f.id, &create,
		    &update, &kind, &msg), -1);
		ck_assert_int_eq(kind, CORE_ERR_INVALID);
		ck_assert_ptr_nonnull(msg);
		ck_assert_ptr_null(create);
		ck_assert_ptr_null(update);
		free(msg);
		fixture_clear(&f);
	}
}
END_TEST

START_TEST(test_required)
{
	struct fixture		 f;
	enum core_err_kind	 kind;
	json_t			*create, *update;
	char			*msg = NULL;

	fixture_init(&f, "{\"mail\": \"a@example.com\", \"cn\": \"A\"}",
	    "{\"name\": \"cn\"}");
	ck_assert_int_eq(federation_map(&f.rules, &f.id, &create, &update,
	    &kind, &msg), 0);
	ck_assert_int_eq(federation_check_required(&f.rules, create, &msg),
	    -1);
	ck_assert_str_eq(msg, "attributes required: [email]");
	free(msg);
	json_object_set_new(create, "email", json_string("a@example.com"));
	msg = NULL;
	ck_assert_int_eq(federation_check_required(&f.rules, create, &msg),
	    0);
	ck_assert_ptr_null(msg);
	json_decref(create);
	json_decref(update);
	fixture_clear(&f);
}
END_TEST

/* Cognito's member order; primary a boolean, dateCreated a number. */
START_TEST(test_identity_text)
{
	char	*t;

	t = federation_identity_text("1234", "Google", FED_GOOGLE, NULL, 1,
	    1700000000123LL);
	ck_assert_str_eq(t, "{\"userId\":\"1234\",\"providerName\":\"Google\","
	    "\"providerType\":\"Google\",\"issuer\":null,\"primary\":true,"
	    "\"dateCreated\":1700000000123}");
	free(t);
	t = federation_identity_text("alice", "Okta", FED_SAML,
	    "http://www.okta.com/exk1", 0, 5);
	ck_assert_str_eq(t, "{\"userId\":\"alice\",\"providerName\":\"Okta\","
	    "\"providerType\":\"SAML\",\"issuer\":\"http://www.okta.com/exk1\","
	    "\"primary\":false,\"dateCreated\":5}");
	free(t);
}
END_TEST

/* The token's claim: the same array, primary and dateCreated strings. */
START_TEST(test_identities_claim)
{
	json_t	*a, *e;

	a = federation_identities_claim("[{\"userId\":\"1234\","
	    "\"providerName\":\"Google\",\"providerType\":\"Google\","
	    "\"issuer\":null,\"primary\":true,\"dateCreated\":1700000000123}]");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(json_array_size(a), 1);
	e = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "primary")),
	    "true");
	ck_assert_str_eq(json_string_value(json_object_get(e,
	    "dateCreated")), "1700000000123");
	ck_assert(json_is_null(json_object_get(e, "issuer")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "userId")),
	    "1234");
	json_decref(a);
	ck_assert_ptr_null(federation_identities_claim("not json"));
	ck_assert_ptr_null(federation_identities_claim("{\"a\":1}"));
	ck_assert_ptr_null(federation_identities_claim(NULL));
}
END_TEST

START_TEST(test_type_names)
{
	static const char *const names[] = { "OIDC", "SAML", "Google",
	    "Facebook", "LoginWithAmazon", "SignInWithApple" };
	enum fed_type	type;
	size_t		i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		ck_assert_int_eq(federation_type_of(names[i], &type), 0);
		ck_assert_str_eq(federation_type_name(type), names[i]);
	}
	ck_assert_int_eq(federation_type_of("Cognito", &type), -1);
	ck_assert_int_eq(federation_type_of(NULL, &type), -1);
	ck_assert_ptr_null(federation_type_name(FED_NTYPES));
}
END_TEST

Suite *
federation_suite(void)
{
	Suite	*s = suite_create("federation");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_claim_text);
	tcase_add_test(tc, test_map_create_and_update);
	tcase_add_test(tc, test_map_refused);
	tcase_add_test(tc, test_required);
	tcase_add_test(tc, test_identity_text);
	tcase_add_test(tc, test_identities_claim);
	tcase_add_test(tc, test_type_names);
	suite_add_tcase(s, tc);
	return s;
}
