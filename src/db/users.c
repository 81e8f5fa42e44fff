/*
 * users.c: the users table family: decoding a row of DB_USERS_COLUMNS
 * into struct user, and the SQL that signing in runs: finding a user by
 * name or alias, a stronger hash after a right password, the answer to
 * NEW_PASSWORD_REQUIRED; SignUp's new user; and the user operations'
 * statements: the administrator's creation, deletion, status,
 * attribute and password writes, ListUsers' page query (built from the
 * filter's condition), a user's own attributes, password and deletion.
 * The statements are added to the caller's batch, so a step's reads and
 * writes keep running as one transaction.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/users.h"
#include "db/pg.h"
#include "db/users.h"
#include "util.h"

#define USERS_NOW	"extract(epoch FROM clock_timestamp())"

/* The sub of the user named by $2 (normalised) in pool $1, as a subquery. */
#define USERS_SQL_SUB							\
	"(SELECT u.sub FROM users u WHERE " DB_USERS_MATCH("1", "2")	\
	" ORDER BY (u.username_key = $2) DESC LIMIT 1)"

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
	    "$1, $2::uuid, $3, $4, CASE WHEN $14::boolean THEN 'CONFIRMED' "
	    "ELSE 'UNCONFIRMED' END, $5::jsonb, $6, $7, $8, $9, "
	    "$12, $13 WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.pool_id "
	    "= $1 AND (u.f_email = $10::text OR u.f_phone = $11::text) AND "
	    "u.status <> 'EXTERNAL_PROVIDER') RETURNING 1", 14, u->pool_id,
	    u->sub, u->username, u->key, u->attributes, u->email, u->phone,
	    u->preferred, u->hash, u->unique_email, u->unique_phone,
	    u->srp_salt, u->srp_verifier, u->confirmed ? "true" : "false");
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

/* --- The JSON API's user operations --- */

void
db_users_delete_by_name(struct pg_batch *b, const char *pool_id,
    const char *key)
{
	pg_batch_add(b, "DELETE FROM users WHERE pool_id = $1 AND sub = "
	    USERS_SQL_SUB " RETURNING sub", 2, pool_id, key);
}

void
db_users_delete(struct pg_batch *b, const char *pool_id, const char *sub)
{
	pg_batch_add(b, "DELETE FROM users WHERE pool_id = $1 AND "
	    "sub = $2::uuid", 2, pool_id, sub);
}

void
db_users_set_enabled(struct pg_batch *b, const char *pool_id,
    const char *key, const char *enabled)
{
	pg_batch_add(b, "WITH t AS " USERS_SQL_SUB ", "
	    "upd AS (UPDATE users x SET enabled = $3::boolean, "
	    "  modified_at = " USERS_NOW " FROM t "
	    "  WHERE x.pool_id = $1 AND x.sub = t.sub RETURNING x.sub), "
	    "rt AS (DELETE FROM refresh_tokens r USING upd "
	    "  WHERE NOT $3::boolean AND r.pool_id = $1 AND r.sub = upd.sub) "
	    "SELECT count(*) FROM upd", 3, pool_id, key, enabled);
}

void
db_users_admin_confirm(struct pg_batch *b, const char *pool_id,
    const char *key)
{
	pg_batch_add(b, "WITH t AS (SELECT u.sub, u.status FROM users u "
	    "  WHERE " DB_USERS_MATCH("1", "2") " "
	    "  ORDER BY (u.username_key = $2) DESC LIMIT 1), "
	    "upd AS (UPDATE users x SET status = 'CONFIRMED', "
	    "  modified_at = " USERS_NOW " FROM t WHERE x.pool_id = $1 "
	    "  AND x.sub = t.sub AND x.status = 'UNCONFIRMED' "
	    "  RETURNING x.sub), "
	    "del AS (DELETE FROM codes c USING upd WHERE c.pool_id = $1 "
	    "  AND c.sub = upd.sub AND c.purpose = 'signup') "
	    "SELECT t.status, (SELECT count(*) FROM upd) FROM t", 2,
	    pool_id, key);
}

void
db_users_release_alias(struct pg_batch *b, enum db_users_alias which,
    const char *pool_id, const char *value)
{
	static const struct {
		const char	*column;
		const char	*flag;
	} moves[] = {
		[DB_USERS_ALIAS_EMAIL] = { "alias_email", "email_verified" },
		[DB_USERS_ALIAS_PHONE] = { "alias_phone",
		    "phone_number_verified" },
	};
	char	*sql;

	sql = xasprintf("UPDATE users SET %s = NULL, attributes = "
	    "attributes || jsonb_build_object('%s', 'false'), "
	    "modified_at = " USERS_NOW " WHERE pool_id = $1 AND %s = $2",
	    moves[which].column, moves[which].flag, moves[which].column);
	pg_batch_add(b, sql, 2, pool_id, value);
	free(sql);
}

void
db_users_admin_insert(struct pg_batch *b, const struct db_users_new *u)
{
	pg_batch_add(b, "INSERT INTO users AS u (pool_id, sub, username, "
	    "username_key, status, attributes, alias_email, alias_phone, "
	    "alias_preferred, password_hash, temp_password_at, srp_salt, "
	    "srp_verifier) VALUES ($1, $2::uuid, $3, $4, "
	    "'FORCE_CHANGE_PASSWORD', $5::jsonb, $6, $7, $8, $9, " USERS_NOW
	    ", $10, $11) RETURNING " DB_USERS_COLUMNS, 11, u->pool_id, u->sub,
	    u->username, u->key, u->attributes, u->email, u->phone,
	    u->preferred, u->hash, u->srp_salt, u->srp_verifier);
}

