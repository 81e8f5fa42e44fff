/*
 * test_users.c: the user rules of a pool: normalised keys, usernames,
 * attribute writes against a schema (types, constraints, mutability,
 * client write permissions, required attributes), deletions, alias
 * columns, which contact gets a verification or reset code, decoding a
 * row and the UserType answers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/users.h"
#include "db/users.h"
#include "suites.h"

#define STR_ATTR(n, mut, req, lo, hi)					\
	"{\"Name\": \"" n "\", \"AttributeDataType\": \"String\", "	\
	"\"DeveloperOnlyAttribute\": false, \"Mutable\": " mut ", "	\
	"\"Required\": " req ", \"StringAttributeConstraints\": "	\
	"{\"MinLength\": \"" lo "\", \"MaxLength\": \"" hi "\"}}"

/* A pool: email required, a few custom attributes of every type. */
static const char schema_json[] = "[" STR_ATTR("sub", "false", "true",
    "1", "2048") ", " STR_ATTR("name", "true", "false", "0", "2048") ", "
    STR_ATTR("email", "true", "true", "0", "2048") ", "
    STR_ATTR("phone_number", "true", "false", "0", "2048") ", "
    STR_ATTR("preferred_username", "true", "false", "0", "2048") ", "
    STR_ATTR("birthdate", "true", "false", "10", "10") ", "
    "{\"Name\": \"email_verified\", \"AttributeDataType\": \"Boolean\", "
    "\"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"phone_number_verified\", \"AttributeDataType\": "
    "\"Boolean\", \"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"updated_at\", \"AttributeDataType\": \"Number\", "
    "\"Mutable\": true, \"Required\": false, "
    "\"NumberAttributeConstraints\": {\"MinValue\": \"0\"}}, "
    STR_ATTR("custom:plan", "true", "false", "1", "5") ", "
    STR_ATTR("custom:tenant", "false", "false", "0", "64") ", "
    "{\"Name\": \"custom:age\", \"AttributeDataType\": \"Number\", "
    "\"Mutable\": true, \"Required\": false, "
    "\"NumberAttributeConstraints\": {\"MinValue\": \"0\", "
    "\"MaxValue\": \"150\"}}, "
    "{\"Name\": \"custom:active\", \"AttributeDataType\": \"Boolean\", "
    "\"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"custom:since\", \"AttributeDataType\": \"DateTime\", "
    "\"Mutable\": true, \"Required\": false}, "
    "{\"Name\": \"dev:custom:secret\", \"AttributeDataType\": \"String\", "
    "\"DeveloperOnlyAttribute\": true, \"Mutable\": true, "
    "\"Required\": false}]";

static json_t *
pool_config(const char *extra)
{
	json_t	*c, *x;

	c = json_pack("{s:o}", "SchemaAttributes", json_loads(schema_json, 0,
	    NULL));
	ck_assert_ptr_nonnull(json_object_get(c, "SchemaAttributes"));
	if (extra != NULL) {
		x = json_loads(extra, 0, NULL);
		ck_assert_ptr_nonnull(x);
		json_object_update(c, x);
		json_decref(x);
	}
	return c;
}

/* UserAttributes from "name=value;name=value". */
static json_t *
attr_list(const char *spec)
{
	json_t	*list = json_array();
	char	*copy = strdup(spec), *p = copy, *item, *eq;

	while ((item = strsep(&p, ";")) != NULL) {
		if (*item == '\0')
			continue;
		if ((eq = strchr(item, '=')) == NULL) {
			json_array_append_new(list, json_pack("{s:s}", "Name",
			    item));
			continue;
		}
		*eq = '\0';
		json_array_append_new(list, json_pack("{s:s, s:s}", "Name",
		    item, "Value", eq + 1));
	}
	free(copy);
	return list;
}

static const char *
attr(json_t *attrs, const char *name)
{
	return json_string_value(json_object_get(attrs, name));
}

START_TEST(test_rules)
{
	json_t			*c = pool_config("{\"UsernameAttributes\": "
				    "[\"email\"], \"AliasAttributes\": "
				    "[\"preferred_username\"], "
				    "\"AutoVerifiedAttributes\": [\"email\"], "
				    "\"UsernameConfiguration\": "
				    "{\"CaseSensitive\": true}}");
	struct users_rules	 r;

	users_rules_init(&r, c);
	ck_assert_ptr_eq(r.config, c);
	ck_assert_int_eq(r.case_sensitive, 1);
	ck_assert_int_eq(r.username_email, 1);
	ck_assert_int_eq(r.username_phone, 0);
	ck_assert_int_eq(r.alias_preferred, 1);
	ck_assert_int_eq(r.alias_email, 0);
	ck_assert_int_eq(r.auto_verify_email, 1);
	ck_assert_int_eq(r.auto_verify_phone, 0);
	json_decref(c);
}
END_TEST

