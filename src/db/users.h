/*
 * users.h: the users table family: its column list (DB_USERS_COLUMNS,
 * over "users u"), the condition that finds a user by name or alias
 * (DB_USERS_MATCH), the decoding of a row into core/users.h's struct
 * user (db_users_from_row), and the statements that signing in runs
 * (core/signin*.c), the new user of SignUp (core/signup.c), what
 * core/grants.c and core/tokens.c read of a user, and the JSON API's
 * user operations (api/admin_user_ops.c, api/user_ops.c,
 * api/device_ops.c), added to a caller's batch. Other table families'
 * statements that answer a user select DB_USERS_COLUMNS first.
 * Functions are prefixed db_users_.
 */
#ifndef DB_USERS_H
#define DB_USERS_H

#include <libpq-fe.h>

#include "core/users.h"

/* The columns db_users_from_row() reads, over "users u". */
#define DB_USERS_COLUMNS						\
	"u.sub, u.username, u.username_key, u.status, u.enabled, "	\
	"u.attributes, u.password_hash, u.temp_password_at, "		\
	"u.failed_logins, u.locked_until, u.tokens_valid_after, "	\
	"u.created_at, u.modified_at, u.last_failed_at, u.srp_salt, "	\
	"u.srp_verifier, u.mfa, u.totp_secret_sealed IS NOT NULL, "	\
	"u.checks_pending"
#define DB_USERS_NCOLUMNS	19
/* The column of username_key within DB_USERS_COLUMNS. */
#define DB_USERS_COL_USERNAME_KEY	2

/*
 * The condition that finds a user of pool $P by username or by an alias
 * that may sign in, given the normalised name in $K ("P" and "K" are
 * parameter numbers as strings, e.g. DB_USERS_MATCH("1", "2")).
 */
#define DB_USERS_MATCH(P, K)						\
	"u.pool_id = $" P " AND (u.username_key = $" K " OR "		\
	"u.alias_email = $" K " OR u.alias_phone = $" K " OR "		\
	"u.alias_preferred = $" K ")"

/*
 * Decode row of res selected with DB_USERS_COLUMNS, starting at column
 * col, into the user (overwritten; users_clear frees it).
 */
void	db_users_from_row(struct user *, const PGresult *, int, int);

struct pg_batch;

/*
 * The user of pool a name (normalised key) names: by username, or by
 * an alias the pool allows; the username wins over an alias. One row
 * or none.
 */
void	db_users_find(struct pg_batch *, const char *, const char *);
/*
 * The sub of the user of pool a name (normalised key) names, as
 * db_users_find picks it: one row of this column or none.
 */
#define DB_USERS_SUB	0
void	db_users_sub_by_name(struct pg_batch *, const char *, const char *);
/* The user of pool, sub: one row or none. */
void	db_users_by_sub(struct pg_batch *, const char *, const char *);
/*
 * The same (pool, sub) with one more column: whether the refresh token
 * family origin_jti still has a token in the pool.
 */
#define DB_USERS_FAMILY_LIVE	DB_USERS_NCOLUMNS
void	db_users_with_family(struct pg_batch *, const char *, const char *,
	    const char *);
/*
 * The groups of the user (pool, sub) in token order (precedence, then
 * name): rows of these columns (ROLE NULL when none).
 */
#define DB_USERS_GROUP_NAME	0
#define DB_USERS_GROUP_ROLE	1
void	db_users_groups(struct pg_batch *, const char *, const char *);
/*
 * A right password for pool, sub made a stronger hash (or the missing
 * SRP verifier): keep the hash, the SRP salt and the verifier.
 */
void	db_users_rehash(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);

/* What NEW_PASSWORD_REQUIRED's answer sets (strings; NULL: SQL NULL). */
struct db_users_new_password {
	const char	*session;	/* digest of the challenge's Session */
	const char	*hash;
	const char	*attributes;	/* the whole attributes, JSON text */
	const char	*email;		/* alias columns */
	const char	*phone;
	const char	*preferred;
	const char	*srp_salt;
	const char	*srp_verifier;
};

/*
 * Consume the challenge session and confirm its user with the new
 * password and attributes, in one statement: one row (the sub) when
 * the session was still there.
 */
void	db_users_new_password(struct pg_batch *,
	    const struct db_users_new_password *);

/* A new user of SignUp (strings; NULL: SQL NULL). */
struct db_users_new {
	const char	*pool_id;
	const char	*sub;
	const char	*username;
	const char	*key;		/* normalised username */
	const char	*attributes;	/* JSON text */
	const char	*email;		/* alias columns */
	const char	*phone;
	const char	*preferred;
	const char	*hash;
	const char	*srp_salt;
	const char	*srp_verifier;
	/* The lower-cased e-mail, phone number that must be unique. */
	const char	*unique_email;
	const char	*unique_phone;
	int		 confirmed;	/* sign-up: CONFIRMED at once */
};

/*
 * Insert an UNCONFIRMED user (CONFIRMED when confirmed: a PreSignUp
 * trigger's autoConfirmUser); no row when another user of the pool has
 * its unique_email or unique_phone (username attributes) already. A
 * federated user's e-mail or phone number is not its username, and
 * does not count (as on Cognito, where a native account and a
 * federated one may share an address until they are linked).
 */
