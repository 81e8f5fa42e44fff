/*
 * auth_ops.c: signing in through the JSON API: InitiateAuth,
 * AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge,
 * GetTokensFromRefreshToken, RevokeToken, GlobalSignOut and
 * AdminUserGlobalSignOut.
 *
 * A password sign-in is a small state machine: load the app client and
 * its pool, check the flow and SECRET_HASH, load the user, check the
 * lockout charge (core/lockout.c, before any hash), the password on a
 * crypto thread, the outcome (lockout cleared, a stronger hash), then either a challenge (NEW_PASSWORD_REQUIRED, with
 * a single-use Session stored as a digest) or tokens (core/tokens.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/codes.h"
#include "core/policy.h"
#include "core/signin.h"
#include "core/tokens.h"
#include "core/users.h"
#include "crypto/password.h"
#include "db/pg.h"
#include "log.h"
#include "util.h"

#define AUTH_SESSION_BYTES	48

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

/* --- The state of one sign-in ---------------------------------------- */

static void
auth_free(void *p)
{
	struct auth	*a = p;

	if (a->have_client)
		signin_client_clear(&a->client);
	free(a->username);
	if (a->password != NULL)
		wipe_free(a->password);
	if (a->hash_copy != NULL)
		wipe_free(a->hash_copy);
	if (a->new_hash != NULL)
		wipe_free(a->new_hash);
	password_set_clear(&a->pset);
	auth_srp_free(a->srp);
	auth_device_free(a->device);
	free(a->device_key);
	free(a->scope);
	users_clear(&a->user);
	if (a->session != NULL)
		wipe_free(a->session);
	free(a->digest);
	free(a->origin);
	json_decref(a->attrs);
	lockout_charge_clear(&a->charge);
	PQclear(a->mfa_row);
	free(a);
}

static struct auth *
auth_new(struct api_call *call, enum auth_kind kind, int admin)
{
	struct auth	*a = xcalloc(1, sizeof *a);

	a->kind = kind;
	a->admin = admin;
	api_set_data(call, a, auth_free);
	return a;
}

/* The wall clock with its fraction, comparable to database epochs. */
double
auth_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *
auth_param(struct auth *a, const char *name)
{
	return json_string_value(json_object_get(a->params, name));
}

static void	auth_client_loaded(struct api_call *, struct pg_reply *);
static void	auth_route(struct api_call *);

/* Load the app client (and its pool) named by ClientId. */
static void
auth_load_client(struct api_call *call)
{
	struct pg_batch	*b = pg_batch_new();

	pg_batch_add(b, SIGNIN_CLIENT_SQL, 1, api_str(call->in, "ClientId"));
	api_query(call, b, auth_client_loaded);
}

static void
auth_client_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;
	const char	*client_id = api_str(call->in, "ClientId");
	const char	*pool_id = api_str(call->in, "UserPoolId");

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1 || (a->admin &&
	    strcmp(pg_val(reply->res[0], 0, 0), pool_id) != 0)) {
		ops_fail_no_client(call, client_id);
		return;
	}
	if (signin_client_from_row(&a->client, client_id, reply->res[0], 0,
	    0) != 0) {
		a->have_client = 1;
		api_fail(call, "InternalErrorException",
		    "The app client could not be read.");
		return;
	}
	a->have_client = 1;
	users_rules_init(&a->rules, a->client.pool_config);
	auth_route(call);
}

/* --- Allowed flows --------------------------------------------------- */

static int
auth_client_allows(struct auth *a, const char *flow)
{
	return strarray_has(json_object_get(a->client.config,
	    "ExplicitAuthFlows"), flow);
}

/* A legacy (non-ALLOW_) list allows refresh implicitly. */
static int
auth_client_legacy(struct auth *a)
{
	json_t	*flows = json_object_get(a->client.config,
		    "ExplicitAuthFlows");
	json_t	*v;
	size_t	 i;

	json_array_foreach(flows, i, v)
		if (json_is_string(v) && strncmp(json_string_value(v),
		    "ALLOW_", 6) != 0)
			return 1;
	return 0;
}

/*
 * The flow's kind, or -1 after answering: a flow not supported by this
 * operation, or not enabled for the client.
 */
