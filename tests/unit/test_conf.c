/*
 * test_conf.c: the configuration table: defaults, strict keys from
 * every source (an unknown one is named, with file:line for files),
 * integer ranges and validators, and the derived defaults.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "suites.h"

static struct conf	*c;
static char		 path[64];

static void
conf_setup(void)
{
	int	fd;

	c = conf_new();
	strlcpy(path, "/tmp/userpoold-conf.XXXXXX", sizeof path);
	if ((fd = mkstemp(path)) == -1)
		abort();
	close(fd);
}

static void
conf_teardown(void)
{
	conf_free(c);
	unlink(path);
}

static void
write_conf(const char *text)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_defaults)
{
	ck_assert_str_eq(c->state_dir, "/var/lib/userpoold");
	ck_assert_str_eq(c->listen_https, "0.0.0.0:8443");
	ck_assert_str_eq(c->listen_http, "");
	ck_assert_str_eq(c->region, "us-east-1");
	ck_assert_str_eq(c->account_id, "000000000000");
	ck_assert_str_eq(c->log_level, "info");
	ck_assert_int_eq(c->pg_connections, 2);
	ck_assert_int_eq(c->max_json_depth, 32);
	ck_assert_int_eq(c->max_body_bytes, 262144);
	ck_assert_int_eq(c->max_form_bytes, 65536);
	ck_assert_int_eq(c->header_timeout, 10);
	ck_assert_int_eq(c->body_timeout, 30);
	ck_assert_int_eq(c->workers, 0);
}
END_TEST

START_TEST(test_finish)
{
	char	*cause = NULL;

	ck_assert_int_eq(conf_set(c, "state_dir", "/srv/up", &cause), 0);
	ck_assert_int_eq(conf_finish(c, &cause), 0);
	ck_assert_str_eq(c->public_url, "https://localhost:8443");
	ck_assert_str_eq(c->master_key_file, "/srv/up/master.key");
	ck_assert_str_eq(c->tls_cert_file, "/srv/up/tls/cert.pem");
	ck_assert_int_gt(c->workers, 0);
	ck_assert_int_gt(c->crypto_threads, 0);
}
END_TEST

START_TEST(test_finish_no_listener)
{
	char	*cause = NULL;

	ck_assert_int_eq(conf_set(c, "listen_https", "", &cause), 0);
	ck_assert_int_eq(conf_finish(c, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "listen_https"));
	free(cause);
}
END_TEST

START_TEST(test_unknown_key)
{
	char	*cause = NULL;

	ck_assert_int_eq(conf_set(c, "no_such_key", "1", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "\"no_such_key\""));
	free(cause);
}
END_TEST

struct int_case {
	const char	*key;
	const char	*value;
	int		 ok;
	int		 want;
};

static const struct int_case int_cases[] = {
	{ "pg_connections", "1", 1, 1 },
	{ "pg_connections", "64", 1, 64 },
	{ "pg_connections", "0", 0, 0 },
	{ "pg_connections", "65", 0, 0 },
	{ "pg_connections", "-1", 0, 0 },
	{ "pg_connections", "", 0, 0 },
	{ "pg_connections", "5x", 0, 0 },
	{ "pg_connections", "99999999999999999999", 0, 0 },
	{ "workers", "0", 1, 0 },
	{ "workers", "256", 1, 256 },
	{ "workers", "257", 0, 0 },
	{ "max_json_depth", "1", 0, 0 },
};

START_TEST(test_int_range)
{
	const struct int_case	*t = &int_cases[_i];
	char			*cause = NULL;
	int			 rc;

	rc = conf_set(c, t->key, t->value, &cause);
	if (t->ok) {
		ck_assert_int_eq(rc, 0);
		if (strcmp(t->key, "workers") == 0)
			ck_assert_int_eq(c->workers, t->want);
		else
			ck_assert_int_eq(c->pg_connections, t->want);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_nonnull(strstr(cause, t->key));
		free(cause);
	}
}
END_TEST

struct string_case {
	const char	*key;
	const char	*value;
	int		 ok;
};

static const struct string_case string_cases[] = {
	{ "region", "eu-west-1", 1 },
	{ "region", "EU_WEST", 0 },
	{ "account_id", "123456789012", 1 },
	{ "account_id", "12345", 0 },
	{ "listen_https", "127.0.0.1:443", 1 },
	{ "listen_https", "[::1]:8443", 1 },
	{ "listen_https", "localhost", 0 },
	{ "listen_https", "localhost:0", 0 },
	{ "listen_https", "localhost:65536", 0 },
	{ "public_url", "https://id.example.com", 1 },
	{ "public_url", "ftp://id.example.com", 0 },
	{ "public_url", "https://id.example.com/?x", 0 },
	{ "log_level", "debug", 1 },
	{ "log_level", "loud", 0 },
	{ "auth_domain", "auth.example.com", 1 },
	{ "auth_domain", "auth example", 0 },
};

START_TEST(test_validators)
{
	const struct string_case	*t = &string_cases[_i];
	char				*cause = NULL;

	if (t->ok) {
		ck_assert_msg(conf_set(c, t->key, t->value, &cause) == 0,
		    "%s = %s", t->key, t->value);
	} else {
		ck_assert_msg(conf_set(c, t->key, t->value, &cause) == -1,
		    "%s = %s", t->key, t->value);
		ck_assert_ptr_nonnull(strstr(cause, t->key));
		free(cause);
	}
}
END_TEST

START_TEST(test_file)
{
	char	*cause = NULL;

	write_conf("# userpoold\n\n  region = eu-west-1  \n"
	    "state_dir = \"/srv/userpoold\"\npg_connections=4\n");
	ck_assert_int_eq(conf_load_file(c, path, &cause), 0);
	ck_assert_str_eq(c->region, "eu-west-1");
	ck_assert_str_eq(c->state_dir, "/srv/userpoold");
	ck_assert_int_eq(c->pg_connections, 4);
}
END_TEST

START_TEST(test_file_unknown_key)
{
	char	*cause = NULL, *want;

	write_conf("# userpoold\nregion = eu-west-1\n\nbogus_key = 1\n");
	ck_assert_int_eq(conf_load_file(c, path, &cause), -1);
	want = xasprintf("%s:4: ", path);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "%s", cause);
	ck_assert_ptr_nonnull(strstr(cause, "bogus_key"));
	free(want);
	free(cause);
}
END_TEST

START_TEST(test_file_triggers)
{
	char	*cause = NULL;

	write_conf("region = eu-west-1\n\n[triggers]\n"
	    "arn:aws:lambda:eu-west-1:123456789012:function:a = "
	    "https://hooks.example/a\n"
	    "arn:aws:lambda:eu-west-1:123456789012:function:b:live = "
	    "http://127.0.0.1:9000/b?x=1\n"
	    "arn:aws:lambda:eu-west-1:123456789012:function:a = "
	    "https://hooks.example/a2\n");
	ck_assert_int_eq(conf_load_file(c, path, &cause), 0);
	ck_assert_str_eq(c->region, "eu-west-1");
	ck_assert_uint_eq(c->ntriggers, 2);
	ck_assert_str_eq(conf_trigger_url(c,
	    "arn:aws:lambda:eu-west-1:123456789012:function:a"),
	    "https://hooks.example/a2");
	ck_assert_str_eq(conf_trigger_url(c,
	    "arn:aws:lambda:eu-west-1:123456789012:function:b:live"),
	    "http://127.0.0.1:9000/b?x=1");
	ck_assert_ptr_null(conf_trigger_url(c,
	    "arn:aws:lambda:eu-west-1:123456789012:function:b"));
}
END_TEST

START_TEST(test_file_triggers_errors)
{
	static const char *const bad[] = {
		"[triggers]\nnot-an-arn = https://hooks.example/a\n",
		"[triggers]\narn:aws:s3:::bucket = https://hooks.example/a\n",
		"[triggers]\narn:aws:lambda:r:1:function:f = "
		    "http://hooks.example/a\n",
		"[triggers]\narn:aws:lambda:r:1:function:f = ftp://h/a\n",
		"[triggers]\narn:aws:lambda:r:1:function:f\n",
		"[bogus]\nregion = eu-west-1\n",
	};
	char	*cause, *want;
	size_t	 i;

	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		write_conf(bad[i]);
		ck_assert_int_eq(conf_load_file(c, path, &cause), -1);
		want = xasprintf("%s:%d: ", path, i == 5 ? 1 : 2);
		ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "%s",
		    cause);
		free(want);
		free(cause);
	}
}
END_TEST

START_TEST(test_file_errors)
{
	char	*cause = NULL, *want;

	write_conf("region = eu-west-1\njust words\n");
	ck_assert_int_eq(conf_load_file(c, path, &cause), -1);
	want = xasprintf("%s:2: ", path);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "%s", cause);
	free(want);
	free(cause);

	write_conf("pg_connections = 1000\n");
	ck_assert_int_eq(conf_load_file(c, path, &cause), -1);
	want = xasprintf("%s:1: pg_connections", path);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "%s", cause);
	free(want);
	free(cause);

	ck_assert_int_eq(conf_load_file(c, "/nonexistent/userpoold.conf",
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/userpoold.conf"));
	free(cause);
}
END_TEST

START_TEST(test_env)
{
	char	*env[] = { "PATH=/bin", "USERPOOLD_REGION=eu-central-1",
	    "USERPOOLD_PG_CONNECTIONS=8", "HOME=/root", NULL };
	char	*cause = NULL;

	ck_assert_int_eq(conf_load_env(c, env, &cause), 0);
	ck_assert_str_eq(c->region, "eu-central-1");
	ck_assert_int_eq(c->pg_connections, 8);
}
END_TEST

START_TEST(test_env_unknown)
{
	char	*env[] = { "USERPOOLD_REGION=eu-central-1",
	    "USERPOOLD_NO_SUCH=1", NULL };
	char	*bad[] = { "USERPOOLD_PG_CONNECTIONS=0", NULL };
	char	*cause = NULL;

	ck_assert_int_eq(conf_load_env(c, env, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "USERPOOLD_NO_SUCH"));
	free(cause);
	ck_assert_int_eq(conf_load_env(c, bad, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "pg_connections"));
	free(cause);
}
END_TEST

Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, conf_setup, conf_teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_finish);
	tcase_add_test(tc, test_finish_no_listener);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_loop_test(tc, test_int_range, 0, (int)nitems(int_cases));
	tcase_add_loop_test(tc, test_validators, 0,
	    (int)nitems(string_cases));
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_file_unknown_key);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_file_triggers);
	tcase_add_test(tc, test_file_triggers_errors);
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_env_unknown);
	suite_add_tcase(s, tc);
	return s;
}
