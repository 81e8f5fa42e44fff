/*
 * test_totp.c: HOTP against RFC 4226 appendix D, TOTP against RFC 6238
 * appendix B (SHA-1, 8 digits), base32 against RFC 4648 section 10,
 * then drift, replay and the shapes of code refused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/totp.h"
#include "suites.h"

#define RFC_KEY	"12345678901234567890"

static const char *const hotp[] = {
	"755224", "287082", "359152", "969429", "338314",
	"254676", "287922", "162583", "399871", "520489",
};

START_TEST(test_hotp)
{
	char	code[TOTP_DIGITS + 1];

	totp_code((const unsigned char *)RFC_KEY, 20, _i, 6, code);
	ck_assert_str_eq(code, hotp[_i]);
}
END_TEST

static const struct {
	long long	 t;
	long long	 step;
	const char	*code;
} rfc6238[] = {
	{ 59, 0x1, "94287082" },
	{ 1111111109, 0x23523ec, "07081804" },
	{ 1111111111, 0x23523ed, "14050471" },
	{ 1234567890, 0x273ef07, "89005924" },
	{ 2000000000, 0x3f940aa, "69279037" },
	{ 20000000000LL, 0x27bc86aa, "65353130" },
};

START_TEST(test_totp_rfc)
{
	char	code[9];
	int64_t	step = totp_step(rfc6238[_i].t);

	ck_assert_int_eq(step, rfc6238[_i].step);
	totp_code((const unsigned char *)RFC_KEY, 20, step, 8, code);
	ck_assert_str_eq(code, rfc6238[_i].code);
	/* Six digits are the last six of the eight. */
	totp_code((const unsigned char *)RFC_KEY, 20, step, 6, code);
	ck_assert_str_eq(code, rfc6238[_i].code + 2);
	/* And the six-digit code verifies at that time. */
	ck_assert_int_eq(totp_verify((const unsigned char *)RFC_KEY, 20,
	    rfc6238[_i].code + 2, rfc6238[_i].t, 0), step);
}
END_TEST

