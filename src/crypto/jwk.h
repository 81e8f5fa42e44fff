/*
 * jwk.h: signatures of JSON Web Tokens that another party made (an
 * OpenID Connect provider's ID tokens), checked against a public key
 * given as a JWK (RFC 7517) of the provider's JWKS.
 *
 * The algorithm is the caller's pinned choice, never the token's: RS256
 * with an RSA key of at least 2048 bits, or ES256 with a P-256 key.
 * Anything else (none, HS*, a key of another type or curve, a JWK whose
 * alg or use says otherwise) is refused. Functions are prefixed jwk_.
 */
#ifndef JWK_H
#define JWK_H

#include <stddef.h>

#include <jansson.h>

#include "util.h"

/* The algorithms a provider's token may use. */
enum jwk_alg {
	JWK_RS256,
	JWK_ES256,
};

/* The algorithm an alg header names: 0, or -1 for any other. */
int	jwk_alg_of(const char *, enum jwk_alg *) MUST_CHECK;
/* 1 when the JWK may verify alg (type, curve, its alg and use). */
int	jwk_fits(json_t *, enum jwk_alg);
/*
 * 0 when sig (the raw JWS signature: PKCS#1 v1.5 for RS256, r || s for
 * ES256) of the signing input verifies with the JWK under alg, -1 with
 * *why (static text) otherwise.
 */
int	jwk_verify(json_t *, enum jwk_alg, const void *, size_t,
	    const unsigned char *, size_t, const char **) MUST_CHECK;

#endif
