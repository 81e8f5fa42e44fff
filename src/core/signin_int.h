/*
 * signin_int.h: what the sign-in hub (signin.c) and its leaves share:
 * the state of one sign-in, the step table's names, and the helpers
 * every leaf uses (the user by name, the challenge session, SECRET_HASH,
 * the outcomes). Private to src/core/signin*.c.
 */
#ifndef SIGNIN_INT_H
#define SIGNIN_INT_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/lockout.h"
#include "core/signin.h"
#include "core/task.h"
#include "core/users.h"
#include "crypto/password.h"

struct signin_srp;
struct signin_device;
struct pg_batch;
struct pg_reply;

#define SIGNIN_BAD_PASSWORD	"Incorrect username or password."
#define SIGNIN_BAD_SESSION						\
	"Invalid session for the user, session is expired."

/* What a request does, once the flow or challenge is known. */
enum signin_kind {
	SIGNIN_PASSWORD,	/* USER_PASSWORD_AUTH, ADMIN_*_AUTH */
	SIGNIN_REFRESH,		/* REFRESH_TOKEN(_AUTH) */
	SIGNIN_NEW_PASSWORD,	/* respond NEW_PASSWORD_REQUIRED */
	SIGNIN_GET_TOKENS,	/* GetTokensFromRefreshToken */
	SIGNIN_SRP,		/* USER_SRP_AUTH */
	SIGNIN_VERIFIER,	/* respond PASSWORD_VERIFIER */
	SIGNIN_MFA,		/* respond to an MFA challenge */
	SIGNIN_DEVICE,		/* DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER */
	SIGNIN_CUSTOM,		/* CUSTOM_AUTH: a slot, not served yet */
	SIGNIN_FEDERATED,	/* an external IdP: a slot, not served yet */
};

/*
 * The steps of the table in signin.c, in order. A NULL step is a slot:
 * the hub passes over it. Triggers and federation fill slots later.
 */
enum signin_step {
	SIGNIN_STEP_CLIENT,		/* the app client, flow, kind */
	SIGNIN_STEP_PRE_AUTH,		/* trigger: pre authentication */
	SIGNIN_STEP_MIGRATE,		/* trigger: user migration */
	SIGNIN_STEP_FIRST,		/* first factor by kind */
	SIGNIN_STEP_VERIFY_CHALLENGE,	/* trigger: verify auth challenge */
	SIGNIN_STEP_DEFINE_CHALLENGE,	/* trigger: define auth challenge */
	SIGNIN_STEP_CREATE_CHALLENGE,	/* trigger: create auth challenge */
	SIGNIN_STEP_STATUS,		/* disabled, reset, new password */
	SIGNIN_STEP_DEVICE,		/* a remembered device */
	SIGNIN_STEP_MFA,		/* the second factor */
	SIGNIN_STEP_POST_AUTH,		/* trigger: post authentication */
	SIGNIN_STEP_PRE_TOKEN,		/* trigger: pre token generation */
	SIGNIN_STEP_OUTCOME,		/* tokens or signed in */
	SIGNIN_NSTEPS
};

struct signin {
	enum signin_kind	 kind;
	int			 admin;
	const struct signin_req	*req;
	enum signin_step	 step;		/* running now */
	struct signin_outcome	 out;
	struct signin_client	 client;
	int			 have_client;
	struct users_rules	 rules;		/* of the client's pool */
	json_t			*params;	/* AuthParameters, responses */
	char			*username;	/* as given */
	char			*password;	/* wiped */
	char			*hash_copy;	/* for the thread */
	struct password_set	 pset;		/* new hash and SRP verifier */
	int			 matched;	/* thread: password_check */
	struct user		 user;
	int			 have_user;
	char			*session;	/* a new challenge Session */
	char			*digest;	/* of a Session or token */
	char			*origin;	/* refresh: the family */
	long long		 auth_time;
	int			 with_refresh;	/* the outcome makes one */
	int			 skip_mfa;	/* a remembered device passed */
	json_t			*attrs;		/* new-password attributes */
	struct signin_srp	*srp;		/* USER_SRP_AUTH state */
	struct signin_device	*device;	/* device SRP state */
	char			*device_key;	/* proven by device SRP */
	char			*scope;		/* OAuth scopes of a refresh */
	int			 hosted;	/* the hosted UI signs in */
	const char		*mfa_challenge;	/* being asked */
	struct lockout_charge	 charge;	/* this attempt's */
	long			 waited_ms;	/* for checks in flight */
	enum core_err_kind	 end_kind;	/* after settling a charge */
	const char		*end_message;	/* static */
	PGresult		*mfa_row;	/* the MFA session, charged */
	task_fn			 charged_go;
	task_fn			 found;		/* signin_find_user's */
};

/* --- signin.c: the hub and what every leaf uses --- */