static int
auth_flow_kind(struct api_call *call, struct auth *a, const char *flow)
{
	int	admin_flow = strcmp(flow, "ADMIN_NO_SRP_AUTH") == 0 ||
		    strcmp(flow, "ADMIN_USER_PASSWORD_AUTH") == 0;

	/* The hosted UI's password form needs no API flow of the client. */
	if (a->hosted && strcmp(flow, "USER_PASSWORD_AUTH") == 0)
		return AUTH_PASSWORD;
	if (strcmp(flow, "REFRESH_TOKEN_AUTH") == 0 ||
	    strcmp(flow, "REFRESH_TOKEN") == 0) {
		if (auth_client_allows(a, "ALLOW_REFRESH_TOKEN_AUTH") ||
		    auth_client_legacy(a))
			return AUTH_REFRESH;
	} else if (strcmp(flow, "USER_PASSWORD_AUTH") == 0 && !a->admin) {
		if (auth_client_allows(a, "ALLOW_USER_PASSWORD_AUTH") ||
		    auth_client_allows(a, "USER_PASSWORD_AUTH"))
			return AUTH_PASSWORD;
		api_fail(call, "InvalidParameterException",
		    "USER_PASSWORD_AUTH flow not enabled for this client");
		return -1;
	} else if (admin_flow && a->admin) {
		if (auth_client_allows(a, "ALLOW_ADMIN_USER_PASSWORD_AUTH") ||
		    auth_client_allows(a, "ADMIN_NO_SRP_AUTH"))
			return AUTH_PASSWORD;
	} else if (admin_flow || strcmp(flow, "USER_PASSWORD_AUTH") == 0) {
		api_fail(call, "InvalidParameterException",
		    "Initiate Auth method not supported.");
		return -1;
	} else if (strcmp(flow, "USER_SRP_AUTH") == 0) {
		/* Legacy lists (no ALLOW_ values) always allow SRP. */
		if (auth_client_allows(a, "ALLOW_USER_SRP_AUTH") ||
		    auth_client_legacy(a))
			return AUTH_SRP;
	} else {
		api_fail(call, "InvalidParameterException",
		    "The %s flow is not supported by this server yet.", flow);
		return -1;
	}
	api_fail(call, "InvalidParameterException",
	    "Auth flow not enabled for this client");
	return -1;
}

/* SECRET_HASH of the parameters for username; -1 after answering. */
int
auth_secret_hash(struct api_call *call, struct auth *a, const char *username)
{
	const char	*etype;
	char		*emsg;

	/* The hosted UI's client proves itself at the token endpoint. */
	if (a->hosted)
		return 0;
	if (signin_check_secret_hash(&a->client, username,
	    auth_param(a, "SECRET_HASH"), &etype, &emsg) == 0)
		return 0;
	api_fail(call, etype, "%s", emsg);
	free(emsg);
	return -1;
}

/* --- Password sign-in ------------------------------------------------ */

static void	auth_user_loaded(struct api_call *, struct pg_reply *);
static void	auth_check_hash(struct api_call *);

void
auth_find_user(struct api_call *call, struct auth *a, const char *name,
    void (*done)(struct api_call *, struct pg_reply *))
{
	struct pg_batch	*b = pg_batch_new();
	char		*key = users_key(&a->rules, name);

	pg_batch_add(b, "SELECT " USERS_COLUMNS " FROM users u WHERE "
	    USERS_MATCH("1", "2") " ORDER BY (u.username_key = $2) DESC "
	    "LIMIT 1", 2, a->client.pool_id, key);
	free(key);
	api_query(call, b, done);
}

static void
auth_password_start(struct api_call *call, struct auth *a)
{
	if (auth_param(a, "USERNAME") == NULL) {
		api_fail(call, "InvalidParameterException",
		    "Missing required parameter USERNAME");
		return;
	}
	if (auth_param(a, "PASSWORD") == NULL) {
		api_fail(call, "InvalidParameterException",
		    "Missing required parameter PASSWORD");
		return;
	}
	a->username = xstrdup(auth_param(a, "USERNAME"));
	a->password = xstrdup(auth_param(a, "PASSWORD"));
	if (auth_secret_hash(call, a, a->username) != 0)
		return;
	auth_find_user(call, a, a->username, auth_user_loaded);
}

/* On a crypto thread: check the password, rehash when it is weak. */
static void
auth_check_run(struct api_call *call)
{
	struct auth	*a = call->data;

	if (a->hash_copy == NULL) {
		password_dummy_check(a->password);
		a->matched = 0;
		return;
	}
	a->matched = password_check(a->hash_copy, a->password) == 1;
	/* A weak hash is replaced; a missing SRP verifier is made. */
	if (a->matched && (password_needs_rehash(a->hash_copy) ||
	    a->user.srp_verifier == NULL) &&
	    password_make(&a->pset, a->client.pool_id, a->user.username,
	    a->password) != 0)
		password_set_clear(&a->pset);
}


static void
auth_user_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 1) {
		users_from_row(&a->user, reply->res[0], 0, 0);
		a->have_user = 1;
		if (a->user.password_hash != NULL)
			a->hash_copy = xstrdup(a->user.password_hash);
	}
	/* Unknown users cost a hash too, so timing tells nothing. */
	auth_charge(call, a, auth_check_hash);
}

