/*
 * test_codes.c: verification codes and secrets, and their digests: the
 * digest is a bytea text literal, stable for a purpose, value and
 * master key, different when any of them changes; codes are uniform
 * decimal digits; equality is exact.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "core/codes.h"
#include "crypto/b64.h"
#include "crypto/keys.h"
#include "suites.h"

#define MASTER_A "00112233445566778899aabbccddeeff" \
	"00112233445566778899aabbccddeeff\n"
#define MASTER_B "ffeeddccbbaa99887766554433221100" \
	"ffeeddccbbaa99887766554433221100\n"

static char	master_file[64];

static void
load_master(const char *hex)
{
	FILE	*f;
	char	*cause = NULL;

	f = fopen(master_file, "w");
	ck_assert_ptr_nonnull(f);
	fputs(hex, f);
	fclose(f);
	ck_assert_int_eq(keys_master_load(master_file, 0, &cause), 0);
	codes_clear();
}

static void
master_setup(void)
{
	int	fd;

	strlcpy(master_file, "/tmp/userpoold-codes.XXXXXX",
	    sizeof master_file);
	if ((fd = mkstemp(master_file)) == -1)
		abort();
	close(fd);
	load_master(MASTER_A);
}

static void
master_teardown(void)
{
	keys_master_clear();
	codes_clear();
	unlink(master_file);
}

START_TEST(test_digest_form)
{
	char	d[CODES_DIGEST_HEX];
	size_t	i;

	codes_digest_hex("signup", "123456", d);
	ck_assert_uint_eq(strlen(d), 66);
	ck_assert_int_eq(d[0], '\\');
	ck_assert_int_eq(d[1], 'x');
	for (i = 2; i < 66; i++)
		ck_assert_ptr_nonnull(strchr("0123456789abcdef", d[i]));
}
END_TEST

/* The digest computed here, apart from codes.c. */
static void
expected(const char *master_hex, const char *purpose, const char *value,
    char out[CODES_DIGEST_HEX])
{
	const mbedtls_md_info_t	*md = mbedtls_md_info_from_type(
				    MBEDTLS_MD_SHA256);
	unsigned char		 master[32], key[32], mac[32];
	char			*msg;
	size_t			 i, plen = strlen(purpose);
	unsigned int		 byte;

	for (i = 0; i < 32; i++) {
		ck_assert_int_eq(sscanf(master_hex + 2 * i, "%2x", &byte), 1);
		master[i] = (unsigned char)byte;
	}
	ck_assert_int_eq(mbedtls_md_hmac(md, master, 32,
	    (const unsigned char *)"userpoold codes v1", 18, key), 0);
	msg = xmalloc(plen + 1 + strlen(value));
	memcpy(msg, purpose, plen);
	msg[plen] = '\0';
	memcpy(msg + plen + 1, value, strlen(value));
	ck_assert_int_eq(mbedtls_md_hmac(md, key, 32, (unsigned char *)msg,
	    plen + 1 + strlen(value), mac), 0);
	free(msg);
	out[0] = '\\';
	out[1] = 'x';
	hex_encode(mac, sizeof mac, out + 2);
}

START_TEST(test_digest_value)
{
	char	d[CODES_DIGEST_HEX], want[CODES_DIGEST_HEX];

	codes_digest_hex("signup", "123456", d);
	expected(MASTER_A, "signup", "123456", want);
	ck_assert_str_eq(d, want);
	codes_digest_hex("refresh", "", d);
	expected(MASTER_A, "refresh", "", want);
	ck_assert_str_eq(d, want);
}
END_TEST

START_TEST(test_digest_stable)
{
	char	a[CODES_DIGEST_HEX], b[CODES_DIGEST_HEX];

	codes_digest_hex("signup", "123456", a);
	codes_digest_hex("signup", "123456", b);
	ck_assert_str_eq(a, b);
	/* Another purpose, another value, another master key: all differ. */
	codes_digest_hex("forgot", "123456", b);
	ck_assert_str_ne(a, b);
	codes_digest_hex("signup", "123457", b);
	ck_assert_str_ne(a, b);
	/* The NUL separator: ("ab", "c") is not ("a", "bc"). */
	codes_digest_hex("ab", "c", a);
	codes_digest_hex("a", "bc", b);
	ck_assert_str_ne(a, b);
	codes_digest_hex("signup", "123456", a);
	load_master(MASTER_B);
	codes_digest_hex("signup", "123456", b);
	ck_assert_str_ne(a, b);
	load_master(MASTER_A);
	codes_digest_hex("signup", "123456", b);
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_code_form)
{
	char	c[CODES_DIGITS + 1];
	int	i, j;

	for (i = 0; i < 1000; i++) {
		memset(c, 'x', sizeof c);
		codes_new(c);
		ck_assert_uint_eq(strlen(c), 6);
		for (j = 0; j < 6; j++)
			ck_assert(c[j] >= '0' && c[j] <= '9');
	}
}
END_TEST

