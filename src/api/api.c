/*
 * api.c: the Cognito Identity Provider JSON API.
 *
 * A call goes: X-Amz-Target names the operation (looked up in the
 * family tables), the body is parsed as a JSON object, a signed
 * operation has its SigV4 signature checked against an admin access key
 * (looked up asynchronously, cached briefly), the input is validated
 * against the operation's shape, and the handler runs. Handlers answer
 * once with api_ok() or api_fail(); their asynchronous steps go through
 * api_query() and api_work(), which skip the continuation when the
 * request was answered meanwhile (deadline).
 *
 * api_op_run() runs the same operations for another adapter (the
 * console): the input comes as Cognito's data model rather than JSON
 * text, the adapter has checked its own sign-in, and the answer or the
 * exception goes to the adapter's sink instead of the wire.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include "api/api.h"
#include "api/shape.h"
#include "conf.h"
#include "core/task.h"
#include "crypto/sigv4.h"
#include "db/admin_keys.h"
#include "http/ratelimit.h"
#include "http/request.h"
#include "log.h"
#include "util.h"

#define API_TARGET_PREFIX	"AWSCognitoIdentityProviderService."
#define API_SIGV4_SKEW		(15 * 60)
#define API_MAX_HEADERS		64

static const struct api_op *const api_tables[] = {
	pool_ops, client_ops, domain_ops, rs_ops, tag_ops, ui_ops,
	group_ops, admin_user_ops, user_ops, auth_ops, mfa_ops, device_ops,
	link_ops,
	idp_ops,
};

const struct api_op *
api_find(const char *name)
{
	const struct api_op	*op;
	size_t			 i;

	for (i = 0; i < nitems(api_tables); i++)
		for (op = api_tables[i]; op->name != NULL; op++)
			if (strcmp(op->name, name) == 0)
				return op;
	return NULL;
}

static void
api_call_free(void *p)
{
	struct api_call	*call = p;

	if (call == NULL)
		return;
	if (call->data_free != NULL)
		call->data_free(call->data);
	task_clear(&call->task);
	json_decref(call->in);
	free(call->access_key);
	if (call->sink_arg != NULL && call->sink->arg_free != NULL)
		call->sink->arg_free(call->sink_arg);
	free(call);
}

void
api_set_data(struct api_call *call, void *data, void (*data_free)(void *))
{
	if (call->data_free != NULL)
		call->data_free(call->data);
	call->data = data;
	call->data_free = data_free;
}

static void	api_task_end(struct task *, const struct core_err *);

/* A new call of request r, its task guarded by r. */
static void
api_call_init(struct api_call *call, struct req *r)
{
	call->req = r;
	task_init(&call->task, r->id, "api", &req_task_guard, r,
	    api_task_end, call);
	req_set_ctx(r, call, api_call_free);
}

/* The single exit of a call. */
static void
api_answer(struct api_call *call, int status, json_t *body)
{
	if (call->req->answered) {
		json_decref(body);
		return;
	}
	req_reply_json(call->req, status, body);
}

/*
 * The single exit of a call for a sink: the call is detached from its
 * request and freed first, so that the sink may answer the request or
 * run the next operation on it.
 */
static void
api_sink_end(struct api_call *call, json_t *out, const char *type,
    const char *msg)
{
	struct req		*r = call->req;
	const struct api_sink	*sink = call->sink;
	void			*arg = call->sink_arg;

	if (r->answered) {
		json_decref(out);
		return;
	}
	call->sink_arg = NULL;
	req_set_ctx(r, NULL, NULL);
	api_call_free(call);
	if (type == NULL)
		sink->ok(r, arg, out);
	else
		sink->fail(r, arg, type, msg);
	json_decref(out);
}

void
api_ok(struct api_call *call, json_t *out)
{
	if (out == NULL)
		out = json_object();
	if (call->sink != NULL)
		api_sink_end(call, out, NULL, NULL);
	else
		api_answer(call, 200, out);
}

/*
 * AWS answers every sender fault with 400, throttling
 * (TooManyRequestsException) included: SDKs retry it by its name.
 */
