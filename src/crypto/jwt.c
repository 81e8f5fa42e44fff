/*
 * jwt.c: RS256 compact JWS, with each key parsed once.
 *
 * The RSA operations are OpenSSL's libcrypto (which libjwt, libpq and
 * libcurl already bring into the process): on Debian 12 it signs with
 * RSA-2048 at about 2.6k/s per core, where mbedTLS 2.28 (built with an
 * exponentiation window of 2) manages 370/s and libjwt, which parses the
 * PEM key again on every call, about 500/s. Each key is parsed once and
 * kept in a small cache: private keys by kid (a kid is the RFC 7638
 * thumbprint of its key, so the key behind a kid never changes), public
 * keys by the SHA-256 of their PEM text. Each cache holds at most
 * JWT_CACHE_MAX keys and drops the least recently used one when full.
 * Keys are reference counted, so a key evicted while another thread signs
 * with it lives until that thread is done. A parsed EVP_PKEY is only read
 * by signing and verifying, which OpenSSL allows from many threads at
 * once.
 *
 * The algorithm is pinned: the header is decoded first and anything but
 * "alg":"RS256" is refused before a key is touched, which closes "none"
 * and the HS256-keyed-with-the-public-PEM confusion. Every part must be
 * canonical base64url without padding, and the token is at most
 * JWT_TOKEN_MAX bytes.
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64.h"
#include "jwt.h"
#include "keys.h"
#include "util.h"

#define JWT_TOKEN_MAX	(16 * 1024)
#define JWT_CACHE_MAX	64
#define JWT_ALG		"RS256"
#define JWT_SIG_MAX	1024	/* RSA up to 8192 bits */

struct jwt_key {
	char		*id;
	EVP_PKEY	*pk;
	unsigned int	 refs;
	uint64_t	 used;
};

struct jwt_cache {
	pthread_mutex_t	 mtx;
	struct jwt_key	*keys[JWT_CACHE_MAX];
	uint64_t	 tick;
};

/* Private keys by kid, public keys by the SHA-256 of their PEM. */
static struct jwt_cache	jwt_private = {
	.mtx = PTHREAD_MUTEX_INITIALIZER
};
static struct jwt_cache	jwt_public = {
	.mtx = PTHREAD_MUTEX_INITIALIZER
};

/* --- Key cache --- */

/* A cache entry for the parsed key pk, which it takes over. */
static struct jwt_key *
jwt_key_new(const char *id, EVP_PKEY *pk)
{
	struct jwt_key	*k = xcalloc(1, sizeof *k);

	k->id = xstrdup(id);
	k->refs = 1;
	k->pk = pk;
	return k;
}

static void
jwt_key_free(struct jwt_key *k)
{
	EVP_PKEY_free(k->pk);
	free(k->id);
	free(k);
}

/* The RSA key of a PEM text (private or public), or NULL. */
static EVP_PKEY *
jwt_parse_pem(const void *pem, size_t len, int private)
{
	BIO		*bio;
	EVP_PKEY	*pk;

	if (len > INT_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	pk = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	    PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pk != NULL && EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	return pk;
}

/* Drop one reference; the cache's mutex guards every count. */
static void
jwt_key_release(struct jwt_cache *c, struct jwt_key *k)
{
	int	last;

	pthread_mutex_lock(&c->mtx);
	last = --k->refs == 0;
	pthread_mutex_unlock(&c->mtx);
	if (last)
		jwt_key_free(k);
}

/* The cached key with this id, referenced; call with the mutex held. */
static struct jwt_key *
jwt_cache_lookup(struct jwt_cache *c, const char *id)
{
	size_t	i;

	for (i = 0; i < JWT_CACHE_MAX; i++) {
		if (c->keys[i] != NULL && strcmp(c->keys[i]->id, id) == 0) {
			c->keys[i]->refs++;
			c->keys[i]->used = ++c->tick;
			return c->keys[i];
		}
	}
	return NULL;
}

static struct jwt_key *
jwt_cache_find(struct jwt_cache *c, const char *id)
{
	struct jwt_key	*k;

	pthread_mutex_lock(&c->mtx);
	k = jwt_cache_lookup(c, id);
	pthread_mutex_unlock(&c->mtx);
	return k;
}

/* An empty slot, else the least recently used one. */
static size_t
jwt_cache_slot(struct jwt_cache *c)
{
	size_t	i, slot = 0;

	for (i = 0; i < JWT_CACHE_MAX; i++) {
		if (c->keys[i] == NULL)
			return i;
		if (c->keys[i]->used < c->keys[slot]->used)
			slot = i;
	}
	return slot;
}

/*
 * Cache a freshly parsed key (whose one reference becomes the caller's)
 * and return the key to use: another thread may have cached the same id
 * meanwhile, and then its key wins and ours is freed.
 */
static struct jwt_key *
jwt_cache_add(struct jwt_cache *c, struct jwt_key *k)
{
	struct jwt_key	*old, *evict = NULL;
	size_t		 slot;

	pthread_mutex_lock(&c->mtx);
	if ((old = jwt_cache_lookup(c, k->id)) != NULL) {
		pthread_mutex_unlock(&c->mtx);
		jwt_key_free(k);
		return old;
	}
	slot = jwt_cache_slot(c);
	if (c->keys[slot] != NULL && --c->keys[slot]->refs == 0)
		evict = c->keys[slot];
	k->refs++;
	k->used = ++c->tick;
	c->keys[slot] = k;
	pthread_mutex_unlock(&c->mtx);
	if (evict != NULL)
		jwt_key_free(evict);
	return k;
}

static void
jwt_cache_empty(struct jwt_cache *c)
{
	struct jwt_key	*k;
	size_t		 i;

	for (i = 0; i < JWT_CACHE_MAX; i++) {
		pthread_mutex_lock(&c->mtx);
		k = c->keys[i];
		c->keys[i] = NULL;
		pthread_mutex_unlock(&c->mtx);
		if (k != NULL)
			jwt_key_release(c, k);
	}
}

void
jwt_cache_clear(void)
{
	jwt_cache_empty(&jwt_private);
	jwt_cache_empty(&jwt_public);
}

/* The private key for kid, opened and parsed on the first use. */
static struct jwt_key *
jwt_private_key(const char *kid, const char *sealed, char **cause)
{
	struct jwt_key	*k;
	EVP_PKEY	*pk;
	unsigned char	*pem;
	size_t		 len;

	if ((k = jwt_cache_find(&jwt_private, kid)) != NULL)
		return k;
	if (sealed == NULL || keys_open(sealed, &pem, &len) != 0) {
		*cause = xstrdup("cannot open the sealed signing key");
		return NULL;
	}
	pk = jwt_parse_pem(pem, len, 1);
	wipe(pem, len);
	free(pem);
	if (pk == NULL) {
		*cause = xstrdup("cannot parse the signing key");
		return NULL;
	}
	return jwt_cache_add(&jwt_private, jwt_key_new(kid, pk));
}

static void
jwt_sha256(const void *data, size_t len, unsigned char out[32])
{
	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), data,
	    len, out) != 0)
		fatalx("jwt: SHA-256 failed");
}

