/*
 * users.h: what a user is in a pool, independent of the wire: the rules
 * a pool's configuration sets (username attributes, aliases, case
 * sensitivity, schema), attribute validation, normalised keys and alias
 * columns, which contact a verification or reset code goes to, and the
 * JSON shapes Cognito returns for a user.
 *
 * A user row (table users, sql/002_users.sql) keeps every attribute but
 * sub in users.attributes as name -> string; sub is its own column.
 * username_key and the alias_* columns hold normalised values (see
 * users_key); the schema's unique indexes on them are the uniqueness
 * rules, so a race between two sign-ups ends in one unique violation.
 * The statements on that table, its column list and the decoding of its
 * rows into struct user are db/users.h's; this header holds no SQL.
 */
#ifndef USERS_H
#define USERS_H

#include <jansson.h>

#include "core/err.h"
#include "util.h"

/* Where a user may be changed from, for attribute rules. */
enum users_mode {
	USERS_CREATE_ADMIN,	/* AdminCreateUser */
	USERS_CREATE_SELF,	/* SignUp: required attributes enforced */
	USERS_UPDATE_ADMIN,	/* AdminUpdateUserAttributes */
	USERS_UPDATE_SELF,	/* UpdateUserAttributes: client WriteAttributes */
};

/* The rules of one pool, read from pools.config. */
struct users_rules {
	json_t	*config;		/* borrowed pools.config */
	int	 case_sensitive;	/* UsernameConfiguration.CaseSensitive */
	int	 username_email;	/* UsernameAttributes has email */
	int	 username_phone;	/* ... phone_number */
	int	 alias_email;		/* AliasAttributes has email */
	int	 alias_phone;
	int	 alias_preferred;
	int	 auto_verify_email;	/* AutoVerifiedAttributes */
	int	 auto_verify_phone;
};

/*
 * A user row, decoded (db_users_from_row, db/users.h). Strings are
 * malloc'd; users_clear frees them.
 */
struct user {
	char	*sub;
	char	*username;
	char	*username_key;
	char	*status;
	int	 enabled;
	json_t	*attributes;		/* name -> string, without sub */
	char	*password_hash;		/* NULL when none */
	double	 temp_password_at;	/* 0 when none */
	int	 failed_logins;
	double	 locked_until;
	double	 tokens_valid_after;
	double	 created_at;
	double	 modified_at;
	double	 last_failed_at;
	char	*srp_salt;		/* hex; NULL until a password is set */
	char	*srp_verifier;		/* hex */
	json_t	*mfa;			/* {"sms","email","totp","preferred"} */
	int	 has_totp;		/* a verified TOTP secret exists */
	int	 checks_pending;	/* lockout: checks in flight */
};

void	 users_rules_init(struct users_rules *, json_t *);

/*
 * The normalised form of a username or alias value: lower-cased unless
 * the pool is case sensitive (phone numbers and emails are always
 * compared lower-cased). malloc'd.
 */
char	*users_key(const struct users_rules *, const char *);

/*
 * Check a Username given to SignUp or AdminCreateUser against the
 * pool's rules. With UsernameAttributes the username must be an email
 * or phone number of an allowed kind (it is then copied into the
 * attributes and the stored username is the sub). 0, or -1 with
 * *ekind and *emsg (malloc'd) set (kinds: core/err.h).
 */
int	 users_check_username(const struct users_rules *, const char *,
	    enum core_err_kind *, char **) MUST_CHECK;
/*
 * With UsernameAttributes, the attribute a Username given to SignUp or
 * AdminCreateUser fills ("email" or "phone_number"); NULL when the pool
 * has none or the name is neither.
 */
const char *users_username_attribute(const struct users_rules *,
	    const char *);
/* 1 when the text is an email address / an E.164 phone number. */
int	 users_is_email(const char *);
int	 users_is_phone(const char *);

