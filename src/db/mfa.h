/*
 * mfa.h: the users' MFA state (settings, sealed TOTP secrets, last step
 * used) as TOTP set-up and MFA preferences read and write it: the
 * statements core/mfa_setup.c runs, with their parameters, and the
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

/* By user ($1 pool, $2 sub). */
extern const char db_mfa_sql_by_sub[];
/* By a live MFA_SETUP challenge session ($1 digest). */
extern const char db_mfa_sql_by_session[];
/* By username or alias ($1 pool, $2 normalised); the name wins. */
extern const char db_mfa_sql_by_name[];
/*
 * A new pending secret: for session $1's user, replacing the session by
 * $2 with $3 merged into its data ($4 the secret); for user $2 of pool
 * $1 ($3 the secret), one row when written.
 */
extern const char db_mfa_sql_associate_session[];
extern const char db_mfa_sql_associate[];
/*
 * A verified code: step, settings, the settings, pending and verified
 * secrets read ($3-$7 for user $2 of pool $1; $4-$8 after session $1,
 * new session $2 and its data $3).
 */
extern const char db_mfa_sql_verify[];
extern const char db_mfa_sql_verify_session[];
/* New settings ($3) if the settings ($4) and means ($5, $6) are as read. */
extern const char db_mfa_sql_settings[];

#endif
