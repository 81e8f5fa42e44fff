/*
 * lockout.h: Cognito's lockout schedule for failed sign-ins (passwords,
 * SRP proofs, MFA codes): after LOCKOUT_AFTER failures a lock of 1 s
 * that doubles with each further failure up to LOCKOUT_MAX seconds; a
 * quiet LOCKOUT_WINDOW resets the count. An attempt is charged BEFORE
 * its secret is checked, in one statement, so parallel attempts cannot
 * get more checks than the schedule allows; a right secret then clears
 * the count (or refunds the charge when another factor follows). A
 * lock met while checks are in flight is not yet settled: the attempt
 * waits for them (charges again a little later) instead of being
 * refused, so a burst of right passwords all get through.
 *
 * The functions add statements to a caller's batch and decode their
 * results; the caller runs the batch (any adapter, any task).
 */
#ifndef LOCKOUT_H
#define LOCKOUT_H

#include <libpq-fe.h>

#include "util.h"

struct pg_batch;

#define LOCKOUT_AFTER	5	/* failures before the first lock */
#define LOCKOUT_MAX	900	/* seconds: the longest lock */
#define LOCKOUT_WINDOW	900	/* quiet seconds that reset the count */
#define LOCKOUT_CHECK_TTL 10	/* seconds a check in flight is counted */
/* What Cognito answers (NotAuthorizedException) during a lock. */
#define LOCKOUT_MESSAGE	"Password attempts exceeded"

/* The result of a charge: the attempt may go on, or the subject is locked. */
struct lockout_charge {
	int	 go;		/* 1: check the secret; 0: locked */
	char	*mark;		/* the lock this charge set, for a refund */
	int	 failures;	/* counted with this one (when go) */
	int	 wait;		/* not go, but checks in flight may lift it */
};

/*
 * Charge an attempt against user sub of pool: two statements, the
 * charge (lockout_charged) and the lock it met (lockout_met).
 */
void	 lockout_charge_user(struct pg_batch *, const char *, const char *);
/*
 * Charge an attempt against a user name key that matches no user, so
 * that a missing user locks like a real one (PreventUserExistenceErrors).
 */
void	 lockout_charge_name(struct pg_batch *, const char *, const char *);
/* Decode the result of a charge statement; -1 on a malformed result. */
int	 lockout_charged(const PGresult *, struct lockout_charge *)
	    MUST_CHECK;
/*
 * Decode the second statement of a charge that did not go: c->wait is
 * set when the lock may yet be lifted by checks in flight.
 */
void	 lockout_settled_user(struct pg_batch *, const char *, const char *);
void	 lockout_settled_name(struct pg_batch *, const char *, const char *);
void	 lockout_met(const PGresult *, struct lockout_charge *);
void	 lockout_charge_clear(struct lockout_charge *);

/*
 * The secret of a charged attempt was wrong: its check is settled and
 * the lock its charge set runs from now, when the failure is known, as
 * a lock set after the check would (the charge came before a hash that
 * may be slow).
 */
void	 lockout_failed_user(struct pg_batch *, const char *, const char *);
void	 lockout_failed_name(struct pg_batch *, const char *, const char *);
/* Forget the attempts of a name (a simulated code was sent again). */
void	 lockout_clear_name(struct pg_batch *, const char *, const char *);
/*
 * The sign-in succeeded: the user's count and lock are cleared, and the
 * check of charge c (NULL or not gone: none) is settled. quick: the
 * batch's transaction need not wait for its WAL flush (lockout.c).
 */
void	 lockout_clear_user(struct pg_batch *, const char *, const char *,
	    const struct lockout_charge *, int);
/*
 * One factor was right and another follows: undo this charge (and the
 * lock it set) and settle its check, keeping the failures before it,
 * so a later wrong MFA code still counts after them. Nothing when c did
 * not go. quick as for lockout_clear_user.
 */
void	 lockout_refund_user(struct pg_batch *, const char *, const char *,
	    const struct lockout_charge *, int);

#endif