/* The step after the running one (slots skipped) runs. */
void		 signin_next(struct task *);
/* Step s runs (the hub jumps forward, e.g. past MFA). */
void		 signin_goto(struct task *, enum signin_step);
/* Seconds since the epoch with their fraction. */
double		 signin_now(void);
const char	*signin_param(struct signin *, const char *);
/* SECRET_HASH of the parameters for username; -1 after ending t. */
int		 signin_secret_hash(struct task *, struct signin *,
		    const char *);
/* A parameter is there; -1 after ending t with "Missing required...". */
int		 signin_require(struct task *, struct signin *, const char *);
/*
 * Load the user named name (or by an alias) into a->user (a->have_user
 * when there is one), then call done; a database failure ends t.
 */
void		 signin_find_user(struct task *, struct signin *,
		    const char *, task_fn);
/* USERNAME of a challenge response names a->user (or an alias of it). */
int		 signin_same_user(struct signin *, const char *);
/* Add a new single-use challenge session to a batch (a->session). */
void		 signin_session_add(struct pg_batch *, struct signin *,
		    const char *, json_t *);
/* End t with the challenge name, Session a->session, params (stolen). */
void		 signin_challenge_answer(struct task *, struct signin *,
		    const char *, json_t *);
/* End t with a challenge that needs no Session (PASSWORD_VERIFIER). */
void		 signin_challenge_plain(struct task *, struct signin *,
		    const char *, json_t *);
/* The session's digest of a->req->session; -1 after ending t. */
int		 signin_session_digest(struct task *, struct signin *);
/*
 * Load the session of a->digest for the client (db/auth_sessions.c;
 * with its device for device SRP), then call done.
 */
void		 signin_session_load(struct task *, struct signin *,
		    task_db_fn);
/*
 * The row of a session loaded for challenge, its user in a->user and
 * USERNAME and SECRET_HASH checked against it; NULL after ending t.
 */
const PGresult	*signin_session_user(struct task *, struct signin *,
		    struct pg_reply *, const char *);
/* A boolean column is true. */
int		 signin_true(const PGresult *, int, int);
/* A client setting as a number (AuthSessionValidity...). */
long long	 signin_config_int(json_t *, const char *, long long);

/* --- signin_password.c --- */
void		 signin_password_start(struct task *, struct signin *);
void		 signin_new_password_start(struct task *, struct signin *);
void		 signin_refresh_start(struct task *, struct signin *,
		    const char *);
/*
 * Charge this attempt to the lockout (the user, or under
 * PreventUserExistenceErrors a missing user's name), then call go; a
 * locked user ends t with "Password attempts exceeded".
 */
void		 signin_charge(struct task *, struct signin *, task_fn);
/* The lockout batch of a right first factor: cleared, or refunded. */
void		 signin_charge_settle(struct pg_batch *, struct signin *);
/* A wrong (charged) secret: its lock anchored, "Incorrect username...". */
void		 signin_answer_failure(struct task *, struct signin *);
/*
 * End t with kind and message (a static string), a charge that went
 * settled first as a failure: the secret was checked, but the attempt
 * ends without signing in.
 */
void		 signin_fail_charged(struct task *, struct signin *,
		    enum core_err_kind, const char *);
/*
 * After the first factor: the answer for a->have_user / a->matched,
 * then the status step.
 */
void		 signin_check_done(struct task *);
/* The status step: the user's state, counters, NEW_PASSWORD_REQUIRED. */
void		 signin_status_step(struct task *);
/* 1 after ending with "Password attempts exceeded" for a locked user. */
int		 signin_locked(struct task *, struct signin *);
/* PreventUserExistenceErrors or LEGACY answer for an unknown user. */
void		 signin_fail_unknown(struct task *, struct signin *);

/* --- signin_mfa.c --- */
/* The MFA step: a challenge, or the next step. */
void		 signin_mfa_step(struct task *);
/* The user must pass MFA (or set it up) before tokens. */
int		 signin_mfa_due(struct signin *);
void		 signin_mfa_respond(struct task *, struct signin *);

/* --- signin_device.c --- */
/* The device step: device SRP for a known DEVICE_KEY, else MFA. */
void		 signin_device_step(struct task *);
void		 signin_device_respond(struct task *, struct signin *);
void		 signin_device_free(struct signin_device *);
/* "Device does not exist.", which clients answer by retrying without. */
void		 signin_device_missing(struct task *);

/* --- signin_srp.c --- */
void		 signin_srp_start(struct task *, struct signin *);
void		 signin_verifier_start(struct task *, struct signin *);
void		 signin_srp_free(struct signin_srp *);
/* TIMESTAMP of an SRP answer within the allowed skew; -1 after ending. */
int		 signin_srp_timestamp(struct task *, struct signin *);

#endif