static int
api_fail_status(const char *type)
{
	if (strcmp(type, "InternalErrorException") == 0 ||
	    strcmp(type, "InternalServerException") == 0)
		return 500;
	return 400;
}

static void
api_vfail(struct api_call *call, const char *type, const char *fmt,
    va_list ap)
{
	char	*msg = xvasprintf(fmt, ap);

	if (call->sink != NULL) {
		api_sink_end(call, NULL, type, msg);
		free(msg);
		return;
	}
	if (!call->req->answered)
		req_add_header(call->req, "x-amzn-ErrorType", type);
	api_answer(call, api_fail_status(type), json_pack("{s:s, s:s}",
	    "__type", type, "message", msg));
	free(msg);
}

void
api_fail(struct api_call *call, const char *type, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	api_vfail(call, type, fmt, ap);
	va_end(ap);
}

/*
 * The one table from core error kinds to Cognito's exception names;
 * the status follows from the name (api_fail_status).
 */
static const char *const api_exceptions[CORE_ERR_NKINDS] = {
	[CORE_ERR_INTERNAL] = "InternalErrorException",
	[CORE_ERR_BUSY] = "TooManyRequestsException",
	[CORE_ERR_INVALID] = "InvalidParameterException",
	[CORE_ERR_NOT_AUTHORIZED] = "NotAuthorizedException",
	[CORE_ERR_NO_RESOURCE] = "ResourceNotFoundException",
	[CORE_ERR_NO_USER] = "UserNotFoundException",
	[CORE_ERR_NOT_CONFIRMED] = "UserNotConfirmedException",
	[CORE_ERR_RESET_REQUIRED] = "PasswordResetRequiredException",
	[CORE_ERR_BAD_PASSWORD] = "InvalidPasswordException",
	[CORE_ERR_CODE_MISMATCH] = "CodeMismatchException",
	[CORE_ERR_CODE_EXPIRED] = "ExpiredCodeException",
	[CORE_ERR_ALIAS_EXISTS] = "AliasExistsException",
	[CORE_ERR_LIMIT] = "LimitExceededException",
	[CORE_ERR_UNSUPPORTED] = "UnsupportedOperationException",
	[CORE_ERR_TOKEN_REUSE] = "RefreshTokenReuseException",
	[CORE_ERR_CONFIG] = "InvalidUserPoolConfigurationException",
	[CORE_ERR_NO_CLIENT] = "ResourceNotFoundException",
	[CORE_ERR_BAD_REDIRECT] = "InvalidParameterException",
	[CORE_ERR_BAD_TYPE] = "InvalidParameterException",
	[CORE_ERR_BAD_SCOPE] = "ScopeDoesNotExistException",
	[CORE_ERR_BAD_GRANT] = "NotAuthorizedException",
	[CORE_ERR_BAD_TOKEN_TYPE] = "UnsupportedTokenTypeException",
	[CORE_ERR_NO_TOTP] = "SoftwareTokenMFANotFoundException",
	[CORE_ERR_TOTP_MISMATCH] = "EnableSoftwareTokenMFAException",
	[CORE_ERR_USER_EXISTS] = "UsernameExistsException",
	[CORE_ERR_CHANGED] = "ConcurrentModificationException",
	[CORE_ERR_LAMBDA_VALIDATION] = "UserLambdaValidationException",
	[CORE_ERR_LAMBDA_UNEXPECTED] = "UnexpectedLambdaException",
	[CORE_ERR_LAMBDA_RESPONSE] = "InvalidLambdaResponseException",
};

const char *
api_exception(enum core_err_kind kind)
{
	if ((unsigned)kind >= CORE_ERR_NKINDS || api_exceptions[kind] == NULL)
		return "InternalErrorException";
	return api_exceptions[kind];
}

void
api_fail_err(struct api_call *call, const struct core_err *err)
{
	api_fail(call, api_exception(err->kind), "%s", err->message);
}

void
api_fail_db(struct api_call *call, struct pg_reply *reply)
{
	task_fail_db(&call->task, reply);
}

