/*
 * test_b64.c: base64 and base64url against RFC 4648 §10, strict
 * rejection of malformed input, hex; and the shapes of random.c's
 * identifiers (a tcase here rather than a file of its own).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/random.h"
#include "suites.h"

struct b64_vector {
	const char	*plain;
	const char	*std;
	const char	*url;
};

static const struct b64_vector b64_vectors[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
	{ "\xfb\xff", "+/8=", "-_8" },
	{ "\xfb\xef\xbe", "++++", "----" },
};

START_TEST(test_encode)
{
	const struct b64_vector	*v = &b64_vectors[_i];
	char			*s;

	s = b64_encode(v->plain, strlen(v->plain));
	ck_assert_str_eq(s, v->std);
	free(s);
	s = b64url_encode(v->plain, strlen(v->plain));
	ck_assert_str_eq(s, v->url);
	free(s);
}
END_TEST

static void
check_decode(int (*fn)(const char *, unsigned char **, size_t *),
    const char *in, const char *want)
{
	unsigned char	*out;
	size_t		 len;

	ck_assert_msg(fn(in, &out, &len) == 0, "rejected \"%s\"", in);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert(memcmp(out, want, len) == 0);
	ck_assert_int_eq(out[len], '\0');
	free(out);
}

START_TEST(test_decode)
{
	const struct b64_vector	*v = &b64_vectors[_i];
	char			*unpadded;

	check_decode(b64_decode, v->std, v->plain);
	check_decode(b64url_decode, v->url, v->plain);
	/* padding is optional on input */
	unpadded = strdup(v->std);
	unpadded[strcspn(unpadded, "=")] = '\0';
	check_decode(b64_decode, unpadded, v->plain);
	free(unpadded);
	if (strchr(v->std, '=') != NULL && strpbrk(v->std, "+/") == NULL)
		check_decode(b64url_decode, v->std, v->plain);
}
END_TEST

static const char *const std_bad[] = {
	"Z", "Zg=", "Zg===", "Zm9vY", "Zm9v!", "Zm 9v", "Zm9v\n", "Zm9v\r\n",
	"Zg==Zg==", "=Zg=", "Z=g=", "-_8=", "Zm9vYg=", "====",
};

static const char *const url_bad[] = {
	"Z", "Zg=", "Zm9vY", "+/8", "Zm9v.", "Zm 9v", "Zm9v\n", "Zg==Zg",
	"Zm8==", "Zm9v=",
};

START_TEST(test_reject_std)
{
	unsigned char	*out = NULL;
	size_t		 len;

	ck_assert_msg(b64_decode(std_bad[_i], &out, &len) == -1,
	    "accepted \"%s\"", std_bad[_i]);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_reject_url)
{
	unsigned char	*out = NULL;
	size_t		 len;

	ck_assert_msg(b64url_decode(url_bad[_i], &out, &len) == -1,
	    "accepted \"%s\"", url_bad[_i]);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_binary_round_trip)
{
	unsigned char	 buf[257], *out;
	char		*s;
	size_t		 i, n, len;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(255 - i);
	for (n = 0; n <= sizeof buf; n += 37) {
		s = b64url_encode(buf, n);
		ck_assert(strpbrk(s, "+/=") == NULL);
		ck_assert_int_eq(b64url_decode(s, &out, &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert(memcmp(out, buf, n) == 0);
		free(out);
		free(s);
	}
}
END_TEST

/* What b64url_encode makes is canonical; a changed padding bit is not. */
START_TEST(test_canonical)
{
	unsigned char	 buf[5] = { 0xfb, 0xff, 0x00, 0x7e, 0x41 };
	char		*s;
	size_t		 n, len;

	for (n = 0; n <= sizeof buf; n++) {
		s = b64url_encode(buf, n);
		len = strlen(s);
		ck_assert_int_eq(b64url_canonical(s, len), 1);
		if (len % 4 != 0) {
			/* 'A' + 1 sets the lowest (unused) bit. */
			s[len - 1] = (char)(s[len - 1] == 'A' ? 'B' :
			    s[len - 1] ^ 1);
			ck_assert_int_eq(b64url_canonical(s, len), 0);
		}
		free(s);
	}
	ck_assert_int_eq(b64url_canonical("QQ", 2), 1);
	ck_assert_int_eq(b64url_canonical("QR", 2), 0);
	ck_assert_int_eq(b64url_canonical("QUI", 3), 1);
	ck_assert_int_eq(b64url_canonical("QUJ", 3), 0);
	ck_assert_int_eq(b64url_canonical("QUJD", 4), 1);
	ck_assert_int_eq(b64url_canonical("QUJDR", 5), 0);
	ck_assert_int_eq(b64url_canonical("QQ==", 4), 0);
	ck_assert_int_eq(b64url_canonical("Q+/A", 4), 0);
	ck_assert_int_eq(b64url_canonical("", 0), 1);
}
END_TEST

START_TEST(test_hex)
{
	char	out[7];

	hex_encode("\x00\xab\xff", 3, out);
	ck_assert_str_eq(out, "00abff");
	hex_encode("", 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_random_string)
{
	char	s[65];
	int	seen[256] = { 0 }, i, k;

	for (k = 0; k < 50; k++) {
		memset(s, 'X', sizeof s);
		random_string(s, 64, RANDOM_LOWER);
		ck_assert_int_eq(s[64], '\0');
		ck_assert_uint_eq(strlen(s), 64);
		for (i = 0; i < 64; i++) {
			ck_assert_ptr_nonnull(strchr(RANDOM_LOWER, s[i]));
			seen[(unsigned char)s[i]]++;
		}
	}
	/* 3200 draws from 36 letters: every letter shows up. */
	for (i = 0; RANDOM_LOWER[i] != '\0'; i++)
		ck_assert_int_gt(seen[(unsigned char)RANDOM_LOWER[i]], 0);
	random_string(s, 0, RANDOM_ALNUM);
	ck_assert_str_eq(s, "");
}
END_TEST

START_TEST(test_random_uuid)
{
	char	a[37], b[37];
	int	i;

	random_uuid(a);
	random_uuid(b);
	ck_assert_uint_eq(strlen(a), 36);
	ck_assert_str_ne(a, b);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(a[i], '-');
		else
			ck_assert(isxdigit((unsigned char)a[i]) &&
			    !isupper((unsigned char)a[i]));
	}
	ck_assert_int_eq(a[14], '4');
	ck_assert_ptr_nonnull(strchr("89ab", a[19]));
}
END_TEST

Suite *
b64_suite(void)
{
	Suite	*s = suite_create("b64");
	TCase	*tc = tcase_create("b64");
	TCase	*tr = tcase_create("random");

	tcase_add_loop_test(tc, test_encode, 0, (int)nitems(b64_vectors));
	tcase_add_loop_test(tc, test_decode, 0, (int)nitems(b64_vectors));
	tcase_add_loop_test(tc, test_reject_std, 0, (int)nitems(std_bad));
	tcase_add_loop_test(tc, test_reject_url, 0, (int)nitems(url_bad));
	tcase_add_test(tc, test_binary_round_trip);
	tcase_add_test(tc, test_canonical);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	tcase_add_test(tr, test_random_string);
	tcase_add_test(tr, test_random_uuid);
	suite_add_tcase(s, tr);
	return s;
}
