/*
 * signin.c: the sign-in hub. A sign-in is the state of struct signin
 * on a task, driven through a const table of steps: the app client
 * (flow permissions from a table), slots for the pre-authentication
 * and user-migration triggers, the first factor by kind (password,
 * SRP, refresh; custom and federated are slots), slots for the
 * verify, define and create auth challenge triggers, the user's
 * status (new password, reset required), a remembered device, MFA,
 * slots for the post-authentication and pre-token-generation
 * triggers, and the outcome.
 * A challenge answered later enters the table at its own step (a new
 * password at the status step, a device answer at the device step, an
 * MFA answer at the MFA step).
 *
 * Also here, shared with the other operations on a client: the client
 * and its pool decoded from db_clients_signin, SECRET_HASH, and the
 * client's PreventUserExistenceErrors setting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>

#include "core/codes.h"
#include "core/json_cache.h"
#include "core/lockout.h"
#include "core/signin.h"
#include "core/signin_int.h"
#include "core/task.h"
#include "core/users.h"
#include "crypto/b64.h"
#include "crypto/keys.h"
#include "db/auth_sessions.h"
#include "db/clients.h"
#include "db/pg.h"
#include "db/users.h"
#include "util.h"

int
signin_client_from_row(struct signin_client *sc, const char *client_id,
    const PGresult *res, int row, int col)
{
	const char	*sealed = pg_val(res, row, col + 2);
	unsigned char	*secret;
	size_t		 len;

	memset(sc, 0, sizeof *sc);
	sc->client_id = xstrdup(client_id);
	sc->pool_id = xstrdup(pg_val(res, row, col));
	sc->config = json_cache_load(JSON_CACHE_CLIENT, client_id,
	    pg_val(res, row, col + 1));
	sc->pool_config = json_cache_load(JSON_CACHE_POOL, sc->pool_id,
	    pg_val(res, row, col + 3));
	sc->pool_mfa = json_cache_load(JSON_CACHE_POOL_MFA, sc->pool_id,
	    pg_val(res, row, col + 4));
	if (sc->config == NULL || sc->pool_config == NULL ||
	    sc->pool_mfa == NULL)
		return -1;
	if (sealed == NULL)
		return 0;
	if (keys_open(sealed, &secret, &len) != 0)
		return -1;
	sc->secret = xstrndup((const char *)secret, len);
	wipe(secret, len);
	free(secret);
	return 0;
}

void
signin_client_clear(struct signin_client *sc)
{
	free(sc->client_id);
	free(sc->pool_id);
	json_decref(sc->config);
	json_decref(sc->pool_config);
	json_decref(sc->pool_mfa);
	if (sc->secret != NULL)
		wipe_free(sc->secret);
	memset(sc, 0, sizeof *sc);
}

/* Base64(HMAC-SHA256(secret, username | client id)), malloc'd. */
static char *
signin_hmac(const struct signin_client *sc, const char *username)
{
	const mbedtls_md_info_t	*md;
	mbedtls_md_context_t	 ctx;
	unsigned char		 mac[32];

	md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, md, 1) != 0)
		fatalx("signin_hmac: md setup");
	mbedtls_md_hmac_starts(&ctx, (const unsigned char *)sc->secret,
	    strlen(sc->secret));
	mbedtls_md_hmac_update(&ctx, (const unsigned char *)username,
	    strlen(username));
	mbedtls_md_hmac_update(&ctx, (const unsigned char *)sc->client_id,
	    strlen(sc->client_id));
	mbedtls_md_hmac_finish(&ctx, mac);
	mbedtls_md_free(&ctx);
	return b64_encode(mac, sizeof mac);
}

int
signin_check_secret_hash(const struct signin_client *sc, const char *username,
    const char *given, enum core_err_kind *ekind, char **emsg)
{
	char	*want;
	int	 ok;

	*ekind = CORE_ERR_NOT_AUTHORIZED;
	if (sc->secret == NULL) {
		if (given == NULL)
			return 0;
		*ekind = CORE_ERR_INVALID;
		*emsg = xasprintf("App client %s is not configured for secret "
		    "but secret hash was received", sc->client_id);
		return -1;
	}
	if (given == NULL) {
		*emsg = xasprintf("Client %s is configured for secret but "
		    "secret was not received", sc->client_id);
		return -1;
	}
	want = signin_hmac(sc, username != NULL ? username : "");
	ok = codes_equal_str(want, given);
	free(want);
	if (ok)
		return 0;
	*emsg = xasprintf("Unable to verify secret hash for client %s",
	    sc->client_id);
	return -1;
}