static void
auth_check_hash(struct api_call *call)
{
	api_work(call, auth_check_run, auth_check_done);
}

static void
auth_charged(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (lockout_charged(reply->res[0], &a->charge) != 0) {
		api_fail(call, "InternalErrorException", "Lockout failed.");
		return;
	}
	if (!a->charge.go) {
		api_fail(call, "NotAuthorizedException", LOCKOUT_MESSAGE);
		return;
	}
	a->charged_go(call);
}

/*
 * Charged before the secret is checked, so parallel attempts get no
 * more checks than the schedule. A missing user's name is charged only
 * where its answers must look like a real user's.
 */
void
auth_charge(struct api_call *call, struct auth *a,
    void (*go)(struct api_call *))
{
	struct pg_batch	*b;
	char		*key;

	a->charged_go = go;
	if (!a->have_user && !signin_hide_existence(&a->client)) {
		go(call);
		return;
	}
	b = pg_batch_new();
	if (a->have_user)
		lockout_charge_user(b, a->client.pool_id, a->user.sub);
	else {
		key = users_key(&a->rules, a->username);
		lockout_charge_name(b, a->client.pool_id, key);
		free(key);
	}
	api_query(call, b, auth_charged);
}

/* A right first factor: cleared, or refunded while MFA is to come. */
void
auth_charge_settle(struct pg_batch *b, struct auth *a)
{
	if (auth_mfa_due(a))
		lockout_refund_user(b, a->client.pool_id, a->user.sub,
		    &a->charge);
	else
		lockout_clear_user(b, a->client.pool_id, a->user.sub);
}

/* The answer for a right password, by the user's state; 0 to go on. */
static int
auth_check_status(struct api_call *call, struct auth *a)
{
	long long	 validity;

	if (!a->user.enabled) {
		api_fail(call, "NotAuthorizedException", "User is disabled.");
		return -1;
	}
	if (strcmp(a->user.status, "UNCONFIRMED") == 0) {
		api_fail(call, "UserNotConfirmedException",
		    "User is not confirmed.");
		return -1;
	}
	if (strcmp(a->user.status, "RESET_REQUIRED") == 0) {
		api_fail(call, "PasswordResetRequiredException",
		    "Password reset required for the user");
		return -1;
	}
	if (strcmp(a->user.status, "FORCE_CHANGE_PASSWORD") != 0)
		return 0;
	validity = policy_temp_validity(policy_of(a->client.pool_config));
	if (validity > 0 && a->user.temp_password_at > 0 &&
	    a->user.temp_password_at + validity < auth_now()) {
		api_fail(call, "NotAuthorizedException", "Temporary password "
		    "has expired and must be reset by an administrator.");
		return -1;
	}
	return 0;
}

static void	auth_challenge_new_password(struct api_call *, struct auth *);

static void
auth_success_recorded(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (strcmp(a->user.status, "FORCE_CHANGE_PASSWORD") == 0)
		auth_challenge_new_password(call, a);
	else
		auth_device_or_mfa(call, a);
}

void
auth_check_done(struct api_call *call)
{
	struct auth	*a = call->data;
	struct pg_batch	*b;

	if (!a->have_user) {
		auth_fail_unknown(call, a);
		return;
	}
	/* The failure was counted by the charge (auth_charge). */
	if (!a->matched) {
		api_fail(call, "NotAuthorizedException", AUTH_BAD_PASSWORD);
		return;
	}
	if (auth_check_status(call, a) != 0)
		return;
	b = pg_batch_new();
	auth_charge_settle(b, a);
	if (a->pset.hash != NULL)
		pg_batch_add(b, "UPDATE users SET password_hash = $3, "
		    "srp_salt = $4, srp_verifier = $5 WHERE pool_id = $1 AND "
		    "sub = $2::uuid", 5, a->client.pool_id, a->user.sub,
		    a->pset.hash, a->pset.srp_salt, a->pset.srp_verifier);
	api_query(call, b, auth_success_recorded);
}

int
auth_locked(struct api_call *call, struct auth *a)
{
	if (!a->have_user || a->user.locked_until <= auth_now())
		return 0;
	api_fail(call, "NotAuthorizedException", LOCKOUT_MESSAGE);
	return 1;
}

void
auth_fail_unknown(struct api_call *call, struct auth *a)
{
	if (signin_hide_existence(&a->client))
		api_fail(call, "NotAuthorizedException", AUTH_BAD_PASSWORD);
	else
		ops_fail_no_user(call);
}

/* --- NEW_PASSWORD_REQUIRED ------------------------------------------- */

