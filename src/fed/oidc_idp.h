/*
 * oidc_idp.h: the authorization code flow at an OpenID Connect
 * provider (ProviderType OIDC, and the Google and SignInWithApple
 * presets), and the back channel of every code-flow provider: the
 * authorization request sent to the provider, the code redeemed at its
 * token_url through fed/fetch.c, and the ID token checked (signature
 * with the provider's JWKS from fed/discovery.c, iss, aud, exp, iat,
 * nonce). The OAuth 2.0 providers without ID tokens (Facebook, Login
 * with Amazon) differ only in their attribute fetch: src/fed/social.c.
 * Functions are prefixed oidc_idp_.
 */
#ifndef FED_OIDC_IDP_H
#define FED_OIDC_IDP_H

#include <jansson.h>

#include "core/federation.h"
#include "util.h"

struct task;

/* Seconds of clock skew allowed on exp and iat. */
#define OIDC_IDP_SKEW		300
/* An ID token longer than this is refused unread. */
#define OIDC_IDP_TOKEN_MAX	(16 * 1024)
/* oidc_idp_check_token: no key of the JWKS has the token's kid. */
#define OIDC_IDP_NO_KEY		1

/* 1 for the types that sign in by an ID token (OIDC, Google, Apple). */
int	 oidc_idp_has_id_token(enum fed_type);

/*
 * 1 when the provider answers with a POST to /oauth2/idpresponse
 * (response_mode=form_post: SignInWithApple asking for scopes).
 */
int	 oidc_idp_form_post(enum fed_type, json_t *);

/* The authorization request at a provider (borrowed). */
struct oidc_idp_authz {
	enum fed_type	 type;
	json_t		*details;	/* ProviderDetails */
	const char	*redirect_uri;	/* ours: <domain>/oauth2/idpresponse */
	const char	*state;
	const char	*nonce;		/* ID-token types */
	const char	*challenge;	/* S256, ID-token types but Apple */
};

/* The provider's authorize_url with the request (malloc'd), or NULL. */
char	*oidc_idp_authorize_url(const struct oidc_idp_authz *);

/* What an ID token must say (borrowed). */
struct oidc_idp_expect {
	const char	*issuer;
	const char	*client_id;
	const char	*nonce;
	long long	 now;		/* seconds since the epoch */
};

/*
 * Check an ID token against a JWKS: the header's alg RS256 or ES256
 * (never none or HS*), a key of the JWKS that fits it and has its kid,
 * the signature, then the claims. 0 with *claims (a new reference);
 * OIDC_IDP_NO_KEY when no key has the kid (fetch the JWKS again); -1
 * with *why (malloc'd) otherwise.
 */
int	 oidc_idp_check_token(const char *, json_t *,
	    const struct oidc_idp_expect *, json_t **, char **) MUST_CHECK;

/* A code to redeem at the provider (borrowed). */
struct oidc_idp_redeem {
	const char	*provider_name;
	enum fed_type	 type;
	json_t		*details;
	json_t		*mapping;	/* AttributeMapping (Facebook fields) */
	const char	*client_secret;	/* or NULL */
	const char	*code;
	const char	*redirect_uri;	/* as sent in the authorization */
	const char	*nonce;		/* ID-token types */
	const char	*verifier;	/* PKCE, ID-token types */
};

/* Who the provider says signed in (owned: oidc_idp_identity_clear). */
struct oidc_idp_identity {
	char	*subject;
	char	*issuer;	/* identities' issuer: NULL for these types */
	json_t	*claims;
};

/*
 * Redeem the code and learn who signed in, on t (its data becomes the
 * redemption's state); t ends once. Failures: CORE_ERR_BUSY when the
 * provider could not be reached or did not answer in time,
 * CORE_ERR_NOT_AUTHORIZED when it refused the code or its answer fails
 * a check, CORE_ERR_CONFIG when the provider's details lack an endpoint;
 * the message says which, for a person.
 */
void	 oidc_idp_redeem(struct task *, const struct oidc_idp_redeem *,
	    struct oidc_idp_identity *);
void	 oidc_idp_identity_clear(struct oidc_idp_identity *);

#endif
