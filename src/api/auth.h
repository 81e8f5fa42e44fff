/*
 * auth.h: what the sign-in files share (auth_ops.c: the operations,
 * password, new-password and refresh steps; auth_srp.c: the SRP rounds).
 * Private to src/api.
 */
#ifndef AUTH_H
#define AUTH_H

#include <jansson.h>

#include "core/lockout.h"
#include "core/signin.h"
#include "core/users.h"
#include "crypto/password.h"

struct api_call;
struct auth_srp;
struct auth_device;
struct pg_batch;

#define AUTH_BAD_PASSWORD	"Incorrect username or password."
#define AUTH_BAD_SESSION	"Invalid session for the user, session is expired."

enum auth_kind {
	AUTH_PASSWORD,		/* USER_PASSWORD_AUTH, ADMIN_*_AUTH */
	AUTH_REFRESH,		/* REFRESH_TOKEN(_AUTH) */
	AUTH_NEW_PASSWORD,	/* RespondToAuthChallenge NEW_PASSWORD_REQUIRED */
	AUTH_GET_TOKENS,	/* GetTokensFromRefreshToken */
	AUTH_REVOKE,		/* RevokeToken */
	AUTH_SRP,		/* USER_SRP_AUTH */
	AUTH_VERIFIER,		/* RespondToAuthChallenge PASSWORD_VERIFIER */
	AUTH_MFA,		/* RespondToAuthChallenge, an MFA challenge */
	AUTH_DEVICE,		/* DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER */
};

struct auth {
	enum auth_kind		 kind;
	int			 admin;
	struct signin_client	 client;
	int			 have_client;
	struct users_rules	 rules;		/* of the client's pool */
	json_t			*params;	/* AuthParameters or responses */
	char			*username;	/* as given */
	char			*password;	/* wiped */
	char			*hash_copy;	/* the stored hash, for the thread */
	char			*new_hash;	/* a stronger or new hash */
	struct password_set	 pset;		/* new hash and SRP verifier */
	int			 matched;	/* thread: password_check */
	struct user		 user;
	int			 have_user;
	char			*session;	/* a new challenge Session */
	char			*digest;	/* of the session or refresh token */
	char			*origin;	/* refresh: the family */
	long long		 auth_time;
	int			 rotate;
	json_t			*attrs;		/* new-password attributes */
	struct auth_srp		*srp;		/* USER_SRP_AUTH state */
	struct auth_device	*device;	/* device SRP state */
	char			*device_key;	/* proven by device SRP */
	char			*scope;		/* OAuth scopes of a refresh */
	int			 hosted;	/* the hosted UI signs in */
	const char		*mfa_challenge;	/* being asked */
	struct lockout_charge	 charge;	/* this attempt's */
	PGresult		*mfa_row;	/* the MFA session, charged */
	void			(*charged_go)(struct api_call *);
};

/* Seconds since the epoch with their fraction. */
double		 auth_now(void);
const char	*auth_param(struct auth *, const char *);
/* SECRET_HASH of the parameters for username; -1 after answering. */
int		 auth_secret_hash(struct api_call *, struct auth *,
		    const char *);
/* Load the user named by USERNAME (or an alias), then call done. */
void		 auth_find_user(struct api_call *, struct auth *,
		    const char *, void (*)(struct api_call *,
		    struct pg_reply *));
/*
 * Charge this attempt to the lockout (the user, or under
 * PreventUserExistenceErrors a missing user's name), then call go; a
 * locked user is answered "Password attempts exceeded".
 */
void		 auth_charge(struct api_call *, struct auth *,
		    void (*)(struct api_call *));
/* The lockout batch of a right first factor: cleared, or refunded. */
void		 auth_charge_settle(struct pg_batch *, struct auth *);
/*
 * After the first factor: the answer for a->have_user / a->matched, the
 * user's state, the lockout counters, then a challenge or tokens.
 */
void		 auth_check_done(struct api_call *);
/* 1 after answering "Password attempts exceeded" for a locked user. */
int		 auth_locked(struct api_call *, struct auth *);
/* PreventUserExistenceErrors or LEGACY answer for an unknown user. */
void		 auth_fail_unknown(struct api_call *, struct auth *);

/* Tokens for the signed-in user (a new refresh token when asked). */
void		 auth_issue(struct api_call *, int, const char *, long long);
/* USERNAME of a challenge response names a->user (or an alias of it). */
int		 auth_same_user(struct auth *, const char *);
/* Add a new single-use challenge session to a batch (a->session). */
void		 auth_session_add(struct pg_batch *, struct auth *,
		    const char *, json_t *);
/* {ChallengeName, Session: a->session, ChallengeParameters} (stolen). */
void		 auth_challenge_answer(struct api_call *, struct auth *,
		    const char *, json_t *);

/* auth_mfa.c */
/* After the first factor: an MFA challenge, or tokens. */
void		 auth_mfa_or_tokens(struct api_call *, struct auth *);
/* The user must pass MFA (or set it up) before tokens. */
int		 auth_mfa_due(struct auth *);
int		 auth_mfa_challenge_known(const char *);
void		 auth_mfa_respond(struct api_call *, struct auth *);

/* auth_device.c */
/* After the password: device SRP for a known DEVICE_KEY, else MFA. */
void		 auth_device_or_mfa(struct api_call *, struct auth *);
void		 auth_device_respond(struct api_call *, struct auth *);
void		 auth_device_free(struct auth_device *);
/* "Device does not exist.", which clients answer by retrying without. */
void		 auth_device_missing(struct api_call *);

/* auth_srp.c */
void		 auth_srp_start(struct api_call *, struct auth *);
void		 auth_verifier_start(struct api_call *, struct auth *);
void		 auth_srp_free(struct auth_srp *);
/* TIMESTAMP of an SRP answer within the allowed skew; -1 answered. */
int		 auth_srp_timestamp(struct api_call *, struct auth *);

#endif
