/*
 * lockout.c: the statements of the lockout schedule (see lockout.h and
 * core/lockout.c): the charge that counts a failure and sets the lock
 * only where none holds, the check whether a lock met is settled, the
 * moves of a failure known, the clear and the refund.
 */
#include "config.h"

#include "core/lockout.h"
#include "db/lockout.h"
#include "db/pg.h"

#define LOCKOUT_STR(x)		LOCKOUT_STR2(x)
#define LOCKOUT_STR2(x)		#x

#define LOCKOUT_NOW	"extract(epoch FROM clock_timestamp())"

/*
 * The transaction of a statement that evaluates this commits without
 * waiting for its WAL flush (synchronous_commit off for it alone): it is
 * atomic and seen by the others at once, as ever, and only a crash of
 * PostgreSQL in the next fraction of a second could forget it. Used for
 * the charge and the clear of a sign-in, whose flushes were most of the
 * database's CPU time of a password or SRP sign-in: a lost count is at
 * worst one failure too many or too few, never a token or a password.
 */
#define LOCKOUT_QUICK	"set_config('synchronous_commit', 'off', true)"

/* The new count, from the old count n and last failure at last. */
#define LOCKOUT_COUNT(n, last, now)					\
	"(CASE WHEN " last " IS NULL OR " last " < " now " - "		\
	LOCKOUT_STR(LOCKOUT_WINDOW) " THEN 1 ELSE " n " + 1 END)"

/* The lock for the new count: 2^(count - AFTER) s, at most MAX. */
#define LOCKOUT_UNTIL(n, last, now)					\
	"CASE WHEN " LOCKOUT_COUNT(n, last, now) " >= "			\
	LOCKOUT_STR(LOCKOUT_AFTER) " THEN " now " + least(power(2, "	\
	LOCKOUT_COUNT(n, last, now) " - " LOCKOUT_STR(LOCKOUT_AFTER)	\
	"), " LOCKOUT_STR(LOCKOUT_MAX) ") ELSE NULL END"

/* Checks in flight with this one; a stale count is forgotten. */
#define LOCKOUT_PENDING(n, at, now)					\
	"(CASE WHEN " at " IS NULL OR " at " < " now " - "		\
	LOCKOUT_STR(LOCKOUT_CHECK_TTL) " THEN 1 ELSE " n " + 1 END)"

/* Checks are in flight (counted within LOCKOUT_CHECK_TTL). */
#define LOCKOUT_CHECKING(p, now)					\
	"(" p "checks_pending > 0 AND coalesce(" p "checks_at >= " now	\
	" - " LOCKOUT_STR(LOCKOUT_CHECK_TTL) ", false))"

/*
 * No lock holds. A lock set while checks are in flight holds until they
 * settle, even past its time: a failure moves it to start when it is
 * known, and a right secret lifts it.
 */
#define LOCKOUT_OPEN(p, now)						\
	"(" p "locked_until IS NULL OR (" p "locked_until <= " now	\
	" AND NOT " LOCKOUT_CHECKING(p, now) "))"

/*
 * Columns of every charge: charged, the lock set (text or NULL), the
 * failures counted with this one (NULL when not charged).
 */
#define LOCKOUT_RESULT							\
	" SELECT count(*) > 0, max(locked_until)::text, max(n) FROM c"

static const char lockout_user_sql[] =
	"WITH t AS (SELECT " LOCKOUT_NOW " AS now, " LOCKOUT_QUICK " AS quick), "
	"c AS (UPDATE users u "
	"SET failed_logins = "
	LOCKOUT_COUNT("u.failed_logins", "u.last_failed_at", "t.now")
	", last_failed_at = t.now, locked_until = "
	LOCKOUT_UNTIL("u.failed_logins", "u.last_failed_at", "t.now")
	", checks_pending = "
	LOCKOUT_PENDING("u.checks_pending", "u.checks_at", "t.now")
	", checks_at = t.now FROM t WHERE u.pool_id = $1 AND "
	"u.sub = $2::uuid AND " LOCKOUT_OPEN("u.", "t.now")
	" RETURNING u.locked_until, u.failed_logins AS n)" LOCKOUT_RESULT;

static const char lockout_name_sql[] =
	"WITH q AS (SELECT " LOCKOUT_QUICK " AS quick), c AS (INSERT INTO "
	"lockout_names AS l (pool_id, name_key, failures, last_failed_at, "
	"checks_pending, checks_at) SELECT $1, $2, 1, " LOCKOUT_NOW ", 1, "
	LOCKOUT_NOW " FROM q "
	"ON CONFLICT (pool_id, name_key) DO UPDATE SET failures = "
	LOCKOUT_COUNT("l.failures", "l.last_failed_at",
	    "EXCLUDED.last_failed_at")
	", last_failed_at = EXCLUDED.last_failed_at, locked_until = "
	LOCKOUT_UNTIL("l.failures", "l.last_failed_at",
	    "EXCLUDED.last_failed_at")
	", checks_pending = "
	LOCKOUT_PENDING("l.checks_pending", "l.checks_at",
	    "EXCLUDED.last_failed_at")
	", checks_at = EXCLUDED.last_failed_at WHERE "
	LOCKOUT_OPEN("l.", "EXCLUDED.last_failed_at")
	" RETURNING l.locked_until, l.failures AS n)" LOCKOUT_RESULT;