/*
 * A write guarded by what was read: the UPDATE of the user's row
 * (its text up to RETURNING), answered as one row of DB_USERS_COLUMNS, or
 * a division by zero when no row matched.
 */
static char *
db_users_guarded(const char *update)
{
	return xasprintf("WITH w AS (%s RETURNING " DB_USERS_COLUMNS ") "
	    "SELECT w.*, 1 / (SELECT count(*)::int FROM w) "
	    "FROM (VALUES (1)) AS one (x) LEFT JOIN w ON true", update);
}

void
db_users_resend_temp(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *hash, const char *salt,
    const char *verifier)
{
	char	*sql;

	sql = db_users_guarded("UPDATE users u SET password_hash = $3, "
	    "srp_salt = $4, srp_verifier = $5, "
	    "temp_password_at = " USERS_NOW ", modified_at = " USERS_NOW " "
	    "WHERE u.pool_id = $1 AND u.sub = $2::uuid "
	    "AND u.status = 'FORCE_CHANGE_PASSWORD'");
	pg_batch_add(b, sql, 5, pool_id, sub, hash, salt, verifier);
	free(sql);
}

void
db_users_write_attrs(struct pg_batch *b, const struct db_users_attrs *w)
{
	char	*sql;

	sql = db_users_guarded("UPDATE users u SET attributes = $4::jsonb, "
	    "alias_email = $5, alias_phone = $6, alias_preferred = $7, "
	    "modified_at = " USERS_NOW " WHERE u.pool_id = $1 "
	    "AND u.sub = $2::uuid AND u.attributes = $3::jsonb");
	pg_batch_add(b, sql, 7, w->pool_id, w->sub, w->old, w->attributes,
	    w->email, w->phone, w->preferred);
	free(sql);
}

void
db_users_update_attrs(struct pg_batch *b, const struct db_users_attrs *w)
{
	pg_batch_add(b, "UPDATE users SET attributes = $3::jsonb, "
	    "alias_email = $4, alias_phone = $5, alias_preferred = $6, "
	    "modified_at = extract(epoch FROM clock_timestamp()) "
	    "WHERE pool_id = $1 AND sub = $2::uuid AND "
	    "modified_at = $7::float8 RETURNING 1", 7, w->pool_id, w->sub,
	    w->attributes, w->email, w->phone, w->preferred, w->modified);
}

void
db_users_reset_required(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *old)
{
	char	*sql;

	sql = db_users_guarded("UPDATE users u SET status = "
	    "'RESET_REQUIRED', modified_at = " USERS_NOW " WHERE "
	    "u.pool_id = $1 AND u.sub = $2::uuid AND u.attributes = $3::jsonb");
	pg_batch_add(b, sql, 3, pool_id, sub, old);
	free(sql);
}

void
db_users_set_password(struct pg_batch *b, const struct db_users_password *p)
{
	pg_batch_add(b, "UPDATE users SET password_hash = $3, status = $4, "
	    "temp_password_at = CASE WHEN $5::boolean THEN NULL ELSE "
	    USERS_NOW " END, srp_salt = $6, srp_verifier = $7, "
	    "failed_logins = 0, locked_until = NULL, modified_at = "
	    USERS_NOW " WHERE pool_id = $1 AND sub = $2::uuid RETURNING sub",
	    7, p->pool_id, p->sub, p->hash, p->status, p->permanent,
	    p->srp_salt, p->srp_verifier);
}

void
db_users_change_password(struct pg_batch *b,
    const struct db_users_password *p)
{
	pg_batch_add(b, "UPDATE users SET password_hash = $3, srp_salt = $5, "
	    "srp_verifier = $6, temp_password_at = NULL, modified_at = "
	    "extract(epoch FROM clock_timestamp()) WHERE pool_id = $1 AND "
	    "sub = $2::uuid AND "
	    "password_hash IS NOT DISTINCT FROM $4 RETURNING 1", 6,
	    p->pool_id, p->sub, p->hash, p->old_hash, p->srp_salt,
	    p->srp_verifier);
}

/*
 * The page query: the filter's condition ($2 when there is one), after
 * the token's position in the order (sort column, username_key), one
 * row more than the page to tell whether another follows. Parameters
 * are numbered as they are used, so the query with a position and the
 * one without are separate texts and neither carries an "IS NULL OR"
 * the planner could not turn into an index bound.
 */
void
db_users_list(struct pg_batch *b, const struct db_users_page *p)
{
	const char	*col = p->column, *params[5];
	char		*keyset, *sql;
	int		 n = 0;

	params[n++] = p->pool_id;
	if (p->filter_sql != NULL)
		params[n++] = p->filter_value;
	if (p->after_key == NULL)
		keyset = xstrdup("true");
	else if (col != NULL) {
		keyset = xasprintf("(%s, u.username_key) > ($%d::text, "
		    "$%d::text)", col, n + 1, n + 2);
		params[n++] = p->after;
		params[n++] = p->after_key;
	} else {
		keyset = xasprintf("u.username_key > $%d::text", n + 1);
		params[n++] = p->after_key;
	}
	sql = xasprintf("SELECT " DB_USERS_COLUMNS "%s%s FROM users u "
	    "WHERE u.pool_id = $1 AND %s AND %s "
	    "ORDER BY %s%su.username_key LIMIT $%d::int",
	    col != NULL ? ", " : "", col != NULL ? col : "",
	    p->filter_sql != NULL ? p->filter_sql : "true", keyset,
	    col != NULL ? col : "", col != NULL ? ", " : "", n + 1);
	params[n++] = p->limit;
	free(keyset);
	pg_batch_addv(b, sql, n, params);
	free(sql);
}
