/*
 * lockout.h: the lockout counts of failed sign-ins, on the users rows
 * and in lockout_names (names that match no user): the statements
 * core/lockout.c runs (its paragraph tells the schedule they keep) and
 * the columns of their rows. Functions are prefixed db_lockout_.
 */
#ifndef DB_LOCKOUT_H
#define DB_LOCKOUT_H

struct pg_batch;

/*
 * A charge of the user (pool, sub) or of the name (pool, name_key): two
 * statements. The first's row: charged, the lock set (text or NULL),
 * the failures counted with this one (NULL when not charged); the
 * second's: whether the lock holds settled (no check pending).
 */
#define DB_LOCKOUT_CHARGED	0
#define DB_LOCKOUT_MARK		1
#define DB_LOCKOUT_FAILURES	2
#define DB_LOCKOUT_SETTLED	0
void	db_lockout_charge_user(struct pg_batch *, const char *, const char *);
void	db_lockout_charge_name(struct pg_batch *, const char *, const char *);
/* A check failed: settle it and move its lock to start now. */
void	db_lockout_settled_user(struct pg_batch *, const char *, const char *);
void	db_lockout_settled_name(struct pg_batch *, const char *, const char *);
void	db_lockout_failed_user(struct pg_batch *, const char *, const char *);
void	db_lockout_failed_name(struct pg_batch *, const char *, const char *);
/* Forget the name's count. */
void	db_lockout_clear_name(struct pg_batch *, const char *, const char *);
/*
 * Flags of a clear or a refund: settle a check charged; commit the
 * batch's transaction without waiting for its WAL flush (the charges
 * always do: see LOCKOUT_QUICK in lockout.c).
 */
#define DB_LOCKOUT_SETTLE	1
#define DB_LOCKOUT_QUICK	2
/* Clear the user's count, settling a check charged or not (flags). */
void	db_lockout_clear_user(struct pg_batch *, const char *, const char *,
	    int);
/*
 * Undo a charge of the user: one failure less, the lock mark (text) it
 * set lifted, its check settled (flags: DB_LOCKOUT_QUICK or 0).
 */
void	db_lockout_refund_user(struct pg_batch *, const char *, const char *,
	    const char *, int);

#endif