struct key_case {
	const char	*config;
	const char	*in;
	const char	*key;
};

static const struct key_case keys[] = {
	{ "{}", "Alice", "alice" },
	{ "{}", "ÄLICE", "Älice" },	/* ASCII only */
	{ "{\"UsernameConfiguration\": {\"CaseSensitive\": false}}", "BoB",
	  "bob" },
	{ "{\"UsernameConfiguration\": {\"CaseSensitive\": true}}", "BoB",
	  "BoB" },
	{ "{\"UsernameConfiguration\": {\"CaseSensitive\": true}}",
	  "A@Example.COM", "A@Example.COM" },
	{ "{\"UsernameConfiguration\": {\"CaseSensitive\": true}, "
	  "\"AliasAttributes\": [\"email\"]}", "A@Example.COM",
	  "a@example.com" },
	{ "{\"UsernameConfiguration\": {\"CaseSensitive\": true}, "
	  "\"UsernameAttributes\": [\"email\"]}", "A@Example.COM",
	  "a@example.com" },
};

START_TEST(test_key)
{
	const struct key_case	*k = &keys[_i];
	json_t			*c = pool_config(k->config);
	struct users_rules	 r;
	char			*key;

	users_rules_init(&r, c);
	key = users_key(&r, k->in);
	ck_assert_str_eq(key, k->key);
	free(key);
	json_decref(c);
}
END_TEST

struct username_case {
	const char	*config;
	const char	*name;
	const char	*msg;		/* NULL: accepted */
	const char	*attribute;	/* users_username_attribute */
};

static const struct username_case usernames[] = {
	{ "{}", "alice", NULL, NULL },
	{ "{}", "jörg.müller+1@x", NULL, NULL },
	{ "{}", "has space", "1 validation error detected: Value at "
	  "'username' failed to satisfy constraint: Member must satisfy "
	  "regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
	  NULL },
	{ "{}", "", "1 validation error detected: Value at 'username' failed "
	  "to satisfy constraint: Member must satisfy regular expression "
	  "pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+", NULL },
	{ "{\"UsernameAttributes\": [\"email\"]}", "a@example.com", NULL,
	  "email" },
	{ "{\"UsernameAttributes\": [\"email\"]}", "alice",
	  "Username should be an email.", NULL },
	{ "{\"UsernameAttributes\": [\"email\"]}", "+14155550100",
	  "Username should be an email.", NULL },
	{ "{\"UsernameAttributes\": [\"phone_number\"]}", "+14155550100",
	  NULL, "phone_number" },
	{ "{\"UsernameAttributes\": [\"phone_number\"]}", "a@example.com",
	  "Username should be a phone number.", NULL },
	{ "{\"UsernameAttributes\": [\"email\", \"phone_number\"]}",
	  "+14155550100", NULL, "phone_number" },
	{ "{\"UsernameAttributes\": [\"email\", \"phone_number\"]}", "bob",
	  "Username should be either an email or a phone number.", NULL },
	{ "{\"AliasAttributes\": [\"email\"]}", "a@example.com",
	  "Username cannot be of email format, since user pool is configured "
	  "for email alias.", NULL },
	{ "{\"AliasAttributes\": [\"phone_number\"]}", "+14155550100",
	  "Username cannot be of phone number format, since user pool is "
	  "configured for phone number alias.", NULL },
	{ "{\"AliasAttributes\": [\"phone_number\"]}", "a@example.com", NULL,
	  NULL },
};

START_TEST(test_username)
{
	const struct username_case	*u = &usernames[_i];
	json_t				*c = pool_config(u->config);
	struct users_rules		 r;
	const char			*a;
	enum core_err_kind		 kind = CORE_ERR_NKINDS;
	char				*msg = NULL;
	int				 rc;

	users_rules_init(&r, c);
	rc = users_check_username(&r, u->name, &kind, &msg);
	if (u->msg == NULL)
		ck_assert_msg(rc == 0, "%s: %s", u->name, msg);
	else {
		ck_assert_int_eq(rc, -1);
		ck_assert_int_eq(kind, CORE_ERR_INVALID);
		ck_assert_str_eq(msg, u->msg);
	}
	a = users_username_attribute(&r, u->name);
	if (u->attribute == NULL)
		ck_assert_ptr_null(a);
	else
		ck_assert_str_eq(a, u->attribute);
	free(msg);
	json_decref(c);
}
END_TEST

