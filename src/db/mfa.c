/*
 * mfa.c: the statements of TOTP set-up and MFA preferences (see mfa.h
 * and core/mfa_setup.c): the loads of a user's MFA state, the
 * associations of a pending secret, the writes of a verified code and
 * of new settings, each guarded by what was read.
 */
#include "config.h"

#include "db/mfa.h"
#include "db/pg.h"
#include "db/users.h"

#define DB_MFA_NOW	"extract(epoch FROM clock_timestamp())"

/* The user's MFA state: the DB_MFA_ columns of mfa.h. */
#define MFA_COLUMNS							\
	"u.mfa, u.attributes, u.totp_secret_sealed, "			\
	"u.totp_pending_sealed, u.totp_last_step, "			\
	DB_MFA_POOL_SQL("p") ", u.pool_id, u.sub"

/* By user ($1 pool, $2 sub). */
static const char db_mfa_sql_by_sub[] =
	"SELECT " MFA_COLUMNS " FROM users u JOIN pools p ON p.id = u.pool_id "
	"WHERE u.pool_id = $1 AND u.sub = $2::uuid";

/* By a live MFA_SETUP challenge session ($1 digest). */
static const char db_mfa_sql_by_session[] =
	"SELECT " MFA_COLUMNS " FROM auth_sessions s "
	"JOIN users u ON u.pool_id = s.pool_id AND u.sub = s.sub "
	"JOIN pools p ON p.id = s.pool_id "
	"WHERE s.session_hash = $1::bytea AND s.challenge = 'MFA_SETUP' "
	"AND s.expires_at > " DB_MFA_NOW;

/* By username or alias ($1 pool, $2 normalised); the name wins. */
static const char db_mfa_sql_by_name[] =
	"SELECT " MFA_COLUMNS " FROM users u JOIN pools p ON p.id = u.pool_id "
	"WHERE " DB_USERS_MATCH("1", "2") " "
	"ORDER BY (u.username_key = $2) DESC LIMIT 1";

/*
 * Replace session $1 by session $2 (same pool, client, user, challenge,
 * data with $3 merged, expiry) while writing the user with W, an UPDATE
 * of users u that may refer to the old row as "old". Column 0: whether
 * the new session exists; a session found but a user not written (a
 * guard of W failed) divides by zero, which rolls the statement back.
 */
#define MFA_SQL_ROTATE(W)						\
	"WITH old AS (DELETE FROM auth_sessions WHERE "			\
	"  session_hash = $1::bytea AND challenge = 'MFA_SETUP' AND "	\
	"  expires_at > " DB_MFA_NOW " "				\
	"  RETURNING pool_id, client_id, sub, challenge, data, "	\
	"  expires_at), "						\
	"upd AS (" W " RETURNING 1), "					\
	"ins AS (INSERT INTO auth_sessions (session_hash, pool_id, "	\
	"  client_id, sub, challenge, data, expires_at) "		\
	"  SELECT $2::bytea, pool_id, client_id, sub, challenge, "	\
	"  data || $3::jsonb, expires_at FROM old "			\
	"  WHERE EXISTS (SELECT 1 FROM upd) RETURNING 1) "		\
	"SELECT EXISTS (SELECT 1 FROM ins), 1 / (1 + "			\
	"(SELECT count(*) FROM upd) - (SELECT count(*) FROM old))::int"

/* The user a rotation writes. */
#define MFA_SQL_OLD_USER						\
	"FROM old WHERE u.pool_id = old.pool_id AND u.sub = old.sub "

/* A new pending secret ($4) for the session's user. */
static const char db_mfa_sql_associate_session[] =
	MFA_SQL_ROTATE("UPDATE users u SET totp_pending_sealed = $4 "
	    MFA_SQL_OLD_USER);

/* A new pending secret ($3) for user $2 of pool $1. */
static const char db_mfa_sql_associate[] =
	"UPDATE users SET totp_pending_sealed = $3 WHERE pool_id = $1 AND "
	"sub = $2::uuid RETURNING 1";

