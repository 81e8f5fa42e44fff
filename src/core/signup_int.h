/*
 * signup_int.h: what signup.c and recovery.c share: the state of one
 * operation and the steps every operation runs (the app client, then
 * the user by name). Private to src/core/signup.c and recovery.c.
 */
#ifndef SIGNUP_INT_H
#define SIGNUP_INT_H

#include <jansson.h>

#include "core/codes.h"
#include "core/signup.h"
#include "core/task.h"
#include "core/users.h"
#include "crypto/password.h"

struct pg_reply;

#define SIGNUP_NOT_FOUND	"Username/client id combination not found."
#define SIGNUP_MSG_MISMATCH	"Invalid verification code provided, " \
				"please try again."
#define SIGNUP_MSG_LIMIT	"Attempt limit exceeded, please try " \
				"after some time."

struct signup {
	const struct signup_req	*req;
	task_fn			 next;		/* the client is known */
	task_fn			 found;		/* the user is looked up */
	char			*pool_id;
	json_t			*pool_config;
	json_t			*client_config;
	int			 hide;		/* no existence errors */
	struct users_rules	 rules;
	char			*key;		/* normalised username */
	struct user		 user;
	int			 have_user;
	int			 code_dead;	/* the user's, of purpose */
	int			 name_dead;	/* a missing name's */
	const char		*purpose;	/* of a missing name's code */
	char			 modified[32];	/* user.modified_at */
	char			 sub[37];	/* sign-up: the new user's */
	char			*password;	/* wiped */
	struct password_set	 pset;
	int			 hashed;	/* 0, or -1: hashing failed */
	char			 digest[CODES_DIGEST_HEX];
	json_t			*attrs;		/* the new attributes */
	struct signup_outcome	 out;
};

/*
 * Load the client of req (SecretHash on the API door), then next();
 * t's data is the new state.
 */
void	signup_begin(struct task *, const struct signup_req *, task_fn);
/*
 * Look the user up by req->username (s->have_user), with whether its
 * code of purpose (NULL: none) is dead, then found().
 */
void	signup_find(struct task *, const char *, task_fn);
/* A string attribute of an attributes object, or NULL. */
const char *signup_attr(json_t *, const char *);
/* Send the user's code of purpose to attr, then end with its delivery. */
void	signup_send_code(struct task *, const char *, const char *,
	    const char *);
/* Hash s->password on a worker, then done() (s->hashed says). */
void	signup_hash(struct task *, task_fn);
/* 0 when password satisfies the pool's policy, else ended. */
int	signup_policy(struct task *, const char *);
/* A user of purpose that does not exist: see recovery.c. */
void	signup_not_found(struct task *, const char *, int);
/* A failed batch of a user write: a unique violation names its kind. */
void	signup_fail_db(struct task *, struct pg_reply *, enum core_err_kind);
/* Where sign-up codes go: "email", "phone_number" or NULL. */
const char *signup_code_attr(const struct users_rules *, json_t *);

/* --- The pool's triggers (signup_triggers.c) ---------------------------- */

/*
 * The PreSignUp trigger on the new user's s->attrs (sub drawn): its
 * autoVerify* mark attributes verified, autoConfirmUser sets
 * s->out.confirmed; then next(). Without the trigger next() at once.
 */
void	signup_pre_sign_up(struct task *, task_fn);
/*
 * End t after a confirmation of source ("PostConfirmation_
 * ConfirmSignUp") of the user named, with its attributes: the
 * PostConfirmation trigger first when the pool has it. Its failure
 * ends t with the trigger's error; the user stays confirmed.
 */
void	signup_post_confirmation(struct task *, const char *, const char *,
	    const char *, json_t *);

#endif