/*
 * Apply a UserAttributes list [{Name, Value}] to the attributes object
 * attrs (modified in place), validating each name and value against the
 * pool schema (SchemaAttributes: known names, custom:*, data types,
 * length/value constraints, Mutable, DeveloperOnlyAttribute) for mode;
 * writable is the client's WriteAttributes array (USERS_UPDATE_SELF;
 * NULL for every mutable attribute). A changed email or phone_number
 * resets its *_verified attribute to "false" unless the list sets it.
 * 0, or -1 with *ekind (CORE_ERR_INVALID) and *emsg
 * (malloc'd, Cognito's text: "Attributes did not conform to the schema:
 * ..."). Required attributes are checked by users_check_required().
 */
int	 users_apply_attributes(const struct users_rules *, json_t *,
	    json_t *, enum users_mode, json_t *, enum core_err_kind *, char **)
	    MUST_CHECK;
/* Remove attribute names (DeleteUserAttributes); same error contract. */
int	 users_delete_attributes(const struct users_rules *, json_t *,
	    json_t *, enum users_mode, json_t *, enum core_err_kind *, char **)
	    MUST_CHECK;
/* Either of the two above, for a caller that does one or the other. */
typedef int	(*users_change_fn)(const struct users_rules *, json_t *,
		    json_t *, enum users_mode, json_t *,
		    enum core_err_kind *, char **);
/* 1 when the pool's schema has the attribute and it is mutable. */
int	 users_attr_mutable(const struct users_rules *, const char *);
/* -1 with the Cognito message when a required attribute is missing. */
int	 users_check_required(const struct users_rules *, json_t *,
	    enum core_err_kind *, char **) MUST_CHECK;

/*
 * The normalised alias column values of a user's attributes under the
 * pool's rules (malloc'd, or NULL when the alias may not sign in).
 */
struct users_aliases {
	char	*email;		/* alias_email */
	char	*phone;		/* alias_phone */
	char	*preferred;	/* alias_preferred */
};

void	 users_alias_columns(const struct users_rules *, json_t *,
	    struct users_aliases *);
void	 users_aliases_clear(struct users_aliases *);

/*
 * The attribute a unique violation of the users table (the constraint
 * named) says another user has: "email", "phone_number" or
 * "preferred_username"; NULL for the username.
 */
const char *users_unique_attribute(const char *);

/* 1 when the attribute is present and its <name>_verified is "true". */
int	 users_verified(json_t *, const char *);
/*
 * 1 when a change of the attributes was to now gets a code for contact
 * attribute attr ("email" or "phone_number"): the pool verifies it
 * automatically, its value is new, and the change does not mark it
 * verified.
 */
int	 users_verify_due(const struct users_rules *, json_t *, json_t *,
	    const char *);
/*
 * Where a password reset code goes: the attribute ("email" or
 * "phone_number") of the first verified contact in the pool's
 * AccountRecoverySetting in order of Priority, else (as Cognito without
 * the setting) a verified phone number before a verified e-mail address.
 * NULL, with *admin_only set when only an administrator may reset the
 * password, or for no verified contact.
 */
const char *users_recovery_attr(json_t *, json_t *, int *);

void	 users_clear(struct user *);
/* A deep copy of a user (to is overwritten). */
void	 users_copy(struct user *, const struct user *);

/*
 * [{Name, Value}] of the user's attributes, sub first; names limited to
 * the array readable (a client's ReadAttributes, or AttributesToGet)
 * when it is not NULL. New reference.
 */
json_t	*users_attribute_list(const struct user *, json_t *);
/*
 * The UserType of ListUsers/AdminCreateUser {Username, Attributes,
 * UserCreateDate, UserLastModifiedDate, Enabled, UserStatus} or, with
 * get set, the AdminGetUser answer (UserAttributes instead of
 * Attributes). New reference.
 */
json_t	*users_describe(const struct user *, json_t *, int);

#endif