/*
 * 10,000 codes: each digit in each place ~1,000 times (sd ~30), and a
 * chi-square over the 60 cells far from what a biased draw gives.
 */
START_TEST(test_code_distribution)
{
	int	count[6][10] = { { 0 } }, i, j, same = 0;
	char	c[CODES_DIGITS + 1], prev[CODES_DIGITS + 1] = "";
	double	chi = 0, d;

	for (i = 0; i < 10000; i++) {
		codes_new(c);
		for (j = 0; j < 6; j++)
			count[j][c[j] - '0']++;
		same += strcmp(c, prev) == 0;
		memcpy(prev, c, sizeof prev);
	}
	for (j = 0; j < 6; j++) {
		for (i = 0; i < 10; i++) {
			ck_assert_msg(count[j][i] > 850 && count[j][i] < 1150,
			    "digit %d at %d: %d", i, j, count[j][i]);
			d = count[j][i] - 1000.0;
			chi += d * d / 1000.0;
		}
	}
	/* 54 degrees of freedom: p < 1e-6 beyond ~110. */
	ck_assert_msg(chi < 110, "chi-square %.1f", chi);
	ck_assert_int_lt(same, 3);
}
END_TEST

START_TEST(test_secret)
{
	static const size_t	 sizes[] = { 0, 1, 16, 32, 33 };
	unsigned char		*raw;
	char			*a, *b;
	size_t			 i, len;

	for (i = 0; i < nitems(sizes); i++) {
		a = codes_new_secret(sizes[i]);
		b = codes_new_secret(sizes[i]);
		ck_assert(strpbrk(a, "+/=") == NULL);
		ck_assert_int_eq(b64url_decode(a, &raw, &len), 0);
		ck_assert_uint_eq(len, sizes[i]);
		free(raw);
		if (sizes[i] >= 16)
			ck_assert_str_ne(a, b);
		free(a);
		free(b);
	}
	a = codes_new_secret(32);
	ck_assert_uint_eq(strlen(a), 43);
	free(a);
}
END_TEST

/*
 * No secret starts with '-', which the AWS CLI would read as an option
 * after --session or --next-token: 4000 draws meet one about 63 times
 * in 64 if nothing prevents it.
 */
START_TEST(test_secret_no_leading_dash)
{
	char	*a;
	int	 i, dash = 0;

	for (i = 0; i < 4000; i++) {
		a = codes_new_secret(1);
		dash += a[0] == '-';
		free(a);
	}
	ck_assert_int_eq(dash, 0);
}
END_TEST

START_TEST(test_equal)
{
	ck_assert_int_eq(codes_equal("abcdef", "abcdef", 6), 1);
	ck_assert_int_eq(codes_equal("abcdef", "abcdeg", 6), 0);
	ck_assert_int_eq(codes_equal("xbcdef", "abcdef", 6), 0);
	ck_assert_int_eq(codes_equal("a", "b", 0), 1);
	ck_assert_int_eq(codes_equal_str("123456", "123456"), 1);
	ck_assert_int_eq(codes_equal_str("123456", "123457"), 0);
	ck_assert_int_eq(codes_equal_str("123456", "12345"), 0);
	ck_assert_int_eq(codes_equal_str("12345", "123456"), 0);
	ck_assert_int_eq(codes_equal_str("", ""), 1);
	ck_assert_int_eq(codes_equal_str("", "1"), 0);
	ck_assert_int_eq(codes_equal_str(NULL, "1"), 0);
	ck_assert_int_eq(codes_equal_str("1", NULL), 0);
	ck_assert_int_eq(codes_equal_str(NULL, NULL), 0);
}
END_TEST

Suite *
codes_suite(void)
{
	Suite	*s = suite_create("codes");
	TCase	*tc = tcase_create("codes");

	tcase_add_checked_fixture(tc, master_setup, master_teardown);
	tcase_add_test(tc, test_digest_form);
	tcase_add_test(tc, test_digest_value);
	tcase_add_test(tc, test_digest_stable);
	tcase_add_test(tc, test_code_form);
	tcase_add_test(tc, test_code_distribution);
	tcase_add_test(tc, test_secret);
	tcase_add_test(tc, test_secret_no_leading_dash);
	tcase_add_test(tc, test_equal);
	suite_add_tcase(s, tc);
	return s;
}
