/*
 * test_password.c: scrypt hashes at a small cost (N = 2^10, so the
 * suite stays fast under sanitizers): round trips, the MCF string left
 * untouched by checks, malformed strings, needs_rehash on hand-made
 * MCF strings, and concurrent use from several threads; the SRP
 * verifier of password_make sealed, and opened from the sealed or the
 * older plain form.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/srp.h"
#include "suites.h"

#define SALT	"c2FsdHNhbHRzYWx0c2FsdA=="
#define HASH	"ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0" \
	"ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZQ=="
#define MCF(p)	"$s1$" p "$" SALT "$" HASH

static void
small_cost(void)
{
	password_set_cost(10, 8, 1);
}

START_TEST(test_round_trip)
{
	static const char *const pws[] = {
		"Passw0rd!", "x", "p\xc3\xa4ssw\xc3\xb6rd \xe2\x82\xac 1",
		"a much longer pass phrase with spaces and symbols !@#$%^&*()",
	};
	char	*h, *copy;
	size_t	 i;

	for (i = 0; i < nitems(pws); i++) {
		h = password_hash(pws[i]);
		ck_assert_ptr_nonnull(h);
		ck_assert_msg(strncmp(h, "$s1$0a0801$", 11) == 0, "%s", h);
		copy = xstrdup(h);
		ck_assert_int_eq(password_check(h, pws[i]), 1);
		/* The string is not consumed: a second check agrees. */
		ck_assert_str_eq(h, copy);
		ck_assert_int_eq(password_check(h, pws[i]), 1);
		ck_assert_int_eq(password_check(h, "Passw0rd?"), 0);
		ck_assert_int_eq(password_check(h, ""), 0);
		ck_assert_str_eq(h, copy);
		ck_assert_int_eq(password_needs_rehash(h), 0);
		free(copy);
		free(h);
	}
}
END_TEST

START_TEST(test_salted)
{
	char	*a = password_hash("Passw0rd!");
	char	*b = password_hash("Passw0rd!");

	ck_assert_str_ne(a, b);
	ck_assert_int_eq(password_check(a, "Passw0rd!"), 1);
	ck_assert_int_eq(password_check(b, "Passw0rd!"), 1);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_cost_follows_setting)
{
	char	*h;

	password_set_cost(11, 4, 2);
	h = password_hash("Passw0rd!");
	ck_assert(strncmp(h, "$s1$0b0402$", 11) == 0);
	ck_assert_int_eq(password_needs_rehash(h), 0);
	/* A hash keeps its own cost: it checks after the cost changes. */
	password_set_cost(10, 8, 1);
	ck_assert_int_eq(password_check(h, "Passw0rd!"), 1);
	ck_assert_int_eq(password_needs_rehash(h), 1);	/* r went up */
	free(h);
}
END_TEST

static const char *const malformed[] = {
	"",
	"$s1",
	"$s1$0a0801$",
	"$s1$0a0801$" SALT "$",
	"$s1$0a0801$" SALT,
	"$s2$0a0801$" SALT "$" HASH,
	"$s1$0a08$" SALT "$" HASH,
	"$s1$0a08011$" SALT "$" HASH,
	"$s1$0g0801$" SALT "$" HASH,
	"$s1$000801$" SALT "$" HASH,		/* N = 1 */
	"$s1$0a0001$" SALT "$" HASH,		/* r = 0 */
	"$s1$0a0800$" SALT "$" HASH,		/* p = 0 */
	"$s1$1f0801$" SALT "$" HASH,		/* N = 2^31 */
	"$s1$1e0801$" SALT "$" HASH,		/* 8 GiB of memory */
	"$s1$0a0801$$" HASH,
	"$s1$0a0801$" SALT "$" HASH "$",
	"$s1$0a0801$" SALT "$" HASH "A",
	"$s1$0a0801$" SALT "$" "ZGln",
	"$s1$0a0801$sa lt$" HASH,
	"$s1$0a0801$" SALT "$" HASH "\n",
	"$2b$10$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
};

START_TEST(test_malformed)
{
	ck_assert_int_eq(password_check(malformed[_i], "Passw0rd!"), -1);
	ck_assert_int_eq(password_needs_rehash(malformed[_i]), 0);
}
END_TEST

START_TEST(test_null)
{
	char	*h = password_hash("Passw0rd!");

	ck_assert_int_eq(password_check(NULL, "Passw0rd!"), -1);
	ck_assert_int_eq(password_check(h, NULL), -1);
	ck_assert_ptr_null(password_hash(NULL));
	ck_assert_int_eq(password_needs_rehash(NULL), 0);
	free(h);
}
END_TEST

static const struct {
	const char	*mcf;
	int		 rehash;
} rehash[] = {
	{ MCF("0e0801"), 0 },		/* the cost itself */
	{ MCF("0E0801"), 0 },		/* hex in either case */
	{ MCF("0d0801"), 1 },		/* lower N */
	{ MCF("0e0701"), 1 },		/* lower r */
	{ MCF("0e0802"), 0 },		/* higher p */
	{ MCF("0f0401"), 1 },		/* higher N, lower r */
	{ MCF("100810"), 0 },		/* higher everything */
	{ MCF("0a0801"), 1 },
	{ MCF("0e0901"), 0 },
};