int
signin_hide_existence(const struct signin_client *sc)
{
	const char	*v = json_string_value(json_object_get(sc->config,
			    "PreventUserExistenceErrors"));

	return v != NULL && strcmp(v, "ENABLED") == 0;
}

int
signin_client_secret_ok(const struct signin_client *sc, const char *given)
{
	if (sc->secret == NULL)
		return 1;
	return given != NULL && codes_equal_str(given, sc->secret);
}

/* --- The state of one sign-in ------------------------------------------ */

#define SIGNIN_SESSION_BYTES	48

static void
signin_free(void *p)
{
	struct signin	*a = p;

	if (a->have_client)
		signin_client_clear(&a->client);
	free(a->username);
	if (a->password != NULL)
		wipe_free(a->password);
	if (a->hash_copy != NULL)
		wipe_free(a->hash_copy);
	password_set_clear(&a->pset);
	signin_srp_free(a->srp);
	signin_device_free(a->device);
	free(a->device_key);
	free(a->scope);
	users_clear(&a->user);
	if (a->session != NULL)
		wipe_free(a->session);
	free(a->digest);
	free(a->origin);
	json_decref(a->attrs);
	json_decref(a->out.params);
	lockout_charge_clear(&a->charge);
	PQclear(a->mfa_row);
	free(a);
}

const struct signin_outcome *
signin_outcome(struct task *t)
{
	struct signin	*a = t->data;

	return &a->out;
}

/* The wall clock with its fraction, comparable to database epochs. */
double
signin_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *
signin_param(struct signin *a, const char *name)
{
	return json_string_value(json_object_get(a->params, name));
}