/* requiredAttributes: required schema attributes the user lacks. */
static json_t *
auth_required_missing(struct auth *a)
{
	json_t		*schema = json_object_get(a->client.pool_config,
			    "SchemaAttributes");
	json_t		*out = json_array(), *v;
	const char	*name;
	size_t		 i;

	json_array_foreach(schema, i, v) {
		name = api_str(v, "Name");
		if (name == NULL || !api_bool(v, "Required", 0) ||
		    strcmp(name, "sub") == 0 ||
		    json_object_get(a->user.attributes, name) != NULL)
			continue;
		json_array_append_new(out, json_sprintf("userAttributes.%s",
		    name));
	}
	return out;
}

static char *
auth_dumps(json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

static void
auth_challenge_stored(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;
	json_t		*attrs, *params;
	char		*req, *cur;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	attrs = json_deep_copy(a->user.attributes);
	req = auth_dumps(auth_required_missing(a));
	cur = auth_dumps(attrs);
	params = json_pack("{s:s, s:s, s:s}", "USER_ID_FOR_SRP",
	    a->user.username, "requiredAttributes", req, "userAttributes",
	    cur);
	free(req);
	free(cur);
	auth_challenge_answer(call, a, "NEW_PASSWORD_REQUIRED", params);
}

void
auth_challenge_answer(struct api_call *call, struct auth *a,
    const char *name, json_t *params)
{
	api_ok(call, json_pack("{s:s, s:s, s:o}", "ChallengeName", name,
	    "Session", a->session, "ChallengeParameters", params));
}

void
auth_session_add(struct pg_batch *b, struct auth *a, const char *challenge,
    json_t *data)
{
	char		 digest[CODES_DIGEST_HEX];
	char		*ttl, *text;
	long long	 minutes = api_int(a->client.config,
			    "AuthSessionValidity", 3);

	if (a->session != NULL)
		wipe_free(a->session);
	a->session = codes_new_secret(AUTH_SESSION_BYTES);
	codes_digest_hex("session", a->session, digest);
	ttl = xasprintf("%lld", minutes * 60);
	text = json_dumps(data, JSON_COMPACT);
	pg_batch_add(b, "INSERT INTO auth_sessions (session_hash, pool_id, "
	    "client_id, sub, challenge, data, expires_at) VALUES ($1::bytea, "
	    "$2, $3, $4::uuid, $5, $6::jsonb, extract(epoch FROM "
	    "clock_timestamp()) + $7::bigint)", 7, digest, a->client.pool_id,
	    a->client.client_id, a->user.sub, challenge, text, ttl);
	free(text);
	free(ttl);
}

/* Store a single-use session and answer the challenge with it. */
static void
auth_challenge_new_password(struct api_call *call, struct auth *a)
{
	struct pg_batch	*b = pg_batch_new();
	json_t		*data = json_object();

	auth_session_add(b, a, "NEW_PASSWORD_REQUIRED", data);
	json_decref(data);
	api_query(call, b, auth_challenge_stored);
}

static void	auth_session_loaded(struct api_call *, struct pg_reply *);

static void
auth_new_password_start(struct api_call *call, struct auth *a)
{
	const char	*session = api_str(call->in, "Session");
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];

	if (session == NULL) {
		api_fail(call, "InvalidParameterException",
		    "Missing required parameter Session");
		return;
	}
	if (auth_param(a, "USERNAME") == NULL) {
		api_fail(call, "InvalidParameterException",
		    "Missing required parameter USERNAME");
		return;
	}
	if (auth_param(a, "NEW_PASSWORD") == NULL) {
		api_fail(call, "InvalidParameterException",
		    "Missing required parameter NEW_PASSWORD");
		return;
	}
	codes_digest_hex("session", session, digest);
	a->digest = xstrdup(digest);
	b = pg_batch_new();
	pg_batch_add(b, "SELECT " USERS_COLUMNS " FROM auth_sessions s JOIN "
	    "users u ON u.pool_id = s.pool_id AND u.sub = s.sub WHERE "
	    "s.session_hash = $1::bytea AND s.client_id = $2 AND s.challenge "
	    "= 'NEW_PASSWORD_REQUIRED' AND s.expires_at > extract(epoch FROM "
	    "clock_timestamp())", 2, digest, a->client.client_id);
	api_query(call, b, auth_session_loaded);
}

