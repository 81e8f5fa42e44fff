/*
 * keys.c: the RSA-2048 signing keys of pools and the master key that
 * seals their private halves at rest.
 *
 * A key is generated with mbedTLS (e = 65537, randomness straight from
 * getrandom), written as PKCS#1 PEM (private, what libjwt signs with)
 * and SPKI PEM (public, what libjwt verifies with), and described as a
 * JWK whose kid is its RFC 7638 thumbprint: the SHA-256 of the exact
 * text {"e":"..","kty":"RSA","n":".."}, base64url. The thumbprint makes
 * the kid a pure function of the key, so every worker and every
 * instance names a key the same way without coordination.
 *
 * Sealing is AES-256-GCM under the master key with a fresh random
 * 96-bit nonce per message: "v1.<b64 nonce>.<b64 ciphertext||tag>".
 * Worker threads call these functions concurrently; the only shared
 * state is the master key, written once at start-up and read-only
 * afterwards, and each call builds its own mbedTLS contexts.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mbedtls/bignum.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "b64.h"
#include "keys.h"
#include "log.h"
#include "random.h"
#include "util.h"

#define KEYS_BITS	2048
#define KEYS_EXPONENT	65537
#define KEYS_PEM_MAX	8192
#define KEYS_NONCE_LEN	12
#define KEYS_TAG_LEN	16
#define KEYS_MASTER_LEN	32
#define KEYS_SEAL_PREFIX "v1."

static unsigned char	keys_master[KEYS_MASTER_LEN];
static int		keys_master_ok;

/* base64url of an MPI in its shortest big-endian form. */
static char *
keys_mpi_b64url(const mbedtls_mpi *x)
{
	size_t		 len = mbedtls_mpi_size(x);
	unsigned char	*buf = xmalloc(len == 0 ? 1 : len);
	char		*out;

	if (mbedtls_mpi_write_binary(x, buf, len) != 0)
		fatalx("mbedtls_mpi_write_binary");
	out = b64url_encode(buf, len);
	free(buf);
	return out;
}

/* The RFC 7638 thumbprint of an RSA public key given as n and e. */
static char *
keys_thumbprint(const char *n, const char *e)
{
	unsigned char	 md[32];
	char		*canon;

	canon = xasprintf("{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e, n);
	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (unsigned char *)canon, strlen(canon), md) != 0)
		fatalx("mbedtls_md");
	free(canon);
	return b64url_encode(md, sizeof md);
}

/* JWK and kid of the RSA key in pk. */
static int
keys_jwk(mbedtls_pk_context *pk, json_t **jwk, char **kid, char **cause)
{
	mbedtls_mpi	 N, E;
	char		*n = NULL, *e = NULL;
	int		 rc = -1;

	mbedtls_mpi_init(&N);
	mbedtls_mpi_init(&E);
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA) {
		*cause = xstrdup("not an RSA key");
		goto out;
	}
	if (mbedtls_rsa_export(mbedtls_pk_rsa(*pk), &N, NULL, NULL, NULL,
	    &E) != 0) {
		*cause = xstrdup("cannot export the RSA public key");
		goto out;
	}
	n = keys_mpi_b64url(&N);
	e = keys_mpi_b64url(&E);
	*kid = keys_thumbprint(n, e);
	*jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "alg", "RS256",
	    "e", e, "kid", *kid, "kty", "RSA", "n", n, "use", "sig");
	if (*jwk == NULL)
		fatalx("json_pack");
	rc = 0;
out:
	free(n);
	free(e);
	mbedtls_mpi_free(&N);
	mbedtls_mpi_free(&E);
	return rc;
}

/* Both PEM forms of the key in pk into k. */
static int
keys_write_pem(mbedtls_pk_context *pk, struct pool_key *k, char **cause)
{
	unsigned char	buf[KEYS_PEM_MAX];

	if (mbedtls_pk_write_key_pem(pk, buf, sizeof buf) != 0) {
		wipe(buf, sizeof buf);
		*cause = xstrdup("cannot write the private key PEM");
		return -1;
	}
	k->private_pem = xstrdup((char *)buf);
	wipe(buf, sizeof buf);
	if (mbedtls_pk_write_pubkey_pem(pk, buf, sizeof buf) != 0) {
		*cause = xstrdup("cannot write the public key PEM");
		return -1;
	}
	k->public_pem = xstrdup((char *)buf);
	return 0;
}