START_TEST(test_formats)
{
	static const char *const emails[] = { "a@b.co", "first.last+tag@ex-"
	    "ample.org", "x@localhost", "ü@exämple.de" };
	static const char *const not_emails[] = { "", "a", "@b.c", "a@",
	    "a@@b.c", "a b@c.d", "a@b..c", "a@.b", "a@b.", ".a@b.c", "a.@b.c",
	    "a@b_c.d", "a@b c.d" };
	static const char *const phones[] = { "+12", "+14155550100",
	    "+123456789012345" };
	static const char *const not_phones[] = { "", "+", "+1", "14155550100",
	    "+0123", "+1415555010a", "+1 415 555", "+1234567890123456" };
	size_t	i;

	for (i = 0; i < nitems(emails); i++)
		ck_assert_msg(users_is_email(emails[i]), "%s", emails[i]);
	for (i = 0; i < nitems(not_emails); i++)
		ck_assert_msg(!users_is_email(not_emails[i]), "%s",
		    not_emails[i]);
	for (i = 0; i < nitems(phones); i++)
		ck_assert_msg(users_is_phone(phones[i]), "%s", phones[i]);
	for (i = 0; i < nitems(not_phones); i++)
		ck_assert_msg(!users_is_phone(not_phones[i]), "%s",
		    not_phones[i]);
}
END_TEST

struct apply_case {
	enum users_mode	 mode;
	const char	*before;	/* attributes JSON */
	const char	*list;		/* name=value;... */
	const char	*writable;	/* JSON array or NULL */
	const char	*kind;		/* core_err_name(); NULL: accepted */
	const char	*msg;
	const char	*after;		/* attributes JSON when accepted */
};

