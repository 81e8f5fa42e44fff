/*
 * sessions.h: hosted-UI sessions (a user signed in on a pool's pages,
 * for an hour, so another app of the pool signs in without a password)
 * and the count of sign-in attempts per client address behind the
 * hosted sign-in page. Each runs in the caller's task and ends it.
 */
#ifndef CORE_SESSIONS_H
#define CORE_SESSIONS_H

struct task;

/* Who a live session is (strings malloc'd). */
struct sessions_user {
	char		*sub;
	char		*username;
	long long	 auth_time;
	char		*provider;	/* signed in through; NULL: COGNITO */
};

/*
 * A new session of user sub of pool, signed in at auth_time; *secret
 * gets the cookie's value (malloc'd, the caller wipes it) on success.
 */
void	sessions_create(struct task *, const char *, const char *, long long,
	    char **);
/* A session's SAML sign-in, for a LogoutRequest (borrowed strings). */
struct sessions_saml {
	const char	*provider_name;
	const char	*name_id;
	const char	*name_id_format;	/* NULL: none */
	const char	*session_index;		/* NULL: none */
};

/* sessions_create for a sign-in through provider (the pool's name for
 * it), remembering the SAML sign-in that made it (or NULL). */
void	sessions_create_fed(struct task *, const char *, const char *,
	    long long, const char *, const struct sessions_saml *, char **);
/* The keyed digest (hex bytea literal) under which a session is kept. */
void	sessions_digest(const char *, char [67]);

/*
 * The user of the session secret of pool into *who; CORE_ERR_NOT_AUTHORIZED
 * when it has ended (expired, signed out globally, user disabled or gone).
 */
void	sessions_check(struct task *, const char *, const char *,
	    struct sessions_user *);
/* End the session secret of pool (none: nothing to do). */
void	sessions_end(struct task *, const char *, const char *);
void	sessions_user_clear(struct sessions_user *);

/*
 * Count a sign-in attempt from address on pool's pages; CORE_ERR_LIMIT
 * past signin_rate_per_address in the last sixty seconds (a sliding
 * window, db/sessions.h).
 */
void	sessions_count_attempt(struct task *, const char *, const char *);

#endif