/* The USERNAME of a challenge response names the session's user. */
int
auth_same_user(struct auth *a, const char *given)
{
	struct users_aliases	 al;
	char			*key;
	int			 same;

	key = users_key(&a->rules, given);
	same = strcmp(key, a->user.username_key) == 0 ||
	    strcmp(given, a->user.sub) == 0;
	if (!same) {
		users_alias_columns(&a->rules, a->user.attributes, &al);
		same = (al.email != NULL && strcmp(al.email, key) == 0) ||
		    (al.phone != NULL && strcmp(al.phone, key) == 0) ||
		    (al.preferred != NULL && strcmp(al.preferred, key) == 0);
		users_aliases_clear(&al);
	}
	free(key);
	return same;
}

/* userAttributes.<name> responses as a UserAttributes list. */
static json_t *
auth_response_attributes(struct auth *a)
{
	json_t		*list = json_array(), *v;
	const char	*k;

	json_object_foreach(a->params, k, v) {
		if (strncmp(k, "userAttributes.", 15) != 0 ||
		    !json_is_string(v))
			continue;
		json_array_append_new(list, json_pack("{s:s, s:O}", "Name",
		    k + 15, "Value", v));
	}
	return list;
}

/* Apply the new attributes and the policy; -1 after answering. */
static int
auth_new_password_check(struct api_call *call, struct auth *a)
{
	json_t		*list;
	const char	*etype, *why;
	char		*emsg = NULL;
	int		 rc;

	if ((why = policy_check_password(policy_of(a->client.pool_config),
	    a->password)) != NULL) {
		api_fail(call, "InvalidPasswordException", "%s", why);
		return -1;
	}
	a->attrs = json_deep_copy(a->user.attributes);
	list = auth_response_attributes(a);
	rc = users_apply_attributes(&a->rules, a->attrs, list,
	    USERS_UPDATE_SELF, json_object_get(a->client.config,
	    "WriteAttributes"), &etype, &emsg);
	json_decref(list);
	if (rc == 0)
		rc = users_check_required(&a->rules, a->attrs, &etype, &emsg);
	if (rc != 0) {
		api_fail(call, etype, "%s", emsg);
		free(emsg);
		return -1;
	}
	return 0;
}

static void
auth_hash_run(struct api_call *call)
{
	struct auth	*a = call->data;

	if (password_make(&a->pset, a->client.pool_id, a->user.username,
	    a->password) != 0)
		password_set_clear(&a->pset);
}

static void	auth_hash_done(struct api_call *);

static void
auth_session_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		api_fail(call, "NotAuthorizedException", AUTH_BAD_SESSION);
		return;
	}
	users_from_row(&a->user, reply->res[0], 0, 0);
	a->have_user = 1;
	if (!auth_same_user(a, auth_param(a, "USERNAME"))) {
		api_fail(call, "NotAuthorizedException",
		    "Invalid session for the user.");
		return;
	}
	if (auth_secret_hash(call, a, auth_param(a, "USERNAME")) != 0)
		return;
	a->password = xstrdup(auth_param(a, "NEW_PASSWORD"));
	if (auth_new_password_check(call, a) != 0)
		return;
	api_work(call, auth_hash_run, auth_hash_done);
}

static void
auth_new_password_saved(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;

	if (!reply->ok && reply->sqlstate != NULL &&
	    strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0) {
		api_fail(call, "AliasExistsException",
		    "An account with the given email already exists.");
		return;
	}
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		api_fail(call, "NotAuthorizedException",
		    "Invalid session for the user, session can only be used "
		    "once.");
		return;
	}
	json_decref(a->user.attributes);
	a->user.attributes = json_incref(a->attrs);
	/* A new password is the first factor only: MFA still applies. */
	auth_device_or_mfa(call, a);
}

static void
auth_hash_done(struct api_call *call)
{
	struct auth		*a = call->data;
	struct users_aliases	 al;
	struct pg_batch		*b;
	char			*attrs;

	if (ops_hashed(call, a->pset.hash) != 0)
		return;
	users_alias_columns(&a->rules, a->attrs, &al);
	attrs = ops_json_text(a->attrs);
	b = pg_batch_new();
	/* Consuming the session and changing the user are one statement. */
	pg_batch_add(b, "WITH s AS (DELETE FROM auth_sessions WHERE "
	    "session_hash = $1::bytea RETURNING pool_id, sub) UPDATE users u "
	    "SET password_hash = $2, status = 'CONFIRMED', temp_password_at = "
	    "NULL, attributes = $3::jsonb, alias_email = $4, alias_phone = $5, "
	    "alias_preferred = $6, srp_salt = $7, srp_verifier = $8, "
	    "failed_logins = 0, locked_until = NULL, modified_at = "
	    "extract(epoch FROM clock_timestamp()) FROM s WHERE u.pool_id = "
	    "s.pool_id AND u.sub = s.sub RETURNING u.sub", 8, a->digest,
	    a->pset.hash, attrs, al.email, al.phone, al.preferred,
	    a->pset.srp_salt, a->pset.srp_verifier);
	free(attrs);
	users_aliases_clear(&al);
	api_query(call, b, auth_new_password_saved);
}

