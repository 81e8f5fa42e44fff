/*
 * jwk.c: JWS signatures checked with a JWK (see jwk.h), over OpenSSL
 * 3's EVP interface: the key is built from the JWK's members (n, e for
 * RSA; crv, x, y for EC) with EVP_PKEY_fromdata, and an ES256 signature
 * (r || s, 64 bytes) is re-encoded as the DER ECDSA-Sig-Value OpenSSL
 * verifies.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "crypto/b64.h"
#include "crypto/jwk.h"
#include "util.h"

#define JWK_RSA_MIN_BITS	2048
#define JWK_P256_BYTES		32

static const struct {
	const char	*name;
	enum jwk_alg	 alg;
	const char	*kty;
} jwk_algs[] = {
	{ "RS256", JWK_RS256, "RSA" },
	{ "ES256", JWK_ES256, "EC" },
};

int
jwk_alg_of(const char *name, enum jwk_alg *alg)
{
	size_t	i;

	for (i = 0; name != NULL && i < nitems(jwk_algs); i++)
		if (strcmp(jwk_algs[i].name, name) == 0) {
			*alg = jwk_algs[i].alg;
			return 0;
		}
	return -1;
}

static const char *
jwk_member(json_t *jwk, const char *name)
{
	return json_string_value(json_object_get(jwk, name));
}

int
jwk_fits(json_t *jwk, enum jwk_alg alg)
{
	const char	*kty = jwk_member(jwk, "kty");
	const char	*a = jwk_member(jwk, "alg");
	const char	*use = jwk_member(jwk, "use");
	const char	*crv = jwk_member(jwk, "crv");
	size_t		 i;

	for (i = 0; i < nitems(jwk_algs); i++)
		if (jwk_algs[i].alg == alg)
			break;
	if (i == nitems(jwk_algs) || kty == NULL ||
	    strcmp(kty, jwk_algs[i].kty) != 0)
		return 0;
	if ((a != NULL && strcmp(a, jwk_algs[i].name) != 0) ||
	    (use != NULL && strcmp(use, "sig") != 0))
		return 0;
	return alg != JWK_ES256 || (crv != NULL && strcmp(crv, "P-256") == 0);
}

/* A base64url member as a big number, or NULL. */
static BIGNUM *
jwk_bn(json_t *jwk, const char *name)
{
	const char	*s = jwk_member(jwk, name);
	unsigned char	*raw;
	size_t		 len;
	BIGNUM		*bn;

	if (s == NULL || b64url_decode(s, &raw, &len) != 0)
		return NULL;
	bn = len > 0 && len <= 1024 ? BN_bin2bn(raw, (int)len, NULL) : NULL;
	free(raw);
	return bn;
}

static EVP_PKEY *
jwk_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM	*params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY	*pk = NULL;

	if (params == NULL || ctx == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pk;
}

static EVP_PKEY *
jwk_rsa(json_t *jwk)
{
	BIGNUM		*n = jwk_bn(jwk, "n"), *e = jwk_bn(jwk, "e");
	OSSL_PARAM_BLD	*bld = OSSL_PARAM_BLD_new();
	EVP_PKEY	*pk = NULL;

	if (n != NULL && e != NULL && bld != NULL &&
	    BN_num_bits(n) >= JWK_RSA_MIN_BITS &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		pk = jwk_from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pk;
}

/* A P-256 coordinate of exactly 32 bytes into out. */
static int
jwk_coord(json_t *jwk, const char *name, unsigned char *out)
{
	const char	*s = jwk_member(jwk, name);
	unsigned char	*raw;
	size_t		 len;
	int		 ok;

	if (s == NULL || b64url_decode(s, &raw, &len) != 0)
		return -1;
	ok = len == JWK_P256_BYTES;
	if (ok)
		memcpy(out, raw, len);
	free(raw);
	return ok ? 0 : -1;
}

static EVP_PKEY *
jwk_ec(json_t *jwk)
{
	unsigned char	 point[1 + 2 * JWK_P256_BYTES];
	OSSL_PARAM_BLD	*bld;
	EVP_PKEY	*pk = NULL;

	point[0] = 0x04;	/* uncompressed */
	if (jwk_coord(jwk, "x", point + 1) != 0 ||
	    jwk_coord(jwk, "y", point + 1 + JWK_P256_BYTES) != 0 ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) && OSSL_PARAM_BLD_push_octet_string(bld,
	    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
		pk = jwk_from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pk;
}

/* r || s as DER (malloc'd into *der), or -1. */
static int
jwk_ecdsa_der(const unsigned char *sig, size_t len, unsigned char **der,
    size_t *der_len)
{
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;
	unsigned char	*p = NULL;
	int		 n;

	if (len != 2 * JWK_P256_BYTES || (es = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(sig, JWK_P256_BYTES, NULL);
	s = BN_bin2bn(sig + JWK_P256_BYTES, JWK_P256_BYTES, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	n = i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return -1;
	*der = xmalloc((size_t)n);
	memcpy(*der, p, (size_t)n);
	OPENSSL_free(p);
	*der_len = (size_t)n;
	return 0;
}

static int
jwk_check(EVP_PKEY *pk, const void *input, size_t input_len,
    const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	int		 ok;

	ok = md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    pk) == 1 && EVP_DigestVerify(md, sig, sig_len, input,
	    input_len) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int
jwk_verify(json_t *jwk, enum jwk_alg alg, const void *input,
    size_t input_len, const unsigned char *sig, size_t sig_len,
    const char **why)
{
	EVP_PKEY	*pk;
	unsigned char	*der = NULL;
	size_t		 der_len = 0;
	int		 rc;

	if (!jwk_fits(jwk, alg)) {
		*why = "the key does not fit the algorithm";
		return -1;
	}
	if ((pk = alg == JWK_RS256 ? jwk_rsa(jwk) : jwk_ec(jwk)) == NULL) {
		*why = "the key cannot be read";
		return -1;
	}
	if (alg == JWK_ES256) {
		if (jwk_ecdsa_der(sig, sig_len, &der, &der_len) != 0) {
			EVP_PKEY_free(pk);
			*why = "the signature is malformed";
			return -1;
		}
		sig = der;
		sig_len = der_len;
	}
	rc = jwk_check(pk, input, input_len, sig, sig_len);
	EVP_PKEY_free(pk);
	free(der);
	if (rc != 0)
		*why = "the signature does not verify";
	return rc;
}
