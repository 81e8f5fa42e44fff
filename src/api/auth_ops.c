/*
 * auth_ops.c: the JSON API's door to the sign-in core: InitiateAuth,
 * AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge
 * and GetTokensFromRefreshToken parse their input into a struct
 * signin_req and run core/signin.c on a task the call owns; its outcome
 * becomes Cognito's JSON through one table (auth_answers), its errors
 * Cognito's exceptions through api.c's table. Also RevokeToken (the
 * core's, core/revoke.c), GlobalSignOut and AdminUserGlobalSignOut.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/revoke.h"
#include "core/signin.h"
#include "core/task.h"
#include "core/tokens.h"
#include "db/pg.h"
#include "db/refresh_tokens.h"
#include "util.h"

/* --- Input shapes (from the service model) --- */

static const char *const auth_flows[] = { "USER_SRP_AUTH",
	"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH",
	"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH",
	"USER_AUTH", NULL };
static const char *const auth_challenges[] = { "SMS_MFA", "EMAIL_OTP",
	"SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP",
	"PASSWORD_VERIFIER", "CUSTOM_CHALLENGE", "SELECT_CHALLENGE",
	"DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER", "ADMIN_NO_SRP_AUTH",
	"NEW_PASSWORD_REQUIRED", "SMS_OTP", "PASSWORD", "WEB_AUTHN",
	"PASSWORD_SRP", NULL };

static const struct shape s_flow = { .kind = SHAPE_STRING,
	.enums = auth_flows };
static const struct shape s_challenge = { .kind = SHAPE_STRING,
	.enums = auth_challenges };
static const struct shape s_param_key = SHAPE_STR(0, 131072);
static const struct shape s_param_value = { .kind = SHAPE_STRING,
	.max = 131072, .has_max = 1, .sensitive = 1 };
static const struct shape s_params = { .kind = SHAPE_MAP,
	.key = &s_param_key, .item = &s_param_value };
static const struct shape s_session = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .sensitive = 1 };
static const struct shape s_any = { .kind = SHAPE_ANY };
static const struct shape s_token = { .kind = SHAPE_STRING, .min = 1,
	.has_min = 1, .check = shape_check_no_space, .pattern = "[\\S]+",
	.sensitive = 1 };
static const struct shape s_secret = { .kind = SHAPE_STRING, .min = 1,
	.max = 64, .has_min = 1, .has_max = 1, .sensitive = 1 };

/* Context the sign-in operations accept and do not use. */
#define AUTH_COMMON_MEMBERS						\
	{ "ClientMetadata", &s_any, 0 },				\
	{ "AnalyticsMetadata", &s_any, 0 },				\
	{ "UserContextData", &s_any, 0 },				\
	{ "ContextData", &s_any, 0 }

/* What InitiateAuth takes; AdminInitiateAuth takes UserPoolId first. */
#define AUTH_INITIATE_MEMBERS						\
	{ "ClientId", &ops_shape_client_id, 1 },			\
	{ "AuthFlow", &s_flow, 1 },					\
	{ "AuthParameters", &s_params, 0 },				\
	{ "Session", &s_session, 0 },					\
	AUTH_COMMON_MEMBERS

/* What RespondToAuthChallenge takes; the Admin one takes UserPoolId too. */
#define AUTH_RESPOND_MEMBERS						\
	{ "ClientId", &ops_shape_client_id, 1 },			\
	{ "ChallengeName", &s_challenge, 1 },				\
	{ "Session", &s_session, 0 },					\
	{ "ChallengeResponses", &s_params, 0 },				\
	AUTH_COMMON_MEMBERS

