/*
 * jwt.h: RS256 JSON Web Tokens for ID and access tokens.
 *
 * Signing and verification use OpenSSL's libcrypto with each key parsed
 * once and cached (libjwt re-parses the PEM on every call, and Debian's
 * mbedTLS signs at a seventh of OpenSSL's rate). The algorithm is pinned: a token whose
 * header says anything but RS256 is refused before any key is touched.
 * Thread-safe: sign on a crypto worker thread.
 */
/* Not JWT_H: libjwt's <jwt.h> uses that guard. */
#ifndef USERPOOLD_JWT_H
#define USERPOOLD_JWT_H

#include <jansson.h>

#include "util.h"

/*
 * A compact JWS of the claims with header {"kid":kid,"alg":"RS256"}
 * (Cognito's order), signed with the sealed private key
 * (pool_keys.private_sealed, opened with keys_open on the first use of
 * the kid only). malloc'd; NULL with *cause on failure.
 */
char	*jwt_sign(const char *, const char *, json_t *, char **);
/*
 * The claims of a token, unverified (new reference), and in *kid the kid
 * of its header (malloc'd), to pick the key; NULL when the token is not
 * a three-part JWS of at most 16 KiB with an RS256 header, a kid, and an
 * object of claims. Only jwt_check makes them trustworthy.
 */
json_t	*jwt_peek(const char *, char **);
/* The kid of jwt_peek alone (malloc'd), or NULL. */
char	*jwt_peek_kid(const char *);
/*
 * 0 when the token's RS256 signature verifies with the SPKI PEM public
 * key, -1 with *cause otherwise. The header is not checked here: take
 * the claims from jwt_peek, which refuses any algorithm but RS256.
 */
int	 jwt_check(const char *, const char *, char **) MUST_CHECK;
/*
 * The claims of a token whose RS256 signature verifies with the SPKI
 * PEM public key (new reference); NULL with *cause otherwise, and for
 * any token over 16 KiB (jwt_sign makes none that big). Claims
 * (exp, iss, token_use...) are the caller's to check.
 */
json_t	*jwt_verify(const char *, const char *, char **);
/* Drop cached keys (tests). */
void	 jwt_cache_clear(void);

#endif
