/*
 * codes.c: the secrets users are sent or handed, and the digests that
 * stand for them in the database.
 *
 * Codes are CODES_DIGITS decimal digits drawn by rejection sampling
 * (random_string), so each value is equally likely; longer secrets are
 * raw random bytes in base64url. A digest is HMAC-SHA256 over
 * purpose || NUL || value under a key derived from the master key, so
 * that the same value means different digests for different purposes
 * (a sign-up code cannot stand in for a password-reset code) and a
 * dump of the database gives no way to test a guess offline. The
 * derived key is made once, on first use, behind a mutex: worker
 * threads and the loop both digest.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "core/codes.h"
#include "crypto/b64.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "util.h"

#define CODES_KEY_LABEL	"userpoold codes v1"
#define CODES_KEY_LEN	32
#define CODES_MAC_LEN	32

static pthread_mutex_t	codes_mtx = PTHREAD_MUTEX_INITIALIZER;
static unsigned char	codes_key[CODES_KEY_LEN];
static int		codes_key_ok;

void
codes_new(char out[CODES_DIGITS + 1])
{
	random_string(out, CODES_DIGITS, "0123456789");
}

char *
codes_new_secret(size_t n)
{
	unsigned char	*buf = xmalloc(n == 0 ? 1 : n);
	char		*out;

	for (;;) {
		random_bytes(buf, n);
		out = b64url_encode(buf, n);
		if (out[0] != '-')
			break;
		wipe(out, strlen(out));
		free(out);
	}
	wipe(buf, n);
	free(buf);
	return out;
}

/* A copy of the digest key, derived on first use. */
static void
codes_key_get(unsigned char key[CODES_KEY_LEN])
{
	pthread_mutex_lock(&codes_mtx);
	if (!codes_key_ok) {
		keys_master_derive(CODES_KEY_LABEL, codes_key);
		codes_key_ok = 1;
	}
	memcpy(key, codes_key, CODES_KEY_LEN);
	pthread_mutex_unlock(&codes_mtx);
}

void
codes_clear(void)
{
	pthread_mutex_lock(&codes_mtx);
	wipe(codes_key, sizeof codes_key);
	codes_key_ok = 0;
	pthread_mutex_unlock(&codes_mtx);
}

void
codes_digest_hex(const char *purpose, const char *value,
    char out[CODES_DIGEST_HEX])
{
	mbedtls_md_context_t	ctx;
	unsigned char		key[CODES_KEY_LEN], mac[CODES_MAC_LEN];
	const unsigned char	nul = 0;

	codes_key_get(key);
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx,
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) != 0 ||
	    mbedtls_md_hmac_starts(&ctx, key, sizeof key) != 0 ||
	    mbedtls_md_hmac_update(&ctx, (const unsigned char *)purpose,
	    strlen(purpose)) != 0 ||
	    mbedtls_md_hmac_update(&ctx, &nul, 1) != 0 ||
	    mbedtls_md_hmac_update(&ctx, (const unsigned char *)value,
	    strlen(value)) != 0 ||
	    mbedtls_md_hmac_finish(&ctx, mac) != 0)
		fatalx("codes_digest_hex: HMAC failed");
	mbedtls_md_free(&ctx);
	wipe(key, sizeof key);
	out[0] = '\\';
	out[1] = 'x';
	hex_encode(mac, sizeof mac, out + 2);
}

int
codes_equal(const void *a, const void *b, size_t len)
{
	return ct_equal(a, b, len);
}

int
codes_equal_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return ct_streq(a, b);
}

void
codes_digest_bound(const char *purpose, const char *bound, const char *code,
    char out[CODES_DIGEST_HEX])
{
	char	*p;

	if (bound == NULL) {
		codes_digest_hex(purpose, code, out);
		return;
	}
	p = xasprintf("%s\n%s", purpose, bound);
	codes_digest_hex(p, code, out);
	free(p);
}
