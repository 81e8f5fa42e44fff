/*
 * sessions.h: the ui_sessions table (hosted-UI sessions, stored as
 * digests) and the signin_attempts counters of the hosted sign-in page:
 * the statements core/sessions.c runs and their rows. Functions are
 * prefixed db_sessions_ (sessions_ is core/sessions.c's).
 */
#ifndef DB_SESSIONS_H
#define DB_SESSIONS_H

#include <libpq-fe.h>

struct pg_batch;

/* A live session's user (strings point into the result). */
struct db_session {
	const char	*sub;
	const char	*username;
	long long	 auth_time;
	const char	*provider;	/* NULL: the pool's own (COGNITO) */
};

/* A session of digest for user sub of pool, an hour from now, signed in
 * through provider (NULL: COGNITO). */
void	db_sessions_insert(struct pg_batch *, const char *, const char *,
	    const char *, long long, const char *);
/*
 * The user of the session of digest in pool, when the session has not
 * expired and the user is enabled and has not signed out globally since.
 */
void	db_sessions_find(struct pg_batch *, const char *, const char *);
/* The row of db_sessions_find: 0, or -1 when the session is not live. */
int	db_sessions_found(const PGresult *, struct db_session *);
void	db_sessions_delete(struct pg_batch *, const char *, const char *);

/*
 * Count an attempt of address in pool in the current minute; the answer
 * is the number of attempts in the last sixty seconds, estimated from
 * this minute's and the previous minute's counts (a sliding window).
 */
void	db_sessions_count_attempt(struct pg_batch *, const char *,
	    const char *);
/* The count of db_sessions_count_attempt. */
double	db_sessions_attempts(const PGresult *);

#endif