START_TEST(test_needs_rehash)
{
	password_set_cost(14, 8, 1);
	ck_assert_int_eq(password_needs_rehash(rehash[_i].mcf),
	    rehash[_i].rehash);
	password_set_cost(14, 8, 2);
	ck_assert_int_eq(password_needs_rehash(MCF("0e0801")), 1);
	ck_assert_int_eq(password_needs_rehash(MCF("0e0802")), 0);
}
END_TEST

/* A valid-looking hash made elsewhere does not match arbitrary input. */
START_TEST(test_foreign_hash)
{
	ck_assert_int_eq(password_check(MCF("0a0801"), "Passw0rd!"), 0);
}
END_TEST

START_TEST(test_dummy)
{
	/* Never matches, never crashes, also when the cost changes. */
	password_dummy_check("Passw0rd!");
	password_dummy_check("");
	password_dummy_check(NULL);
	password_set_cost(11, 8, 1);
	password_dummy_check("Passw0rd!");
	small_cost();
	password_dummy_check("Passw0rd!");
}
END_TEST

static void *
password_thread(void *arg)
{
	int	*bad = arg, i;
	char	 pw[32], *h;

	for (i = 0; i < 8; i++) {
		snprintf(pw, sizeof pw, "Pw-%p-%d", (void *)bad, i);
		password_dummy_check(pw);
		if ((h = password_hash(pw)) == NULL) {
			(*bad)++;
			continue;
		}
		if (password_check(h, pw) != 1 ||
		    password_check(h, "other") != 0 ||
		    password_needs_rehash(h) != 0)
			(*bad)++;
		free(h);
	}
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t	t[4];
	int		bad[4] = { 0 }, i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, password_thread,
		    &bad[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(bad[i], 0);
	}
}
END_TEST

static char	verifier_master[64];

static void
verifier_setup(void)
{
	char	*cause = NULL;
	FILE	*f;
	int	 fd;

	small_cost();
	strlcpy(verifier_master, "/tmp/userpoold-verifier.XXXXXX",
	    sizeof verifier_master);
	if ((fd = mkstemp(verifier_master)) == -1)
		abort();
	close(fd);
	f = fopen(verifier_master, "w");
	ck_assert_ptr_nonnull(f);
	fputs("00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff\n", f);
	fclose(f);
	ck_assert_int_eq(keys_master_load(verifier_master, 0, &cause), 0);
}

static void
verifier_teardown(void)
{
	keys_master_clear();
	unlink(verifier_master);
}

START_TEST(test_verifier_sealed)
{
	struct password_set	 ps;
	char			*plain, *again;

	ck_assert_int_eq(password_make(&ps, "us-east-1_AbCdEfGhI", "user",
	    "Passw0rd!"), 0);
	ck_assert(password_verifier_sealed(ps.srp_verifier));
	ck_assert_ptr_null(strstr(ps.srp_verifier, ps.srp_salt));
	plain = password_verifier_open(ps.srp_verifier);
	ck_assert_ptr_nonnull(plain);
	ck_assert_int_eq(srp_verifier("AbCdEfGhI", "user", "Passw0rd!",
	    ps.srp_salt, &again), 0);
	ck_assert_str_eq(plain, again);
	ck_assert_ptr_null(strstr(ps.srp_verifier, plain));
	free(again);
	/* A verifier stored before sealing is read as it is. */
	again = password_verifier_open(plain);
	ck_assert_str_eq(again, plain);
	free(again);
	free(plain);
	password_set_clear(&ps);
}
END_TEST

START_TEST(test_verifier_refused)
{
	static const char *const bad[] = { "", "xyz", "v1.", "v1.AAAA.BBBB",
	    "12 34", "v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	char	*sealed;
	size_t	 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_ptr_null(password_verifier_open(bad[i]));
	ck_assert_ptr_null(password_verifier_open(NULL));
	/* Sealed, but not a verifier inside. */
	sealed = keys_seal("not hex", 7);
	ck_assert_ptr_null(password_verifier_open(sealed));
	free(sealed);
}
END_TEST

Suite *
password_suite(void)
{
	Suite	*s = suite_create("password");
	TCase	*tc = tcase_create("scrypt");

	tcase_add_checked_fixture(tc, small_cost, NULL);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_salted);
	tcase_add_test(tc, test_cost_follows_setting);
	tcase_add_loop_test(tc, test_malformed, 0, nitems(malformed));
	tcase_add_test(tc, test_null);
	tcase_add_loop_test(tc, test_needs_rehash, 0, nitems(rehash));
	tcase_add_test(tc, test_foreign_hash);
	tcase_add_test(tc, test_dummy);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	tc = tcase_create("srp verifier");
	tcase_add_checked_fixture(tc, verifier_setup, verifier_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_verifier_sealed);
	tcase_add_test(tc, test_verifier_refused);
	suite_add_tcase(s, tc);
	return s;
}