int
keys_generate(struct pool_key *k, char **cause)
{
	mbedtls_pk_context	pk;
	int			rc = -1;

	memset(k, 0, sizeof *k);
	mbedtls_pk_init(&pk);
	if (mbedtls_pk_setup(&pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0) {
		*cause = xstrdup("mbedtls_pk_setup failed");
		goto out;
	}
	if (mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), random_mbedtls, NULL,
	    KEYS_BITS, KEYS_EXPONENT) != 0) {
		*cause = xstrdup("RSA key generation failed");
		goto out;
	}
	if (keys_write_pem(&pk, k, cause) != 0 ||
	    keys_jwk(&pk, &k->jwk, &k->kid, cause) != 0)
		goto out;
	rc = 0;
out:
	mbedtls_pk_free(&pk);
	if (rc != 0)
		keys_free(k);
	return rc;
}

void
keys_free(struct pool_key *k)
{
	if (k == NULL)
		return;
	free(k->kid);
	wipe_free(k->private_pem);
	free(k->public_pem);
	json_decref(k->jwk);
	memset(k, 0, sizeof *k);
}

int
keys_jwk_from_pem(const char *pem, json_t **jwk, char **kid, char **cause)
{
	mbedtls_pk_context	pk;
	int			rc;

	mbedtls_pk_init(&pk);
	if (mbedtls_pk_parse_public_key(&pk, (const unsigned char *)pem,
	    strlen(pem) + 1) != 0) {
		mbedtls_pk_free(&pk);
		*cause = xstrdup("cannot parse the public key PEM");
		return -1;
	}
	rc = keys_jwk(&pk, jwk, kid, cause);
	mbedtls_pk_free(&pk);
	return rc;
}

/* --- The master key --- */

static int
keys_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 64 hex digits and an optional newline into keys_master. */
static int
keys_master_parse(const char *buf, size_t len)
{
	size_t	i;
	int	hi, lo;

	if (len == 2 * KEYS_MASTER_LEN + 1 && buf[len - 1] == '\n')
		len--;
	if (len != 2 * KEYS_MASTER_LEN)
		return -1;
	for (i = 0; i < KEYS_MASTER_LEN; i++) {
		if ((hi = keys_hexval(buf[2 * i])) < 0 ||
		    (lo = keys_hexval(buf[2 * i + 1])) < 0) {
			wipe(keys_master, sizeof keys_master);
			return -1;
		}
		keys_master[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int
keys_master_create(const char *path, char **cause)
{
	char	hex[2 * KEYS_MASTER_LEN + 2];

	random_bytes(keys_master, sizeof keys_master);
	hex_encode(keys_master, sizeof keys_master, hex);
	hex[2 * KEYS_MASTER_LEN] = '\n';
	hex[2 * KEYS_MASTER_LEN + 1] = '\0';
	if (write_file_atomic(path, hex, sizeof hex - 1, 0600, cause) != 0) {
		wipe(hex, sizeof hex);
		wipe(keys_master, sizeof keys_master);
		return -1;
	}
	wipe(hex, sizeof hex);
	log_info("created master key %s", path);
	keys_master_ok = 1;
	return 0;
}

/*
 * Load the master key from path, or create it there when it does not
 * exist and create is set. Call once at start-up, before any thread
 * uses keys_seal or keys_open.
 */
int
keys_master_load(const char *path, int create, char **cause)
{
	struct stat	 sb;
	char		*buf;
	size_t		 len;
	int		 rc, have_stat;

	keys_master_clear();
	have_stat = stat(path, &sb) == 0;
	if (!have_stat && errno == ENOENT && create)
		return keys_master_create(path, cause);
	if (read_file(path, &buf, &len, cause) != 0)
		return -1;
	rc = keys_master_parse(buf, len);
	wipe(buf, len);
	free(buf);
	if (rc != 0) {
		*cause = xasprintf("%s: the master key must be 64 hex digits",
		    path);
		return -1;
	}
	if (have_stat && (sb.st_mode & 077))
		log_warn("master key %s is readable by group or others", path);
	keys_master_ok = 1;
	return 0;
}

void
keys_master_clear(void)
{
	wipe(keys_master, sizeof keys_master);
	keys_master_ok = 0;
}

/*
 * Derived keys keep the master key to one use each: codes.c digests
 * under keys_master_derive("userpoold codes v1"), never under the key
 * that seals private keys.
 */
void
keys_master_derive(const char *label, unsigned char out[32])
{
	if (!keys_master_ok)
		fatalx("keys_master_derive: master key not loaded");
	if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    keys_master, sizeof keys_master, (const unsigned char *)label,
	    strlen(label), out) != 0)
		fatalx("keys_master_derive: HMAC failed");
}

/* --- Sealing --- */

char *
keys_seal(const void *data, size_t len)
{
	mbedtls_gcm_context	 gcm;
	unsigned char		 nonce[KEYS_NONCE_LEN], *ct;
	char			*b64n, *b64c, *out;

	if (!keys_master_ok)
		fatalx("keys_seal: master key not loaded");
	random_bytes(nonce, sizeof nonce);
	ct = xmalloc(len + KEYS_TAG_LEN);
	mbedtls_gcm_init(&gcm);
	if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, keys_master,
	    8 * KEYS_MASTER_LEN) != 0 ||
	    mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, nonce,
	    sizeof nonce, NULL, 0, data, ct, KEYS_TAG_LEN, ct + len) != 0)
		fatalx("keys_seal: AES-GCM failed");
	mbedtls_gcm_free(&gcm);
	b64n = b64_encode(nonce, sizeof nonce);
	b64c = b64_encode(ct, len + KEYS_TAG_LEN);
	out = xasprintf(KEYS_SEAL_PREFIX "%s.%s", b64n, b64c);
	free(b64n);
	free(b64c);
	free(ct);
	return out;
}

