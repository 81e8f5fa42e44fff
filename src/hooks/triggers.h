/*
 * triggers.h: Cognito's Lambda triggers as signed HTTP webhooks.
 *
 * A pool's LambdaConfig names, per trigger, an https:// URL (http://
 * only to a loopback address) or a Lambda ARN that the [triggers]
 * section of the configuration file maps to such a URL (conf.h), so
 * that a configuration copied from AWS works unchanged.
 *
 * A call POSTs Cognito's event JSON (version, triggerSource, region,
 * userPoolId, userName, callerContext {awsSdkVersion, clientId},
 * request, response) to the URL with three headers:
 *   X-Userpoold-Trigger    the trigger ("PreSignUp")
 *   X-Userpoold-Timestamp  the call's time, seconds since the epoch
 *   X-Userpoold-Signature  lower-case hex of HMAC-SHA256, keyed with the
 *                          pool's trigger signing secret (its text as
 *                          shown, UTF-8), of timestamp "." body
 * and reads the answer as a Lambda handler returns it: the event with
 * response filled in. The call runs on a fetch thread (fed/fetch.c),
 * 5 s at most, tried once more after a connection error, behind a
 * circuit breaker per URL (hooks/breaker.c).
 *
 * Failures end the caller's task with a core_err:
 *   CORE_ERR_LAMBDA_VALIDATION  a non-2xx answer with Lambda's error
 *       JSON {errorType, errorMessage}: "<Trigger> failed with error
 *       <errorMessage>." (the endpoint refused on purpose)
 *   CORE_ERR_LAMBDA_UNEXPECTED  no answer (down, 5 s passed, circuit
 *       open), or a non-2xx answer without that JSON
 *   CORE_ERR_LAMBDA_RESPONSE    a 2xx answer that is not the event JSON
 *       or whose response breaks the trigger's contract
 */
#ifndef HOOKS_TRIGGERS_H
#define HOOKS_TRIGGERS_H

#include <jansson.h>

#include "util.h"

struct task;

#define TRIGGERS_TIMEOUT_MS	5000
#define TRIGGERS_NO_CLIENT	"CLIENT_ID_NOT_APPLICABLE"

/*
 * The URL a LambdaConfig value stands for (malloc'd), or NULL with
 * *msg (malloc'd), a sentence for InvalidParameterException.
 */
char	*triggers_url(const char *, const char *, char **);
/* 0 when every trigger of a LambdaConfig has a URL, else -1 and *msg. */
int	 triggers_check_config(json_t *, char **) MUST_CHECK;
/* Whether the pool (its config) has trigger name ("PreSignUp"). */
int	 triggers_has(json_t *, const char *);

/*
 * A new signing secret (64 hex digits, malloc'd: shown once, then
 * wiped) and its sealed form for the database in *sealed.
 */
char	*triggers_secret_new(char **);
/* The signature header's value of body at timestamp ts (malloc'd). */
char	*triggers_sign(const char *, const char *, const char *);

/* One call (borrowed for the call's start only). */
struct triggers_call {
	const char	*trigger;	/* "PreSignUp" */
	const char	*source;	/* "PreSignUp_SignUp" */
	const char	*pool_id;
	json_t		*pool_config;
	const char	*username;
	const char	*client_id;	/* NULL: TRIGGERS_NO_CLIENT */
	json_t		*request;	/* the event's request */
	json_t		*response;	/* its default response (NULL: {}) */
};

/* The endpoint's response object (borrowed while the function runs). */
typedef void	(*triggers_done_fn)(struct task *, json_t *);

/*
 * Call the pool's trigger for t: done(t, response) once a valid answer
 * came, else t ends with the failure's core_err. The pool must have
 * the trigger (triggers_has).
 */
void	 triggers_call(struct task *, const struct triggers_call *,
	    triggers_done_fn);

#endif
