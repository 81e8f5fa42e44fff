/*
 * test_addr.c: the client address of a request (the peer, or
 * X-Forwarded-For read from the right past trusted proxies), the
 * parsing of trusted_proxies, rate-limit keys, and the per-address
 * token bucket's allowance and memory bound.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "http/addr.h"
#include "http/ratelimit.h"
#include "suites.h"

#define PROXIES	"10.0.0.0/8, 192.0.2.7 ,::1, 2001:db8::/32"

START_TEST(test_client)
{
	static const struct {
		const char	*peer, *xff, *want;
	} cases[] = {
		/* no proxy: the peer, whatever the header says */
		{ "198.51.100.9", NULL, "198.51.100.9" },
		{ "198.51.100.9", "203.0.113.5", "198.51.100.9" },
		/* a trusted proxy: the rightmost untrusted entry */
		{ "10.1.2.3", "203.0.113.5", "203.0.113.5" },
		{ "10.1.2.3", "1.1.1.1, 203.0.113.5", "203.0.113.5" },
		{ "10.1.2.3", "1.1.1.1, 203.0.113.5, 10.9.9.9",
		  "203.0.113.5" },
		{ "192.0.2.7", " 203.0.113.5 ,192.0.2.7", "203.0.113.5" },
		{ "::1", "2001:db8::1, 2001:DB9::1", "2001:db9::1" },
		/* all trusted: the leftmost */
		{ "10.1.2.3", "10.4.4.4,10.5.5.5", "10.4.4.4" },
		/* garbage stops at the last trusted hop */
		{ "10.1.2.3", "203.0.113.5, not-an-ip", "10.1.2.3" },
		{ "10.1.2.3", "203.0.113.5, x, 10.5.5.5", "10.5.5.5" },
		{ "10.1.2.3", "", "10.1.2.3" },
		{ "10.1.2.3", ",,", "10.1.2.3" },
		/* one spelling per address */
		{ "::ffff:10.1.2.3", "::ffff:203.0.113.5", "203.0.113.5" },
		{ "198.51.100.9", NULL, "198.51.100.9" },
		{ "0:0:0:0:0:0:0:1", "2001:0db9:0:0::1", "2001:db9::1" },
		/* 192.0.2.7 alone, not its neighbours */
		{ "192.0.2.8", "203.0.113.5", "192.0.2.8" },
	};
	struct addr_set	*set;
	char		*cause = NULL, out[64];
	size_t		 i;

	set = addr_set_parse(PROXIES, &cause);
	ck_assert_ptr_nonnull(set);
	for (i = 0; i < nitems(cases); i++) {
		addr_client(set, cases[i].peer, cases[i].xff, out, sizeof out);
		ck_assert_msg(strcmp(out, cases[i].want) == 0,
		    "case %zu: %s, want %s", i, out, cases[i].want);
	}
	addr_set_free(set);
	/* no trusted proxies at all */
	set = addr_set_parse("", &cause);
	addr_client(set, "10.1.2.3", "203.0.113.5", out, sizeof out);
	ck_assert_str_eq(out, "10.1.2.3");
	addr_set_free(set);
}
END_TEST

START_TEST(test_set_parse)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "::1/129", "10.0.0.1/", "10.0.0.1/x",
		"proxy.example.com", "10.0.0.300", "1.2.3.4/8/8", "1.2.3.4 5",
	};
	struct addr_set	*set;
	char		*cause;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		set = addr_set_parse(bad[i], &cause);
		ck_assert_msg(set == NULL, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
	set = addr_set_parse(" 0.0.0.0/0 , ::/0 ,", &cause);
	ck_assert_ptr_nonnull(set);
	addr_set_free(set);
}
END_TEST

START_TEST(test_key)
{
	char	out[64];

	addr_key("203.0.113.5", out, sizeof out);
	ck_assert_str_eq(out, "203.0.113.5");
	addr_key("2001:db8:1:2:3:4:5:6", out, sizeof out);
	ck_assert_str_eq(out, "2001:db8:1:2::");
	addr_key("2001:db8:1:2:ffff::1", out, sizeof out);
	ck_assert_str_eq(out, "2001:db8:1:2::");
}
END_TEST

START_TEST(test_bucket)
{
	char	addr[32];
	int	i;

	conf = conf_new();
	conf->address_rate = 1;
	conf->address_burst = 3;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ratelimit_take("203.0.113.5"), 0);
	ck_assert_int_eq(ratelimit_take("203.0.113.5"), -1);
	/* another address has its own bucket; a /64 shares one */
	ck_assert_int_eq(ratelimit_take("203.0.113.6"), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ratelimit_take("2001:db8::1"), 0);
	ck_assert_int_eq(ratelimit_take("2001:db8::2"), -1);
	/* a flood of addresses does not grow the table without bound */
	for (i = 0; i < 100000; i++) {
		snprintf(addr, sizeof addr, "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		ck_assert_int_eq(ratelimit_take(addr), 0);
	}
	ck_assert_uint_le(ratelimit_size(), 16384);
	/* 0 turns the limit off */
	conf->address_rate = 0;
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(ratelimit_take("203.0.113.5"), 0);
	conf_free(conf);
	conf = NULL;
}
END_TEST

Suite *
addr_suite(void)
{
	Suite	*s = suite_create("addr");
	TCase	*tc = tcase_create("addr");

	tcase_add_test(tc, test_client);
	tcase_add_test(tc, test_set_parse);
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_bucket);
	suite_add_tcase(s, tc);
	return s;
}