/* The public key of a SPKI PEM, parsed on the first use. */
static struct jwt_key *
jwt_public_key(const char *pem, char **cause)
{
	struct jwt_key	*k;
	EVP_PKEY	*pk;
	unsigned char	 md[32];
	char		 id[2 * sizeof md + 1];

	jwt_sha256(pem, strlen(pem), md);
	hex_encode(md, sizeof md, id);
	if ((k = jwt_cache_find(&jwt_public, id)) != NULL)
		return k;
	if ((pk = jwt_parse_pem(pem, strlen(pem), 0)) == NULL) {
		*cause = xstrdup("cannot parse the public key");
		return NULL;
	}
	return jwt_cache_add(&jwt_public, jwt_key_new(id, pk));
}

/* --- Encoding --- */

static char *
jwt_b64_json(json_t *j)
{
	char	*text, *out;

	if ((text = json_dumps(j, JSON_COMPACT)) == NULL)
		return NULL;
	out = b64url_encode(text, strlen(text));
	free(text);
	return out;
}

/* base64url of the RS256 signature of the first len bytes of input. */
static char *
jwt_signature(struct jwt_key *k, const char *input, size_t len,
    char **cause)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 sig[JWT_SIG_MAX];
	size_t		 siglen = sizeof sig;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("jwt: out of memory");
	ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pk) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)input,
	    len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		*cause = xstrdup("RSA signature failed");
		return NULL;
	}
	return b64url_encode(sig, siglen);
}

char *
jwt_sign(const char *kid, const char *sealed, json_t *claims, char **cause)
{
	struct jwt_key	*k;
	json_t		*hdr;
	char		*h64, *p64, *input, *sig, *out = NULL;

	if (kid == NULL || !json_is_object(claims)) {
		*cause = xstrdup("a token needs a kid and an object of claims");
		return NULL;
	}
	/* Cognito's order: kid first. jansson keeps insertion order. */
	hdr = json_pack("{s:s, s:s}", "kid", kid, "alg", JWT_ALG);
	if (hdr == NULL) {
		*cause = xstrdup("the kid is not valid UTF-8");
		return NULL;
	}
	h64 = jwt_b64_json(hdr);
	json_decref(hdr);
	if (h64 == NULL || (p64 = jwt_b64_json(claims)) == NULL) {
		free(h64);
		*cause = xstrdup("cannot serialise the claims");
		return NULL;
	}
	input = xasprintf("%s.%s", h64, p64);
	free(h64);
	free(p64);
	if ((k = jwt_private_key(kid, sealed, cause)) != NULL) {
		sig = jwt_signature(k, input, strlen(input), cause);
		jwt_key_release(&jwt_private, k);
		if (sig != NULL)
			out = xasprintf("%s.%s", input, sig);
		free(sig);
		if (out != NULL && strlen(out) > JWT_TOKEN_MAX) {
			free(out);
			out = NULL;
			*cause = xstrdup("the token would exceed 16 KiB");
		}
	}
	free(input);
	return out;
}

