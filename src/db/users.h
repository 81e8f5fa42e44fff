/*
 * users.h: the users table family: its column list (DB_USERS_COLUMNS,
 * over "users u"), the condition that finds a user by name or alias
 * (DB_USERS_MATCH), the decoding of a row into core/users.h's struct
 * user (db_users_from_row), and the statements that signing in runs
 * (core/signin*.c), the new user of SignUp (core/signup.c) and what
 * core/grants.c and core/tokens.c read of a user, added to a caller's
 * batch. Other table families' statements that answer a user select
 * DB_USERS_COLUMNS first. Functions are prefixed db_users_.
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
};

/*
 * Insert an UNCONFIRMED user; no row when another user of the pool has
 * its unique_email or unique_phone (username attributes) already. A
 * federated user's e-mail or phone number is not its username, and
 * does not count (as on Cognito, where a native account and a
 * federated one may share an address until they are linked).
 */
void	db_users_sign_up(struct pg_batch *, const struct db_users_new *);

#endif