static const struct apply_case applies[] = {
	{ USERS_CREATE_ADMIN, "{}", "email=a@b.co;name=Ann;custom:plan=gold;"
	  "custom:age=42;custom:active=true;custom:since=2024-05-01T10:00:00Z;"
	  "custom:tenant=t1;updated_at=1700000000;birthdate=1990-01-31;"
	  "dev:custom:secret=s", NULL, NULL, NULL,
	  "{\"email\": \"a@b.co\", \"name\": \"Ann\", \"custom:plan\": "
	  "\"gold\", \"custom:age\": \"42\", \"custom:active\": \"true\", "
	  "\"custom:since\": \"2024-05-01T10:00:00Z\", \"custom:tenant\": "
	  "\"t1\", \"updated_at\": \"1700000000\", \"birthdate\": "
	  "\"1990-01-31\", \"dev:custom:secret\": \"s\"}" },
	/* Every schema problem is a line of its own. */
	{ USERS_CREATE_ADMIN, "{}", "thing=1;custom:plan=platinum;"
	  "custom:age=200;custom:active=yes;sub=x", NULL,
	  "invalid",
	  "Attributes did not conform to the schema: thing: Attribute does "
	  "not exist in the schema.\ncustom:plan: String must be no longer "
	  "than 5 characters\ncustom:age: Number must be no greater than "
	  "150\ncustom:active: Boolean must be either true or false\nsub: "
	  "Attribute cannot be updated.\n", NULL },
	{ USERS_CREATE_ADMIN, "{}", "custom:age=-1", NULL,
	  "invalid", "Attributes did not conform to the "
	  "schema: custom:age: Number must be no less than 0\n", NULL },
	{ USERS_CREATE_ADMIN, "{}", "custom:age=4x", NULL,
	  "invalid", "Attributes did not conform to the "
	  "schema: custom:age: Number must be a valid number\n", NULL },
	{ USERS_CREATE_ADMIN, "{}", "custom:plan=", NULL,
	  "invalid", "Attributes did not conform to the "
	  "schema: custom:plan: String must be no shorter than 1 "
	  "characters\n", NULL },
	{ USERS_CREATE_ADMIN, "{}", "custom:since=yesterday", NULL,
	  "invalid", "Attributes did not conform to the "
	  "schema: custom:since: DateTime must be a valid date and time\n",
	  NULL },
	{ USERS_CREATE_ADMIN, "{}", "email_verified=True", NULL,
	  "invalid", "Attributes did not conform to the "
	  "schema: email_verified: Boolean must be either true or false\n",
	  NULL },
	{ USERS_CREATE_ADMIN, "{}", "email=not-an-email", NULL,
	  "invalid", "Invalid email address format.",
	  NULL },
	{ USERS_CREATE_ADMIN, "{}", "phone_number=555-1234", NULL,
	  "invalid", "Invalid phone number format.", NULL },
	/* Length counts characters, not bytes. */
	{ USERS_CREATE_ADMIN, "{}", "custom:plan=ääääß", NULL, NULL, NULL,
	  "{\"custom:plan\": \"ääääß\"}" },
	/* A new user's verified flag is only what the request says. */
	{ USERS_CREATE_ADMIN, "{}", "email=a@b.co;email_verified=true", NULL,
	  NULL, NULL, "{\"email\": \"a@b.co\", \"email_verified\": "
	  "\"true\"}" },
	{ USERS_CREATE_ADMIN, "{}", "email=a@b.co", NULL, NULL, NULL,
	  "{\"email\": \"a@b.co\"}" },
	/* An update: immutable refused, lines in the update style. */
	{ USERS_UPDATE_ADMIN, "{\"custom:tenant\": \"t1\"}",
	  "custom:tenant=t2;nope=1", NULL, "invalid",
	  "user.custom:tenant: Attribute cannot be updated.\nuser.nope: "
	  "Attribute does not exist in the schema.\n", NULL },
	{ USERS_UPDATE_ADMIN, "{}", "sub=1", NULL, "invalid",
	  "user.sub: Attribute cannot be updated.\n", NULL },
	/* A changed email loses its verification... */
	{ USERS_UPDATE_ADMIN, "{\"email\": \"a@b.co\", \"email_verified\": "
	  "\"true\"}", "email=c@d.co", NULL, NULL, NULL,
	  "{\"email\": \"c@d.co\", \"email_verified\": \"false\"}" },
	/* ... unless the same request verifies it ... */
	{ USERS_UPDATE_ADMIN, "{\"email\": \"a@b.co\", \"email_verified\": "
	  "\"false\"}", "email=c@d.co;email_verified=true", NULL, NULL, NULL,
	  "{\"email\": \"c@d.co\", \"email_verified\": \"true\"}" },
	/* ... and an unchanged one keeps it. */
	{ USERS_UPDATE_ADMIN, "{\"phone_number\": \"+14155550100\", "
	  "\"phone_number_verified\": \"true\"}", "phone_number=+14155550100",
	  NULL, NULL, NULL, "{\"phone_number\": \"+14155550100\", "
	  "\"phone_number_verified\": \"true\"}" },
	{ USERS_UPDATE_ADMIN, "{}", "phone_number=+14155550100", NULL, NULL,
	  NULL, "{\"phone_number\": \"+14155550100\", "
	  "\"phone_number_verified\": \"false\"}" },
	/* An app client writes its WriteAttributes only. */
	{ USERS_UPDATE_SELF, "{}", "name=Ann", "[\"email\"]",
	  "not_authorized",
	  "A client attempted to write unauthorized attribute", NULL },
	{ USERS_UPDATE_SELF, "{}", "name=Ann", "[\"email\", \"name\"]", NULL,
	  NULL, "{\"name\": \"Ann\"}" },
	{ USERS_UPDATE_SELF, "{}", "name=Ann", NULL, NULL, NULL,
	  "{\"name\": \"Ann\"}" },
	{ USERS_UPDATE_SELF, "{}", "email_verified=true", NULL,
	  "not_authorized",
	  "A client attempted to write unauthorized attribute", NULL },
	{ USERS_UPDATE_SELF, "{}", "dev:custom:secret=x", NULL,
	  "not_authorized",
	  "A client attempted to write unauthorized attribute", NULL },
	{ USERS_CREATE_SELF, "{}", "custom:tenant=t1;email=a@b.co", NULL,
	  NULL, NULL, "{\"custom:tenant\": \"t1\", \"email\": \"a@b.co\"}" },
	{ USERS_UPDATE_SELF, "{}", "custom:tenant=t1", NULL,
	  "invalid",
	  "user.custom:tenant: Attribute cannot be updated.\n", NULL },
	/* A missing Value is an empty one. */
	{ USERS_UPDATE_ADMIN, "{\"name\": \"Ann\"}", "name", NULL, NULL, NULL,
	  "{\"name\": \"\"}" },
};