int
signin_true(const PGresult *r, int row, int col)
{
	const char	*v = pg_val(r, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

long long
signin_config_int(json_t *o, const char *name, long long def)
{
	json_t	*v = json_object_get(o, name);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* --- The step table ------------------------------------------------------ */

static void	signin_client_step(struct task *);
static void	signin_first_step(struct task *);
static void	signin_outcome_step(struct task *);

static const struct {
	const char	*name;
	task_fn		 run;	/* NULL: a slot, passed over */
} signin_steps[SIGNIN_NSTEPS] = {
	[SIGNIN_STEP_CLIENT] = { "client", signin_client_step },
	[SIGNIN_STEP_PRE_AUTH] = { "pre authentication trigger", NULL },
	[SIGNIN_STEP_MIGRATE] = { "user migration trigger", NULL },
	[SIGNIN_STEP_FIRST] = { "first factor", signin_first_step },
	[SIGNIN_STEP_VERIFY_CHALLENGE] = { "verify auth challenge trigger",
	    NULL },
	[SIGNIN_STEP_DEFINE_CHALLENGE] = { "define auth challenge trigger",
	    NULL },
	[SIGNIN_STEP_CREATE_CHALLENGE] = { "create auth challenge trigger",
	    NULL },
	[SIGNIN_STEP_STATUS] = { "status", signin_status_step },
	[SIGNIN_STEP_DEVICE] = { "device", signin_device_step },
	[SIGNIN_STEP_MFA] = { "mfa", signin_mfa_step },
	[SIGNIN_STEP_POST_AUTH] = { "post authentication trigger", NULL },
	[SIGNIN_STEP_PRE_TOKEN] = { "pre token generation trigger", NULL },
	[SIGNIN_STEP_OUTCOME] = { "outcome", signin_outcome_step },
};

void
signin_goto(struct task *t, enum signin_step step)
{
	struct signin	*a = t->data;

	while (step < SIGNIN_NSTEPS && signin_steps[step].run == NULL)
		step++;
	if (step >= SIGNIN_NSTEPS)
		fatalx("signin_goto: past the outcome");
	a->step = step;
	signin_steps[step].run(t);
}

void
signin_next(struct task *t)
{
	struct signin	*a = t->data;

	signin_goto(t, a->step + 1);
}

/* What starts each kind, and the step where its request enters. */
static void	signin_refresh_param(struct task *, struct signin *);
static void	signin_get_tokens_start(struct task *, struct signin *);

static const struct {
	enum signin_step	 from;
	void			(*start)(struct task *, struct signin *);
} signin_kinds[] = {
	[SIGNIN_PASSWORD] = { SIGNIN_STEP_FIRST, signin_password_start },
	[SIGNIN_REFRESH] = { SIGNIN_STEP_FIRST, signin_refresh_param },
	[SIGNIN_NEW_PASSWORD] = { SIGNIN_STEP_STATUS,
	    signin_new_password_start },
	[SIGNIN_GET_TOKENS] = { SIGNIN_STEP_FIRST, signin_get_tokens_start },
	[SIGNIN_SRP] = { SIGNIN_STEP_FIRST, signin_srp_start },
	[SIGNIN_VERIFIER] = { SIGNIN_STEP_FIRST, signin_verifier_start },
	[SIGNIN_MFA] = { SIGNIN_STEP_MFA, signin_mfa_respond },
	[SIGNIN_DEVICE] = { SIGNIN_STEP_DEVICE, signin_device_respond },
	/* Slots: refused by the flow table until they are served. */
	[SIGNIN_CUSTOM] = { SIGNIN_STEP_FIRST, NULL },
	[SIGNIN_FEDERATED] = { SIGNIN_STEP_FIRST, NULL },
};

/* The challenges a response may answer; CUSTOM_CHALLENGE is a slot. */
static const struct {
	const char		*name;
	enum signin_kind	 kind;
} signin_challenges[] = {
	{ "NEW_PASSWORD_REQUIRED", SIGNIN_NEW_PASSWORD },
	{ "PASSWORD_VERIFIER", SIGNIN_VERIFIER },
	{ "SMS_MFA", SIGNIN_MFA },
	{ "EMAIL_OTP", SIGNIN_MFA },
	{ "SOFTWARE_TOKEN_MFA", SIGNIN_MFA },
	{ "SELECT_MFA_TYPE", SIGNIN_MFA },
	{ "MFA_SETUP", SIGNIN_MFA },
	{ "DEVICE_SRP_AUTH", SIGNIN_DEVICE },
	{ "DEVICE_PASSWORD_VERIFIER", SIGNIN_DEVICE },
};

/* Who may use a flow. */
enum signin_caller {
	SIGNIN_ANY,		/* the API and the admin API */
	SIGNIN_PUBLIC,		/* InitiateAuth only */
	SIGNIN_ADMIN,		/* AdminInitiateAuth only */
};

/*
 * The flows of InitiateAuth and the client's ExplicitAuthFlows values
 * that enable each (any one of allow[]; legacy: any list without ALLOW_
 * values). A flow of the wrong caller is "not supported"; a flow the
 * client does not enable answers denied (or the common message). The
 * hosted door's password form needs no flow of the client.
 */
static const struct signin_flow {
	const char		*name;
	enum signin_kind	 kind;
	enum signin_caller	 caller;
	const char		*allow[2];
	int			 legacy;
	int			 hosted;
	const char		*denied;
} signin_flows[] = {
	{ "REFRESH_TOKEN_AUTH", SIGNIN_REFRESH, SIGNIN_ANY,
	    { "ALLOW_REFRESH_TOKEN_AUTH", NULL }, 1, 0, NULL },
	{ "REFRESH_TOKEN", SIGNIN_REFRESH, SIGNIN_ANY,
	    { "ALLOW_REFRESH_TOKEN_AUTH", NULL }, 1, 0, NULL },
	{ "USER_PASSWORD_AUTH", SIGNIN_PASSWORD, SIGNIN_PUBLIC,
	    { "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH" }, 0, 1,
	    "USER_PASSWORD_AUTH flow not enabled for this client" },
	{ "ADMIN_NO_SRP_AUTH", SIGNIN_PASSWORD, SIGNIN_ADMIN,
	    { "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH" }, 0, 0,
	    NULL },
	{ "ADMIN_USER_PASSWORD_AUTH", SIGNIN_PASSWORD, SIGNIN_ADMIN,
	    { "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH" }, 0, 0,
	    NULL },
	{ "USER_SRP_AUTH", SIGNIN_SRP, SIGNIN_ANY,
	    { "ALLOW_USER_SRP_AUTH", NULL }, 1, 0, NULL },
	/* Slots: the flows of custom challenges and of choice-based auth. */
	{ "CUSTOM_AUTH", SIGNIN_CUSTOM, SIGNIN_ANY, { NULL, NULL }, 0, 0,
	    NULL },
	{ "USER_AUTH", SIGNIN_CUSTOM, SIGNIN_ANY, { NULL, NULL }, 0, 0,
	    NULL },
};

/* A legacy (non-ALLOW_) list allows refresh and SRP implicitly. */
static int
signin_client_legacy(struct signin *a)
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

static int
signin_flow_enabled(struct signin *a, const struct signin_flow *f)
{
	json_t	*flows = json_object_get(a->client.config,
		    "ExplicitAuthFlows");
	size_t	 i;

	for (i = 0; i < nitems(f->allow); i++)
		if (f->allow[i] != NULL && strarray_has(flows, f->allow[i]))
			return 1;
	return f->legacy && signin_client_legacy(a);
}

/* The flow's kind, or -1 after ending t. */
static int
signin_flow_kind(struct task *t, struct signin *a, const char *flow)
{
	const struct signin_flow	*f = NULL;
	size_t				 i;

	for (i = 0; i < nitems(signin_flows) && f == NULL; i++)
		if (strcmp(signin_flows[i].name, flow) == 0)
			f = &signin_flows[i];
	if (f == NULL || f->kind == SIGNIN_CUSTOM) {
		task_fail(t, CORE_ERR_INVALID,
		    "The %s flow is not supported by this server yet.", flow);
		return -1;
	}
	if (a->hosted && f->hosted)
		return f->kind;
	if ((f->caller == SIGNIN_PUBLIC && a->admin) ||
	    (f->caller == SIGNIN_ADMIN && !a->admin)) {
		task_fail(t, CORE_ERR_INVALID,
		    "Initiate Auth method not supported.");
		return -1;
	}
	if (signin_flow_enabled(a, f))
		return f->kind;
	task_fail(t, CORE_ERR_INVALID, "%s", f->denied != NULL ? f->denied :
	    "Auth flow not enabled for this client");
	return -1;
}

/* --- The client step ------------------------------------------------------ */

static void
signin_client_loaded(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	const char	*client_id = a->req->client_id;
	int		 kind;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1 || (a->admin &&
	    strcmp(pg_val(reply->res[0], 0, 0), a->req->pool_id) != 0)) {
		task_fail(t, CORE_ERR_NO_RESOURCE,
		    "User pool client %s does not exist.", client_id);
		return;
	}
	a->have_client = 1;
	if (signin_client_from_row(&a->client, client_id, reply->res[0], 0,
	    0) != 0) {
		task_fail(t, CORE_ERR_INTERNAL,
		    "The app client could not be read.");
		return;
	}
	users_rules_init(&a->rules, a->client.pool_config);
	if (a->req->flow != NULL) {
		if ((kind = signin_flow_kind(t, a, a->req->flow)) < 0)
			return;
		a->kind = kind;
	}
	if (signin_kinds[a->kind].from == SIGNIN_STEP_FIRST) {
		signin_next(t);
		return;
	}
	a->step = signin_kinds[a->kind].from;
	signin_kinds[a->kind].start(t, a);
}

/*
 * Load the app client (and its pool) named by ClientId; on a pool
 * domain, only a client of the domain's pool.
 */
static void
signin_client_step(struct task *t)
{
	struct signin	*a = t->data;
	struct pg_batch	*b = pg_batch_new();

	if (a->req->domain != NULL)
		db_clients_signin_on_domain(b, a->req->client_id,
		    a->req->domain);
	else
		db_clients_signin(b, a->req->client_id);
	task_query(t, b, signin_client_loaded);
}

static void
signin_first_step(struct task *t)
{
	struct signin	*a = t->data;

	signin_kinds[a->kind].start(t, a);
}

static void
signin_refresh_param(struct task *t, struct signin *a)
{
	signin_refresh_start(t, a, signin_param(a, "REFRESH_TOKEN"));
}

/* GetTokensFromRefreshToken: the client secret, then the refresh. */
static void
signin_get_tokens_start(struct task *t, struct signin *a)
{
	if (!signin_client_secret_ok(&a->client, a->req->client_secret)) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED,
		    "Client secret is missing or wrong for client %s",
		    a->client.client_id);
		return;
	}
	signin_refresh_start(t, a, a->req->refresh_token);
}

