/*
 * lockout.c: the lockout schedule of failed sign-ins, kept in SQL by
 * the statements of db/lockout.c.
 *
 * An attempt is charged before its password hash, SRP proof or MFA code
 * is checked: one UPDATE (or, for a name that matches no user, one
 * upsert) adds the failure and sets the lock the schedule gives for the
 * new count, but only where no lock holds. PostgreSQL re-reads a row a
 * concurrent statement changed before applying the WHERE clause, so of
 * 40 parallel attempts at most LOCKOUT_AFTER pass before the lock, and
 * one more each time it expires: the secret is checked only for those.
 * A locked attempt is not counted and does not extend the lock. A wrong
 * secret then moves the lock its charge set to start when the failure is
 * known (lockout_failed_*), so a slow hash does not shorten it.
 *
 * A charge also counts a check in flight (checks_pending, with the time
 * of the last in checks_at), and every settlement (failed, clear,
 * refund) takes it back. A lock met while checks are pending may be one
 * that right secrets are about to lift (a burst of right passwords: an
 * app with many tabs), so after a refused charge a second statement
 * (lockout_settled_*) tells the caller whether the lock is settled
 * (refuse) or pending (wait and charge again): right passwords queue behind the checks in flight instead of
 * being refused, and wrong ones still get no more checks than the
 * schedule. Such a lock holds past its time until the checks settle,
 * as the lock of a failure not yet known cannot have run out. A count
 * whose settlement never came (a lost worker) is forgotten
 * LOCKOUT_CHECK_TTL seconds after the last charge.
 *
 * A right secret clears the count (lockout_clear_user), or, when another
 * factor follows (MFA), only undoes its own charge (lockout_refund_user):
 * the failures before it stay, so wrong MFA codes keep counting across
 * sign-ins, and the lock this charge set is lifted unless a concurrent
 * failure set a newer one.
 *
 * The charges, and the clear or refund of a sign-in's first factor (in
 * a batch of its own or with a rehash), commit without waiting for the
 * WAL flush (db/lockout.c's LOCKOUT_QUICK): a sign-in then waits for one
 * flush, its token's, as before the lockout was counted in SQL. They
 * stay atomic and are seen at once, so the schedule holds as above; a
 * crash of PostgreSQL may forget the counts of its last fraction of a
 * second. A clear in a batch that consumes an MFA session stays durable.
 *
 * Names that match no user are counted in lockout_names, so that under
 * PreventUserExistenceErrors "Password attempts exceeded" comes after
 * the same failures (and the same waits) for them; the sweep deletes
 * their quiet rows.
 *
 * Wire-neutral: no JSON, HTTP or exception names here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/lockout.h"
#include "db/lockout.h"
#include "db/pg.h"
#include "util.h"

void
lockout_charge_user(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	db_lockout_charge_user(b, pool_id, sub);
}

void
lockout_charge_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	db_lockout_charge_name(b, pool_id, name_key);
}

void
lockout_settled_user(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	db_lockout_settled_user(b, pool_id, sub);
}

void
lockout_settled_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	db_lockout_settled_name(b, pool_id, name_key);
}

int
lockout_charged(const PGresult *res, struct lockout_charge *c)
{
	const char	*go, *mark;

	memset(c, 0, sizeof *c);
	if (res == NULL || pg_rows(res) != 1 ||
	    (go = pg_val(res, 0, DB_LOCKOUT_CHARGED)) == NULL)
		return -1;
	c->go = strcmp(go, "t") == 0;
	if ((mark = pg_val(res, 0, DB_LOCKOUT_MARK)) != NULL)
		c->mark = xstrdup(mark);
	if (pg_val(res, 0, DB_LOCKOUT_FAILURES) != NULL)
		c->failures = (int)strtol(pg_val(res, 0, DB_LOCKOUT_FAILURES),
		    NULL, 10);
	return 0;
}

void
lockout_met(const PGresult *res, struct lockout_charge *c)
{
	const char	*settled;

	c->wait = !c->go && res != NULL && pg_rows(res) == 1 &&
	    (settled = pg_val(res, 0, DB_LOCKOUT_SETTLED)) != NULL &&
	    strcmp(settled, "f") == 0;
}

void
lockout_charge_clear(struct lockout_charge *c)
{
	free(c->mark);
	memset(c, 0, sizeof *c);
}

void
lockout_failed_user(struct pg_batch *b, const char *pool_id,
    const char *sub)
{
	db_lockout_failed_user(b, pool_id, sub);
}

void
lockout_failed_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	db_lockout_failed_name(b, pool_id, name_key);
}

void
lockout_clear_name(struct pg_batch *b, const char *pool_id,
    const char *name_key)
{
	db_lockout_clear_name(b, pool_id, name_key);
}

/* A charge that went through also settles its check. */
void
lockout_clear_user(struct pg_batch *b, const char *pool_id, const char *sub,
    const struct lockout_charge *c, int quick)
{
	db_lockout_clear_user(b, pool_id, sub, (c != NULL && c->go ?
	    DB_LOCKOUT_SETTLE : 0) | (quick ? DB_LOCKOUT_QUICK : 0));
}

void
lockout_refund_user(struct pg_batch *b, const char *pool_id,
    const char *sub, const struct lockout_charge *c, int quick)
{
	if (!c->go)
		return;
	db_lockout_refund_user(b, pool_id, sub, c->mark,
	    quick ? DB_LOCKOUT_QUICK : 0);
}