START_TEST(test_apply)
{
	const struct apply_case	*a = &applies[_i];
	json_t			*c = pool_config(NULL), *attrs, *list;
	json_t			*writable = NULL, *want, *before;
	struct users_rules	 r;
	enum core_err_kind	 kind = CORE_ERR_NKINDS;
	char			*msg = NULL;
	int			 rc;

	users_rules_init(&r, c);
	attrs = json_loads(a->before, 0, NULL);
	before = json_deep_copy(attrs);
	list = attr_list(a->list);
	if (a->writable != NULL)
		writable = json_loads(a->writable, 0, NULL);
	rc = users_apply_attributes(&r, attrs, list, a->mode, writable,
	    &kind, &msg);
	if (a->kind == NULL) {
		ck_assert_msg(rc == 0, "%s: %s", a->list, msg);
		want = json_loads(a->after, 0, NULL);
		ck_assert_ptr_nonnull(want);
		ck_assert_msg(json_equal(attrs, want), "%s: %s", a->list,
		    json_dumps(attrs, JSON_COMPACT));
		json_decref(want);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(core_err_name(kind), a->kind);
		ck_assert_str_eq(msg, a->msg);
		/* A refused write leaves the attributes alone. */
		ck_assert(json_equal(attrs, before));
	}
	free(msg);
	json_decref(before);
	json_decref(attrs);
	json_decref(list);
	json_decref(writable);
	json_decref(c);
}
END_TEST

START_TEST(test_delete)
{
	json_t			*c = pool_config(NULL), *attrs, *names;
	json_t			*writable;
	struct users_rules	 r;
	enum core_err_kind	 kind = CORE_ERR_NKINDS;
	char			*msg = NULL;

	users_rules_init(&r, c);
	attrs = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", "a@b.co",
	    "email_verified", "true", "name", "Ann", "phone_number",
	    "+14155550100", "custom:tenant", "t");
	names = json_pack("[s, s, s, s]", "email", "nope", "custom:tenant",
	    "sub");
	ck_assert_int_eq(users_delete_attributes(&r, attrs, names,
	    USERS_UPDATE_ADMIN, NULL, &kind, &msg), -1);
	ck_assert_int_eq(kind, CORE_ERR_INVALID);
	ck_assert_str_eq(msg, "Invalid user attributes: email: Required "
	    "attribute cannot be deleted.\nnope: Attribute does not exist in "
	    "the schema.\ncustom:tenant: Attribute cannot be updated.\nsub: "
	    "Attribute cannot be deleted.");
	free(msg);
	msg = NULL;
	json_decref(names);
	ck_assert_int_eq(json_object_size(attrs), 5);

	names = json_pack("[s, s]", "phone_number", "name");
	writable = json_pack("[s]", "name");
	ck_assert_int_eq(users_delete_attributes(&r, attrs, names,
	    USERS_UPDATE_SELF, writable, &kind, &msg), -1);
	ck_assert_int_eq(kind, CORE_ERR_NOT_AUTHORIZED);
	free(msg);
	json_decref(writable);
	ck_assert_int_eq(users_delete_attributes(&r, attrs, names,
	    USERS_UPDATE_ADMIN, NULL, &kind, &msg), 0);
	ck_assert_ptr_null(attr(attrs, "phone_number"));
	ck_assert_ptr_null(attr(attrs, "name"));
	ck_assert_str_eq(attr(attrs, "email"), "a@b.co");
	json_decref(names);
	json_decref(attrs);
	json_decref(c);
}
END_TEST

START_TEST(test_required)
{
	json_t			*c = pool_config(NULL), *attrs;
	struct users_rules	 r;
	enum core_err_kind	 kind = CORE_ERR_NKINDS;
	char			*msg = NULL;

	/* Make name required too: both are reported. */
	json_object_set_new(json_array_get(json_object_get(c,
	    "SchemaAttributes"), 1), "Required", json_true());
	users_rules_init(&r, c);
	attrs = json_pack("{s:s}", "name", "");
	ck_assert_int_eq(users_check_required(&r, attrs, &kind, &msg), -1);
	ck_assert_int_eq(kind, CORE_ERR_INVALID);
	ck_assert_str_eq(msg, "Attributes did not conform to the schema: "
	    "name: The attribute is required\nemail: The attribute is "
	    "required\n");
	free(msg);
	json_object_set_new(attrs, "name", json_string("Ann"));
	json_object_set_new(attrs, "email", json_string("a@b.co"));
	ck_assert_int_eq(users_check_required(&r, attrs, &kind, &msg), 0);
	json_decref(attrs);
	json_decref(c);
}
END_TEST