/* --- Decoding --- */

/*
 * Decode one part: base64url letters only (no padding, no spaces), and
 * canonical, so a token has exactly one spelling.
 */
static int
jwt_b64_part(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	char	*part;
	int	 rc;

	if (len == 0 || !b64url_canonical(s, len))
		return -1;
	part = xstrndup(s, len);
	rc = b64url_decode(part, out, outlen);
	free(part);
	return rc;
}

static json_t *
jwt_json_part(const char *s, size_t len)
{
	unsigned char	*text;
	size_t		 tlen;
	json_t		*j;

	if (jwt_b64_part(s, len, &text, &tlen) != 0)
		return NULL;
	j = json_loadb((char *)text, tlen, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/*
 * The offsets of the two dots of a token of three non-empty parts of at
 * most JWT_TOKEN_MAX bytes in all: 0, or -1 for anything else.
 */
static int
jwt_split(const char *token, size_t dots[2])
{
	const char	*p, *q;
	size_t		 len;

	if (token == NULL || (len = strnlen(token, JWT_TOKEN_MAX + 1)) >
	    JWT_TOKEN_MAX)
		return -1;
	if ((p = strchr(token, '.')) == NULL ||
	    (q = strchr(p + 1, '.')) == NULL || strchr(q + 1, '.') != NULL)
		return -1;
	dots[0] = (size_t)(p - token);
	dots[1] = (size_t)(q - token);
	if (dots[1] == dots[0] + 1 || dots[1] + 1 == len)
		return -1;
	return 0;
}

/*
 * The kid of the header at the start of token (len bytes) when it pins
 * RS256 and asks for no critical extension (malloc'd), else NULL.
 */
static char *
jwt_header_kid(const char *token, size_t len)
{
	json_t		*hdr, *v;
	const char	*alg;
	char		*kid = NULL;

	if ((hdr = jwt_json_part(token, len)) == NULL)
		return NULL;
	v = json_object_get(hdr, "alg");
	alg = json_string_value(v);
	if (alg != NULL && json_string_length(v) == strlen(JWT_ALG) &&
	    strcmp(alg, JWT_ALG) == 0 && json_object_get(hdr, "crit") == NULL &&
	    json_is_string(v = json_object_get(hdr, "kid")) &&
	    json_string_length(v) == strlen(json_string_value(v)))
		kid = xstrdup(json_string_value(v));
	json_decref(hdr);
	return kid;
}

json_t *
jwt_peek(const char *token, char **kid)
{
	json_t	*claims;
	size_t	 dots[2];

	*kid = NULL;
	if (jwt_split(token, dots) != 0 ||
	    (*kid = jwt_header_kid(token, dots[0])) == NULL)
		return NULL;
	claims = jwt_json_part(token + dots[0] + 1, dots[1] - dots[0] - 1);
	if (claims == NULL) {
		free(*kid);
		*kid = NULL;
	}
	return claims;
}

char *
jwt_peek_kid(const char *token)
{
	json_t	*claims;
	char	*kid;

	claims = jwt_peek(token, &kid);
	json_decref(claims);
	return kid;
}

/* 0 when sig (base64url) is the RS256 signature of input under k. */
static int
jwt_check_signature(struct jwt_key *k, const char *input, size_t len,
    const char *sig64, size_t siglen64)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*sig;
	size_t		 siglen;
	int		 ok;

	if (jwt_b64_part(sig64, siglen64, &sig, &siglen) != 0)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("jwt: out of memory");
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k->pk) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)input,
	    len) == 1;
	EVP_MD_CTX_free(ctx);
	free(sig);
	return ok ? 0 : -1;
}

int
jwt_check(const char *token, const char *public_pem, char **cause)
{
	struct jwt_key	*k;
	size_t		 dots[2];
	int		 rc;

	if (jwt_split(token, dots) != 0) {
		*cause = xstrdup("not a compact JWS");
		return -1;
	}
	if (public_pem == NULL) {
		*cause = xstrdup("no public key");
		return -1;
	}
	if ((k = jwt_public_key(public_pem, cause)) == NULL)
		return -1;
	rc = jwt_check_signature(k, token, dots[1], token + dots[1] + 1,
	    strlen(token + dots[1] + 1));
	jwt_key_release(&jwt_public, k);
	if (rc != 0)
		*cause = xstrdup("invalid signature");
	return rc;
}

json_t *
jwt_verify(const char *token, const char *public_pem, char **cause)
{
	json_t	*claims;
	char	*kid;

	if ((claims = jwt_peek(token, &kid)) == NULL) {
		*cause = xstrdup("not an RS256 JWS");
		return NULL;
	}
	free(kid);
	if (jwt_check(token, public_pem, cause) != 0) {
		json_decref(claims);
		return NULL;
	}
	return claims;
}
