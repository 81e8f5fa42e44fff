/*
 * test_policy.c: password policies, table-driven: Cognito's messages for
 * each rule, the default policy, characters counted as code points, the
 * symbol set, the whitespace pattern Cognito checks first, temporary
 * passwords that pass their own policy, and validity periods.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "suites.h"

#define PFX	"Password did not conform with policy: "
#define SHORT	PFX "Password not long enough"
#define UPPER	PFX "Password must have uppercase characters"
#define LOWER	PFX "Password must have lowercase characters"
#define DIGIT	PFX "Password must have numeric characters"
#define SYMBOL	PFX "Password must have symbol characters"
#define PATTERN	POLICY_PATTERN_MESSAGE
/* The symbols of temporary passwords (policy.c). */
#define TEMP_SYMBOLS	"^*.[]{}()?!@#%&/,><:;|_~=+-"

#define ALL	"{\"MinimumLength\": 8, \"RequireUppercase\": true, " \
	"\"RequireLowercase\": true, \"RequireNumbers\": true, " \
	"\"RequireSymbols\": true, \"TemporaryPasswordValidityDays\": 7}"
#define NONE6	"{\"MinimumLength\": 6, \"RequireUppercase\": false, " \
	"\"RequireLowercase\": false, \"RequireNumbers\": false, " \
	"\"RequireSymbols\": false, \"TemporaryPasswordValidityDays\": 1}"

static const struct {
	const char	*policy;	/* NULL: no policy at all */
	const char	*password;
	const char	*message;	/* NULL: accepted */
} cases[] = {
	{ NULL, "Passw0rd!", NULL },
	{ NULL, "Pas0rd!", SHORT },
	{ NULL, "passw0rd!", UPPER },
	{ NULL, "PASSW0RD!", LOWER },
	{ NULL, "Password!", DIGIT },
	{ NULL, "Passw0rdd", SYMBOL },
	{ NULL, "password", UPPER },	/* the first failing rule */
	{ NULL, "pass", SHORT },
	{ ALL, "Passw0rd!", NULL },
	{ ALL, "Pas0rd!", SHORT },
	{ ALL, "Passw0rdd", SYMBOL },
	{ NONE6, "aaaaaa", NULL },
	{ NONE6, "aaaaa", SHORT },
	{ NONE6, "123456", NULL },
	{ "{\"MinimumLength\": 12}", "aaaaaaaaaaa", SHORT },
	{ "{\"MinimumLength\": 12}", "aaaaaaaaaaaa", NULL },
	{ "{}", "aaaaaaaa", NULL },	/* given: flags false */
	{ "{}", "aaaaaaa", SHORT },		/* ... length still 8 */
	{ "{\"RequireNumbers\": true}", "aaaaaaaa", DIGIT },
	{ "{\"RequireNumbers\": true}", "aaaaaaa1", NULL },
	{ "{\"RequireSymbols\": true}", "aaaaaaaa", SYMBOL },
	{ "{\"RequireUppercase\": true}", "aaaaaaaa", UPPER },
	{ "{\"RequireLowercase\": true}", "AAAAAAAA", LOWER },
	/* Length is in characters: 6 two-byte letters are 6, not 12. */
	{ NONE6, "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", SHORT },
	{ NONE6, "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", NULL },
	{ NONE6, "\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91"
	    "\xf0\x9f\x94\x91\xf0\x9f\x94\x91", SHORT },
	/* Non-ASCII letters are no class of their own. */
	{ NULL, "\xc3\x84\xc3\xa4sw0rd!x", UPPER },
	/* An inner space is a symbol; one at either end is refused. */
	{ NULL, "Pass w0rd", NULL },
	{ NULL, " Passw0rd!", PATTERN },
	{ NULL, "Passw0rd! ", PATTERN },
	{ NULL, "\tPassw0rd!", PATTERN },
	{ NULL, "Passw0rd!\n", PATTERN },
	{ NULL, "Pass\nw0rd!", PATTERN },
	{ NONE6, "", PATTERN },
	{ NONE6, "a", PATTERN },
	{ NONE6, "      ", PATTERN },
};

START_TEST(test_check)
{
	json_t		*p = NULL;
	const char	*msg;

	if (cases[_i].policy != NULL) {
		p = json_loads(cases[_i].policy, 0, NULL);
		ck_assert_ptr_nonnull(p);
	}
	msg = policy_check_password(p, cases[_i].password);
	if (cases[_i].message == NULL)
		ck_assert_msg(msg == NULL, "case %d: %s", _i, msg);
	else {
		ck_assert_msg(msg != NULL, "case %d accepted", _i);
		ck_assert_str_eq(msg, cases[_i].message);
	}
	json_decref(p);
}
END_TEST

/* Each of Cognito's symbols, alone with a letter, digit and capital. */
START_TEST(test_symbols)
{
	static const char	 syms[] = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";
	static const char	 not_syms[] = "\xc2\xa7\xe2\x82\xac";
	char			 pw[16];
	size_t			 i;

	ck_assert_uint_eq(strlen(syms), 32);	/* and the space */
	for (i = 0; i < strlen(syms); i++) {
		snprintf(pw, sizeof pw, "Abcdef1%c", syms[i]);
		ck_assert_msg(policy_check_password(NULL, pw) == NULL, "%s",
		    pw);
	}
	snprintf(pw, sizeof pw, "Abcd%sef1", not_syms);
	ck_assert_str_eq(policy_check_password(NULL, pw), SYMBOL);
}
END_TEST