struct alias_case {
	const char	*config;
	const char	*attrs;
	const char	*email, *phone, *preferred;
};

static const struct alias_case aliases[] = {
	{ "{}", "{\"email\": \"A@B.co\", \"email_verified\": \"true\", "
	  "\"preferred_username\": \"JD\"}", NULL, NULL, NULL },
	{ "{\"UsernameAttributes\": [\"email\"]}", "{\"email\": \"A@B.co\"}",
	  "a@b.co", NULL, NULL },
	{ "{\"UsernameAttributes\": [\"phone_number\"]}",
	  "{\"phone_number\": \"+14155550100\", \"email\": \"a@b.co\", "
	  "\"email_verified\": \"true\"}", NULL, "+14155550100", NULL },
	{ "{\"AliasAttributes\": [\"email\", \"phone_number\", "
	  "\"preferred_username\"]}", "{\"email\": \"A@B.co\", "
	  "\"email_verified\": \"false\", \"phone_number\": \"+14155550100\", "
	  "\"phone_number_verified\": \"true\", \"preferred_username\": "
	  "\"JD\"}", NULL, "+14155550100", "jd" },
	{ "{\"AliasAttributes\": [\"email\"]}", "{\"email\": \"A@B.co\", "
	  "\"email_verified\": \"true\"}", "a@b.co", NULL, NULL },
	{ "{\"AliasAttributes\": [\"preferred_username\"], "
	  "\"UsernameConfiguration\": {\"CaseSensitive\": true}}",
	  "{\"preferred_username\": \"JD\"}", NULL, NULL, "JD" },
};

static void
check_opt_str(const char *got, const char *want)
{
	if (want == NULL)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, want);
}

START_TEST(test_alias)
{
	const struct alias_case	*a = &aliases[_i];
	json_t			*c = pool_config(a->config);
	json_t			*attrs = json_loads(a->attrs, 0, NULL);
	struct users_rules	 r;
	struct users_aliases	 al;

	users_rules_init(&r, c);
	users_alias_columns(&r, attrs, &al);
	check_opt_str(al.email, a->email);
	check_opt_str(al.phone, a->phone);
	check_opt_str(al.preferred, a->preferred);
	users_aliases_clear(&al);
	json_decref(attrs);
	json_decref(c);
}
END_TEST

START_TEST(test_unique_attribute)
{
	ck_assert_str_eq(users_unique_attribute("users_alias_email"),
	    "email");
	ck_assert_str_eq(users_unique_attribute("users_alias_phone"),
	    "phone_number");
	ck_assert_str_eq(users_unique_attribute("users_alias_preferred"),
	    "preferred_username");
	ck_assert_ptr_null(users_unique_attribute("users_pool_id_username_key"
	    "_key"));
	ck_assert_ptr_null(users_unique_attribute(NULL));
}
END_TEST

struct verify_case {
	const char	*config;
	const char	*was, *now;	/* attributes before and after */
	int		 email, phone;	/* users_verify_due */
};

static const struct verify_case verifies[] = {
	{ "{\"AutoVerifiedAttributes\": [\"email\"]}", "{}",
	    "{\"email\": \"a@b.co\"}", 1, 0 },
	/* The same value, or marked verified by the change: no code. */
	{ "{\"AutoVerifiedAttributes\": [\"email\"]}",
	    "{\"email\": \"a@b.co\"}", "{\"email\": \"a@b.co\"}", 0, 0 },
	{ "{\"AutoVerifiedAttributes\": [\"email\"]}", "{}",
	    "{\"email\": \"a@b.co\", \"email_verified\": \"true\"}", 0, 0 },
	{ "{\"AutoVerifiedAttributes\": [\"email\"]}", "{}",
	    "{\"email\": \"a@b.co\", \"email_verified\": \"false\"}", 1,
	    0 },
	/* Only what the pool verifies automatically. */
	{ "{}", "{}", "{\"email\": \"a@b.co\", \"phone_number\": "
	    "\"+15555550100\"}", 0, 0 },
	{ "{\"AutoVerifiedAttributes\": [\"phone_number\"]}",
	    "{\"phone_number\": \"+15555550100\"}", "{\"email\": \"a@b.co\", "
	    "\"phone_number\": \"+15555550199\"}", 0, 1 },
	/* A deleted contact gets nothing. */
	{ "{\"AutoVerifiedAttributes\": [\"email\"]}",
	    "{\"email\": \"a@b.co\"}", "{}", 0, 0 },
};

