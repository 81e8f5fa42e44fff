/*
 * jwt.h: RS256 JSON Web Tokens for ID and access tokens.
 *
 * Signing and verification use mbedTLS with each key parsed once and
 * cached (libjwt re-parses the PEM on every call, which halves the
 * throughput of token issuance). The algorithm is pinned: a token whose
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
 * The kid of a token's header, unverified, to pick the key (malloc'd);
 * NULL when the token is not a three-part JWS with an RS256 header.
 */
char	*jwt_peek_kid(const char *);
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
