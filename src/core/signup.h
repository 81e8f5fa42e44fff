/*
 * signup.h: signing up and recovering an account, written once for the
 * JSON API and the hosted pages. A door fills a struct signup_req from
 * its wire and starts one operation on a task it owns: sign-up,
 * confirming it, a new confirmation code, a forgotten password, and the
 * new password with its code. When the task ends the door reads a
 * struct signup_outcome (UserConfirmed, UserSub, where a code went) or
 * the core_err (core/err.h) it ended with.
 *
 * The rules are the API's: the client's SecretHash (the API door only:
 * the hosted pages know no client secret, and a confidential client
 * proves itself at the token endpoint before it gets a token of the
 * user), the pool's policy and attributes, single-use codes whose
 * guesses end, the message caps (per recipient, pool and the client's
 * address), and, under PreventUserExistenceErrors, the same answers for
 * a missing user as for an existing one.
 *
 * signup.c holds the client, the user, SignUp and ConfirmSignUp;
 * signup_codes.c the codes; recovery.c ResendConfirmationCode,
 * ForgotPassword, ConfirmForgotPassword and what a missing user is
 * answered.
 */
#ifndef CORE_SIGNUP_H
#define CORE_SIGNUP_H

#include <jansson.h>

#include "core/err.h"
#include "db/user_codes.h"

struct pg_batch;
struct task;

/* The door an operation comes through. */
enum signup_door {
	SIGNUP_DOOR_API,	/* SecretHash checked */
	SIGNUP_DOOR_HOSTED,	/* the hosted pages: no SecretHash */
};

/* What a door asks; every pointer is borrowed for the task's life. */
struct signup_req {
	enum signup_door	 door;
	const char		*client_id;
	const char		*secret_hash;	/* the API's SecretHash */
	const char		*username;
	const char		*password;	/* sign-up, new password */
	json_t			*attributes;	/* sign-up: [{Name, Value}] */
	const char		*code;		/* the confirmation code */
	int			 force_alias;	/* ForceAliasCreation */
	const char		*address;	/* the client's: message caps */
	json_t			*validation;	/* ValidationData, or NULL */
	json_t			*metadata;	/* ClientMetadata, or NULL */
};

/* Where a code went: CodeDeliveryDetails. */
struct signup_delivery {
	char		*destination;	/* masked */
	const char	*medium;	/* "EMAIL" or "SMS" */
	const char	*attribute;	/* "email" or "phone_number" */
};

struct signup_outcome {
	int			 confirmed;	/* sign-up: UserConfirmed */
	const char		*sub;		/* sign-up: UserSub */
	int			 sent;		/* a code went: delivery */
	struct signup_delivery	 delivery;
};

/*
 * Each runs on t: t's data becomes the operation's state, and t ends
 * once, with success (read signup_outcome(t)) or a core_err.
 */
void	signup_sign_up(struct task *, const struct signup_req *);
void	signup_confirm(struct task *, const struct signup_req *);
void	signup_resend(struct task *, const struct signup_req *);
void	signup_forgot(struct task *, const struct signup_req *);
void	signup_reset(struct task *, const struct signup_req *);
/* The outcome of a task that ended with success; valid while t lives. */
const struct signup_outcome *signup_outcome(struct task *);

/* --- Codes, shared with the attribute operations of the API ---------- */

#define SIGNUP_TTL_SIGNUP	"86400"
#define SIGNUP_TTL_VERIFY	"86400"
#define SIGNUP_TTL_RESET	"3600"
#define SIGNUP_MSG_CHANGED	"The user was changed by another request; " \
				"try again."

/* A code to send. */
struct signup_code {
	const char	*pool_id;
	json_t		*pool_config;
	const char	*sub;
	const char	*username;
	const char	*purpose;	/* "signup", "reset", "verify:..." */
	const char	*attr;		/* "email" or "phone_number" */
	const char	*dest;		/* the attribute's value */
	const char	*ttl;
	const char	*address;	/* the client's, for the caps */
};

/*
 * Queue a new code in the batch: its row (digest only), the message
 * caps' charge and the message that carries it. A code for an
 * attribute is bound to the value it was sent to. Fills *d (clear it
 * with signup_delivery_clear); -1 for a medium that cannot be sent.
 */
int	signup_code_send(struct pg_batch *, const struct signup_code *,
	    struct signup_delivery *);
void	signup_delivery_clear(struct signup_delivery *);
/*
 * Queue the check of a code that, when right and live, writes the
 * user's attributes attrs (with their alias columns under rules): v
 * names the pool, user, purpose, digest, modified_at and confirm; its
 * attributes and alias columns are filled here.
 */
struct users_rules;
void	signup_code_verify(struct pg_batch *, const struct users_rules *,
	    json_t *, struct db_user_codes_verify *);
/* The error of a code's verdict that is not right. */
void	signup_code_err(enum db_user_codes_verdict, struct core_err *);

#endif