START_TEST(test_verify_due)
{
	const struct verify_case	*v = &verifies[_i];
	json_t				*c = json_loads(v->config, 0, NULL);
	json_t				*was = json_loads(v->was, 0, NULL);
	json_t				*now = json_loads(v->now, 0, NULL);
	struct users_rules		 r;

	users_rules_init(&r, c);
	ck_assert_int_eq(users_verify_due(&r, was, now, "email"), v->email);
	ck_assert_int_eq(users_verify_due(&r, was, now, "phone_number"),
	    v->phone);
	json_decref(now);
	json_decref(was);
	json_decref(c);
}
END_TEST

#define RECOVERY(m)							\
	"{\"AccountRecoverySetting\": {\"RecoveryMechanisms\": [" m "]}}"
#define MECH(name, prio)						\
	"{\"Name\": \"" name "\", \"Priority\": " #prio "}"
#define BOTH_VERIFIED							\
	"{\"email\": \"a@b.co\", \"email_verified\": \"true\", "	\
	"\"phone_number\": \"+15555550100\", "				\
	"\"phone_number_verified\": \"true\"}"

struct recovery_case {
	const char	*config;
	const char	*attrs;
	const char	*attr;		/* users_recovery_attr */
	int		 admin_only;
};

static const struct recovery_case recoveries[] = {
	/* Without the setting: a verified phone number first. */
	{ "{}", BOTH_VERIFIED, "phone_number", 0 },
	{ "{}", "{\"email\": \"a@b.co\", \"email_verified\": \"true\"}",
	    "email", 0 },
	{ "{}", "{\"email\": \"a@b.co\", \"email_verified\": \"false\"}",
	    NULL, 0 },
	/* In order of Priority, whatever the order of the list. */
	{ RECOVERY(MECH("verified_email", 1) ", "
	    MECH("verified_phone_number", 2)), BOTH_VERIFIED, "email", 0 },
	{ RECOVERY(MECH("verified_email", 2) ", "
	    MECH("verified_phone_number", 1)), BOTH_VERIFIED,
	    "phone_number", 0 },
	/* A mechanism without a verified contact passes to the next. */
	{ RECOVERY(MECH("verified_email", 1) ", "
	    MECH("verified_phone_number", 2)), "{\"phone_number\": "
	    "\"+15555550100\", \"phone_number_verified\": \"true\"}",
	    "phone_number", 0 },
	{ RECOVERY(MECH("verified_email", 1)), "{\"phone_number\": "
	    "\"+15555550100\", \"phone_number_verified\": \"true\"}",
	    NULL, 0 },
	{ RECOVERY(MECH("admin_only", 1)), BOTH_VERIFIED, NULL, 1 },
};

START_TEST(test_recovery)
{
	const struct recovery_case	*rc = &recoveries[_i];
	json_t				*c = json_loads(rc->config, 0, NULL);
	json_t				*attrs = json_loads(rc->attrs, 0, NULL);
	int				 admin_only = -1;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(attrs);
	check_opt_str(users_recovery_attr(c, attrs, &admin_only), rc->attr);
	ck_assert_int_eq(admin_only, rc->admin_only);
	json_decref(attrs);
	json_decref(c);
}
END_TEST

/* A result as libpq would hand DB_USERS_COLUMNS over. */
static PGresult *
fake_row(void)
{
	static const char *const vals[DB_USERS_NCOLUMNS] = {
		"6f1c2b8e-0d3a-4c55-9a1e-2b7f0c9d4e11", "Alice", "alice",
		"CONFIRMED", "f", "{\"email\": \"a@b.co\", \"name\": \"Ann\"}",
		"$s1$0e0801$c2FsdA==$aGFzaA==", NULL, "2", NULL, "0",
		"1700000000.1234", "1700000100.5", NULL,
	};
	PGresAttDesc	 desc[DB_USERS_NCOLUMNS];
	PGresult	*res;
	int		 i;

	memset(desc, 0, sizeof desc);
	for (i = 0; i < DB_USERS_NCOLUMNS; i++) {
		desc[i].name = (char *)"c";
		desc[i].format = 0;
		desc[i].typlen = -1;
		desc[i].atttypmod = -1;
	}
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	ck_assert_int_eq(PQsetResultAttrs(res, DB_USERS_NCOLUMNS, desc), 1);
	for (i = 0; i < DB_USERS_NCOLUMNS; i++)
		ck_assert_int_eq(PQsetvalue(res, 0, i, (char *)vals[i],
		    vals[i] == NULL ? -1 : (int)strlen(vals[i])), 1);
	return res;
}