/* The call's task ended: an error answers; success answers {}. */
static void
api_task_end(struct task *t, const struct core_err *err)
{
	struct api_call	*call = t->owner;

	if (err != NULL)
		api_fail_err(call, err);
	else
		api_ok(call, NULL);
}

static void
api_query_done(struct task *t, struct pg_reply *reply)
{
	struct api_call	*call = t->owner;
	api_db_fn	 fn = call->db_done;

	call->db_done = NULL;
	fn(call, reply);
}

void
api_query(struct api_call *call, struct pg_batch *b, api_db_fn cb)
{
	call->db_done = cb;
	task_query(&call->task, b, api_query_done);
}

static void
api_work_run(struct task *t)
{
	struct api_call	*call = t->owner;

	call->work_run(call);
}

static void
api_work_finish(struct task *t)
{
	struct api_call	*call = t->owner;

	call->work_done(call);
}

void
api_work(struct api_call *call, api_work_fn run, api_work_fn done)
{
	call->work_run = run;
	call->work_done = done;
	task_work(&call->task, api_work_run, api_work_finish);
}

const char *
api_str(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

long long
api_int(json_t *o, const char *name, long long def)
{
	json_t	*v = json_object_get(o, name);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

int
api_bool(json_t *o, const char *name, int def)
{
	json_t	*v = json_object_get(o, name);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

char *
api_pool_arn(const char *pool_id)
{
	return xasprintf("arn:aws:cognito-idp:%s:%s:userpool/%s",
	    conf->region, conf->account_id, pool_id);
}

/* A database epoch (text) as the JSON number Cognito sends. */
json_t *
api_time(const char *epoch)
{
	double	v = epoch != NULL ? strtod(epoch, NULL) : 0;

	return json_real((double)(long long)(v * 1000) / 1000.0);
}

/* Validate the input and run the handler. */
static void
api_run(struct api_call *call)
{
	const char	*type;
	char		*msg;

	if (call->op->input != NULL &&
	    shape_check(call->op->input, call->in, &type, &msg) != 0) {
		api_fail(call, type, "%s", msg);
		free(msg);
		return;
	}
	call->op->fn(call);
}

/* The SigV4 view of the request. */
static void
api_sigv4_request(struct api_call *call, struct sigv4_request *sr,
    struct sigv4_header *hs)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(
				    call->req->ev);
	struct evkeyval		*kv;
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(
				    call->req->ev);
	size_t			 n = 0;

	TAILQ_FOREACH(kv, h, next) {
		if (n == API_MAX_HEADERS)
			break;
		hs[n].name = kv->key;
		hs[n].value = kv->value;
		n++;
	}
	memset(sr, 0, sizeof *sr);
	sr->method = "POST";
	sr->path = u != NULL && evhttp_uri_get_path(u) != NULL ?
	    evhttp_uri_get_path(u) : "/";
	sr->query = call->req->query;
	sr->headers = hs;
	sr->nheaders = n;
	sr->body = call->req->body;
	sr->body_len = call->req->body_len;
}

/* Answer a SigV4 refusal: *cause is "Exception: message"; frees it. */
static void
api_fail_sigv4(struct api_call *call, char *cause)
{
	const char	*colon = strchr(cause, ':');
	char		*type;

	if (colon != NULL) {
		type = xstrndup(cause, colon - cause);
		api_fail(call, type, "%s", colon + 2);
		free(type);
	} else
		api_fail(call, "InvalidSignatureException", "%s", cause);
	free(cause);
}

static void
api_key_found(void *arg, const char *secret, int found, int failed)
{
	struct api_call		*call = arg;
	struct sigv4_auth	 auth;
	struct sigv4_request	 sr;
	struct sigv4_header	 hs[API_MAX_HEADERS];
	const char		*date;
	char			*cause = NULL;
	int			 rc;

	if (req_release(call->req) != 0)
		return;
	if (failed) {
		api_fail(call, "InternalErrorException",
		    "The service could not check the credentials; try again.");
		return;
	}
	if (!found) {
		api_fail(call, "UnrecognizedClientException",
		    "The security token included in the request is invalid.");
		return;
	}
	if (sigv4_parse(req_header(call->req, "Authorization"), &auth,
	    &cause) != 0) {
		api_fail(call, "IncompleteSignatureException", "%s", cause);
		free(cause);
		return;
	}
	date = req_header(call->req, "X-Amz-Date");
	api_sigv4_request(call, &sr, hs);
	rc = sigv4_verify(&sr, &auth, secret, date != NULL ? date : "",
	    conf->region, now_s(), API_SIGV4_SKEW, &cause);
	sigv4_auth_clear(&auth);
	if (rc != 0) {
		api_fail_sigv4(call, cause);
		return;
	}
	api_run(call);
}

static void
api_check_signature(struct api_call *call)
{
	const char		*authz = req_header(call->req, "Authorization");
	const char		*date = req_header(call->req, "X-Amz-Date");
	struct sigv4_auth	 auth;
	char			*cause;
	int			 rc;

	if (authz == NULL) {
		api_fail(call, "MissingAuthenticationTokenException",
		    "Missing Authentication Token");
		return;
	}
	if (sigv4_parse(authz, &auth, &cause) != 0) {
		api_fail(call, "IncompleteSignatureException", "%s", cause);
		free(cause);
		return;
	}
	/* Scope, signed headers and clock need no key: no query for them. */
	rc = sigv4_check(&auth, date != NULL ? date : "", conf->region,
	    now_s(), API_SIGV4_SKEW, &cause);
	if (rc != 0) {
		sigv4_auth_clear(&auth);
		api_fail_sigv4(call, cause);
		return;
	}
	call->access_key = xstrdup(auth.access_key);
	sigv4_auth_clear(&auth);
	req_hold(call->req);
	admin_keys_lookup(call->access_key, api_key_found, call);
}

static const struct api_op *
api_target(struct req *r, struct api_call *call)
{
	const char		*target = req_header(r, "X-Amz-Target");
	const struct api_op	*op;
	size_t			 plen = strlen(API_TARGET_PREFIX);

	if (target == NULL) {
		api_fail(call, "UnknownOperationException",
		    "Missing X-Amz-Target header.");
		return NULL;
	}
	if (strncmp(target, API_TARGET_PREFIX, plen) != 0 ||
	    (op = api_find(target + plen)) == NULL) {
		char	*e = log_escape(target, strlen(target));

		api_fail(call, "UnknownOperationException",
		    "Unknown operation %s.", e);
		free(e);
		return NULL;
	}
	return op;
}

void
api_handle(struct req *r)
{
	struct api_call		*call = xcalloc(1, sizeof *call);
	const struct api_op	*op;
	char			*cause;

	api_call_init(call, r);
	/* On failure the answer has freed call: do not touch it again. */
	if ((op = api_target(r, call)) == NULL)
		return;
	call->op = op;
	call->task.name = op->name;
	/* What needs no key is limited per client address. */
	if (op->auth == API_PUBLIC && ratelimit_take(req_client_addr(r)) != 0) {
		api_fail(call, "TooManyRequestsException", "Rate exceeded");
		return;
	}
	if ((call->in = req_json_body(r, &cause)) == NULL) {
		api_fail(call, "SerializationException", "%s", cause);
		free(cause);
		return;
	}
	if (call->op->auth == API_SIGNED)
		api_check_signature(call);
	else
		api_run(call);
}

void
api_op_run(struct req *r, const char *name, json_t *in,
    const struct api_sink *sink, void *arg)
{
	struct api_call	*call = xcalloc(1, sizeof *call);

	api_call_init(call, r);
	call->sink = sink;
	call->sink_arg = arg;
	call->in = in != NULL ? in : json_object();
	if ((call->op = api_find(name)) == NULL) {
		api_fail(call, "UnknownOperationException",
		    "Unknown operation %s.", name);
		return;
	}
	call->task.name = call->op->name;
	api_run(call);
}