static const struct shape_member s_initiate_members[] = {
	AUTH_INITIATE_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_initiate = { .kind = SHAPE_STRUCT,
	.members = s_initiate_members };

static const struct shape_member s_admin_initiate_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	AUTH_INITIATE_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_admin_initiate = { .kind = SHAPE_STRUCT,
	.members = s_admin_initiate_members };

static const struct shape_member s_respond_members[] = {
	AUTH_RESPOND_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_respond = { .kind = SHAPE_STRUCT,
	.members = s_respond_members };

static const struct shape_member s_admin_respond_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	AUTH_RESPOND_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_admin_respond = { .kind = SHAPE_STRUCT,
	.members = s_admin_respond_members };

static const struct shape_member s_refresh_members[] = {
	{ "RefreshToken", &s_token, 1 },
	{ "ClientId", &ops_shape_client_id, 1 },
	{ "ClientSecret", &s_secret, 0 },
	{ "DeviceKey", &s_any, 0 },
	{ "ClientMetadata", &s_any, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_refresh = { .kind = SHAPE_STRUCT,
	.members = s_refresh_members };

static const struct shape_member s_revoke_members[] = {
	{ "Token", &s_token, 1 },
	{ "ClientId", &ops_shape_client_id, 1 },
	{ "ClientSecret", &s_secret, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_revoke = { .kind = SHAPE_STRUCT,
	.members = s_revoke_members };

static const struct shape_member s_signout_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_signout = { .kind = SHAPE_STRUCT,
	.members = s_signout_members };

static const struct shape_member s_admin_signout_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Username", &ops_shape_username, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_admin_signout = { .kind = SHAPE_STRUCT,
	.members = s_admin_signout_members };

/* --- The door to the sign-in core --------------------------------------- */

/* A sign-in the call owns: its task and what it asks. */
struct auth_signin {
	struct task		 task;
	struct signin_req	 req;
	int			 plain;	/* GetTokensFromRefreshToken's answer */
};

static void
auth_signin_free(void *p)
{
	struct auth_signin	*as = p;

	task_clear(&as->task);
	free(as);
}

static void
auth_issued(struct task *task, json_t *result)
{
	struct api_call	*call = task->owner;

	api_ok(call, json_pack("{s:o, s:o}", "ChallengeParameters",
	    json_object(), "AuthenticationResult", result));
}

static void
auth_issued_plain(struct task *task, json_t *result)
{
	struct api_call	*call = task->owner;

	api_ok(call, json_pack("{s:o}", "AuthenticationResult", result));
}

static void
auth_answer_tokens(struct api_call *call, struct auth_signin *as,
    const struct signin_outcome *o)
{
	tokens_issue(&call->task, &o->grant, as->plain ? auth_issued_plain :
	    auth_issued);
}

/* {ChallengeName, Session (when there is one), ChallengeParameters}. */
static void
auth_answer_challenge(struct api_call *call, struct auth_signin *as,
    const struct signin_outcome *o)
{
	json_t	*out;

	(void)as;
	out = json_pack("{s:s, s:O}", "ChallengeName", o->challenge,
	    "ChallengeParameters", o->params);
	if (o->session != NULL)
		json_object_set_new(out, "Session", json_string(o->session));
	api_ok(call, out);
}

/* The hosted door's outcome never comes through the API. */
static void
auth_answer_signed_in(struct api_call *call, struct auth_signin *as,
    const struct signin_outcome *o)
{
	(void)as;
	(void)o;
	api_fail(call, "InternalErrorException",
	    "The sign-in ended without tokens.");
}

/* The one table from a sign-in's outcome to the API's answer. */
static void (*const auth_answers[])(struct api_call *, struct auth_signin *,
    const struct signin_outcome *) = {
	[SIGNIN_TOKENS] = auth_answer_tokens,
	[SIGNIN_CHALLENGE] = auth_answer_challenge,
	[SIGNIN_SIGNED_IN] = auth_answer_signed_in,
};

static void
auth_signin_end(struct task *t, const struct core_err *err)
{
	struct api_call			*call = t->owner;
	const struct signin_outcome	*o;

	if (err != NULL) {
		api_fail_err(call, err);
		return;
	}
	o = signin_outcome(t);
	auth_answers[o->kind](call, call->data, o);
}

/* A sign-in request of the call's input, owned by the call. */
static struct signin_req *
auth_signin_new(struct api_call *call, enum signin_door door)
{
	struct auth_signin	*as = xcalloc(1, sizeof *as);

	task_init(&as->task, call->req->id, call->op->name, &req_task_guard,
	    call->req, auth_signin_end, call);
	api_set_data(call, as, auth_signin_free);
	as->req.door = door;
	as->req.pool_id = api_str(call->in, "UserPoolId");
	as->req.client_id = api_str(call->in, "ClientId");
	as->req.session = api_str(call->in, "Session");
	return &as->req;
}

static void
auth_signin_run(struct api_call *call)
{
	struct auth_signin	*as = call->data;

	signin_start(&as->task, &as->req);
}

static void
auth_initiate_common(struct api_call *call, enum signin_door door)
{
	struct signin_req	*r = auth_signin_new(call, door);

	r->flow = api_str(call->in, "AuthFlow");
	r->params = json_object_get(call->in, "AuthParameters");
	auth_signin_run(call);
}

static void
auth_initiate(struct api_call *call)
{
	auth_initiate_common(call, SIGNIN_DOOR_API);
}

static void
auth_admin_initiate(struct api_call *call)
{
	auth_initiate_common(call, SIGNIN_DOOR_ADMIN);
}

static void
auth_respond_common(struct api_call *call, enum signin_door door)
{
	struct signin_req	*r = auth_signin_new(call, door);

	r->challenge = api_str(call->in, "ChallengeName");
	r->params = json_object_get(call->in, "ChallengeResponses");
	auth_signin_run(call);
}

static void
auth_respond(struct api_call *call)
{
	auth_respond_common(call, SIGNIN_DOOR_API);
}

static void
auth_admin_respond(struct api_call *call)
{
	auth_respond_common(call, SIGNIN_DOOR_ADMIN);
}

static void
auth_get_tokens(struct api_call *call)
{
	struct signin_req	*r = auth_signin_new(call, SIGNIN_DOOR_API);
	struct auth_signin	*as = call->data;

	as->plain = 1;
	r->session = NULL;
	r->refresh_token = api_str(call->in, "RefreshToken");
	r->client_secret = api_str(call->in, "ClientSecret");
	auth_signin_run(call);
}

/* --- Revocation, global sign-out ------------------------------------------ */

static void
auth_done_empty(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	api_ok(call, NULL);
}

/* RevokeToken: core/revoke.c, on the call's task ({} or the error). */
static void
auth_revoke(struct api_call *call)
{
	struct revoke_req	 req;

	req.client_id = api_str(call->in, "ClientId");
	req.client_secret = api_str(call->in, "ClientSecret");
	req.token = api_str(call->in, "Token");
	revoke_token(&call->task, &req);
}

static void
auth_signout_checked(struct task *task, struct tokens_access *t)
{
	struct api_call	*call = task->owner;
	struct pg_batch	*b = pg_batch_new();

	db_refresh_tokens_global_signout(b, t->pool_id, t->user.sub);
	api_query(call, b, auth_done_empty);
}

static void
auth_global_signout(struct api_call *call)
{
	tokens_check_access(&call->task, api_str(call->in, "AccessToken"),
	    auth_signout_checked);
}

static void
auth_admin_signed_out(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1)
		ops_fail_no_user(call);
	else
		api_ok(call, NULL);
}

static void
auth_admin_pool_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct ops_pool	 pool;
	struct pg_batch	*b;

	if (ops_pool_read(call, reply, &pool) != 0)
		return;
	b = pg_batch_new();
	db_refresh_tokens_admin_signout(b, api_str(call->in, "UserPoolId"),
	    pool.key);
	ops_pool_clear(&pool);
	api_query(call, b, auth_admin_signed_out);
}

static void
auth_admin_global_signout(struct api_call *call)
{
	ops_pool_query(call, auth_admin_pool_loaded);
}

const struct api_op auth_ops[] = {
	{ "InitiateAuth", auth_initiate, API_PUBLIC, &s_initiate },
	{ "AdminInitiateAuth", auth_admin_initiate, API_SIGNED,
	    &s_admin_initiate },
	{ "RespondToAuthChallenge", auth_respond, API_PUBLIC, &s_respond },
	{ "AdminRespondToAuthChallenge", auth_admin_respond, API_SIGNED,
	    &s_admin_respond },
	{ "GetTokensFromRefreshToken", auth_get_tokens, API_PUBLIC,
	    &s_refresh },
	{ "RevokeToken", auth_revoke, API_PUBLIC, &s_revoke },
	{ "GlobalSignOut", auth_global_signout, API_PUBLIC, &s_signout },
	{ "AdminUserGlobalSignOut", auth_admin_global_signout, API_SIGNED,
	    &s_admin_signout },
	{ NULL, NULL, 0, NULL }
};
