/*
 * auth_sessions.h: the auth_sessions table, the single-use Session of a
 * sign-in challenge (NEW_PASSWORD_REQUIRED, the MFA challenges, device
 * SRP), stored as a digest and bound to a client and a user: the
 * statements the sign-in leaves (core/signin*.c) run and the columns
 * of their rows. Functions are prefixed db_auth_sessions_.
 */
#ifndef DB_AUTH_SESSIONS_H
#define DB_AUTH_SESSIONS_H

#include "db/users.h"

struct pg_batch;

/* A new session's row (strings borrowed; data is JSON text). */
struct db_auth_session_new {
	const char	*digest;
	const char	*pool_id;
	const char	*client_id;
	const char	*sub;
	const char	*challenge;
	const char	*data;
	long long	 ttl;		/* seconds from now */
};

void	db_auth_sessions_insert(struct pg_batch *,
	    const struct db_auth_session_new *);

/*
 * The live session of digest for client: DB_USERS_COLUMNS of its user,
 * then these columns.
 */
#define DB_AUTH_SESSIONS_CHALLENGE	DB_USERS_NCOLUMNS
#define DB_AUTH_SESSIONS_DATA		(DB_USERS_NCOLUMNS + 1)
#define DB_AUTH_SESSIONS_TOTP_SEALED	(DB_USERS_NCOLUMNS + 2)
#define DB_AUTH_SESSIONS_TOTP_LAST	(DB_USERS_NCOLUMNS + 3)
void	db_auth_sessions_find(struct pg_batch *, const char *, const char *);
/*
 * The same for a device SRP session, only when it names device_key, a
 * confirmed device of the user; CHALLENGE and DATA as above, then these.
 */
#define DB_AUTH_SESSIONS_GROUP		(DB_USERS_NCOLUMNS + 2)
#define DB_AUTH_SESSIONS_SALT		(DB_USERS_NCOLUMNS + 3)
#define DB_AUTH_SESSIONS_VERIFIER	(DB_USERS_NCOLUMNS + 4)
#define DB_AUTH_SESSIONS_REMEMBERED	(DB_USERS_NCOLUMNS + 5)
void	db_auth_sessions_find_device(struct pg_batch *, const char *,
	    const char *, const char *);

/* Delete the session of digest. */
void	db_auth_sessions_delete(struct pg_batch *, const char *);
/* Delete it, one row returned when it was still there (single use). */
void	db_auth_sessions_consume(struct pg_batch *, const char *);
/*
 * Use TOTP step of the user's sealed secret (pool, sub, step, sealed)
 * and consume the session of digest, one row returned only when both
 * happened (a replayed step finds none).
 */
void	db_auth_sessions_consume_totp(struct pg_batch *, const char *,
	    const char *, const char *, const char *, const char *);
/* Count a wrong code; the max-th one deletes the session. */
void	db_auth_sessions_count_wrong(struct pg_batch *, const char *, int);

#endif
