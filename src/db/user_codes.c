/*
 * user_codes.c: the SQL of the codes table (see user_codes.h) and of
 * code_names, the simulated codes of names that match no user.
 *
 * Every check of a code is one statement that either consumes a right,
 * live code or counts a wrong guess; the two writes exclude each other
 * by the digest and each re-checks its condition on the latest row
 * version, so a code is used once and no more than
 * DB_USER_CODES_ATTEMPTS wrong guesses ever count. A guess beyond the
 * limit is neither: its answer (the limit) is the same whether it was
 * right or wrong.
 */
#include "config.h"

#include <string.h>

#include "db/pg.h"
#include "db/user_codes.h"
#include "db/users.h"

#define UC_NOW		"extract(epoch FROM clock_timestamp())"
#define UC_ATTEMPTS	DB_USER_CODES_ATTEMPTS
#define UC_WINDOW	DB_USER_CODES_WINDOW

void
db_user_codes_find_user(struct pg_batch *b, const char *pool_id,
    const char *key, const char *purpose)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS ", "
	    "(SELECT c.attempts >= " UC_ATTEMPTS " AND "
	    "  c.created_at > " UC_NOW " - " UC_WINDOW " "
	    "  FROM codes c WHERE c.pool_id = u.pool_id AND c.sub = u.sub "
	    "  AND c.purpose = $3::text) "
	    "FROM users u WHERE " DB_USERS_MATCH("1", "2") " "
	    "ORDER BY u.username_key = $2 DESC LIMIT 1", 3, pool_id, key,
	    purpose);
}

void
db_user_codes_dead(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *purpose)
{
	pg_batch_add(b, "SELECT EXISTS (SELECT 1 FROM codes WHERE pool_id = "
	    "$1 AND sub = $2::uuid AND purpose = $3 AND attempts >= "
	    UC_ATTEMPTS " AND created_at > " UC_NOW " - " UC_WINDOW ")", 3,
	    pool_id, sub, purpose);
}

/*
 * Within the window of the first code, created_at keeps the window's
 * start and attempts the wrong guesses counted.
 */
#define UC_KEEP(T)							\
	"attempts = CASE WHEN " T ".created_at > " UC_NOW " - "		\
	UC_WINDOW " THEN " T ".attempts ELSE 0 END, "			\
	"created_at = CASE WHEN " T ".created_at > " UC_NOW " - "	\
	UC_WINDOW " THEN " T ".created_at ELSE EXCLUDED.created_at END"

void
db_user_codes_issue(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *purpose, const char *digest, const char *ttl)
{
	pg_batch_add(b, "INSERT INTO codes AS c (pool_id, sub, purpose, "
	    "code_hash, expires_at) VALUES ($1, $2::uuid, $3, $4::bytea, "
	    UC_NOW " + $5::float8) ON CONFLICT (pool_id, sub, purpose) DO "
	    "UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = "
	    "EXCLUDED.expires_at, " UC_KEEP("c"), 5, pool_id, sub, purpose,
	    digest, ttl);
}

void
db_user_codes_issue_fresh(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *purpose, const char *digest,
    const char *ttl)
{
	pg_batch_add(b, "INSERT INTO codes (pool_id, sub, purpose, code_hash, "
	    "expires_at) VALUES ($1, $2::uuid, $3, $4::bytea, " UC_NOW
	    " + $5::float8) ON CONFLICT (pool_id, sub, purpose) DO UPDATE SET "
	    "code_hash = EXCLUDED.code_hash, attempts = 0, "
	    "expires_at = EXCLUDED.expires_at, "
	    "created_at = EXCLUDED.created_at", 5, pool_id, sub, purpose,
	    digest, ttl);
}

/*
 * The checks of a code: $1 pool, $2 sub, $3 purpose, $4 digest of the
 * code given. cur is the code as the statement found it, which only
 * tells why nothing happened; the answer otherwise rests on what the
 * writes did once they held the row's lock: used consumed a right, live
 * code, bump counted a wrong guess at a live code. G is a condition on
 * the user both writes need (it held when the user was read), so that
 * a code is neither used nor counted against a user changed meanwhile.
 */
#define UC_WHERE							\
	"pool_id = $1 AND sub = $2::uuid AND purpose = $3 "
#define UC_LIVE								\
	"attempts < " UC_ATTEMPTS " AND expires_at > " UC_NOW " "
#define UC_CUR								\
	"cur AS (SELECT attempts, expires_at <= " UC_NOW " AS expired "	\
	"  FROM codes WHERE " UC_WHERE "), "