/* --- Refresh ----------------------------------------------------------- */

static void	auth_refresh_loaded(struct api_call *, struct pg_reply *);

static void
auth_refresh_start(struct api_call *call, struct auth *a, const char *token)
{
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];

	if (token == NULL) {
		api_fail(call, "InvalidParameterException",
		    "Missing required parameter REFRESH_TOKEN");
		return;
	}
	codes_digest_hex("refresh", token, digest);
	a->digest = xstrdup(digest);
	b = pg_batch_new();
	pg_batch_add(b, "SELECT " USERS_COLUMNS ", r.origin_jti, r.auth_time, "
	    "r.expires_at < extract(epoch FROM clock_timestamp()), "
	    "extract(epoch FROM clock_timestamp()) - r.rotated_at, "
	    "r.device_key, nullif(r.scopes, 'aws.cognito.signin.user.admin') "
	    "FROM "
	    "refresh_tokens r JOIN users u ON u.pool_id = r.pool_id AND u.sub "
	    "= r.sub WHERE r.token_hash = $1::bytea AND r.client_id = $2", 2,
	    digest, a->client.client_id);
	api_query(call, b, auth_refresh_loaded);
}

static int
auth_rotation(struct auth *a, long long *grace)
{
	json_t		*rot = json_object_get(a->client.config,
			    "RefreshTokenRotation");
	const char	*f = api_str(rot, "Feature");

	*grace = api_int(rot, "RetryGracePeriodSeconds", 0);
	return f != NULL && strcmp(f, "ENABLED") == 0;
}

static void
auth_family_revoked(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (a->kind == AUTH_GET_TOKENS)
		api_fail(call, "RefreshTokenReuseException",
		    "The refresh token has been used already.");
	else
		api_fail(call, "NotAuthorizedException",
		    "Refresh Token has been revoked");
}

static void
auth_rotated(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	auth_issue(call, 1, a->origin, a->auth_time);
}

/* A rotated token used again after its grace period kills the family. */
static void
auth_refresh_rotate(struct api_call *call, struct auth *a, int stale)
{
	struct pg_batch	*b = pg_batch_new();

	if (stale) {
		pg_batch_add(b, "DELETE FROM refresh_tokens WHERE origin_jti = "
		    "$1::uuid", 1, a->origin);
		api_query(call, b, auth_family_revoked);
		return;
	}
	pg_batch_add(b, "UPDATE refresh_tokens SET rotated_at = coalesce("
	    "rotated_at, extract(epoch FROM clock_timestamp())) WHERE "
	    "token_hash = $1::bytea", 1, a->digest);
	api_query(call, b, auth_rotated);
}

static void
auth_refresh_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct auth	*a = call->data;
	const PGresult	*r;
	const char	*since;
	long long	 grace;
	int		 c = USERS_NCOLUMNS;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) != 1) {
		api_fail(call, "NotAuthorizedException",
		    "Invalid Refresh Token");
		return;
	}
	users_from_row(&a->user, r, 0, 0);
	a->have_user = 1;
	a->origin = xstrdup(pg_val(r, 0, c));
	a->auth_time = strtoll(pg_val(r, 0, c + 1), NULL, 10);
	if (pg_val(r, 0, c + 4) != NULL)
		a->device_key = xstrdup(pg_val(r, 0, c + 4));
	if (pg_val(r, 0, c + 5) != NULL)
		a->scope = xstrdup(pg_val(r, 0, c + 5));
	/* A refresh token works only on the device it was issued to. */
	if (a->device_key != NULL && auth_param(a, "DEVICE_KEY") != NULL &&
	    strcmp(a->device_key, auth_param(a, "DEVICE_KEY")) != 0) {
		api_fail(call, "NotAuthorizedException",
		    "Invalid Refresh Token");
		return;
	}
	if (ops_true(r, 0, c + 2)) {
		api_fail(call, "NotAuthorizedException",
		    "Refresh Token has expired");
		return;
	}
	if (a->kind == AUTH_REFRESH &&
	    auth_secret_hash(call, a, a->user.username) != 0)
		return;
	if (!a->user.enabled) {
		api_fail(call, "NotAuthorizedException", "User is disabled.");
		return;
	}
	if (auth_rotation(a, &grace)) {
		since = pg_val(r, 0, c + 3);
		auth_refresh_rotate(call, a, since != NULL &&
		    strtod(since, NULL) > (double)grace);
		return;
	}
	auth_issue(call, 0, a->origin, a->auth_time);
}

