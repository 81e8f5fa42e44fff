/*
 * users.c: the users table family: decoding a row of DB_USERS_COLUMNS
 * into struct user, and the SQL that signing in runs: finding a user by
 * name or alias, a stronger hash after a right password, the answer to
 * NEW_PASSWORD_REQUIRED; and SignUp's new user. The statements are
 * added to the caller's batch, so a step's reads and writes keep
 * running as one transaction.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/users.h"
#include "db/pg.h"
#include "db/users.h"
#include "util.h"

/* --- Rows --- */

static char *
db_users_col_str(const PGresult *res, int row, int col)
{
	const char	*v = pg_val(res, row, col);

	return v != NULL ? xstrdup(v) : NULL;
}

static double
db_users_col_num(const PGresult *res, int row, int col)
{
	const char	*v = pg_val(res, row, col);

	return v != NULL ? strtod(v, NULL) : 0;
}

/* A JSON object column; an empty object when NULL or not an object. */
static json_t *
db_users_col_object(const PGresult *res, int row, int col)
{
	const char	*v = pg_val(res, row, col);
	json_t		*o = NULL;

	if (v == NULL || (o = json_loads(v, 0, NULL)) == NULL ||
	    !json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
}

static int
db_users_col_bool(const PGresult *res, int row, int col)
{
	const char	*v = pg_val(res, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

void
db_users_from_row(struct user *u, const PGresult *res, int row, int col)
{
	memset(u, 0, sizeof *u);
	u->sub = db_users_col_str(res, row, col);
	u->username = db_users_col_str(res, row, col + 1);
	u->username_key = db_users_col_str(res, row, col + 2);
	u->status = db_users_col_str(res, row, col + 3);
	u->enabled = db_users_col_bool(res, row, col + 4);
	u->attributes = db_users_col_object(res, row, col + 5);
	u->password_hash = db_users_col_str(res, row, col + 6);
	u->temp_password_at = db_users_col_num(res, row, col + 7);
	u->failed_logins = (int)db_users_col_num(res, row, col + 8);
	u->locked_until = db_users_col_num(res, row, col + 9);
	u->tokens_valid_after = db_users_col_num(res, row, col + 10);
	u->created_at = db_users_col_num(res, row, col + 11);
	u->modified_at = db_users_col_num(res, row, col + 12);
	u->last_failed_at = db_users_col_num(res, row, col + 13);
	u->srp_salt = db_users_col_str(res, row, col + 14);
	u->srp_verifier = db_users_col_str(res, row, col + 15);
	u->mfa = db_users_col_object(res, row, col + 16);
	u->has_totp = db_users_col_bool(res, row, col + 17);
	u->checks_pending = (int)db_users_col_num(res, row, col + 18);
}

/* --- Statements --- */

void
db_users_find(struct pg_batch *b, const char *pool_id, const char *key)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS " FROM users u WHERE "
	    DB_USERS_MATCH("1", "2") " ORDER BY (u.username_key = $2) DESC "
	    "LIMIT 1", 2, pool_id, key);
}

void
db_users_sub_by_name(struct pg_batch *b, const char *pool_id,
    const char *key)
{
	pg_batch_add(b, "SELECT u.sub FROM users u WHERE "
	    DB_USERS_MATCH("1", "2") " ORDER BY (u.username_key = $2) DESC "
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
	    "u.status <> 'EXTERNAL_PROVIDER') RETURNING 1", 13, u->pool_id,
	    u->sub, u->username, u->key, u->attributes, u->email, u->phone,
	    u->preferred, u->hash, u->unique_email, u->unique_phone,
	    u->srp_salt, u->srp_verifier);
}

void
db_users_by_sub(struct pg_batch *b, const char *pool_id, const char *sub)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS " FROM users u WHERE "
	    "u.pool_id = $1 AND u.sub = $2::uuid", 2, pool_id, sub);
}

void
db_users_with_family(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *origin_jti)
{
	pg_batch_add(b,
	    "SELECT " DB_USERS_COLUMNS ", EXISTS (SELECT 1 FROM "
	    "refresh_tokens r WHERE r.origin_jti = $3::uuid AND r.pool_id = "
	    "$1) FROM users u WHERE u.pool_id = $1 AND u.sub = $2::uuid", 3,
	    pool_id, sub, origin_jti);
}

void
db_users_groups(struct pg_batch *b, const char *pool_id, const char *sub)
{
	pg_batch_add(b, "SELECT g.name, g.role_arn FROM user_groups ug "
	    "JOIN groups g ON g.pool_id = ug.pool_id AND g.name = "
	    "ug.group_name WHERE ug.pool_id = $1 AND ug.sub = $2::uuid "
	    "ORDER BY g.precedence NULLS LAST, g.name", 2, pool_id, sub);
}