#define UC_CTES(G)							\
	UC_CUR								\
	"used AS (DELETE FROM codes WHERE " UC_WHERE			\
	"  AND code_hash = $4::bytea AND " UC_LIVE G			\
	"  RETURNING 1), "						\
	"bump AS (UPDATE codes SET attempts = attempts + 1 "		\
	"  WHERE " UC_WHERE " AND code_hash <> $4::bytea AND "		\
	UC_LIVE G "RETURNING 1) "
/* Columns 0-4: attempts, expired (as found), counted wrong, used, G. */
#define UC_OUT(G)							\
	"(SELECT attempts FROM cur), (SELECT expired FROM cur), "	\
	"EXISTS (SELECT 1 FROM bump), EXISTS (SELECT 1 FROM used), " G

/* The user row is still the one read ($9: its modified_at). */
#define UC_SAME_USER(COND)						\
	"EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND "		\
	"sub = $2::uuid AND modified_at = $9::float8 " COND ") "

/* Consume a code, write attributes ($5) and alias columns ($6-$8). */
#define UC_SQL_VERIFY(SET, COND)					\
	"WITH " UC_CTES("AND " UC_SAME_USER(COND)) ", "			\
	"upd AS (UPDATE users SET " SET "attributes = $5::jsonb, "	\
	"  alias_email = $6, alias_phone = $7, alias_preferred = $8, "	\
	"  modified_at = " UC_NOW " "					\
	"  WHERE pool_id = $1 AND sub = $2::uuid AND "			\
	"  modified_at = $9::float8 " COND				\
	"  AND EXISTS (SELECT 1 FROM used) RETURNING 1) "		\
	"SELECT " UC_OUT(UC_SAME_USER(COND)) ", "			\
	"EXISTS (SELECT 1 FROM upd)"

static const char uc_sql_confirm[] =
	UC_SQL_VERIFY("status = 'CONFIRMED', ", "AND status = 'UNCONFIRMED'");
static const char uc_sql_verify[] =
	UC_SQL_VERIFY("", "");

void
db_user_codes_verify(struct pg_batch *b, const struct db_user_codes_verify *v)
{
	pg_batch_add(b, v->confirm ? uc_sql_confirm : uc_sql_verify, 9,
	    v->pool_id, v->sub, v->purpose, v->digest, v->attributes, v->email,
	    v->phone, v->preferred, v->modified);
}

/*
 * ForceAliasCreation: the alias $3 leaves the user who has it, only
 * where the confirmation that follows in the batch will happen: the
 * code right and live, the user unconfirmed and as read ($5). Both rows
 * are locked here (a concurrent change is waited for and re-checked),
 * so nothing changes them before the confirmation.
 */
#define UC_SQL_TAKE_ALIAS(COL, ATTR)					\
	"UPDATE users SET " COL " = NULL, attributes = attributes || "	\
	"  '{\"" ATTR "_verified\": \"false\"}', "			\
	"  modified_at = " UC_NOW " "					\
	"WHERE pool_id = $1 AND sub <> $2::uuid AND " COL " = $3 "	\
	"AND EXISTS (SELECT 1 FROM codes WHERE pool_id = $1 AND "	\
	"  sub = $2::uuid AND purpose = 'signup' AND "			\
	"  code_hash = $4::bytea AND " UC_LIVE "FOR UPDATE) "		\
	"AND EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND "	\
	"  sub = $2::uuid AND modified_at = $5::float8 AND "		\
	"  status = 'UNCONFIRMED' FOR UPDATE)"

void
db_user_codes_take_alias(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *attr, const char *value, const char *digest,
    const char *modified)
{
	pg_batch_add(b, strcmp(attr, "email") == 0 ?
	    UC_SQL_TAKE_ALIAS("alias_email", "email") :
	    UC_SQL_TAKE_ALIAS("alias_phone", "phone_number"), 5, pool_id, sub,
	    value, digest, modified);
}

/*
 * Every check counts, right or wrong, so a right guess never runs past
 * the limit (nor spends hashing time the wrong ones do not); the code
 * is consumed only with the new password, by db_user_codes_reset,
 * which allows the count this check left.
 */
