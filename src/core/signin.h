/*
 * signin.h: signing a user in, written once for the JSON API, the
 * hosted pages and OAuth. A door (an adapter) fills a struct
 * signin_req from its wire, starts the sign-in on a task it owns, and
 * when the task ends reads one struct signin_outcome: tokens to issue
 * (a tokens_grant), a challenge to put to the user (name, Session,
 * parameters), or, for the hosted door, a signed-in user for its
 * session. Failures end the task with a core_err (core/err.h).
 *
 * The hub (signin.c) drives a const table of steps: client, user and
 * first factor (signin_password.c, signin_srp.c), status (new password,
 * reset required), device (signin_device.c), MFA (signin_mfa.c),
 * outcome, with named empty slots where triggers and federation plug
 * in. Also here: the app client decoded from db_clients_signin,
 * SECRET_HASH, and PreventUserExistenceErrors.
 */
#ifndef SIGNIN_H
#define SIGNIN_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "core/mfa.h"
#include "core/tokens.h"
#include "util.h"

struct task;

/* The door a sign-in comes through. */
enum signin_door {
	SIGNIN_DOOR_API,	/* InitiateAuth, RespondToAuthChallenge */
	SIGNIN_DOOR_ADMIN,	/* the Admin* forms: UserPoolId given */
	SIGNIN_DOOR_HOSTED,	/* the hosted UI: no API flows or SECRET_HASH */
};

/* What a door asks; every pointer is borrowed for the task's life. */
struct signin_req {
	enum signin_door	 door;
	const char		*pool_id;	/* admin: owns the client */
	const char		*client_id;
	const char		*flow;		/* AuthFlow, to initiate */
	const char		*challenge;	/* ChallengeName, to respond */
	const char		*session;	/* Session of the challenge */
	json_t			*params;	/* AuthParameters, responses */
	/* GetTokensFromRefreshToken, refresh_token grant: flow NULL */
	const char		*refresh_token;
	const char		*client_secret;
	const char		*address;	/* the client's: message caps */
	/*
	 * The refresh_token grant: the pool domain asked; a client of
	 * another pool is unknown there (NULL: any pool's client).
	 */
	const char		*domain;
};

enum signin_result {
	SIGNIN_TOKENS,		/* issue outcome.grant */
	SIGNIN_CHALLENGE,	/* put outcome.challenge to the user */
	SIGNIN_SIGNED_IN,	/* the hosted door: the user is signed in */
};

struct signin_outcome {
	enum signin_result	 kind;
	struct tokens_grant	 grant;		/* TOKENS */
	int			 refreshed;	/* TOKENS of a refresh token */
	const char		*challenge;	/* CHALLENGE: its name */
	const char		*session;	/* CHALLENGE: next Session */
	json_t			*params;	/* CHALLENGE: name -> string */
	const char		*sub;		/* SIGNED_IN */
	const char		*username;	/* SIGNED_IN */
	long long		 auth_time;	/* SIGNED_IN */
};

/*
 * Run a sign-in on t: t's data becomes the sign-in's state, and t ends
 * once, with success (read signin_outcome(t)) or a core_err.
 */
void	 signin_start(struct task *, const struct signin_req *);
/* The outcome of a task that ended with success; valid while t lives. */
const struct signin_outcome *signin_outcome(struct task *);

/* An app client and its pool, decoded from db_clients_signin's row. */
struct signin_client {
	char	*client_id;
	char	*pool_id;
	json_t	*config;	/* clients.config */
	json_t	*pool_config;	/* pools.config */
	json_t	*pool_mfa;	/* DB_MFA_POOL_SQL: the pool's MFA settings */
	char	*secret;	/* opened client secret, wiped; NULL if none */
};

/*
 * Decode the row (columns from col) for client id; -1 when the sealed
 * secret cannot be opened.
 */
int	 signin_client_from_row(struct signin_client *, const char *,
	    const PGresult *, int, int) MUST_CHECK;
void	 signin_client_clear(struct signin_client *);

/*
 * Check a SecretHash (or SECRET_HASH) for username: required when the
 * client has a secret, refused when it has none. 0, or -1 with the
 * kind in *ekind and message in *emsg (malloc'd).
 */
int	 signin_check_secret_hash(const struct signin_client *, const char *,
	    const char *, enum core_err_kind *, char **) MUST_CHECK;

/* A ClientSecret matches the client's (or the client has none). */
int	 signin_client_secret_ok(const struct signin_client *, const char *);

/* PreventUserExistenceErrors is ENABLED for the client. */
int	 signin_hide_existence(const struct signin_client *);

#endif
