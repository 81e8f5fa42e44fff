/*
 * totp.c: RFC 6238 TOTP with HMAC-SHA1 (mbedTLS), 6 digits and 30-second
 * steps, and RFC 4648 base32 for the secret's text form.
 *
 * Verification accepts one step of clock drift either side, as
 * RFC 6238 section 5.2 suggests, and refuses any step at or before the
 * last one used, so that a code seen once (or an older one) cannot be
 * replayed. All three candidate codes are computed and compared in
 * constant time whatever matches first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "random.h"
#include "totp.h"
#include "util.h"

static const char totp_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void
totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES])
{
	random_bytes(secret, TOTP_SECRET_BYTES);
}

char *
totp_base32_encode(const void *src, size_t len)
{
	const unsigned char	*p = src;
	char			*out = xmalloc((len * 8 + 4) / 5 + 1), *q = out;
	uint32_t		 acc = 0;
	int			 bits = 0;
	size_t			 i;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*q++ = totp_alphabet[(acc >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		*q++ = totp_alphabet[(acc << (5 - bits)) & 0x1f];
	*q = '\0';
	return out;
}

/* The value of a base32 letter (either case), or -1. */
static int
totp_base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/*
 * Check the shape: letters, then padding to a multiple of 8 or none;
 * a count of letters an encoder can end on (not 1, 3 or 6 mod 8).
 */
static int
totp_base32_shape(const char *src, size_t *letters)
{
	size_t	len = strlen(src), n, i;

	for (n = 0; n < len && totp_base32_value(src[n]) >= 0; n++)
		;
	for (i = n; i < len; i++)
		if (src[i] != '=')
			return -1;
	if (n % 8 == 1 || n % 8 == 3 || n % 8 == 6)
		return -1;
	if (len != n && (len % 8 != 0 || len - n >= 8 || n % 8 == 0))
		return -1;
	*letters = n;
	return 0;
}

int
totp_base32_decode(const char *src, unsigned char **out, size_t *outlen)
{
	unsigned char	*buf;
	uint32_t	 acc = 0;
	size_t		 n, i, len = 0;
	int		 bits = 0;

	if (totp_base32_shape(src, &n) != 0)
		return -1;
	buf = xmalloc(n * 5 / 8 + 1);
	for (i = 0; i < n; i++) {
		acc = (acc << 5) | (uint32_t)totp_base32_value(src[i]);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			buf[len++] = (unsigned char)(acc >> bits);
		}
	}
	/* The bits left over are padding an encoder leaves at zero. */
	if ((acc & ((1U << bits) - 1)) != 0) {
		wipe(buf, len);
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int64_t
totp_step(int64_t t)
{
	return t >= 0 ? t / TOTP_STEP : (t - TOTP_STEP + 1) / TOTP_STEP;
}

void
totp_code(const unsigned char *key, size_t keylen, int64_t step, int digits,
    char *out)
{
	static const uint32_t	 mod[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000, 10000000, 100000000, 1000000000 };
	unsigned char		 msg[8], md[20];
	uint64_t		 c = (uint64_t)step;
	uint32_t		 bin;
	int			 i, off;

	if (digits < 1 || digits > TOTP_DIGITS_MAX)
		fatalx("totp_code: %d digits", digits);
	for (i = 7; i >= 0; i--, c >>= 8)
		msg[i] = (unsigned char)(c & 0xff);
	if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA1), key,
	    keylen, msg, sizeof msg, md) != 0)
		fatalx("totp: mbedtls_md_hmac");
	off = md[19] & 0x0f;
	bin = (uint32_t)(md[off] & 0x7f) << 24 | (uint32_t)md[off + 1] << 16 |
	    (uint32_t)md[off + 2] << 8 | md[off + 3];
	bin %= mod[digits];
	for (i = digits - 1; i >= 0; i--, bin /= 10)
		out[i] = (char)('0' + bin % 10);
	out[digits] = '\0';
	wipe(md, sizeof md);
}

int64_t
totp_verify(const unsigned char *key, size_t keylen, const char *code,
    int64_t now, int64_t last_step)
{
	char	mine[TOTP_DIGITS + 1];
	int64_t	step, found = -1;
	int	i;

	if (code == NULL || strlen(code) != TOTP_DIGITS ||
	    strspn(code, "0123456789") != TOTP_DIGITS)
		return -1;
	for (i = -TOTP_DRIFT; i <= TOTP_DRIFT; i++) {
		step = totp_step(now) + i;
		if (step < 0)
			continue;
		totp_code(key, keylen, step, TOTP_DIGITS, mine);
		if (ct_equal(mine, code, TOTP_DIGITS) && step > last_step &&
		    found < 0)
			found = step;
	}
	wipe(mine, sizeof mine);
	return found;
}
