/*
 * test_fed.c: the pure parts of federation's outbound fetches: the
 * Cache-Control max-age a cached discovery document or JWKS keeps
 * (held between the floor and the ceiling), when a cached copy answers
 * (while fresh; an unknown kid's refresh at most once a while), the
 * loopback test of the address curl connects to, the https-or-loopback
 * rule for configured endpoint URLs, the well-known discovery URL of
 * an issuer, and the ProviderDetails rules of fed/idp_config.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "fed/discovery.h"
#include "fed/fetch.h"
#include "fed/idp_config.h"
#include "suites.h"

START_TEST(test_max_age)
{
	static const struct {
		const char	*cc;
		long		 want;
	} cases[] = {
		{ NULL, DISCOVERY_TTL_DEFAULT },
		{ "", DISCOVERY_TTL_DEFAULT },
		{ "public", DISCOVERY_TTL_DEFAULT },
		{ "max-age=300", 300 },
		{ "public, max-age=7200", 7200 },
		{ "Max-Age=900, must-revalidate", 900 },
		{ "max-age=\"600\"", 600 },
		{ "max-age=5", DISCOVERY_TTL_MIN },
		{ "max-age=0", DISCOVERY_TTL_MIN },
		{ "max-age=99999999", DISCOVERY_TTL_MAX },
		{ "max-age=-3", DISCOVERY_TTL_DEFAULT },
		{ "max-age=abc", DISCOVERY_TTL_DEFAULT },
		{ "no-store", DISCOVERY_TTL_MIN },
		{ "private, no-cache", DISCOVERY_TTL_MIN },
		{ "max-age=600, s-maxage=1200", 1200 },
		{ "x-max-age=600", DISCOVERY_TTL_DEFAULT },
		{ "no-cache-please, max-age=400", 400 },
	};
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(discovery_max_age(cases[i].cc) == cases[i].want,
		    "%s: %ld", cases[i].cc ? cases[i].cc : "(null)",
		    discovery_max_age(cases[i].cc));
}
END_TEST

START_TEST(test_use_cached)
{
	/* fetched at 1000, fresh for an hour */
	int64_t	f = 1000, x = 1000 + 3600;

	ck_assert(discovery_use_cached(DISCOVERY_CACHED, f, x, 1001));
	ck_assert(discovery_use_cached(DISCOVERY_CACHED, f, x, x - 1));
	ck_assert(!discovery_use_cached(DISCOVERY_CACHED, f, x, x));
	/* an unknown kid fetches again, but not twice in a short while */
	ck_assert(discovery_use_cached(DISCOVERY_REFRESH, f, x, f + 1));
	ck_assert(discovery_use_cached(DISCOVERY_REFRESH, f, x,
	    f + DISCOVERY_REFRESH_MIN - 1));
	ck_assert(!discovery_use_cached(DISCOVERY_REFRESH, f, x,
	    f + DISCOVERY_REFRESH_MIN));
	/* the admin API always fetches */
	ck_assert(!discovery_use_cached(DISCOVERY_FRESH, f, x, f));
}
END_TEST

static int
loopback4(const char *ip)
{
	struct sockaddr_in	s;

	memset(&s, 0, sizeof s);
	s.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, ip, &s.sin_addr), 1);
	return fetch_loopback((struct sockaddr *)&s);
}

static int
loopback6(const char *ip)
{
	struct sockaddr_in6	s;

	memset(&s, 0, sizeof s);
	s.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
	return fetch_loopback((struct sockaddr *)&s);
}

START_TEST(test_loopback)
{
	ck_assert(loopback4("127.0.0.1"));
	ck_assert(loopback4("127.255.3.4"));
	ck_assert(!loopback4("128.0.0.1"));
	ck_assert(!loopback4("10.0.0.1"));
	ck_assert(!loopback4("0.0.0.0"));
	ck_assert(!loopback4("192.0.2.1"));
	ck_assert(loopback6("::1"));
	ck_assert(loopback6("::ffff:127.0.0.1"));
	ck_assert(!loopback6("::ffff:192.0.2.1"));
	ck_assert(!loopback6("::"));
	ck_assert(!loopback6("2001:db8::1"));
	ck_assert(!loopback6("fe80::1"));
}
END_TEST

