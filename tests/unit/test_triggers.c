/*
 * test_triggers.c: the pieces of hooks/ that need no network: the
 * signature recipe README documents (a vector computed with Python's
 * hmac), LambdaConfig values resolved to URLs (an ARN through the
 * [triggers] map, URLs by the https-or-loopback rule), and the circuit
 * breaker's states (closed, open after N failures in a row, one probe
 * after the open time, closed or open again by the probe's outcome).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "hooks/breaker.h"
#include "hooks/triggers.h"
#include "suites.h"

#define URL	"https://hooks.example/pre-sign-up"
#define ARN	"arn:aws:lambda:us-east-1:123456789012:function:f"

static void
triggers_setup(void)
{
	char	*cause = NULL;

	conf = conf_new();
	ck_assert_int_eq(conf_set(conf, "trigger_breaker_failures", "3",
	    &cause), 0);
	ck_assert_int_eq(conf_set(conf, "trigger_breaker_seconds", "1",
	    &cause), 0);
	conf->triggers = xcalloc(1, sizeof *conf->triggers);
	conf->triggers[0].arn = xstrdup(ARN);
	conf->triggers[0].url = xstrdup("http://127.0.0.1:9/f");
	conf->ntriggers = 1;
	breaker_reset();
}

static void
triggers_teardown(void)
{
	breaker_reset();
	conf_free(conf);
	conf = NULL;
}

START_TEST(test_sign)
{
	char	*sig = triggers_sign("0123456789abcdef", "1700000000",
	    "{\"a\":1}");

	ck_assert_str_eq(sig, "9eb18f493f8ec135d9eb2dad817c369bb4e9cbfa8186"
	    "57897a7437c1cd8c3a23");
	free(sig);
	sig = triggers_sign("0123456789abcdef", "1700000000", "{\"a\":2}");
	ck_assert_str_ne(sig, "9eb18f493f8ec135d9eb2dad817c369bb4e9cbfa8186"
	    "57897a7437c1cd8c3a23");
	free(sig);
}
END_TEST

START_TEST(test_url)
{
	static const char *const bad[] = {
		"arn:aws:lambda:us-east-1:123456789012:function:other",
		"http://hooks.example/f", "ftp://127.0.0.1/f",
		"https://hooks.example/a b",
	};
	char	*url, *msg = NULL;
	size_t	 i;

	url = triggers_url("PreSignUp", ARN, &msg);
	ck_assert_str_eq(url, "http://127.0.0.1:9/f");
	free(url);
	url = triggers_url("PreSignUp", URL, &msg);
	ck_assert_str_eq(url, URL);
	free(url);
	url = triggers_url("PreSignUp", "http://localhost:8080/x", &msg);
	ck_assert_ptr_nonnull(url);
	free(url);
	for (i = 0; i < nitems(bad); i++) {
		msg = NULL;
		ck_assert_ptr_null(triggers_url("UserMigration", bad[i],
		    &msg));
		ck_assert_ptr_nonnull(strstr(msg,
		    "LambdaConfig.UserMigration"));
		free(msg);
	}
}
END_TEST

START_TEST(test_breaker)
{
	int	i;

	ck_assert_int_eq(breaker_allow(URL), 1);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(breaker_allow(URL), 1);
		breaker_record(URL, 0);
	}
	/* A success in between starts the count again. */
	breaker_record(URL, 1);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(breaker_allow(URL), 1);
		breaker_record(URL, 0);
	}
	ck_assert_int_eq(breaker_allow(URL), 0);
	ck_assert_int_eq(breaker_allow("https://other.example/"), 1);
	sleep(2);
	/* Half open: one probe; its failure opens the circuit again. */
	ck_assert_int_eq(breaker_allow(URL), 1);
	ck_assert_int_eq(breaker_allow(URL), 0);
	breaker_record(URL, 0);
	ck_assert_int_eq(breaker_allow(URL), 0);
	sleep(2);
	/* A probe that never went frees the probe; a success closes. */
	ck_assert_int_eq(breaker_allow(URL), 1);
	breaker_cancel(URL);
	ck_assert_int_eq(breaker_allow(URL), 1);
	breaker_record(URL, 1);
	ck_assert_int_eq(breaker_allow(URL), 1);
	ck_assert_int_eq(breaker_allow(URL), 1);
}
END_TEST

Suite *
triggers_suite(void)
{
	Suite	*s = suite_create("triggers");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, triggers_setup, triggers_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sign);
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_breaker);
	suite_add_tcase(s, tc);
	return s;
}
