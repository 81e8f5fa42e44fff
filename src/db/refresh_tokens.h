/*
 * refresh_tokens.h: the refresh_tokens table (stored as digests, bound
 * to a client and a user; a family is named by origin_jti): statements
 * core/tokens.c, core/grants.c and core/revoke.c run. Functions are prefixed
 * db_refresh_tokens_.
 */
#ifndef DB_REFRESH_TOKENS_H
#define DB_REFRESH_TOKENS_H

struct pg_batch;

/* A new refresh token's row (strings borrowed; device, scopes may be NULL). */
struct db_refresh_new {
	const char	*digest;
	const char	*pool_id;
	const char	*client_id;
	const char	*sub;
	const char	*origin_jti;
	long long	 auth_time;
	long long	 ttl;		/* seconds from now */
	const char	*device_key;
	const char	*scopes;	/* NULL: the JSON API's scope */
};

void	db_refresh_tokens_insert(struct pg_batch *,
	    const struct db_refresh_new *);
/* Revoke the family origin_jti of pool: every token issued from it. */
void	db_refresh_tokens_revoke_family(struct pg_batch *, const char *,
	    const char *);
/*
 * Revoke the family of the refresh token whose digest (hex) is $1 if
 * it belongs to client $2; nothing when it does not.
 */
void	db_refresh_tokens_revoke_token(struct pg_batch *, const char *,
	    const char *);

#endif