START_TEST(test_url_allowed)
{
	ck_assert_int_eq(fetch_url_allowed("https://idp.example/x"), 0);
	ck_assert_int_eq(fetch_url_allowed("HTTPS://idp.example"), 0);
	ck_assert_int_eq(fetch_url_allowed("http://127.0.0.1:9000/a"), 0);
	ck_assert_int_eq(fetch_url_allowed("http://localhost/a"), 0);
	ck_assert_int_eq(fetch_url_allowed("http://[::1]:80/a"), 0);
	ck_assert_int_eq(fetch_url_allowed("http://idp.example/a"), -1);
	ck_assert_int_eq(fetch_url_allowed("http://192.0.2.1/a"), -1);
	ck_assert_int_eq(fetch_url_allowed("http://127.0.0.1.nip.io/a"), -1);
	ck_assert_int_eq(fetch_url_allowed("ftp://idp.example/a"), -1);
	ck_assert_int_eq(fetch_url_allowed("file:///etc/passwd"), -1);
	ck_assert_int_eq(fetch_url_allowed("not a url"), -1);
}
END_TEST

START_TEST(test_discovery_url)
{
	char	*u;

	u = discovery_url("https://idp.example/tenant/");
	ck_assert_str_eq(u, "https://idp.example/tenant"
	    "/.well-known/openid-configuration");
	free(u);
	u = discovery_url("https://idp.example");
	ck_assert_str_eq(u, "https://idp.example"
	    "/.well-known/openid-configuration");
	free(u);
}
END_TEST

/* Build from JSON text; the reason on failure (caller frees). */
static int
build(const char *type, const char *name, const char *text,
    struct idp_config *c, char **why)
{
	json_t	*in = json_loads(text, 0, NULL);
	int	 rc;

	ck_assert_ptr_nonnull(in);
	rc = idp_config_build(type, name, in, NULL, c, why);
	json_decref(in);
	return rc;
}

START_TEST(test_idp_config)
{
	struct idp_config	 c;
	char			*why, *url;

	ck_assert_int_eq(build("Google", "Google", "{\"client_id\": \"a\", "
	    "\"client_secret\": \"s\", \"authorize_scopes\": \"openid\", "
	    "\"attributes_url_add_attributes\": \"x\"}", &c, &why), 0);
	ck_assert_ptr_null(json_object_get(c.details, "client_secret"));
	ck_assert_str_eq(json_string_value(json_object_get(c.secrets,
	    "client_secret")), "s");
	ck_assert_str_eq(json_string_value(json_object_get(c.details,
	    "attributes_url_add_attributes")), "true");
	idp_config_clear(&c);

	ck_assert_int_eq(build("Google", "G", "{}", &c, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "cannot be of type"));
	free(why);
	idp_config_clear(&c);

	ck_assert_int_eq(build("OIDC", "Corp", "{\"client_id\": \"a\", "
	    "\"authorize_scopes\": \"openid\", \"oidc_issuer\": "
	    "\"https://idp.example/\", \"attributes_request_method\": "
	    "\"POST\"}", &c, &why), 0);
	url = idp_config_discovery_url("OIDC", c.details);
	ck_assert_str_eq(url, "https://idp.example"
	    "/.well-known/openid-configuration");
	free(url);
	idp_config_clear(&c);
}
END_TEST

Suite *
fed_suite(void)
{
	Suite	*s = suite_create("fed");
	TCase	*tc = tcase_create("fed");

	tcase_add_test(tc, test_max_age);
	tcase_add_test(tc, test_use_cached);
	tcase_add_test(tc, test_loopback);
	tcase_add_test(tc, test_url_allowed);
	tcase_add_test(tc, test_discovery_url);
	tcase_add_test(tc, test_idp_config);
	suite_add_tcase(s, tc);
	return s;
}
