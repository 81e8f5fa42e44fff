/*
 * triggers.c: the pools' Lambda triggers as signed webhooks (see
 * triggers.h).
 *
 * A call is three steps on the caller's task, each holding the task
 * (task_hold) so that an owner gone meanwhile only frees the call: the
 * pool's sealed signing secret read from PostgreSQL; the POST on a
 * fetch thread, where a connection error is tried once more; the
 * answer judged on the loop against the trigger's contract. The URL is
 * resolved again at each call, so an ARN unmapped since the pool was
 * configured fails the call rather than reaching a stale URL.
 *
 * The breaker counts as failures only answers that never came and 5xx
 * answers without Lambda's error JSON: an endpoint that refuses a
 * sign-up on purpose, or answers garbage, is up.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>

#include "conf.h"
#include "core/task.h"
#include "crypto/b64.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "db/pg.h"
#include "db/pools.h"
#include "fed/fetch.h"
#include "hooks/breaker.h"
#include "hooks/triggers.h"
#include "log.h"
#include "util.h"

#define TRIGGERS_SECRET_BYTES	32
#define TRIGGERS_SDK		"aws-sdk-unknown-unknown"
#define TRIGGERS_BAD_OUTPUT	"Unrecognizable lambda output"

/* The LambdaConfig members that name a trigger, and where its value is. */
static const struct {
	const char	*name;
	int		 nested;	/* {LambdaVersion, LambdaArn} */
} triggers_members[] = {
	{ "PreSignUp", 0 },
	{ "CustomMessage", 0 },
	{ "PostConfirmation", 0 },
	{ "PreAuthentication", 0 },
	{ "PostAuthentication", 0 },
	{ "DefineAuthChallenge", 0 },
	{ "CreateAuthChallenge", 0 },
	{ "VerifyAuthChallengeResponse", 0 },
	{ "PreTokenGeneration", 0 },
	{ "UserMigration", 0 },
	{ "PreTokenGenerationConfig", 1 },
	{ "CustomSMSSender", 1 },
	{ "CustomEmailSender", 1 },
	{ "InboundFederation", 1 },
};

/* What a trigger's response may hold: a member and its JSON type. */
struct triggers_field {
	const char	*name;
	json_type	 type;
};

static const struct triggers_field triggers_pre_sign_up[] = {
	{ "autoConfirmUser", JSON_TRUE },
	{ "autoVerifyEmail", JSON_TRUE },
	{ "autoVerifyPhone", JSON_TRUE },
	{ NULL, JSON_NULL }
};

static const struct {
	const char			*trigger;
	const struct triggers_field	*fields;
} triggers_contracts[] = {
	{ "PreSignUp", triggers_pre_sign_up },
};

/* --- Configuration ------------------------------------------------------ */

char *
triggers_url(const char *member, const char *value, char **msg)
{
	const char	*url;

	if (strncmp(value, "arn:", 4) == 0) {
		if ((url = conf_trigger_url(conf, value)) != NULL)
			return xstrdup(url);
		*msg = xasprintf("LambdaConfig.%s: the Lambda ARN %s is not "
		    "mapped to a webhook URL; add \"%s = https://...\" to "
		    "the [triggers] section of the configuration file, or "
		    "give the URL itself.", member, value, value);
		return NULL;
	}
	if (strpbrk(value, " \t\r\n") != NULL ||
	    fetch_url_allowed(value) != 0) {
		*msg = xasprintf("LambdaConfig.%s: %s is neither a Lambda ARN "
		    "nor an https:// URL (http:// is allowed only to a "
		    "loopback address).", member, value);
		return NULL;
	}
	return xstrdup(value);
}

/* The value configured for member, or NULL. */
static const char *
triggers_value(json_t *lambda, const char *member, int nested)
{
	json_t	*v = json_object_get(lambda, member);

	if (nested)
		v = json_object_get(v, "LambdaArn");
	return json_string_value(v);
}

int
triggers_check_config(json_t *lambda, char **msg)
{
	const char	*v;
	char		*url;
	size_t		 i;

	for (i = 0; i < nitems(triggers_members); i++) {
		v = triggers_value(lambda, triggers_members[i].name,
		    triggers_members[i].nested);
		if (v == NULL)
			continue;
		if ((url = triggers_url(triggers_members[i].name, v,
		    msg)) == NULL)
			return -1;
		free(url);
	}
	return 0;
}

int
triggers_has(json_t *pool_config, const char *trigger)
{
	return json_string_value(json_object_get(json_object_get(
	    pool_config, "LambdaConfig"), trigger)) != NULL;
}

/* --- Signing ------------------------------------------------------------ */

