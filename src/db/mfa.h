/*
 * mfa.h: the users' MFA state (settings, sealed TOTP secrets, last step
 * used) as TOTP set-up and MFA preferences read and write it: the
 * statements core/mfa_setup.c runs and the
 * columns of their rows; also the pool's MFA settings and the use of a
 * TOTP step that other statements embed. Named db_mfa_.
 */
#ifndef DB_MFA_H
#define DB_MFA_H

/*
 * The pool's MFA settings as GetUserPoolMfaConfig answers them, from a
 * pools row named P: mfa_config with MfaConfiguration from the pool's
 * configuration (which UpdateUserPool also writes).
 */
#define DB_MFA_POOL_SQL(P)						\
	"(" P ".mfa_config || jsonb_build_object('MfaConfiguration', "	\
	"coalesce(" P ".config->'MfaConfiguration', '\"OFF\"'::jsonb)))"

/*
 * Use a TOTP step ($3, from mfa_totp_check) of user $2 (sub) of pool $1
 * whose verified secret is still $4 (the sealed text read): one row
 * when the step was not used before, none when it was (a replay, or a
 * concurrent use of the same code) or the secret changed meanwhile.
 */
#define DB_MFA_TOTP_USE_SQL						\
	"UPDATE users SET totp_last_step = $3::bigint WHERE "		\
	"pool_id = $1 AND sub = $2::uuid AND totp_secret_sealed = $4 "	\
	"AND totp_last_step < $3::bigint RETURNING 1"

/* SQLSTATE of a guard that failed (division_by_zero): state changed. */
#define DB_MFA_STATE_CHANGED	"22012"

/* Columns of the loads (by_sub, by_session, by_name). */
#define DB_MFA_SETTINGS		0	/* users.mfa */
#define DB_MFA_ATTRIBUTES	1
#define DB_MFA_SECRET		2	/* sealed, verified */
#define DB_MFA_PENDING		3	/* sealed, pending */
#define DB_MFA_LAST_STEP	4
#define DB_MFA_POOL		5	/* DB_MFA_POOL_SQL */
#define DB_MFA_POOL_ID		6
#define DB_MFA_SUB		7
/* Column of the session rotations: whether the new session exists. */
#define DB_MFA_ROTATED		0

struct pg_batch;

/* The loads of the user's MFA state: one row of the columns above. */
/* By user (pool, sub). */
void	db_mfa_by_sub(struct pg_batch *, const char *, const char *);
/* By a live MFA_SETUP challenge session (digest). */
void	db_mfa_by_session(struct pg_batch *, const char *);
/* By username or alias (pool, normalised name); the name wins. */
void	db_mfa_by_name(struct pg_batch *, const char *, const char *);
/*
 * A new pending secret (sealed): for the user of session digest,
 * replacing the session by new_digest with data (JSON text) merged into
 * its data, one row of DB_MFA_ROTATED; or for user (pool, sub), one row
 * when written.
 */
void	db_mfa_associate_session(struct pg_batch *, const char *,
	    const char *, const char *, const char *);
void	db_mfa_associate(struct pg_batch *, const char *, const char *,
	    const char *);

/* A verified code (strings). */
struct db_mfa_verify {
	const char	*digest;	/* the session's, or NULL: by user */
	const char	*new_digest;	/* the session that replaces it */
	const char	*data;		/* merged into its data, JSON text */
	const char	*pool_id;	/* by user */
	const char	*sub;
	const char	*step;		/* the TOTP step used */
	const char	*settings;	/* the new settings, JSON text */
	const char	*settings_read;	/* as read: settings, secrets */
	const char	*pending;
	const char	*secret;
};

/*
 * Record a verified code: the step, the new settings, the pending
 * secret made the verified one, while settings and secrets are as read
 * (else the guard fails with DB_MFA_STATE_CHANGED); after the session
 * digest (rotated to new_digest) or for the user (pool, sub).
 */
void	db_mfa_verify(struct pg_batch *, const struct db_mfa_verify *);
/*
 * New settings (JSON text) of user (pool, sub) if the settings and the
 * means (attributes as read, has_secret "true" or "false") are as read.
 */
void	db_mfa_settings(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *, const char *);

#endif