static const struct {
	const char	*raw;
	const char	*text;		/* as we write it */
	const char	*padded;	/* as RFC 4648 writes it */
} b32[] = {
	{ "", "", "" },
	{ "f", "MY", "MY======" },
	{ "fo", "MZXQ", "MZXQ====" },
	{ "foo", "MZXW6", "MZXW6===" },
	{ "foob", "MZXW6YQ", "MZXW6YQ=" },
	{ "fooba", "MZXW6YTB", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI", "MZXW6YTBOI======" },
};

START_TEST(test_base32)
{
	size_t		 len = strlen(b32[_i].raw), n, i;
	char		*text = totp_base32_encode(b32[_i].raw, len), *lower;
	unsigned char	*out;

	ck_assert_str_eq(text, b32[_i].text);
	ck_assert_int_eq(totp_base32_decode(b32[_i].text, &out, &n), 0);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(out, b32[_i].raw, len);
	free(out);
	ck_assert_int_eq(totp_base32_decode(b32[_i].padded, &out, &n), 0);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(out, b32[_i].raw, len);
	free(out);
	lower = xstrdup(b32[_i].text);
	for (i = 0; lower[i] != '\0'; i++)
		if (lower[i] >= 'A' && lower[i] <= 'Z')
			lower[i] += 'a' - 'A';
	ck_assert_int_eq(totp_base32_decode(lower, &out, &n), 0);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(out, b32[_i].raw, len);
	free(out);
	free(lower);
	free(text);
}
END_TEST

static const char *const b32_bad[] = {
	"M", "MZX", "MZXW6Y", "MZ", "M1", "MY0", "MY8", "MY=", "MY= ",
	"MY=======", "MY=A====", "MZXW6YTB========", "MZXW6YTB=", " MY",
	"MY\n", "MZXW6YTBOI=====", "=", "========",
};

START_TEST(test_base32_bad)
{
	unsigned char	*out = NULL;
	size_t		 n = 0;

	ck_assert_int_eq(totp_base32_decode(b32_bad[_i], &out, &n), -1);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_secret)
{
	unsigned char	 s1[TOTP_SECRET_BYTES], s2[TOTP_SECRET_BYTES];
	unsigned char	*back;
	char		*text;
	size_t		 n;

	totp_secret_new(s1);
	totp_secret_new(s2);
	ck_assert_mem_ne(s1, s2, sizeof s1);
	text = totp_base32_encode(s1, sizeof s1);
	ck_assert_uint_eq(strlen(text), 32);
	ck_assert_uint_eq(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
	    32);
	ck_assert_int_eq(totp_base32_decode(text, &back, &n), 0);
	ck_assert_uint_eq(n, sizeof s1);
	ck_assert_mem_eq(back, s1, sizeof s1);
	free(back);
	free(text);
}
END_TEST

START_TEST(test_steps)
{
	ck_assert_int_eq(totp_step(0), 0);
	ck_assert_int_eq(totp_step(29), 0);
	ck_assert_int_eq(totp_step(30), 1);
	ck_assert_int_eq(totp_step(-1), -1);
	ck_assert_int_eq(totp_step(-30), -1);
	ck_assert_int_eq(totp_step(-31), -2);
}
END_TEST

/* The 6-digit code of a step under the RFC key. */
static void
code_at(int64_t step, char out[TOTP_DIGITS + 1])
{
	totp_code((const unsigned char *)RFC_KEY, 20, step, TOTP_DIGITS, out);
}

START_TEST(test_drift)
{
	const unsigned char	*key = (const unsigned char *)RFC_KEY;
	int64_t			 now = 1111111111, s = totp_step(now);
	char			 c[TOTP_DIGITS + 1];
	int			 d;

	for (d = -3; d <= 3; d++) {
		code_at(s + d, c);
		ck_assert_int_eq(totp_verify(key, 20, c, now, 0),
		    d >= -1 && d <= 1 ? s + d : -1);
	}
	/* At the edges of the step the window moves with the clock. */
	code_at(s + 1, c);
	ck_assert_int_eq(totp_verify(key, 20, c, s * 30 + 29, 0), s + 1);
	ck_assert_int_eq(totp_verify(key, 20, c, s * 30 + 60, 0), s + 1);
	ck_assert_int_eq(totp_verify(key, 20, c, s * 30 + 90, 0), -1);
	ck_assert_int_eq(totp_verify(key, 20, c, s * 30 - 1, 0), -1);
	/* Another key's code fails. */
	code_at(s, c);
	ck_assert_int_eq(totp_verify((const unsigned char *)"another key", 11,
	    c, now, 0), -1);
}
END_TEST

START_TEST(test_replay)
{
	const unsigned char	*key = (const unsigned char *)RFC_KEY;
	int64_t			 now = 1234567890, s = totp_step(now), used;
	char			 c[TOTP_DIGITS + 1], next[TOTP_DIGITS + 1];
	char			 prev[TOTP_DIGITS + 1];

	code_at(s, c);
	code_at(s + 1, next);
	code_at(s - 1, prev);
	used = totp_verify(key, 20, c, now, 0);
	ck_assert_int_eq(used, s);
	/* The same code again, in the same step or the next. */
	ck_assert_int_eq(totp_verify(key, 20, c, now, used), -1);
	ck_assert_int_eq(totp_verify(key, 20, c, now + 30, used), -1);
	/* An older code after a newer one. */
	ck_assert_int_eq(totp_verify(key, 20, prev, now, used), -1);
	/* The next step's code is still good, once. */
	used = totp_verify(key, 20, next, now, used);
	ck_assert_int_eq(used, s + 1);
	ck_assert_int_eq(totp_verify(key, 20, next, now + 30, used), -1);
	ck_assert_int_eq(totp_verify(key, 20, c, now, used), -1);
}
END_TEST

static const char *const bad_codes[] = {
	"", "12345", "1234567", "12345a", " 12345", "123 45", "+12345",
	"-12345", "123456\n", "\xef\xbc\x91" "23456",
};

START_TEST(test_bad_codes)
{
	ck_assert_int_eq(totp_verify((const unsigned char *)RFC_KEY, 20,
	    bad_codes[_i], 1111111111, 0), -1);
}
END_TEST

START_TEST(test_null_code)
{
	ck_assert_int_eq(totp_verify((const unsigned char *)RFC_KEY, 20, NULL,
	    1111111111, 0), -1);
}
END_TEST

Suite *
totp_suite(void)
{
	Suite	*s = suite_create("totp");
	TCase	*tc = tcase_create("totp");

	tcase_add_loop_test(tc, test_hotp, 0, (int)nitems(hotp));
	tcase_add_loop_test(tc, test_totp_rfc, 0, (int)nitems(rfc6238));
	tcase_add_loop_test(tc, test_base32, 0, (int)nitems(b32));
	tcase_add_loop_test(tc, test_base32_bad, 0, (int)nitems(b32_bad));
	tcase_add_test(tc, test_secret);
	tcase_add_test(tc, test_steps);
	tcase_add_test(tc, test_drift);
	tcase_add_test(tc, test_replay);
	tcase_add_loop_test(tc, test_bad_codes, 0, (int)nitems(bad_codes));
	tcase_add_test(tc, test_null_code);
	suite_add_tcase(s, tc);
	return s;
}