/* The kind of a challenge response; -1 after ending t. */
static int
signin_challenge_kind(struct task *t, const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(signin_challenges); i++)
		if (strcmp(signin_challenges[i].name, name) == 0)
			return signin_challenges[i].kind;
	task_fail(t, CORE_ERR_INVALID,
	    "The %s challenge is not supported by this server yet.", name);
	return -1;
}

void
signin_start(struct task *t, const struct signin_req *req)
{
	struct signin	*a = xcalloc(1, sizeof *a);
	int		 kind = SIGNIN_PASSWORD;

	a->req = req;
	a->admin = req->door == SIGNIN_DOOR_ADMIN;
	a->hosted = req->door == SIGNIN_DOOR_HOSTED;
	a->params = req->params;
	task_set_data(t, a, signin_free);
	if (req->flow == NULL && req->challenge == NULL)
		kind = SIGNIN_GET_TOKENS;
	else if (req->flow == NULL &&
	    (kind = signin_challenge_kind(t, req->challenge)) < 0)
		return;
	a->kind = kind;
	signin_goto(t, SIGNIN_STEP_CLIENT);
}

/* --- What the leaves share ---------------------------------------------- */

/* SECRET_HASH of the parameters for username; -1 after ending t. */
int
signin_secret_hash(struct task *t, struct signin *a, const char *username)
{
	enum core_err_kind	 ekind;
	char			*emsg;

	/* The hosted UI's client proves itself at the token endpoint. */
	if (a->hosted)
		return 0;
	if (signin_check_secret_hash(&a->client, username,
	    signin_param(a, "SECRET_HASH"), &ekind, &emsg) == 0)
		return 0;
	task_fail(t, ekind, "%s", emsg);
	free(emsg);
	return -1;
}

