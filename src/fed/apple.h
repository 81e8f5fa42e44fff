/*
 * apple.h: what Sign in with Apple (ProviderType SignInWithApple) adds
 * to the OIDC code flow of fed/oidc_idp.c. Apple has no client secret
 * to store: the token request's client_secret is a JWT the service
 * signs itself, ES256 with the private key Apple issued (the provider's
 * private_key, a PEM EC P-256 key, kept sealed), header kid = key_id,
 * claims iss = team_id, sub = client_id (the Services ID), aud =
 * https://appleid.apple.com, iat and exp. And Apple tells the user's
 * name only once, on the first sign-in, as a `user` JSON field of its
 * form_post answer, outside the signed ID token. Functions are
 * prefixed apple_.
 */
#ifndef FED_APPLE_H
#define FED_APPLE_H

#include <jansson.h>

#include "util.h"

/* The audience Apple wants in a client secret. */
#define APPLE_AUDIENCE		"https://appleid.apple.com"
/* A client secret's lifetime; Apple takes up to six months. */
#define APPLE_SECRET_TTL	3600
/* The `user` field read at most (Apple's is a few hundred bytes). */
#define APPLE_USER_MAX		2048

/*
 * The client secret for the provider's details (client_id, team_id,
 * key_id) signed with the PEM private key at time now (malloc'd), or
 * NULL with *why (static).
 */
char	*apple_client_secret(json_t *, const char *, long long,
	    const char **);
/*
 * Add the names of Apple's `user` field ({"name": {"firstName",
 * "lastName"}, "email"}) to claims as firstName, lastName and name
 * (the two joined), unless claims has them; the e-mail address is only
 * taken from the signed ID token. Anything unreadable adds nothing.
 */
void	 apple_user_claims(const char *, json_t *);

#endif
