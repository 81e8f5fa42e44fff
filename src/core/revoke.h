/*
 * revoke.h: revoking a refresh token, for RevokeToken (the JSON API)
 * and POST /oauth2/revoke (RFC 7009) alike. The app client is checked
 * (its secret when it has one, EnableTokenRevocation), then the token's
 * whole family goes: every refresh token issued from the same sign-in,
 * and with them their access tokens (core/tokens.h). An unknown or
 * already revoked token of the client succeeds, as on Cognito.
 *
 * Runs on the caller's task and ends it: success, or NO_CLIENT (no such
 * client), NOT_AUTHORIZED (a wrong or missing client secret),
 * UNSUPPORTED (revocation disabled for the client), BAD_TOKEN_TYPE (a
 * JWT rather than a refresh token), INTERNAL, BUSY.
 */
#ifndef CORE_REVOKE_H
#define CORE_REVOKE_H

struct task;

/* What to revoke (strings copied). */
struct revoke_req {
	const char	*client_id;
	const char	*client_secret;	/* NULL: none given */
	const char	*token;
};

void	revoke_token(struct task *, const struct revoke_req *);
/*
 * The same at a pool domain (POST /oauth2/revoke): a client of another
 * pool than the domain's is NO_CLIENT, as an unknown one.
 */
void	revoke_token_at(struct task *, const struct revoke_req *,
	    const char *);

#endif
