/*
 * test_filter.c: the ListUsers Filter grammar, table-driven: filters
 * that parse (with the exact SQL condition, parameter value and sort
 * column each gives) and filters that must be refused (with Cognito's
 * message).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/filter.h"
#include "suites.h"

struct good {
	const char	*text;
	int		 case_sensitive;
	const char	*sql;
	const char	*value;
	const char	*column;
};

static const struct good good[] = {
	{ "email = \"Alice@Example.com\"", 1,
	  "u.f_email = lower($3::text)", "alice@example.com", "u.f_email" },
	{ "email=\"a@b.c\"", 1,
	  "u.f_email = lower($3::text)", "a@b.c", "u.f_email" },
	{ "  email   ^=   \"Al\"  ", 1,
	  "u.f_email >= lower($3::text) AND u.f_email < "
	  "(lower($3::text) || chr(1114111))", "al", "u.f_email" },
	{ "email^=\"\"", 1,
	  "u.f_email >= lower($3::text) AND u.f_email < "
	  "(lower($3::text) || chr(1114111))", "", "u.f_email" },
	{ "phone_number ^= \"+1555\"", 1,
	  "u.f_phone >= lower($3::text) AND u.f_phone < "
	  "(lower($3::text) || chr(1114111))", "+1555", "u.f_phone" },
	{ "name = \"Jane \\\"JJ\\\" Doe\"", 1,
	  "u.f_name = lower($3::text)", "jane \"jj\" doe", "u.f_name" },
	{ "given_name = \"back\\\\slash\"", 1,
	  "u.f_given = lower($3::text)", "back\\slash", "u.f_given" },
	{ "family_name = \"Doe\"", 1,
	  "u.f_family = lower($3::text)", "doe", "u.f_family" },
	{ "preferred_username = \"JD\"", 1,
	  "u.f_preferred = lower($3::text)", "jd", "u.f_preferred" },
	{ "username = \"Alice\"", 1,
	  "u.username COLLATE \"C\" = $3::text", "Alice",
	  "u.username COLLATE \"C\"" },
	{ "username ^= \"Al\"", 1,
	  "u.username COLLATE \"C\" >= $3::text AND u.username COLLATE "
	  "\"C\" < ($3::text || chr(1114111))", "Al",
	  "u.username COLLATE \"C\"" },
	{ "username = \"Alice\"", 0,
	  "u.username_key = $3::text", "alice", NULL },
	{ "username ^= \"AL\"", 0,
	  "u.username_key >= $3::text AND u.username_key < ($3::text || "
	  "chr(1114111)) AND starts_with(u.username_key, $3::text)", "al",
	  NULL },
	{ "cognito:user_status = \"confirmed\"", 1,
	  "u.status = $3::text", "CONFIRMED", NULL },
	{ "cognito:user_status ^= \"Con\"", 1,
	  "u.status = ANY($3::text[])", "{CONFIRMED}", NULL },
	{ "cognito:user_status ^= \"\"", 1,
	  "u.status = ANY($3::text[])", "{UNCONFIRMED,CONFIRMED,"
	  "FORCE_CHANGE_PASSWORD,RESET_REQUIRED,EXTERNAL_PROVIDER}", NULL },
	{ "cognito:user_status ^= \"x\"", 1,
	  "u.status = ANY($3::text[])", "{}", NULL },
	{ "status = \"Enabled\"", 1, "u.enabled = $3::boolean", "true", NULL },
	{ "status = \"Disabled\"", 1, "u.enabled = $3::boolean", "false",
	  NULL },
	{ "status = \"enabled\"", 1, "($3::text IS NULL AND false)", "none",
	  NULL },
	{ "status ^= \"Dis\"", 1, "u.enabled = $3::boolean", "false", NULL },
	{ "status ^= \"\"", 1, "$3::text IS NOT NULL", "any", NULL },
	{ "sub = \"0F0E0D0C-0000-4000-8000-000000000001\"", 1,
	  "u.sub = $3::uuid", "0f0e0d0c-0000-4000-8000-000000000001", NULL },
	{ "sub = \"not-a-uuid\"", 1, "($3::text IS NULL AND false)",
	  "not-a-uuid", NULL },
	{ "sub ^= \"0F0E\"", 1, "starts_with(u.sub::text, $3::text)", "0f0e",
	  NULL },
	{ "email = \"=^=\\\"\"", 1,
	  "u.f_email = lower($3::text)", "=^=\"", "u.f_email" },
};

struct bad {
	const char	*text;
	const char	*msg;
};

static const struct bad bad[] = {
	{ "email", "Error while parsing filter" },
	{ "email =", "Error while parsing filter" },
	{ "email = alice", "Error while parsing filter" },
	{ "email = \"alice", "Error while parsing filter" },
	{ "email = \"alice\\\"", "Error while parsing filter" },
	{ "email = \"a\" x", "Error while parsing filter" },
	{ "email = \"a\" and name = \"b\"", "Error while parsing filter" },
	{ "email == \"a\"", "Error while parsing filter" },
	{ "email ~= \"a\"", "Error while parsing filter" },
	{ "email ^ \"a\"", "Error while parsing filter" },
	{ "= \"a\"", "Error while parsing filter" },
	{ "\"email\" = \"a\"", "Error while parsing filter" },
	{ "email = 'a'", "Error while parsing filter" },
	{ "   ", "Error while parsing filter" },
	{ "custom:plan = \"gold\"", "Invalid search attribute: custom:plan" },
	{ "Email = \"a\"", "Invalid search attribute: Email" },
	{ "address = \"x\"", "Invalid search attribute: address" },
	{ "email_verified = \"true\"",
	  "Invalid search attribute: email_verified" },
};

START_TEST(test_good)
{
	const struct good	*g = &good[_i];
	struct filter		 f;
	char			*msg = NULL;

	ck_assert_msg(filter_parse_pool(g->text, 3, g->case_sensitive, &f,
	    &msg) == 0, "%s: %s", g->text, msg);
	ck_assert_str_eq(f.sql, g->sql);
	ck_assert_str_eq(f.value, g->value);
	if (g->column == NULL)
		ck_assert_ptr_null(f.column);
	else
		ck_assert_str_eq(f.column, g->column);
	filter_clear(&f);
}
END_TEST

START_TEST(test_bad)
{
	const struct bad	*b = &bad[_i];
	struct filter		 f;
	char			*msg = NULL;

	ck_assert_msg(filter_parse(b->text, 2, &f, &msg) == -1, "%s parsed",
	    b->text);
	ck_assert_str_eq(msg, b->msg);
	ck_assert_ptr_null(f.sql);
	free(msg);
}
END_TEST

START_TEST(test_empty)
{
	struct filter	f;
	char		*msg = NULL;

	ck_assert_int_eq(filter_parse(NULL, 2, &f, &msg), 0);
	ck_assert_ptr_null(f.sql);
	ck_assert_ptr_null(f.value);
	ck_assert_ptr_null(f.column);
	ck_assert_int_eq(filter_parse("", 2, &f, &msg), 0);
	ck_assert_ptr_null(f.sql);
	filter_clear(&f);
}
END_TEST

/* The parameter number lands in every place of the condition. */
START_TEST(test_param)
{
	struct filter	f;
	char		*msg = NULL;

	ck_assert_int_eq(filter_parse("email ^= \"x\"", 12, &f, &msg), 0);
	ck_assert_str_eq(f.sql, "u.f_email >= lower($12::text) AND "
	    "u.f_email < (lower($12::text) || chr(1114111))");
	filter_clear(&f);
}
END_TEST

Suite *
filter_suite(void)
{
	Suite	*s = suite_create("filter");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_good, 0, (int)nitems(good));
	tcase_add_loop_test(tc, test_bad, 0, (int)nitems(bad));
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_param);
	suite_add_tcase(s, tc);
	return s;
}
