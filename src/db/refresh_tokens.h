/*
 * refresh_tokens.h: the refresh_tokens table (stored as digests, bound
 * to a client and a user; a family is named by origin_jti): statements
 * core/tokens.c, core/grants.c, core/revoke.c, core/signin_password.c
 * and the JSON API's device operations run and the columns of their
 * rows. Functions are prefixed
 * db_refresh_tokens_.
 */
#ifndef DB_REFRESH_TOKENS_H
#define DB_REFRESH_TOKENS_H

#include "db/users.h"

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

/*
 * The refresh token of digest (hex) issued to client: DB_USERS_COLUMNS of
 * its user, then these columns (EXPIRED a boolean, SINCE_ROTATED the
 * seconds since it was rotated or NULL, DEVICE and SCOPES NULL when
 * none or the JSON API's scope).
 */
#define DB_REFRESH_ORIGIN		DB_USERS_NCOLUMNS
#define DB_REFRESH_AUTH_TIME		(DB_USERS_NCOLUMNS + 1)
#define DB_REFRESH_EXPIRED		(DB_USERS_NCOLUMNS + 2)
#define DB_REFRESH_SINCE_ROTATED	(DB_USERS_NCOLUMNS + 3)
#define DB_REFRESH_DEVICE		(DB_USERS_NCOLUMNS + 4)
#define DB_REFRESH_SCOPES		(DB_USERS_NCOLUMNS + 5)
void	db_refresh_tokens_find(struct pg_batch *, const char *, const char *);
/*
 * End the refresh tokens of the device (pool, sub, device key) now
 * (its access tokens live out their time).
 */
void	db_refresh_tokens_end_device(struct pg_batch *, const char *,
	    const char *, const char *);
/* Delete every refresh token of the user (pool, sub). */
void	db_refresh_tokens_drop_user(struct pg_batch *, const char *,
	    const char *);
/*
 * AdminUserGlobalSignOut: global sign-out (as below) of the user of
 * pool a name key names (users.h's DB_USERS_MATCH, the username
 * first): one row if there is such a user.
 */
void	db_refresh_tokens_admin_signout(struct pg_batch *, const char *,
	    const char *);
/* Delete every token of the family origin_jti (any pool). */
void	db_refresh_tokens_drop_family(struct pg_batch *, const char *);
/* Mark the token of digest rotated, unless it already was. */
void	db_refresh_tokens_rotate(struct pg_batch *, const char *);
/*
 * Global sign-out of the user (pool, sub): every refresh token goes,
 * and with it every access token of those families (an access token
 * lives only while its origin_jti family has a refresh token; tokens
 * without origin_jti die by tokens_valid_after, stored to the
 * microsecond: an iat not after its second is refused, and tokens are
 * stamped only once that second is over).
 */
void	db_refresh_tokens_global_signout(struct pg_batch *, const char *,
	    const char *);

#endif
