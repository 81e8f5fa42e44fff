/*
 * tokens.h: the tokens a sign-in yields (their lifetimes and claims),
 * and the check of an access token presented to the user API. Both run
 * in the caller's task and end it with a core_err on failure.
 *
 * ID and access tokens are RS256 JWTs signed with the pool's current
 * 'id' and 'access' keys (crypto/jwt.c, on a crypto thread), carrying
 * Cognito's claims (reference §3). A refresh token is 32 random bytes,
 * base64url, stored only as a digest (table refresh_tokens) bound to a
 * client and a user; its family is named by origin_jti, which every
 * token issued from it carries.
 */
#ifndef TOKENS_H
#define TOKENS_H

#include <jansson.h>

#include "core/users.h"

struct task;
struct event_base;

/* What an access token check yields (strings malloc'd). */
struct tokens_access {
	char		*pool_id;
	char		*client_id;
	char		*origin_jti;
	char		*jti;
	char		*scope;
	long long	 iat;
	long long	 exp;
	struct user	 user;		/* the row, fresh from the database */
	json_t		*pool_config;	/* pools.config */
	json_t		*client_config;	/* clients.config */
};

typedef void	(*tokens_access_cb)(struct task *, struct tokens_access *);

/*
 * Check an AccessToken for the user API (GetUser and friends): a JWS
 * verified with the pinned algorithm against the key its kid names in
 * the pool its iss names, token_use "access", not expired, scope
 * including aws.cognito.signin.user.admin, not issued before the user's
 * global sign-out, its family (origin_jti) not revoked, the user still
 * there and enabled. On any failure the task ends with
 * CORE_ERR_NOT_AUTHORIZED ("Invalid Access Token", "Access Token has
 * expired", "Access Token has been revoked", "User is disabled.") and
 * cb is not called. cb owns nothing: the struct is freed after it
 * returns, so copy what must outlive it into the caller's state.
 */
void	tokens_check_access(struct task *, const char *, tokens_access_cb);
/* The same check for another scope than the user API's (userInfo: openid). */
void	tokens_check_access_for(struct task *, const char *, const char *,
	    tokens_access_cb);
/*
 * userInfo's claims of a user: sub, username and the attributes the
 * client may read and the scopes allow, as strings (new reference).
 */
json_t	*tokens_user_info(const struct user *, json_t *, const char *);

/* What a successful sign-in needs to issue tokens. */
struct tokens_grant {
	const char	*pool_id;
	const char	*client_id;
	json_t		*client_config;	/* for validities, read attributes */
	const struct user *user;
	json_t		*groups;	/* [{name, precedence, role_arn}] */
	long long	 auth_time;	/* kept across refreshes */
	const char	*origin_jti;	/* NULL: a new family if with_refresh */
	int		 with_refresh;	/* issue (and store) a refresh token */
	int		 new_device;	/* track a new device: NewDeviceMetadata */
	const char	*device_key;	/* signed in from this device */
	/*
	 * OAuth: the granted scopes (space-separated; NULL for the JSON
	 * API's aws.cognito.signin.user.admin), which also mark the access
	 * token "version": 2 and are kept with the refresh token, and the
	 * authorization request's nonce for the ID token. With user NULL
	 * (client_credentials) only an access token is made, its sub the
	 * client id.
	 */
	const char	*scope;
	const char	*nonce;
};

typedef void	(*tokens_issue_cb)(struct task *, json_t *);

/*
 * Sign the ID and access tokens (and create a refresh token when asked)
 * and call cb with the AuthenticationResult object {AccessToken,
 * ExpiresIn, TokenType, IdToken[, RefreshToken]} (new reference, cb
 * owns it; no IdToken for client_credentials). On failure the task
 * ends with its core_err and cb is not called. A user's tokens are stamped after the
 * second of the user's last global sign-out (waiting for it if need be).
 */
void	tokens_issue(struct task *, const struct tokens_grant *,
	    tokens_issue_cb);

/*
 * The lifetime in seconds of a client's "AccessToken", "IdToken" or
 * "RefreshToken" (its validity and TokenValidityUnits; Cognito's
 * defaults: an hour, 30 days for refresh tokens).
 */
long long tokens_lifetime(json_t *, const char *);
/* Seconds of a TokenValidityUnits unit ("minutes"), 0 if unknown. */
long long tokens_unit_seconds(const char *);

/* The loop on which an issue waits out a global sign-out's second. */
void	tokens_init(struct event_base *);

/* The issuer of a pool: <public_url>/<pool id>, malloc'd. */
char	*tokens_issuer(const char *);
/* 1 when OAuth scopes (NULL: the JSON API's) let an ID token carry name. */
int	 tokens_scope_allows(const char *, const char *);
/* 1 when the space-separated scope list has the scope. */
int	 tokens_scope_has(const char *, const char *);

#endif