/*
 * A verified code: the pending secret (if any) becomes the verified one,
 * the step ($S) is recorded and the settings ($M) written, provided the
 * secrets ($P pending, $V verified), the settings ($O) and, for a
 * verified secret, the last step are still those the code was checked
 * against.
 */
#define MFA_SQL_VERIFIED_SET(S, M)					\
	"SET totp_secret_sealed = coalesce(totp_pending_sealed, "	\
	"  totp_secret_sealed), totp_pending_sealed = NULL, "		\
	"  totp_last_step = $" S "::bigint, mfa = $" M "::jsonb "
#define MFA_SQL_VERIFIED_IF(S, O, P, V)					\
	"u.mfa = $" O "::jsonb AND "					\
	"u.totp_pending_sealed IS NOT DISTINCT FROM $" P "::text AND "	\
	"u.totp_secret_sealed IS NOT DISTINCT FROM $" V "::text AND "	\
	"($" P "::text IS NOT NULL OR u.totp_last_step < $" S "::bigint)"

static const char db_mfa_sql_verify[] =
	"UPDATE users u " MFA_SQL_VERIFIED_SET("3", "4")
	"WHERE u.pool_id = $1 AND u.sub = $2::uuid AND "
	MFA_SQL_VERIFIED_IF("3", "5", "6", "7") " RETURNING 1";

static const char db_mfa_sql_verify_session[] =
	MFA_SQL_ROTATE("UPDATE users u " MFA_SQL_VERIFIED_SET("4", "5")
	    MFA_SQL_OLD_USER "AND " MFA_SQL_VERIFIED_IF("4", "6", "7", "8"));

/* New settings ($3) if the settings ($4) and means ($5, $6) are as read. */
static const char db_mfa_sql_settings[] =
	"UPDATE users SET mfa = $3::jsonb WHERE pool_id = $1 AND "
	"sub = $2::uuid AND mfa = $4::jsonb AND attributes = $5::jsonb AND "
	"(totp_secret_sealed IS NOT NULL) = $6::boolean RETURNING 1";

void
db_mfa_by_sub(struct pg_batch *b, const char *pool_id, const char *sub)
{
	pg_batch_add(b, db_mfa_sql_by_sub, 2, pool_id, sub);
}

void
db_mfa_by_session(struct pg_batch *b, const char *digest)
{
	pg_batch_add(b, db_mfa_sql_by_session, 1, digest);
}

void
db_mfa_by_name(struct pg_batch *b, const char *pool_id, const char *key)
{
	pg_batch_add(b, db_mfa_sql_by_name, 2, pool_id, key);
}

void
db_mfa_associate_session(struct pg_batch *b, const char *digest,
    const char *new_digest, const char *data, const char *sealed)
{
	pg_batch_add(b, db_mfa_sql_associate_session, 4, digest, new_digest,
	    data, sealed);
}

void
db_mfa_associate(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *sealed)
{
	pg_batch_add(b, db_mfa_sql_associate, 3, pool_id, sub, sealed);
}

void
db_mfa_verify(struct pg_batch *b, const struct db_mfa_verify *v)
{
	if (v->digest != NULL)
		pg_batch_add(b, db_mfa_sql_verify_session, 8, v->digest,
		    v->new_digest, v->data, v->step, v->settings,
		    v->settings_read, v->pending, v->secret);
	else
		pg_batch_add(b, db_mfa_sql_verify, 7, v->pool_id, v->sub,
		    v->step, v->settings, v->settings_read, v->pending,
		    v->secret);
}

void
db_mfa_settings(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *settings, const char *settings_read, const char *attrs,
    const char *has_secret)
{
	pg_batch_add(b, db_mfa_sql_settings, 6, pool_id, sub, settings,
	    settings_read, attrs, has_secret);
}