/*
 * The lock as a statement after a refused charge finds it: true while
 * it holds with no check pending (refuse), false when it is gone or
 * checks are pending (wait). Its own statement, run only when a charge
 * was refused (a subquery of the charge would see the row as before
 * it), so a charge that goes through costs one statement. No row (a
 * user deleted meanwhile): nothing to wait for.
 */
#define LOCKOUT_SETTLED(table, key)					\
	"SELECT coalesce(locked_until > t.now, false) AND NOT "		\
	LOCKOUT_CHECKING("", "t.now") " FROM " table ", (SELECT "	\
	LOCKOUT_NOW " AS now) t WHERE pool_id = $1 AND " key

void
db_lockout_charge_user(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	pg_batch_add(b, lockout_user_sql, 2, pool_id, sub);
}

void
db_lockout_charge_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	pg_batch_add(b, lockout_name_sql, 2, pool_id, name_key);
}

void
db_lockout_settled_user(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	pg_batch_add(b, LOCKOUT_SETTLED("users", "sub = $2::uuid"), 2,
	    pool_id, sub);
}

void
db_lockout_settled_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	pg_batch_add(b, LOCKOUT_SETTLED("lockout_names", "name_key = $2"), 2,
	    pool_id, name_key);
}

/* A check settled: its count in flight is taken back. */
#define LOCKOUT_SETTLE	"checks_pending = greatest(checks_pending - 1, 0)"

/*
 * The check failed: settled, and the lock (locked_until -
 * last_failed_at seconds) moved to now.
 */
#define LOCKOUT_MOVES							\
	"locked_until > last_failed_at AND last_failed_at < t.now"
#define LOCKOUT_ANCHOR(table, key)					\
	"UPDATE " table " SET locked_until = CASE WHEN " LOCKOUT_MOVES	\
	" THEN t.now + (locked_until - last_failed_at) ELSE "		\
	"locked_until END, last_failed_at = CASE WHEN " LOCKOUT_MOVES	\
	" THEN t.now ELSE last_failed_at END, " LOCKOUT_SETTLE " FROM "	\
	"(SELECT " LOCKOUT_NOW " AS now) t WHERE pool_id = $1 AND " key

void
db_lockout_failed_user(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	pg_batch_add(b, LOCKOUT_ANCHOR("users", "sub = $2::uuid"), 2,
	    pool_id, sub);
}

void
db_lockout_failed_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	pg_batch_add(b, LOCKOUT_ANCHOR("lockout_names", "name_key = $2"), 2,
	    pool_id, name_key);
}

void
db_lockout_clear_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	pg_batch_add(b, "DELETE FROM lockout_names WHERE pool_id = $1 AND "
	    "name_key = $2", 2, pool_id, name_key);
}

/* The FROM item of a quick statement (LOCKOUT_QUICK). */
#define LOCKOUT_QUICK_FROM	" FROM (SELECT " LOCKOUT_QUICK " AS quick) q"

/* A clear that settles a check (and a quick one), or one that does not. */
#define LOCKOUT_CLEAR_SETTLE(from)					\
	"UPDATE users SET failed_logins = 0, last_failed_at = NULL, "	\
	"locked_until = NULL, " LOCKOUT_SETTLE from " WHERE pool_id = $1 "\
	"AND sub = $2::uuid"
#define LOCKOUT_CLEAR_ONLY(from)					\
	"UPDATE users SET failed_logins = 0, last_failed_at = NULL, "	\
	"locked_until = NULL" from " WHERE pool_id = $1 AND sub = $2::uuid "\
	"AND (failed_logins <> 0 OR locked_until IS NOT NULL)"

/* By flags: [DB_LOCKOUT_SETTLE | DB_LOCKOUT_QUICK]. */
static const char *const lockout_clear_sql[] = {
	LOCKOUT_CLEAR_ONLY(""),
	LOCKOUT_CLEAR_SETTLE(""),
	LOCKOUT_CLEAR_ONLY(LOCKOUT_QUICK_FROM),
	LOCKOUT_CLEAR_SETTLE(LOCKOUT_QUICK_FROM),
};

void
db_lockout_clear_user(struct pg_batch *b, const char *pool_id,
    const char *sub, int flags)
{
	pg_batch_add(b, lockout_clear_sql[flags & (DB_LOCKOUT_SETTLE |
	    DB_LOCKOUT_QUICK)], 2, pool_id, sub);
}

#define LOCKOUT_REFUND(from)						\
	"UPDATE users SET failed_logins = greatest(failed_logins - 1, 0), "\
	"locked_until = CASE WHEN locked_until IS NOT DISTINCT FROM "	\
	"$3::double precision THEN NULL ELSE locked_until END, "	\
	LOCKOUT_SETTLE from " WHERE pool_id = $1 AND sub = $2::uuid"

void
db_lockout_refund_user(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *mark, int flags)
{
	pg_batch_add(b, flags & DB_LOCKOUT_QUICK ?
	    LOCKOUT_REFUND(LOCKOUT_QUICK_FROM) : LOCKOUT_REFUND(""), 3,
	    pool_id, sub, mark);
}