/* --- Issuing ------------------------------------------------------------ */

static void
auth_issued(struct api_call *call, json_t *result)
{
	api_ok(call, json_pack("{s:o, s:o}", "ChallengeParameters",
	    json_object(), "AuthenticationResult", result));
}

static void
auth_issued_plain(struct api_call *call, json_t *result)
{
	api_ok(call, json_pack("{s:o}", "AuthenticationResult", result));
}

void
auth_issue(struct api_call *call, int with_refresh, const char *origin,
    long long auth_time)
{
	struct auth		*a = call->data;
	struct tokens_grant	 g;

	/* The hosted UI makes a session and a code, not tokens. */
	if (a->hosted) {
		api_ok(call, json_pack("{s:{s:s, s:s, s:I}}", "HostedSignIn",
		    "Sub", a->user.sub, "Username", a->user.username,
		    "AuthTime", (json_int_t)time(NULL)));
		return;
	}
	memset(&g, 0, sizeof g);
	g.pool_id = a->client.pool_id;
	g.client_id = a->client.client_id;
	g.client_config = a->client.config;
	g.user = &a->user;
	g.auth_time = auth_time;
	g.origin_jti = origin;
	g.with_refresh = with_refresh;
	g.device_key = a->device_key;
	g.scope = a->scope;
	/* A sign-in from an untracked device, in a pool that tracks them. */
	g.new_device = with_refresh && a->kind != AUTH_GET_TOKENS &&
	    a->kind != AUTH_REFRESH &&
	    json_is_object(json_object_get(a->client.pool_config,
	    "DeviceConfiguration")) && a->device_key == NULL &&
	    auth_param(a, "DEVICE_KEY") == NULL;
	tokens_issue(call, &g, a->kind == AUTH_GET_TOKENS ?
	    auth_issued_plain : auth_issued);
}

/* --- Client secrets, revocation, global sign-out ------------------------ */

/* ClientSecret of GetTokensFromRefreshToken/RevokeToken; -1 answered. */
static int
auth_client_secret(struct api_call *call, struct auth *a)
{
	const char	*given = api_str(call->in, "ClientSecret");

	if (a->client.secret == NULL)
		return 0;
	if (given != NULL && codes_equal_str(given, a->client.secret))
		return 0;
	api_fail(call, "NotAuthorizedException",
	    "Client secret is missing or wrong for client %s",
	    a->client.client_id);
	return -1;
}

static void
auth_done_empty(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	api_ok(call, NULL);
}

/* RevokeToken: the whole family of a refresh token of this client. */
static void
auth_revoke_start(struct api_call *call, struct auth *a)
{
	const char	*token = api_str(call->in, "Token");
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];

	if (auth_client_secret(call, a) != 0)
		return;
	if (!api_bool(a->client.config, "EnableTokenRevocation", 1)) {
		api_fail(call, "UnsupportedOperationException",
		    "Token revocation is not enabled for this app client.");
		return;
	}
	if (strchr(token, '.') != NULL) {
		api_fail(call, "UnsupportedTokenTypeException",
		    "Only refresh tokens can be revoked.");
		return;
	}
	codes_digest_hex("refresh", token, digest);
	b = pg_batch_new();
	pg_batch_add(b, "DELETE FROM refresh_tokens WHERE origin_jti IN "
	    "(SELECT origin_jti FROM refresh_tokens WHERE token_hash = "
	    "$1::bytea AND client_id = $2)", 2, digest, a->client.client_id);
	api_query(call, b, auth_done_empty);
}

static void
auth_get_tokens(struct api_call *call)
{
	auth_new(call, AUTH_GET_TOKENS, 0);
	auth_load_client(call);
}

static void
auth_revoke(struct api_call *call)
{
	auth_new(call, AUTH_REVOKE, 0);
	auth_load_client(call);
}

static void
auth_signout_checked(struct api_call *call, struct tokens_access *t)
{
	struct pg_batch	*b = pg_batch_new();

	pg_batch_add(b, TOKENS_GLOBAL_SIGNOUT_SQL, 2, t->pool_id, t->user.sub);
	api_query(call, b, auth_done_empty);
}

