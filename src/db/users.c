/*
 * users.c: the SQL of the users table that signing in runs: finding a
 * user by name or alias, a stronger hash after a right password, the
 * answer to NEW_PASSWORD_REQUIRED; and SignUp's new user. The statements
 * are added to the caller's batch, so a step's reads and writes keep
 * running as one transaction.
 */
#include "config.h"

#include "core/users.h"
#include "db/pg.h"
#include "db/users.h"

void
db_users_find(struct pg_batch *b, const char *pool_id, const char *key)
{
	pg_batch_add(b, "SELECT " USERS_COLUMNS " FROM users u WHERE "
	    USERS_MATCH("1", "2") " ORDER BY (u.username_key = $2) DESC "
	    "LIMIT 1", 2, pool_id, key);
}

void
db_users_rehash(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *hash, const char *salt, const char *verifier)
{
	pg_batch_add(b, "UPDATE users SET password_hash = $3, srp_salt = $4, "
	    "srp_verifier = $5 WHERE pool_id = $1 AND sub = $2::uuid", 5,
	    pool_id, sub, hash, salt, verifier);
}

void
db_users_new_password(struct pg_batch *b,
    const struct db_users_new_password *np)
{
	pg_batch_add(b, "WITH s AS (DELETE FROM auth_sessions WHERE "
	    "session_hash = $1::bytea RETURNING pool_id, sub) UPDATE users u "
	    "SET password_hash = $2, status = 'CONFIRMED', temp_password_at = "
	    "NULL, attributes = $3::jsonb, alias_email = $4, alias_phone = $5, "
	    "alias_preferred = $6, srp_salt = $7, srp_verifier = $8, "
	    "failed_logins = 0, locked_until = NULL, modified_at = "
	    "extract(epoch FROM clock_timestamp()) FROM s WHERE u.pool_id = "
	    "s.pool_id AND u.sub = s.sub RETURNING u.sub", 8, np->session,
	    np->hash, np->attributes, np->email, np->phone, np->preferred,
	    np->srp_salt, np->srp_verifier);
}

void
db_users_sign_up(struct pg_batch *b, const struct db_users_new *u)
{
	pg_batch_add(b, "INSERT INTO users (pool_id, sub, username, "
	    "username_key, status, attributes, alias_email, alias_phone, "
	    "alias_preferred, password_hash, srp_salt, srp_verifier) SELECT "
	    "$1, $2::uuid, $3, $4, 'UNCONFIRMED', $5::jsonb, $6, $7, $8, $9, "
	    "$12, $13 WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.pool_id "
	    "= $1 AND (u.f_email = $10::text OR u.f_phone = $11::text) AND "
	    "u.status <> 'EXTERNAL_PROVIDER') RETURNING 1", 13, u->pool_id, u->sub, u->username, u->key,
	    u->attributes, u->email, u->phone, u->preferred, u->hash,
	    u->unique_email, u->unique_phone, u->srp_salt, u->srp_verifier);
}

void
db_users_by_sub(struct pg_batch *b, const char *pool_id, const char *sub)
{
	pg_batch_add(b, "SELECT " USERS_COLUMNS " FROM users u WHERE "
	    "u.pool_id = $1 AND u.sub = $2::uuid", 2, pool_id, sub);
}

void
db_users_with_family(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *origin_jti)
{
	pg_batch_add(b,
	    "SELECT " USERS_COLUMNS ", EXISTS (SELECT 1 FROM refresh_tokens r "
	    "WHERE r.origin_jti = $3::uuid AND r.pool_id = $1) FROM users u "
	    "WHERE u.pool_id = $1 AND u.sub = $2::uuid", 3, pool_id, sub,
	    origin_jti);
}

void
db_users_groups(struct pg_batch *b, const char *pool_id, const char *sub)
{
	pg_batch_add(b, "SELECT g.name, g.role_arn FROM user_groups ug "
	    "JOIN groups g ON g.pool_id = ug.pool_id AND g.name = "
	    "ug.group_name WHERE ug.pool_id = $1 AND ug.sub = $2::uuid "
	    "ORDER BY g.precedence NULLS LAST, g.name", 2, pool_id, sub);
}