void
db_user_codes_check(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *purpose, const char *digest)
{
	pg_batch_add(b, "WITH " UC_CUR "cnt AS (UPDATE codes SET attempts = "
	    "attempts + 1 WHERE " UC_WHERE " AND " UC_LIVE " RETURNING "
	    "code_hash = $4::bytea AS match) SELECT (SELECT attempts FROM "
	    "cur), (SELECT expired FROM cur), EXISTS (SELECT 1 FROM cnt WHERE "
	    "NOT match), EXISTS (SELECT 1 FROM cnt WHERE match), true", 4,
	    pool_id, sub, purpose, digest);
}

void
db_user_codes_reset(struct pg_batch *b, const struct db_user_codes_reset *r)
{
	pg_batch_add(b, "WITH " UC_CUR
	    "used AS (DELETE FROM codes WHERE " UC_WHERE
	    "  AND code_hash = $4::bytea AND attempts <= " UC_ATTEMPTS
	    "  AND expires_at > " UC_NOW " RETURNING 1), "
	    "upd AS (UPDATE users SET password_hash = $5, srp_salt = $6, "
	    "  srp_verifier = $7, "
	    "  status = CASE WHEN status = 'EXTERNAL_PROVIDER' THEN status "
	    "    ELSE 'CONFIRMED' END, "
	    "  temp_password_at = NULL, failed_logins = 0, "
	    "  locked_until = NULL, modified_at = " UC_NOW " "
	    "  WHERE pool_id = $1 AND sub = $2::uuid "
	    "  AND EXISTS (SELECT 1 FROM used) RETURNING 1), "
	    "rt AS (DELETE FROM refresh_tokens WHERE pool_id = $1 AND "
	    "  sub = $2::uuid AND EXISTS (SELECT 1 FROM used)) "
	    "SELECT (SELECT attempts FROM cur), (SELECT expired FROM cur), "
	    "false, EXISTS (SELECT 1 FROM used), true", 7, r->pool_id, r->sub,
	    "reset", r->digest, r->hash, r->srp_salt, r->srp_verifier);
}

static int
uc_true(const PGresult *r, int col)
{
	const char	*v = pg_val(r, 0, col);

	return v != NULL && strcmp(v, "t") == 0;
}

enum db_user_codes_verdict
db_user_codes_verdict(const PGresult *r)
{
	if (uc_true(r, 3))
		return DB_USER_CODES_RIGHT;
	if (uc_true(r, 2))
		return DB_USER_CODES_MISMATCH;
	if (pg_val(r, 0, 0) == NULL || uc_true(r, 1))
		return DB_USER_CODES_EXPIRED;
	if (!uc_true(r, 4))
		return DB_USER_CODES_CHANGED;
	return DB_USER_CODES_LIMIT;
}

int
db_user_codes_gone(const PGresult *r)
{
	return !uc_true(r, 3) && !uc_true(r, 2) &&
	    (pg_val(r, 0, 0) == NULL || uc_true(r, 1));
}

int
db_user_codes_written(const PGresult *r)
{
	return uc_true(r, 5);
}

/* --- Simulated codes of missing users ------------------------------------ */

void
db_user_codes_name_sent(struct pg_batch *b, const char *pool_id,
    const char *key, const char *ttl)
{
	pg_batch_add(b, "INSERT INTO code_names AS c (pool_id, name_key, "
	    "created_at, expires_at) VALUES ($1, $2, " UC_NOW ", " UC_NOW
	    " + $3::float8) ON CONFLICT (pool_id, name_key) DO UPDATE SET "
	    "expires_at = EXCLUDED.expires_at, " UC_KEEP("c"), 3, pool_id,
	    key, ttl);
}

void
db_user_codes_name_dead(struct pg_batch *b, const char *pool_id,
    const char *key)
{
	pg_batch_add(b, "SELECT EXISTS (SELECT 1 FROM code_names WHERE "
	    "pool_id = $1 AND name_key = $2 AND attempts >= " UC_ATTEMPTS
	    " AND created_at > " UC_NOW " - " UC_WINDOW ")", 2, pool_id, key);
}

void
db_user_codes_name_guess(struct pg_batch *b, const char *pool_id,
    const char *key)
{
	pg_batch_add(b, "WITH cur AS (SELECT attempts, expires_at <= " UC_NOW
	    " AS expired FROM code_names WHERE pool_id = $1 AND name_key = "
	    "$2), bump AS (UPDATE code_names SET attempts = attempts + 1 "
	    "WHERE pool_id = $1 AND name_key = $2 AND " UC_LIVE "RETURNING 1) "
	    "SELECT (SELECT attempts FROM cur), (SELECT expired FROM cur), "
	    "EXISTS (SELECT 1 FROM bump)", 2, pool_id, key);
}