static void
auth_global_signout(struct api_call *call)
{
	tokens_check_access(call, api_str(call->in, "AccessToken"),
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
	pg_batch_add(b, "WITH u AS (SELECT u.sub FROM users u WHERE "
	    USERS_MATCH("1", "2") " ORDER BY (u.username_key = $2) DESC LIMIT "
	    "1), d AS (DELETE FROM refresh_tokens r USING u WHERE r.pool_id = "
	    "$1 AND r.sub = u.sub) UPDATE users x SET tokens_valid_after = "
	    "extract(epoch FROM clock_timestamp()) FROM u WHERE x.pool_id = $1 "
	    "AND x.sub = u.sub RETURNING x.sub", 2,
	    api_str(call->in, "UserPoolId"), pool.key);
	ops_pool_clear(&pool);
	api_query(call, b, auth_admin_signed_out);
}

static void
auth_admin_global_signout(struct api_call *call)
{
	ops_pool_query(call, auth_admin_pool_loaded);
}

/* --- Dispatch ------------------------------------------------------------ */

static void
auth_route(struct api_call *call)
{
	struct auth	*a = call->data;
	const char	*flow;
	int		 kind;

	switch (a->kind) {
	case AUTH_NEW_PASSWORD:
		auth_new_password_start(call, a);
		return;
	case AUTH_VERIFIER:
		auth_verifier_start(call, a);
		return;
	case AUTH_MFA:
		auth_mfa_respond(call, a);
		return;
	case AUTH_DEVICE:
		auth_device_respond(call, a);
		return;
	case AUTH_GET_TOKENS:
		if (auth_client_secret(call, a) != 0)
			return;
		auth_refresh_start(call, a, api_str(call->in,
		    "RefreshToken"));
		return;
	case AUTH_REVOKE:
		auth_revoke_start(call, a);
		return;
	default:
		break;
	}
	flow = api_str(call->in, "AuthFlow");
	if ((kind = auth_flow_kind(call, a, flow)) < 0)
		return;
	a->kind = kind;
	if (kind == AUTH_REFRESH)
		auth_refresh_start(call, a, auth_param(a, "REFRESH_TOKEN"));
	else if (kind == AUTH_SRP)
		auth_srp_start(call, a);
	else
		auth_password_start(call, a);
}

static void
auth_initiate_common(struct api_call *call, int admin, int hosted)
{
	struct auth	*a = auth_new(call, AUTH_PASSWORD, admin);

	a->hosted = hosted;
	a->params = json_object_get(call->in, "AuthParameters");
	auth_load_client(call);
}

static void
auth_initiate(struct api_call *call)
{
	auth_initiate_common(call, 0, 0);
}

static void
auth_admin_initiate(struct api_call *call)
{
	auth_initiate_common(call, 1, 0);
}

static void
auth_respond_common(struct api_call *call, int admin, int hosted)
{
	struct auth	*a;
	const char	*name = api_str(call->in, "ChallengeName");
	enum auth_kind	 kind;

	if (strcmp(name, "NEW_PASSWORD_REQUIRED") == 0)
		kind = AUTH_NEW_PASSWORD;
	else if (strcmp(name, "PASSWORD_VERIFIER") == 0)
		kind = AUTH_VERIFIER;
	else if (auth_mfa_challenge_known(name))
		kind = AUTH_MFA;
	else if (strcmp(name, "DEVICE_SRP_AUTH") == 0 ||
	    strcmp(name, "DEVICE_PASSWORD_VERIFIER") == 0)
		kind = AUTH_DEVICE;
	else {
		api_fail(call, "InvalidParameterException",
		    "The %s challenge is not supported by this server yet.",
		    name);
		return;
	}
	a = auth_new(call, kind, admin);
	a->hosted = hosted;
	a->params = json_object_get(call->in, "ChallengeResponses");
	auth_load_client(call);
}

static void
auth_respond(struct api_call *call)
{
	auth_respond_common(call, 0, 0);
}

/*
 * The hosted UI's sign-in (internal operations, never reachable over
 * HTTP): InitiateAuth USER_PASSWORD_AUTH and RespondToAuthChallenge with
 * the lockout, existence and challenge rules of the API, but without the
 * client's API flows or SECRET_HASH, ending in {HostedSignIn: {Sub,
 * Username, AuthTime}} instead of tokens.
 */
static void
auth_hosted_initiate(struct api_call *call)
{
	auth_initiate_common(call, 0, 1);
}

static void
auth_hosted_respond(struct api_call *call)
{
	auth_respond_common(call, 0, 1);
}

static void
auth_admin_respond(struct api_call *call)
{
	auth_respond_common(call, 1, 0);
}

const struct api_op auth_ops[] = {
	{ "InitiateAuth", auth_initiate, API_PUBLIC, &s_initiate },
	{ "AdminInitiateAuth", auth_admin_initiate, API_SIGNED,
	    &s_admin_initiate },
	{ "RespondToAuthChallenge", auth_respond, API_PUBLIC, &s_respond },
	{ "HostedInitiateAuth", auth_hosted_initiate, API_INTERNAL,
	    &s_initiate },
	{ "HostedRespondToAuthChallenge", auth_hosted_respond, API_INTERNAL,
	    &s_respond },
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