/* Split "v1.<nonce>.<ct>" and decode both parts; -1 when malformed. */
static int
keys_unpack(const char *sealed, unsigned char **nonce, unsigned char **ct,
    size_t *ctlen)
{
	const char	*p, *dot;
	char		*first;
	size_t		 nlen;
	int		 rc;

	*nonce = *ct = NULL;
	if (strncmp(sealed, KEYS_SEAL_PREFIX, strlen(KEYS_SEAL_PREFIX)) != 0)
		return -1;
	p = sealed + strlen(KEYS_SEAL_PREFIX);
	if ((dot = strchr(p, '.')) == NULL)
		return -1;
	first = xstrndup(p, (size_t)(dot - p));
	rc = b64_decode(first, nonce, &nlen);
	free(first);
	if (rc != 0 || nlen != KEYS_NONCE_LEN ||
	    b64_decode(dot + 1, ct, ctlen) != 0 || *ctlen < KEYS_TAG_LEN) {
		free(*nonce);
		free(*ct);
		*nonce = *ct = NULL;
		return -1;
	}
	return 0;
}

int
keys_open(const char *sealed, unsigned char **out, size_t *outlen)
{
	mbedtls_gcm_context	 gcm;
	unsigned char		*nonce, *ct, *pt;
	size_t			 ctlen, len;
	int			 rc;

	if (!keys_master_ok || keys_unpack(sealed, &nonce, &ct, &ctlen) != 0)
		return -1;
	len = ctlen - KEYS_TAG_LEN;
	pt = xmalloc(len + 1);
	mbedtls_gcm_init(&gcm);
	rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, keys_master,
	    8 * KEYS_MASTER_LEN);
	if (rc == 0)
		rc = mbedtls_gcm_auth_decrypt(&gcm, len, nonce, KEYS_NONCE_LEN,
		    NULL, 0, ct + len, KEYS_TAG_LEN, ct, pt);
	mbedtls_gcm_free(&gcm);
	free(nonce);
	free(ct);
	if (rc != 0) {
		wipe(pt, len + 1);
		free(pt);
		return -1;
	}
	pt[len] = '\0';
	*out = pt;
	*outlen = len;
	return 0;
}