int
signin_require(struct task *t, struct signin *a, const char *name)
{
	if (signin_param(a, name) != NULL)
		return 0;
	task_fail(t, CORE_ERR_INVALID, "Missing required parameter %s", name);
	return -1;
}

static void
signin_user_found(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 1) {
		db_users_from_row(&a->user, reply->res[0], 0, 0);
		a->have_user = 1;
	}
	a->found(t);
}

void
signin_find_user(struct task *t, struct signin *a, const char *name,
    task_fn done)
{
	struct pg_batch	*b = pg_batch_new();
	char		*key = users_key(&a->rules, name);

	db_users_find(b, a->client.pool_id, key);
	free(key);
	a->found = done;
	task_query(t, b, signin_user_found);
}

/* The USERNAME of a challenge response names the session's user. */
int
signin_same_user(struct signin *a, const char *given)
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

void
signin_session_add(struct pg_batch *b, struct signin *a,
    const char *challenge, json_t *data)
{
	struct db_auth_session_new	 s;
	char				 digest[CODES_DIGEST_HEX];
	char				*text;

	if (a->session != NULL)
		wipe_free(a->session);
	a->session = codes_new_secret(SIGNIN_SESSION_BYTES);
	codes_digest_hex("session", a->session, digest);
	text = json_dumps(data, JSON_COMPACT);
	s.digest = digest;
	s.pool_id = a->client.pool_id;
	s.client_id = a->client.client_id;
	s.sub = a->user.sub;
	s.challenge = challenge;
	s.data = text;
	s.ttl = signin_config_int(a->client.config, "AuthSessionValidity",
	    3) * 60;
	db_auth_sessions_insert(b, &s);
	free(text);
}