char *
triggers_secret_new(char **sealed)
{
	unsigned char	 raw[TRIGGERS_SECRET_BYTES];
	char		*hex = xmalloc(2 * sizeof raw + 1);

	random_bytes(raw, sizeof raw);
	hex_encode(raw, sizeof raw, hex);
	explicit_bzero(raw, sizeof raw);
	*sealed = keys_seal(hex, strlen(hex));
	return hex;
}

char *
triggers_sign(const char *secret, const char *ts, const char *body)
{
	unsigned char	 mac[32];
	char		*msg = xasprintf("%s.%s", ts, body);
	char		*hex = xmalloc(2 * sizeof mac + 1);

	if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (const unsigned char *)secret, strlen(secret),
	    (const unsigned char *)msg, strlen(msg), mac) != 0)
		fatalx("triggers_sign: HMAC failed");
	hex_encode(mac, sizeof mac, hex);
	free(msg);
	return hex;
}

/* --- A call --------------------------------------------------------------- */

struct triggers_job {
	struct task		*task;
	char			*trigger;
	char			*url;
	char			*body;		/* the event, compact */
	triggers_done_fn	 done;
};

static void
triggers_job_free(struct triggers_job *j)
{
	free(j->trigger);
	free(j->url);
	free(j->body);
	free(j);
}

/* Fail the call (its task still waiting) and free it. */
static void
triggers_fail(struct triggers_job *j, enum core_err_kind kind,
    const char *why)
{
	log_info("%s: trigger %s failed (%s)", j->task->id, j->trigger,
	    core_err_name(kind));
	if (kind == CORE_ERR_LAMBDA_RESPONSE)
		task_fail(j->task, kind, TRIGGERS_BAD_OUTPUT);
	else if (kind == CORE_ERR_LAMBDA_VALIDATION)
		task_fail(j->task, kind, "%s failed with error %s.",
		    j->trigger, why);
	else
		task_fail(j->task, kind, "%s invocation failed due to error "
		    "%s.", j->trigger, why);
	triggers_job_free(j);
}