void	db_users_sign_up(struct pg_batch *, const struct db_users_new *);

/* --- The JSON API's user operations --- */

/*
 * A guarded write (one that names the user's row as it was read) fails
 * with this SQLSTATE when the row changed meanwhile (a division by
 * zero), rolling its batch back; otherwise its one row is the user's
 * DB_USERS_COLUMNS as written.
 */
#define DB_USERS_STATE_CHANGED	"22012"		/* division_by_zero */

/*
 * Delete the user of pool a name key names (codes, tokens, sessions and
 * memberships go by ON DELETE CASCADE): one row if there was one.
 */
void	db_users_delete_by_name(struct pg_batch *, const char *,
	    const char *);
/* Delete the user (pool, sub), and what cascades with it. */
void	db_users_delete(struct pg_batch *, const char *, const char *);
/*
 * Enable or disable (enabled "true" or "false") the user of pool a name
 * key names; disabling also deletes the user's refresh tokens. One row
 * of the count of users changed.
 */
#define DB_USERS_ENABLED_COUNT	0
void	db_users_set_enabled(struct pg_batch *, const char *, const char *,
	    const char *);
/*
 * Confirm the UNCONFIRMED user of pool a name key names and delete its
 * sign-up code: no row: no such user; one row of its status as read and
 * the count of users confirmed.
 */
#define DB_USERS_CONFIRM_STATUS	0
#define DB_USERS_CONFIRM_COUNT	1
void	db_users_admin_confirm(struct pg_batch *, const char *, const char *);

/* The alias columns ForceAliasCreation moves. */
enum db_users_alias {
	DB_USERS_ALIAS_EMAIL,
	DB_USERS_ALIAS_PHONE,
};

/*
 * The user of pool whose alias (e-mail or phone) is value loses it and
 * the attribute's verified flag becomes "false".
 */
void	db_users_release_alias(struct pg_batch *, enum db_users_alias,
	    const char *, const char *);
/*
 * AdminCreateUser's new user (unique_email and unique_phone unused:
 * the unique indexes decide), FORCE_CHANGE_PASSWORD with a temporary
 * password given now: one row of DB_USERS_COLUMNS.
 */
void	db_users_admin_insert(struct pg_batch *, const struct db_users_new *);
/*
 * Guarded: a new temporary password (hash, SRP salt, verifier) for the
 * user (pool, sub) while it is FORCE_CHANGE_PASSWORD.
 */
void	db_users_resend_temp(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);

/* New attributes of a user (strings; NULL: SQL NULL). */
struct db_users_attrs {
	const char	*pool_id;
	const char	*sub;
	const char	*old;		/* the attributes as read, JSON text */
	const char	*attributes;	/* the whole new attributes */
	const char	*email;		/* alias columns */
	const char	*phone;
	const char	*preferred;
	const char	*modified;	/* modified_at as read (update_attrs) */
};

/* Guarded: the attributes and aliases, while they are still old. */
void	db_users_write_attrs(struct pg_batch *,
	    const struct db_users_attrs *);
/*
 * The attributes and aliases while the user's modified_at is still as
 * read (old unused): one row when written.
 */
void	db_users_update_attrs(struct pg_batch *,
	    const struct db_users_attrs *);
/* Guarded: RESET_REQUIRED, while the attributes are old (JSON text). */
void	db_users_reset_required(struct pg_batch *, const char *, const char *,
	    const char *);

/* A password set (strings; NULL: SQL NULL). */
struct db_users_password {
	const char	*pool_id;
	const char	*sub;
	const char	*hash;
	const char	*srp_salt;
	const char	*srp_verifier;
	const char	*status;	/* set_password: the new status */
	const char	*permanent;	/* set_password: "true" or "false" */
	const char	*old_hash;	/* change_password: the hash checked */
};

/*
 * AdminSetUserPassword: the password and status, a temporary password's
 * time unless permanent, the lockout counters cleared: one row if the
 * user exists.
 */
void	db_users_set_password(struct pg_batch *,
	    const struct db_users_password *);
/*
 * ChangePassword: the new password replaces old_hash, and only that
 * one: one row when it did.
 */
void	db_users_change_password(struct pg_batch *,
	    const struct db_users_password *);

/* A page of ListUsers (strings; NULL: none). */
struct db_users_page {
	const char	*pool_id;
	const char	*filter_sql;	/* core/filter.h's condition on $2 */
	const char	*filter_value;	/* its parameter */
	const char	*column;	/* the filter's sort column */
	const char	*after;		/* the token's sort column value */
	const char	*after_key;	/* the token's username_key */
	const char	*limit;		/* rows, text */
};

/*
 * The users of the pool that match the filter, after the token's
 * position in the order (sort column, username_key), at most limit:
 * rows of DB_USERS_COLUMNS, then the sort column (DB_USERS_LIST_SORT)
 * when there is one.
 */
#define DB_USERS_LIST_SORT	DB_USERS_NCOLUMNS
void	db_users_list(struct pg_batch *, const struct db_users_page *);

#endif
