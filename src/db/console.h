/*
 * console.h: the admin console's tables (sql/016_console.sql): its
 * account, its sessions (by digest), the lockout count and the audit
 * log. The blocking functions serve start-up and `userpoold
 * console-password`; the others add a statement to a batch run on the
 * loop by ui/console*.c. Functions are prefixed db_console_.
 */
#ifndef DB_CONSOLE_H
#define DB_CONSOLE_H

#include <libpq-fe.h>

#include "util.h"

struct pg_batch;

/* Blocking: *created is 1 when the account was made now, 0 if it was. */
int	db_console_account_create(PGconn *, const char *, const char *,
	    int *, char **) MUST_CHECK;
/* Blocking: a new password hash; lockout cleared, sessions ended. */
int	db_console_password_reset(PGconn *, const char *, const char *,
	    char **) MUST_CHECK;

/*
 * The session of digest, when its last request was less than idle
 * seconds ago, which it renews: username, mfa_pending ("t"/"f").
 */
void	db_console_session_touch(struct pg_batch *, const char *, int);
void	db_console_session_insert(struct pg_batch *, const char *,
	    const char *, int);
/* The session's TOTP code was given: it is a full session now. */
void	db_console_session_verified(struct pg_batch *, const char *);
void	db_console_session_delete(struct pg_batch *, const char *);
/* End the user's sessions other than digest's. */
void	db_console_sessions_end_others(struct pg_batch *, const char *,
	    const char *);

/*
 * The account: password_hash, totp_sealed (NULL when off),
 * totp_last_step, failed_count, seconds its lock still lasts (0 none).
 */
void	db_console_account_get(struct pg_batch *, const char *);
#define DB_CONSOLE_HASH		0
#define DB_CONSOLE_TOTP		1
#define DB_CONSOLE_TOTP_STEP	2
#define DB_CONSOLE_FAILED	3
#define DB_CONSOLE_LOCK_LEFT	4
/* One more failure; at max failures the account locks for lock_s. */
void	db_console_failed(struct pg_batch *, const char *, int, int);
void	db_console_succeeded(struct pg_batch *, const char *);
void	db_console_password_set(struct pg_batch *, const char *,
	    const char *);
/* The TOTP secret (sealed), NULL to turn TOTP off. */
void	db_console_totp_set(struct pg_batch *, const char *, const char *);
/* Record step as used: one row when it is later than the last one. */
void	db_console_totp_used(struct pg_batch *, const char *, long long);

void	db_console_audit_add(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);
/*
 * The newest limit entries with an id below before (0: from the
 * newest): id, at (ISO 8601 UTC), username, address, operation,
 * target, outcome.
 */
void	db_console_audit_list(struct pg_batch *, long long, int);

#endif