int
signin_session_digest(struct task *t, struct signin *a)
{
	char	digest[CODES_DIGEST_HEX];

	if (a->req->session == NULL) {
		task_fail(t, CORE_ERR_INVALID,
		    "Missing required parameter Session");
		return -1;
	}
	codes_digest_hex("session", a->req->session, digest);
	a->digest = xstrdup(digest);
	return 0;
}

void
signin_session_load(struct task *t, struct signin *a, task_db_fn done)
{
	struct pg_batch	*b = pg_batch_new();
	const char	*device = signin_param(a, "DEVICE_KEY");

	if (a->kind == SIGNIN_DEVICE)
		db_auth_sessions_find_device(b, a->digest,
		    a->client.client_id, device);
	else
		db_auth_sessions_find(b, a->digest, a->client.client_id);
	task_query(t, b, done);
}

const PGresult *
signin_session_user(struct task *t, struct signin *a,
    struct pg_reply *reply, const char *challenge)
{
	const PGresult	*r;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return NULL;
	}
	r = reply->res[0];
	if (pg_rows(r) != 1 || strcmp(pg_val(r, 0,
	    DB_AUTH_SESSIONS_CHALLENGE), challenge) != 0) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s", SIGNIN_BAD_SESSION);
		return NULL;
	}
	db_users_from_row(&a->user, r, 0, 0);
	a->have_user = 1;
	if (!signin_same_user(a, signin_param(a, "USERNAME"))) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED,
		    "Invalid session for the user.");
		return NULL;
	}
	if (signin_secret_hash(t, a, signin_param(a, "USERNAME")) != 0)
		return NULL;
	return r;
}

static void
signin_challenge_end(struct task *t, struct signin *a, const char *name,
    const char *session, json_t *params)
{
	a->out.kind = SIGNIN_CHALLENGE;
	a->out.challenge = name;
	a->out.session = session;
	json_decref(a->out.params);
	a->out.params = params;
	task_ok(t);
}

void
signin_challenge_plain(struct task *t, struct signin *a, const char *name,
    json_t *params)
{
	signin_challenge_end(t, a, name, NULL, params);
}

void
signin_challenge_answer(struct task *t, struct signin *a, const char *name,
    json_t *params)
{
	signin_challenge_end(t, a, name, a->session, params);
}

/* --- The outcome step ---------------------------------------------------- */

/*
 * A sign-in ends in tokens with a new refresh token family, its
 * auth_time now; a refresh keeps its family and auth_time (the refresh
 * leaf set them). The hosted door makes a session and a code instead.
 */
static void
signin_outcome_step(struct task *t)
{
	struct signin		*a = t->data;
	struct tokens_grant	*g = &a->out.grant;
	int			 refresh = a->kind == SIGNIN_REFRESH ||
				    a->kind == SIGNIN_GET_TOKENS;

	if (!refresh) {
		a->with_refresh = 1;
		a->auth_time = (long long)time(NULL);
	}
	if (a->hosted) {
		a->out.kind = SIGNIN_SIGNED_IN;
		a->out.sub = a->user.sub;
		a->out.username = a->user.username;
		a->out.auth_time = (long long)time(NULL);
		task_ok(t);
		return;
	}
	a->out.kind = SIGNIN_TOKENS;
	a->out.refreshed = refresh;
	memset(g, 0, sizeof *g);
	g->pool_id = a->client.pool_id;
	g->client_id = a->client.client_id;
	g->client_config = a->client.config;
	g->user = &a->user;
	g->auth_time = a->auth_time;
	g->origin_jti = a->origin;
	g->with_refresh = a->with_refresh;
	g->device_key = a->device_key;
	g->scope = a->scope;
	/* A sign-in from an untracked device, in a pool that tracks them. */
	g->new_device = a->with_refresh && !refresh &&
	    json_is_object(json_object_get(a->client.pool_config,
	    "DeviceConfiguration")) && a->device_key == NULL &&
	    signin_param(a, "DEVICE_KEY") == NULL;
	task_ok(t);
}