/* The event Cognito sends, as text. */
static char *
triggers_event(const struct triggers_call *c)
{
	json_t	*ev;
	char	*s;

	ev = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:{s:s, s:s}, s:O, s:O}",
	    "version", "1", "triggerSource", c->source, "region",
	    conf->region, "userPoolId", c->pool_id, "userName", c->username,
	    "callerContext", "awsSdkVersion", TRIGGERS_SDK, "clientId",
	    c->client_id != NULL ? c->client_id : TRIGGERS_NO_CLIENT,
	    "request", c->request, "response", c->response);
	if (ev == NULL)
		fatalx("triggers_event");
	if (json_object_get(ev, "response") == NULL ||
	    json_is_null(json_object_get(ev, "response")))
		json_object_set_new(ev, "response", json_object());
	if ((s = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		fatalx("triggers_event: json_dumps");
	json_decref(ev);
	return s;
}

/* The contract of a trigger's response: 0 when it holds. */
static int
triggers_contract(const char *trigger, json_t *resp)
{
	const struct triggers_field	*f;
	json_t				*v;
	size_t				 i;

	if (!json_is_object(resp))
		return -1;
	for (i = 0; i < nitems(triggers_contracts); i++) {
		if (strcmp(triggers_contracts[i].trigger, trigger) != 0)
			continue;
		for (f = triggers_contracts[i].fields; f->name != NULL; f++) {
			v = json_object_get(resp, f->name);
			if (v == NULL || json_is_null(v))
				continue;
			if (f->type == JSON_TRUE ? !json_is_boolean(v) :
			    json_typeof(v) != f->type)
				return -1;
		}
	}
	return 0;
}

/* A 2xx answer: the event back, its response within the contract. */
static void
triggers_answered(struct triggers_job *j, struct fetch *f)
{
	json_t	*ev, *resp;

	ev = f->body != NULL ? json_loadb(f->body, f->len, 0, NULL) : NULL;
	resp = json_object_get(ev, "response");
	if (!json_is_object(ev) || !json_is_object(resp) ||
	    triggers_contract(j->trigger, resp) != 0) {
		log_warn("%s: trigger %s: %s answered %ld with no valid event",
		    j->task->id, j->trigger, j->url, f->status);
		json_decref(ev);
		triggers_fail(j, CORE_ERR_LAMBDA_RESPONSE, NULL);
		return;
	}
	j->done(j->task, resp);
	json_decref(ev);
	triggers_job_free(j);
}

/* A non-2xx answer: Lambda's error JSON is a refusal on purpose. */
static void
triggers_refused(struct triggers_job *j, struct fetch *f)
{
	json_t		*err;
	const char	*msg;
	char		 why[32];

	err = f->body != NULL ? json_loadb(f->body, f->len, 0, NULL) : NULL;
	msg = json_string_value(json_object_get(err, "errorMessage"));
	if (msg != NULL) {
		breaker_record(j->url, 1);
		triggers_fail(j, CORE_ERR_LAMBDA_VALIDATION, msg);
		json_decref(err);
		return;
	}
	json_decref(err);
	breaker_record(j->url, f->status < 500);
	log_warn("%s: trigger %s: %s answered %ld", j->task->id, j->trigger,
	    j->url, f->status);
	snprintf(why, sizeof why, "HTTP %ld", f->status);
	triggers_fail(j, CORE_ERR_LAMBDA_UNEXPECTED, why);
}

static void
triggers_fetched(struct task *t, struct fetch *f, void *arg)
{
	struct triggers_job	*j = arg;

	if (f->busy) {
		/* Our queue, not the endpoint: no failure of its circuit. */
		breaker_cancel(j->url);
		if (t != NULL)
			task_fail(t, CORE_ERR_BUSY, "Too many requests; try "
			    "again later.");
		triggers_job_free(j);
		return;
	}
	if (t == NULL) {
		breaker_record(j->url, f->error == NULL);
		triggers_job_free(j);
		return;
	}
	if (f->error != NULL) {
		breaker_record(j->url, 0);
		log_warn("%s: trigger %s: %s: %s", t->id, j->trigger, j->url,
		    f->error);
		triggers_fail(j, CORE_ERR_LAMBDA_UNEXPECTED, f->timed_out ?
		    "TimeoutError" : "ConnectionError");
	} else if (f->status >= 200 && f->status < 300) {
		breaker_record(j->url, 1);
		triggers_answered(j, f);
	} else
		triggers_refused(j, f);
}

/* The POST, signed with the pool's secret (plain text, wiped after). */
static void
triggers_post(struct triggers_job *j, char *secret)
{
	struct fetch	*f;
	char		 ts[24], *sig;

	if (!breaker_allow(j->url)) {
		triggers_fail(j, CORE_ERR_LAMBDA_UNEXPECTED, "CircuitOpen");
		return;
	}
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	sig = triggers_sign(secret, ts, j->body);
	f = fetch_new(j->url);
	f->form = xstrdup(j->body);
	f->retries = 1;
	f->headers = xasprintf("Content-Type: application/json\n"
	    "X-Userpoold-Trigger: %s\nX-Userpoold-Timestamp: %s\n"
	    "X-Userpoold-Signature: %s\n", j->trigger, ts, sig);
	free(sig);
	fetch_start(j->task, f, triggers_fetched, j);
}

static void
triggers_secret_read(struct pg_reply *reply, void *arg)
{
	struct triggers_job	*j = arg;
	const char		*sealed;
	unsigned char		*plain;
	char			*secret;
	size_t			 len;

	if (task_release(j->task) != 0) {
		triggers_job_free(j);
		return;
	}
	if (!reply->ok) {
		task_fail_db(j->task, reply);
		triggers_job_free(j);
		return;
	}
	sealed = pg_rows(reply->res[0]) > 0 ? pg_val(reply->res[0], 0, 0) :
	    NULL;
	if (sealed == NULL || keys_open(sealed, &plain, &len) != 0) {
		log_warn("%s: pool has no trigger signing secret: "
		    "RotateTriggerSigningSecret makes one", j->task->id);
		triggers_fail(j, CORE_ERR_LAMBDA_UNEXPECTED, "NoSigningSecret");
		return;
	}
	secret = xstrndup((char *)plain, len);
	explicit_bzero(plain, len);
	free(plain);
	triggers_post(j, secret);
	wipe_free(secret);
}

void
triggers_call(struct task *t, const struct triggers_call *c,
    triggers_done_fn done)
{
	struct triggers_job	*j;
	struct pg_batch		*b;
	const char		*v;
	char			*url, *msg = NULL;

	v = json_string_value(json_object_get(json_object_get(c->pool_config,
	    "LambdaConfig"), c->trigger));
	if (v == NULL || (url = triggers_url(c->trigger, v, &msg)) == NULL) {
		log_warn("%s: trigger %s: %s", t->id, c->trigger,
		    msg != NULL ? msg : "not configured");
		free(msg);
		task_fail(t, CORE_ERR_LAMBDA_UNEXPECTED, "%s invocation failed "
		    "due to error ResourceNotFoundException.", c->trigger);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->task = t;
	j->trigger = xstrdup(c->trigger);
	j->url = url;
	j->body = triggers_event(c);
	j->done = done;
	b = pg_batch_new();
	db_pools_trigger_secret(b, c->pool_id);
	task_hold(t);
	pg_submit(b, triggers_secret_read, j);
}