START_TEST(test_row_and_describe)
{
	PGresult	*res = fake_row();
	struct user	 u;
	json_t		*d, *list, *want;

	db_users_from_row(&u, res, 0, 0);
	PQclear(res);
	ck_assert_str_eq(u.sub, "6f1c2b8e-0d3a-4c55-9a1e-2b7f0c9d4e11");
	ck_assert_str_eq(u.username, "Alice");
	ck_assert_str_eq(u.username_key, "alice");
	ck_assert_str_eq(u.status, "CONFIRMED");
	ck_assert_int_eq(u.enabled, 0);
	ck_assert_str_eq(u.password_hash, "$s1$0e0801$c2FsdA==$aGFzaA==");
	ck_assert(u.temp_password_at == 0);
	ck_assert_int_eq(u.failed_logins, 2);
	ck_assert(u.created_at > 1700000000.12 && u.created_at < 1700000000.13);

	d = users_describe(&u, NULL, 0);
	want = json_loads("{\"Username\": \"Alice\", \"Attributes\": ["
	    "{\"Name\": \"sub\", \"Value\": "
	    "\"6f1c2b8e-0d3a-4c55-9a1e-2b7f0c9d4e11\"}, "
	    "{\"Name\": \"email\", \"Value\": \"a@b.co\"}, "
	    "{\"Name\": \"name\", \"Value\": \"Ann\"}], "
	    "\"UserCreateDate\": 1700000000.123, "
	    "\"UserLastModifiedDate\": 1700000100.5, \"Enabled\": false, "
	    "\"UserStatus\": \"CONFIRMED\"}", 0, NULL);
	ck_assert_ptr_nonnull(want);
	/* Times differ in the last binary digits only. */
	ck_assert(json_number_value(json_object_get(d, "UserCreateDate")) -
	    1700000000.123 < 1e-6);
	json_object_del(d, "UserCreateDate");
	json_object_del(want, "UserCreateDate");
	ck_assert_msg(json_equal(d, want), "%s", json_dumps(d, 0));
	json_decref(want);
	json_decref(d);

	d = users_describe(&u, NULL, 1);
	ck_assert_ptr_nonnull(json_object_get(d, "UserAttributes"));
	ck_assert_ptr_null(json_object_get(d, "Attributes"));
	json_decref(d);

	list = json_pack("[s]", "name");
	d = users_attribute_list(&u, list);
	ck_assert_int_eq(json_array_size(d), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(d,
	    1), "Name")), "name");
	json_decref(d);
	json_decref(list);
	users_clear(&u);
	ck_assert_ptr_null(u.sub);
}
END_TEST

/* No SchemaAttributes: the standard schema still applies. */
START_TEST(test_fallback_schema)
{
	json_t			*c = json_object(), *attrs = json_object();
	json_t			*list = attr_list("email=a@b.co;custom:x=1");
	struct users_rules	 r;
	enum core_err_kind	 kind;
	char			*msg = NULL;

	users_rules_init(&r, c);
	ck_assert_int_eq(users_apply_attributes(&r, attrs, list,
	    USERS_CREATE_ADMIN, NULL, &kind, &msg), -1);
	ck_assert_str_eq(msg, "Attributes did not conform to the schema: "
	    "custom:x: Attribute does not exist in the schema.\n");
	free(msg);
	ck_assert_int_eq(users_check_required(&r, attrs, &kind, &msg), 0);
	json_decref(list);
	json_decref(attrs);
	json_decref(c);
}
END_TEST

Suite *
users_suite(void)
{
	Suite	*s = suite_create("users");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_rules);
	tcase_add_loop_test(tc, test_key, 0, (int)nitems(keys));
	tcase_add_loop_test(tc, test_username, 0, (int)nitems(usernames));
	tcase_add_test(tc, test_formats);
	tcase_add_loop_test(tc, test_apply, 0, (int)nitems(applies));
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_required);
	tcase_add_loop_test(tc, test_alias, 0, (int)nitems(aliases));
	tcase_add_test(tc, test_unique_attribute);
	tcase_add_loop_test(tc, test_verify_due, 0, (int)nitems(verifies));
	tcase_add_loop_test(tc, test_recovery, 0, (int)nitems(recoveries));
	tcase_add_test(tc, test_row_and_describe);
	tcase_add_test(tc, test_fallback_schema);
	suite_add_tcase(s, tc);
	return s;
}