START_TEST(test_pattern)
{
	ck_assert_int_eq(policy_check_pattern("ab"), 0);
	ck_assert_int_eq(policy_check_pattern("a b"), 0);
	ck_assert_int_eq(policy_check_pattern("a"), -1);
	ck_assert_int_eq(policy_check_pattern(""), -1);
	ck_assert_int_eq(policy_check_pattern(NULL), -1);
	ck_assert_int_eq(policy_check_pattern(" ab"), -1);
	ck_assert_int_eq(policy_check_pattern("ab\r"), -1);
	ck_assert_str_eq(POLICY_PASSWORD_PATTERN, "^[\\S]+.*[\\S]+$");
	ck_assert_str_eq(PATTERN, "1 validation error detected: Value at "
	    "'password' failed to satisfy constraint: Member must satisfy "
	    "regular expression pattern: ^[\\S]+.*[\\S]+$");
	ck_assert_int_eq(policy_err_kind(PATTERN), CORE_ERR_INVALID);
	ck_assert_int_eq(policy_err_kind(SHORT), CORE_ERR_BAD_PASSWORD);
	ck_assert_int_eq(policy_err_kind(SYMBOL), CORE_ERR_BAD_PASSWORD);
}
END_TEST

static const char *const temp_policies[] = {
	NULL,
	ALL,
	NONE6,
	"{}",
	"{\"MinimumLength\": 6, \"RequireSymbols\": true}",
	"{\"MinimumLength\": 20, \"RequireUppercase\": true, "
	    "\"RequireNumbers\": true}",
	"{\"MinimumLength\": 99, \"RequireUppercase\": true, "
	    "\"RequireLowercase\": true, \"RequireNumbers\": true, "
	    "\"RequireSymbols\": true}",
};

START_TEST(test_temp_password)
{
	json_t		*p = NULL;
	const char	*msg;
	char		*pw, *prev = NULL;
	size_t		 want;
	int		 i;

	if (temp_policies[_i] != NULL)
		p = json_loads(temp_policies[_i], 0, NULL);
	want = 12;
	if (json_integer_value(json_object_get(p, "MinimumLength")) > 12)
		want = (size_t)json_integer_value(json_object_get(p,
		    "MinimumLength"));
	for (i = 0; i < 50; i++) {
		pw = policy_temp_password(p);
		ck_assert_uint_eq(strlen(pw), want);
		msg = policy_check_password(p, pw);
		ck_assert_msg(msg == NULL, "%s: %s", pw, msg);
		/* And the strictest policy too: all four classes. */
		ck_assert_ptr_null(policy_check_password(NULL, pw));
		if (prev != NULL)
			ck_assert_str_ne(pw, prev);
		free(prev);
		prev = pw;
	}
	free(prev);
	json_decref(p);
}
END_TEST

/* Every position sees every class: the shuffle moves the fixed four. */
START_TEST(test_temp_shuffled)
{
	int	 seen[12][2] = { { 0 } };
	char	*pw;
	int	 i, j;

	for (i = 0; i < 2000; i++) {
		pw = policy_temp_password(NULL);
		for (j = 0; j < 12; j++) {
			if (strchr(TEMP_SYMBOLS, pw[j]) != NULL)
				seen[j][0]++;
			else if (pw[j] >= 'A' && pw[j] <= 'Z')
				seen[j][1]++;
		}
		free(pw);
	}
	/* Each of 12 places holds the one symbol ~1/12 of the time. */
	for (j = 0; j < 12; j++) {
		ck_assert_msg(seen[j][0] > 80 && seen[j][0] < 260,
		    "position %d: symbol %d times", j, seen[j][0]);
		ck_assert_int_gt(seen[j][1], 100);
	}
}
END_TEST

START_TEST(test_validity)
{
	json_t	*p;

	ck_assert_int_eq(policy_temp_validity(NULL), 7LL * 86400);
	p = json_loads("{}", 0, NULL);
	ck_assert_int_eq(policy_temp_validity(p), 7LL * 86400);
	json_decref(p);
	p = json_loads(NONE6, 0, NULL);
	ck_assert_int_eq(policy_temp_validity(p), 86400);
	json_decref(p);
	p = json_loads("{\"TemporaryPasswordValidityDays\": 365}", 0, NULL);
	ck_assert_int_eq(policy_temp_validity(p), 365LL * 86400);
	json_decref(p);
	p = json_loads("{\"TemporaryPasswordValidityDays\": \"3\"}", 0, NULL);
	ck_assert_int_eq(policy_temp_validity(p), 7LL * 86400);
	json_decref(p);
}
END_TEST

Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc = tcase_create("policy");

	tcase_add_loop_test(tc, test_check, 0, nitems(cases));
	tcase_add_test(tc, test_symbols);
	tcase_add_test(tc, test_pattern);
	tcase_add_loop_test(tc, test_temp_password, 0, nitems(temp_policies));
	tcase_add_test(tc, test_temp_shuffled);
	tcase_add_test(tc, test_validity);
	suite_add_tcase(s, tc);
	return s;
}
