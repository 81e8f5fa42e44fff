/*
 * grants.h: OAuth 2.0 grants of a pool domain, apart from the wire: the
 * authorization request checked against the domain's client, the
 * authorization code (single use, bound to the client, the redirect_uri
 * and the PKCE S256 challenge), the implicit flow's tokens, the
 * client_credentials grant, and userInfo's claims. Each runs in the
 * caller's task (core/task.h) and ends it; the results go where the
 * caller's pointers say, valid once the task has ended with success.
 *
 * Errors are core_err kinds: NO_RESOURCE (no such domain), NO_CLIENT,
 * BAD_REDIRECT, BAD_TYPE (response type), UNSUPPORTED (the client may
 * not use the flow), BAD_SCOPE, BAD_GRANT (a code that is not good),
 * NOT_AUTHORIZED (client authentication, or a token at userInfo),
 * INVALID; the OAuth endpoints map them to RFC 6749 errors.
 */
#ifndef CORE_GRANTS_H
#define CORE_GRANTS_H

#include <jansson.h>

#include "db/clients.h"

struct task;

/* An authorization request (borrowed strings). */
struct grants_request {
	const char	*domain;	/* the domain prefix (or custom name) */
	const char	*client_id;
	const char	*redirect_uri;	/* NULL: check only the client */
	const char	*response_type;
	const char	*scope;		/* NULL: all the client allows */
};

/* What a checked request yields (grants_client_clear). */
struct grants_client {
	struct db_domain_client	 d;
	json_t			*required;	/* required attribute names */
	char			*scope;		/* the scopes granted */
};

void	grants_check(struct task *, const struct grants_request *,
	    struct grants_client *);
void	grants_client_clear(struct grants_client *);

/* A signed-in user's authorization (borrowed strings). */
struct grants_user {
	const char	*pool_id;
	const char	*client_id;
	const char	*sub;
	const char	*redirect_uri;	/* code: the request's */
	const char	*scope;		/* the scopes granted */
	const char	*nonce;		/* or NULL */
	const char	*challenge;	/* code: the S256 challenge, or NULL */
	long long	 auth_time;
};

/* A new authorization code into *code (malloc'd, wipe it). */
void	grants_code(struct task *, const struct grants_user *, char **);
/*
 * The implicit flow's tokens (no refresh token) into *result, a new
 * reference to {AccessToken, ExpiresIn, TokenType[, IdToken]}.
 */
void	grants_implicit(struct task *, const struct grants_user *,
	    json_t **);

/* A token request's client and grant (borrowed strings). */
struct grants_token_request {
	const char	*domain;
	const char	*client_id;
	const char	*client_secret;	/* or NULL */
	const char	*code;		/* authorization_code */
	const char	*redirect_uri;
	const char	*code_verifier;
	const char	*scope;		/* client_credentials */
};

/*
 * The authorization_code grant: the client authenticated, then the code
 * exchanged (a code used again revokes what its first use issued);
 * *result as for grants_implicit, with RefreshToken.
 */
void	grants_exchange(struct task *, const struct grants_token_request *,
	    json_t **);
/* The client_credentials grant: a confidential client's access token. */
void	grants_client_credentials(struct task *,
	    const struct grants_token_request *, json_t **);

/*
 * userInfo at a domain: the claims of a live access token with the
 * openid scope, issued by the domain's pool (else NOT_AUTHORIZED).
 */
void	grants_user_info(struct task *, const char *, const char *,
	    json_t **);

#endif
