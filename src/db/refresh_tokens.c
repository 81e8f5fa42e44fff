/*
 * refresh_tokens.c: SQL of the refresh_tokens table (see
 * refresh_tokens.h). An access token lives only while its family has
 * a refresh token, so deleting the family's rows revokes them all.
 */
#include "config.h"

#include <stdlib.h>

#include "db/pg.h"
#include "db/refresh_tokens.h"
#include "db/users.h"
#include "util.h"

#define DB_REFRESH_SCOPE_ADMIN	"aws.cognito.signin.user.admin"

void
db_refresh_tokens_insert(struct pg_batch *b, const struct db_refresh_new *n)
{
	char	*auth_time = xasprintf("%lld", n->auth_time);
	char	*ttl = xasprintf("%lld", n->ttl);

	pg_batch_add(b,
	    "INSERT INTO refresh_tokens (token_hash, pool_id, client_id, sub, "
	    "origin_jti, auth_time, expires_at, device_key, scopes) VALUES "
	    "($1::bytea, $2, $3, $4::uuid, $5::uuid, $6::bigint, extract(epoch "
	    "FROM clock_timestamp()) + $7::bigint, $8, coalesce($9, '"
	    DB_REFRESH_SCOPE_ADMIN "'))", 9, n->digest, n->pool_id,
	    n->client_id, n->sub, n->origin_jti, auth_time, ttl,
	    n->device_key, n->scopes);
	free(auth_time);
	free(ttl);
}

void
db_refresh_tokens_revoke_family(struct pg_batch *b, const char *origin_jti,
    const char *pool_id)
{
	pg_batch_add(b, "DELETE FROM refresh_tokens WHERE origin_jti = "
	    "$1::uuid AND pool_id = $2", 2, origin_jti, pool_id);
}

void
db_refresh_tokens_revoke_token(struct pg_batch *b, const char *digest,
    const char *client_id)
{
	pg_batch_add(b, "DELETE FROM refresh_tokens WHERE origin_jti IN "
	    "(SELECT origin_jti FROM refresh_tokens WHERE token_hash = "
	    "$1::bytea AND client_id = $2)", 2, digest, client_id);
}

void
db_refresh_tokens_find(struct pg_batch *b, const char *digest,
    const char *client_id)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS ", r.origin_jti, "
	    "r.auth_time, "
	    "r.expires_at < extract(epoch FROM clock_timestamp()), "
	    "extract(epoch FROM clock_timestamp()) - r.rotated_at, "
	    "r.device_key, nullif(r.scopes, 'aws.cognito.signin.user.admin') "
	    "FROM "
	    "refresh_tokens r JOIN users u ON u.pool_id = r.pool_id AND u.sub "
	    "= r.sub WHERE r.token_hash = $1::bytea AND r.client_id = $2", 2,
	    digest, client_id);
}

void
db_refresh_tokens_end_device(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *device_key)
{
	pg_batch_add(b, "UPDATE refresh_tokens SET expires_at = least("
	    "expires_at, extract(epoch FROM clock_timestamp())) WHERE "
	    "pool_id = $1 AND sub = $2::uuid AND device_key = $3", 3,
	    pool_id, sub, device_key);
}

void
db_refresh_tokens_drop_user(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	pg_batch_add(b, "DELETE FROM refresh_tokens WHERE pool_id = $1 "
	    "AND sub = $2::uuid", 2, pool_id, sub);
}

void
db_refresh_tokens_admin_signout(struct pg_batch *b, const char *pool_id,
    const char *key)
{
	pg_batch_add(b, "WITH u AS (SELECT u.sub FROM users u WHERE "
	    DB_USERS_MATCH("1", "2") " ORDER BY (u.username_key = $2) DESC "
	    "LIMIT 1), d AS (DELETE FROM refresh_tokens r USING u WHERE "
	    "r.pool_id = $1 AND r.sub = u.sub) UPDATE users x SET "
	    "tokens_valid_after = "
	    "extract(epoch FROM clock_timestamp()) FROM u WHERE x.pool_id = $1 "
	    "AND x.sub = u.sub RETURNING x.sub", 2, pool_id, key);
}

void
db_refresh_tokens_drop_family(struct pg_batch *b, const char *origin_jti)
{
	pg_batch_add(b, "DELETE FROM refresh_tokens WHERE origin_jti = "
	    "$1::uuid", 1, origin_jti);
}

void
db_refresh_tokens_rotate(struct pg_batch *b, const char *digest)
{
	pg_batch_add(b, "UPDATE refresh_tokens SET rotated_at = coalesce("
	    "rotated_at, extract(epoch FROM clock_timestamp())) WHERE "
	    "token_hash = $1::bytea", 1, digest);
}

void
db_refresh_tokens_global_signout(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	pg_batch_add(b, "WITH d AS (DELETE FROM refresh_tokens WHERE pool_id "
	    "= $1 AND sub = $2::uuid) UPDATE users SET tokens_valid_after = "
	    "extract(epoch FROM clock_timestamp()) WHERE pool_id = $1 AND "
	    "sub = $2::uuid", 2, pool_id, sub);
}
