/*
 * user_codes.h: the codes table (verification and reset codes of
 * users, sql/002_users.sql): the statements core/signup.c, the
 * attribute operations of api/user_ops.c and the administrator's
 * operations of api/admin_user_ops.c run, added to the caller's
 * batch, and the decoding of a check's row. Codes are stored as
 * digests only (core/codes.c). Functions are prefixed db_user_codes_.
 *
 * A code is single use and expires; wrong guesses count per window of
 * DB_USER_CODES_WINDOW seconds from the first code, at most
 * DB_USER_CODES_ATTEMPTS, and a new code sent within the window keeps
 * the count, so resending buys no more guesses.
 */
#ifndef DB_USER_CODES_H
#define DB_USER_CODES_H

#include <libpq-fe.h>

struct pg_batch;

#define DB_USER_CODES_ATTEMPTS	"5"
#define DB_USER_CODES_WINDOW	"3600"

/* What a check of a code found (the columns of every check). */
enum db_user_codes_verdict {
	DB_USER_CODES_RIGHT,	/* consumed (or counted right) */
	DB_USER_CODES_MISMATCH,	/* a wrong guess, counted */
	DB_USER_CODES_EXPIRED,	/* none asked, used, or expired */
	DB_USER_CODES_CHANGED,	/* the user changed meanwhile */
	DB_USER_CODES_LIMIT,	/* the guesses of the window are used up */
};

/*
 * The user of pool a name key names (DB_USERS_COLUMNS, the username
 * first), then whether the user's code for purpose (NULL: none) is
 * dead, its guesses used up within the window.
 */
void	db_user_codes_find_user(struct pg_batch *, const char *, const char *,
	    const char *);
/* Whether the code of user sub of pool for purpose is dead. */
void	db_user_codes_dead(struct pg_batch *, const char *, const char *,
	    const char *);
/* A new code (digest) for pool, sub, purpose, live for ttl seconds. */
void	db_user_codes_issue(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);
/*
 * The same, sent by an administrator's operation: the count of wrong
 * guesses and its window start over.
 */
void	db_user_codes_issue_fresh(struct pg_batch *, const char *,
	    const char *, const char *, const char *, const char *);

/* What a verifying write sets (strings; NULL: SQL NULL). */
struct db_user_codes_verify {
	const char	*pool_id;
	const char	*sub;
	const char	*purpose;
	const char	*digest;	/* of the code given */
	const char	*attributes;	/* the whole attributes, JSON text */
	const char	*email;		/* alias columns */
	const char	*phone;
	const char	*preferred;
	const char	*modified;	/* the modified_at the user was read */
	int		 confirm;	/* ConfirmSignUp: confirm the user */
};

/*
 * Consume a right, live code and write the user's attributes (and, to
 * confirm, its status) in one statement, only while the user is the one
 * read; a wrong code is counted instead. Its row: the check's columns,
 * then whether the user was written.
 */
void	db_user_codes_verify(struct pg_batch *,
	    const struct db_user_codes_verify *);
/*
 * ForceAliasCreation: the verified e-mail ("email") or phone number
 * value leaves the other user who has it as alias, provided the sign-up
 * code (digest) of pool, sub is right and live and the user is still
 * unconfirmed and as read (modified: its modified_at then), so that
 * the confirmation that follows in the batch happens too.
 */
void	db_user_codes_take_alias(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *, const char *);
/*
 * ConfirmForgotPassword's check, before the new password is hashed:
 * every check counts, right or wrong; nothing is consumed.
 */
void	db_user_codes_check(struct pg_batch *, const char *, const char *,
	    const char *, const char *);

/* What a reset sets (strings). */
struct db_user_codes_reset {
	const char	*pool_id;
	const char	*sub;
	const char	*digest;
	const char	*hash;
	const char	*srp_salt;
	const char	*srp_verifier;
};

/*
 * Consume the reset code and set the new password: the user confirmed,
 * its lockout cleared, its refresh tokens revoked.
 */
void	db_user_codes_reset(struct pg_batch *,
	    const struct db_user_codes_reset *);

/* The verdict of a check's row. */
enum db_user_codes_verdict db_user_codes_verdict(const PGresult *);
/* The check found no live code: none asked for, used, or expired. */
int	db_user_codes_gone(const PGresult *);
/* db_user_codes_verify's row: the user was written. */
int	db_user_codes_written(const PGresult *);

/*
 * A simulated code of a name that matches no user (key: purpose and
 * name), so that under PreventUserExistenceErrors its guesses end, and
 * its resends are refused, as a real user's do. Sent: the name's
 * window goes on as a real code's. The row of db_user_codes_name_dead:
 * whether its guesses are used up within the window.
 */
void	db_user_codes_name_sent(struct pg_batch *, const char *,
	    const char *, const char *);
void	db_user_codes_name_dead(struct pg_batch *, const char *,
	    const char *);
/*
 * A guess at a name's simulated code: counted when the code is live.
 * Its row: attempts as found (NULL: none), expired as found, counted.
 */
void	db_user_codes_name_guess(struct pg_batch *, const char *,
	    const char *);

#endif
