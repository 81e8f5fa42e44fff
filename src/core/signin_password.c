/*
 * signin_password.c: the password leaves of the sign-in hub: the
 * password as first factor (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH
 * and the hosted form), checked on a worker thread with a dummy hash for
 * unknown users, charged to the lockout (core/lockout.c) before any
 * hash, the status step (disabled,
 * unconfirmed, reset required, an expired temporary password, then the
 * NEW_PASSWORD_REQUIRED challenge with a single-use Session stored as a
 * digest), its answer, and the refresh token as a first factor
 * (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, the OAuth
 * refresh_token grant) with rotation; a token that is unknown, expired,
 * revoked or of a disabled user ends with CORE_ERR_BAD_GRANT (the API's
 * NotAuthorizedException, OAuth's invalid_grant).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codes.h"
#include "core/lockout.h"
#include "core/policy.h"
#include "core/signin.h"
#include "core/signin_int.h"
#include "core/task.h"
#include "core/users.h"
#include "crypto/password.h"
#include "db/pg.h"
#include "db/refresh_tokens.h"
#include "db/users.h"
#include "util.h"

/* --- Password sign-in ------------------------------------------------ */

static void	signin_user_loaded(struct task *);
static void	signin_check_hash(struct task *);

void
signin_password_start(struct task *t, struct signin *a)
{
	if (signin_require(t, a, "USERNAME") != 0 ||
	    signin_require(t, a, "PASSWORD") != 0)
		return;
	a->username = xstrdup(signin_param(a, "USERNAME"));
	a->password = xstrdup(signin_param(a, "PASSWORD"));
	if (signin_secret_hash(t, a, a->username) != 0)
		return;
	signin_find_user(t, a, a->username, signin_user_loaded);
}

/* On a crypto thread: check the password, rehash when it is weak. */
static void
signin_check_run(struct task *t)
{
	struct signin	*a = t->data;

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
signin_user_loaded(struct task *t)
{
	struct signin	*a = t->data;

	if (a->have_user && a->user.password_hash != NULL)
		a->hash_copy = xstrdup(a->user.password_hash);
	/* Unknown users cost a hash too, so timing tells nothing. */
	signin_charge(t, a, signin_check_hash);
}

static void
signin_check_hash(struct task *t)
{
	task_work(t, signin_check_run, signin_check_done);
}

/* A lock met while checks are in flight: charge again a little later. */
#define SIGNIN_WAIT_FIRST_MS	10
#define SIGNIN_WAIT_STEP_MS	100
#define SIGNIN_WAIT_MAX_MS	(LOCKOUT_CHECK_TTL * 1000)

static void
signin_charge_again(struct task *t)
{
	struct signin	*a = t->data;

	lockout_charge_clear(&a->charge);
	signin_charge(t, a, a->charged_go);
}

/* 0 when a later charge is due (the lock may be lifted), else -1. */
static int
signin_charge_wait(struct task *t, struct signin *a)
{
	long	ms;

	if (!a->charge.wait || a->waited_ms >= SIGNIN_WAIT_MAX_MS)
		return -1;
	ms = a->waited_ms < SIGNIN_WAIT_STEP_MS ? a->waited_ms +
	    SIGNIN_WAIT_FIRST_MS : SIGNIN_WAIT_STEP_MS;
	a->waited_ms += ms;
	return task_after(t, ms, signin_charge_again);
}

/* A refused charge: wait if checks in flight may lift the lock. */
static void
signin_charge_refused(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	lockout_met(reply->res[0], &a->charge);
	if (signin_charge_wait(t, a) != 0)
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, LOCKOUT_MESSAGE);
}

static void	signin_lockout_add(struct pg_batch *, struct signin *,
		    void (*)(struct pg_batch *, const char *, const char *),
		    void (*)(struct pg_batch *, const char *, const char *));

static void
signin_charged(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	struct pg_batch	*b;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (lockout_charged(reply->res[0], &a->charge) != 0) {
		task_fail(t, CORE_ERR_INTERNAL, "Lockout failed.");
		return;
	}
	if (!a->charge.go) {
		b = pg_batch_new();
		signin_lockout_add(b, a, lockout_settled_user,
		    lockout_settled_name);
		task_query(t, b, signin_charge_refused);
		return;
	}
	a->charged_go(t);
}

/*
 * A lockout statement for this attempt's subject: fn_user for the user,
 * fn_name for the name of a missing one.
 */
static void
signin_lockout_add(struct pg_batch *b, struct signin *a,
    void (*fn_user)(struct pg_batch *, const char *, const char *),
    void (*fn_name)(struct pg_batch *, const char *, const char *))
{
	char	*key;

	if (a->have_user) {
		fn_user(b, a->client.pool_id, a->user.sub);
		return;
	}
	key = users_key(&a->rules, a->username);
	fn_name(b, a->client.pool_id, key);
	free(key);
}

/*
 * Charged before the secret is checked, so parallel attempts get no
 * more checks than the schedule; a lock that checks in flight may lift
 * is waited for. A missing user's name is charged only where its
 * answers must look like a real user's.
 */
void
signin_charge(struct task *t, struct signin *a, task_fn go)
{
	struct pg_batch	*b;

	a->charged_go = go;
	if (!a->have_user && !signin_hide_existence(&a->client)) {
		go(t);
		return;
	}
	b = pg_batch_new();
	signin_lockout_add(b, a, lockout_charge_user, lockout_charge_name);
	task_query(t, b, signin_charged);
}

static void
signin_failure_settled(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	task_fail(t, a->end_kind, "%s", a->end_message);
}

void
signin_fail_charged(struct task *t, struct signin *a,
    enum core_err_kind kind, const char *message)
{
	struct pg_batch	*b;

	if (!a->charge.go) {
		task_fail(t, kind, "%s", message);
		return;
	}
	a->charge.go = 0;
	a->end_kind = kind;
	a->end_message = message;
	b = pg_batch_new();
	signin_lockout_add(b, a, lockout_failed_user, lockout_failed_name);
	task_query(t, b, signin_failure_settled);
}

/*
 * A wrong secret, already counted by its charge: the lock that charge
 * set runs from now, when the failure is known, so a slow hash does not
 * eat into it; then "Incorrect username or password."
 */
void
signin_answer_failure(struct task *t, struct signin *a)
{
	signin_fail_charged(t, a, CORE_ERR_NOT_AUTHORIZED,
	    SIGNIN_BAD_PASSWORD);
}

/*
 * A right first factor: cleared, or refunded while MFA is to come, in a
 * quick batch (lockout.c): a lost clear or rehash costs nothing a later
 * sign-in does not redo.
 */
void
signin_charge_settle(struct pg_batch *b, struct signin *a)
{
	if (signin_mfa_due(a))
		lockout_refund_user(b, a->client.pool_id, a->user.sub,
		    &a->charge, 1);
	else
		lockout_clear_user(b, a->client.pool_id, a->user.sub,
		    &a->charge, 1);
	a->charge.go = 0;	/* settled */
}

/*
 * Why a right password of this user may not sign in (kind in *kind), or
 * NULL to go on.
 */
static const char *
signin_status_refusal(struct signin *a, enum core_err_kind *kind)
{
	long long	 validity;

	*kind = CORE_ERR_NOT_AUTHORIZED;
	if (!a->user.enabled)
		return "User is disabled.";
	if (strcmp(a->user.status, "UNCONFIRMED") == 0) {
		*kind = CORE_ERR_NOT_CONFIRMED;
		return "User is not confirmed.";
	}
	if (strcmp(a->user.status, "RESET_REQUIRED") == 0) {
		*kind = CORE_ERR_RESET_REQUIRED;
		return "Password reset required for the user";
	}
	if (strcmp(a->user.status, "FORCE_CHANGE_PASSWORD") != 0)
		return NULL;
	validity = policy_temp_validity(policy_of(a->client.pool_config));
	if (validity > 0 && a->user.temp_password_at > 0 &&
	    a->user.temp_password_at + validity < signin_now())
		return "Temporary password has expired and must be reset by "
		    "an administrator.";
	return NULL;
}

static void	signin_challenge_new_password(struct task *, struct signin *);

static void
signin_success_recorded(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (strcmp(a->user.status, "FORCE_CHANGE_PASSWORD") == 0)
		signin_challenge_new_password(t, a);
	else
		signin_next(t);
}

/* The first factor's verdict: unknown, wrong, or on to the status. */
void
signin_check_done(struct task *t)
{
	struct signin	*a = t->data;

	if (!a->have_user && !signin_hide_existence(&a->client)) {
		signin_fail_unknown(t, a);
		return;
	}
	if (!a->have_user || !a->matched) {
		signin_answer_failure(t, a);
		return;
	}
	signin_next(t);
}

/*
 * The status step: a right password of a user who may not sign in ends
 * here (its charge stands); otherwise the counters reset (and a
 * stronger hash is kept), then NEW_PASSWORD_REQUIRED or the next step.
 */
void
signin_status_step(struct task *t)
{
	struct signin		*a = t->data;
	struct pg_batch		*b;
	enum core_err_kind	 kind;
	const char		*why;

	if ((why = signin_status_refusal(a, &kind)) != NULL) {
		signin_fail_charged(t, a, kind, why);
		return;
	}
	b = pg_batch_new();
	signin_charge_settle(b, a);
	if (a->pset.hash != NULL)
		db_users_rehash(b, a->client.pool_id, a->user.sub,
		    a->pset.hash, a->pset.srp_salt, a->pset.srp_verifier);
	task_query(t, b, signin_success_recorded);
}

int
signin_locked(struct task *t, struct signin *a)
{
	/* A lock with checks in flight is waited for at the charge. */
	if (!a->have_user || a->user.locked_until <= signin_now() ||
	    a->user.checks_pending > 0)
		return 0;
	task_fail(t, CORE_ERR_NOT_AUTHORIZED, LOCKOUT_MESSAGE);
	return 1;
}

void
signin_fail_unknown(struct task *t, struct signin *a)
{
	if (signin_hide_existence(&a->client))
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, SIGNIN_BAD_PASSWORD);
	else
		task_fail(t, CORE_ERR_NO_USER, "User does not exist.");
}

/* --- NEW_PASSWORD_REQUIRED ------------------------------------------- */

/* requiredAttributes: required schema attributes the user lacks. */
static json_t *
signin_required_missing(struct signin *a)
{
	json_t		*schema = json_object_get(a->client.pool_config,
			    "SchemaAttributes");
	json_t		*out = json_array(), *v;
	const char	*name;
	size_t		 i;

	json_array_foreach(schema, i, v) {
		name = json_string_value(json_object_get(v, "Name"));
		if (name == NULL ||
		    !json_is_true(json_object_get(v, "Required")) ||
		    strcmp(name, "sub") == 0 ||
		    json_object_get(a->user.attributes, name) != NULL)
			continue;
		json_array_append_new(out, json_sprintf("userAttributes.%s",
		    name));
	}
	return out;
}

static char *
signin_dumps(json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

static void
signin_challenge_stored(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	json_t		*attrs, *params;
	char		*req, *cur;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	attrs = json_deep_copy(a->user.attributes);
	req = signin_dumps(signin_required_missing(a));
	cur = signin_dumps(attrs);
	params = json_pack("{s:s, s:s, s:s}", "USER_ID_FOR_SRP",
	    a->user.username, "requiredAttributes", req, "userAttributes",
	    cur);
	free(req);
	free(cur);
	signin_challenge_answer(t, a, "NEW_PASSWORD_REQUIRED", params);
}

/* Store a single-use session and answer the challenge with it. */
static void
signin_challenge_new_password(struct task *t, struct signin *a)
{
	struct pg_batch	*b = pg_batch_new();
	json_t		*data = json_object();

	signin_session_add(b, a, "NEW_PASSWORD_REQUIRED", data);
	json_decref(data);
	task_query(t, b, signin_challenge_stored);
}

static void	signin_session_loaded(struct task *, struct pg_reply *);

void
signin_new_password_start(struct task *t, struct signin *a)
{
	if (signin_session_digest(t, a) != 0 ||
	    signin_require(t, a, "USERNAME") != 0 ||
	    signin_require(t, a, "NEW_PASSWORD") != 0)
		return;
	signin_session_load(t, a, signin_session_loaded);
}

/* userAttributes.<name> responses as a UserAttributes list. */
static json_t *
signin_response_attributes(struct signin *a)
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
signin_new_password_check(struct task *t, struct signin *a)
{
	json_t			*list;
	const char		*why;
	enum core_err_kind	 ekind;
	char			*emsg = NULL;
	int			 rc;

	if ((why = policy_check_password(policy_of(a->client.pool_config),
	    a->password)) != NULL) {
		task_fail(t, CORE_ERR_BAD_PASSWORD, "%s", why);
		return -1;
	}
	a->attrs = json_deep_copy(a->user.attributes);
	list = signin_response_attributes(a);
	rc = users_apply_attributes(&a->rules, a->attrs, list,
	    USERS_UPDATE_SELF, json_object_get(a->client.config,
	    "WriteAttributes"), &ekind, &emsg);
	json_decref(list);
	if (rc == 0)
		rc = users_check_required(&a->rules, a->attrs, &ekind, &emsg);
	if (rc != 0) {
		task_fail(t, ekind, "%s", emsg);
		free(emsg);
		return -1;
	}
	return 0;
}

static void
signin_hash_run(struct task *t)
{
	struct signin	*a = t->data;

	if (password_make(&a->pset, a->client.pool_id, a->user.username,
	    a->password) != 0)
		password_set_clear(&a->pset);
}

static void	signin_hash_done(struct task *);

static void
signin_session_loaded(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (signin_session_user(t, a, reply, "NEW_PASSWORD_REQUIRED") == NULL)
		return;
	a->password = xstrdup(signin_param(a, "NEW_PASSWORD"));
	if (signin_new_password_check(t, a) != 0)
		return;
	task_work(t, signin_hash_run, signin_hash_done);
}

static void
signin_new_password_saved(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok && reply->sqlstate != NULL &&
	    strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0) {
		task_fail(t, CORE_ERR_ALIAS_EXISTS,
		    "An account with the given email already exists.");
		return;
	}
	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED,
		    "Invalid session for the user, session can only be used "
		    "once.");
		return;
	}
	json_decref(a->user.attributes);
	a->user.attributes = json_incref(a->attrs);
	/* A new password is the first factor only: MFA still applies. */
	signin_next(t);
}

static void
signin_hash_done(struct task *t)
{
	struct signin		*a = t->data;
	struct users_aliases	 al;
	struct db_users_new_password np;
	struct pg_batch		*b;
	char			*attrs;

	if (a->pset.hash == NULL) {
		task_fail(t, CORE_ERR_INTERNAL,
		    "The password could not be hashed.");
		return;
	}
	users_alias_columns(&a->rules, a->attrs, &al);
	if ((attrs = json_dumps(a->attrs, JSON_COMPACT)) == NULL)
		fatalx("json_dumps");
	np.session = a->digest;
	np.hash = a->pset.hash;
	np.attributes = attrs;
	np.email = al.email;
	np.phone = al.phone;
	np.preferred = al.preferred;
	np.srp_salt = a->pset.srp_salt;
	np.srp_verifier = a->pset.srp_verifier;
	b = pg_batch_new();
	/* Consuming the session and changing the user are one statement. */
	db_users_new_password(b, &np);
	free(attrs);
	users_aliases_clear(&al);
	task_query(t, b, signin_new_password_saved);
}

/* --- Refresh ----------------------------------------------------------- */

static void	signin_refresh_loaded(struct task *, struct pg_reply *);

void
signin_refresh_start(struct task *t, struct signin *a, const char *token)
{
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];

	if (token == NULL) {
		task_fail(t, CORE_ERR_INVALID,
		    "Missing required parameter REFRESH_TOKEN");
		return;
	}
	codes_digest_hex("refresh", token, digest);
	a->digest = xstrdup(digest);
	b = pg_batch_new();
	db_refresh_tokens_find(b, digest, a->client.client_id);
	task_query(t, b, signin_refresh_loaded);
}

static int
signin_rotation(struct signin *a, long long *grace)
{
	json_t		*rot = json_object_get(a->client.config,
			    "RefreshTokenRotation");
	const char	*f = json_string_value(json_object_get(rot, "Feature"));

	*grace = signin_config_int(rot, "RetryGracePeriodSeconds", 0);
	return f != NULL && strcmp(f, "ENABLED") == 0;
}

static void
signin_family_revoked(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (a->kind == SIGNIN_GET_TOKENS)
		task_fail(t, CORE_ERR_TOKEN_REUSE,
		    "The refresh token has been used already.");
	else
		task_fail(t, CORE_ERR_BAD_GRANT,
		    "Refresh Token has been revoked");
}

static void
signin_rotated(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	a->with_refresh = 1;
	signin_goto(t, SIGNIN_STEP_PRE_TOKEN);
}

/* A rotated token used again after its grace period kills the family. */
static void
signin_refresh_rotate(struct task *t, struct signin *a, int stale)
{
	struct pg_batch	*b = pg_batch_new();

	if (stale) {
		db_refresh_tokens_drop_family(b, a->origin);
		task_query(t, b, signin_family_revoked);
		return;
	}
	db_refresh_tokens_rotate(b, a->digest);
	task_query(t, b, signin_rotated);
}

static void
signin_refresh_loaded(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	const PGresult	*r;
	const char	*since;
	long long	 grace;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) != 1) {
		task_fail(t, CORE_ERR_BAD_GRANT,
		    "Invalid Refresh Token");
		return;
	}
	db_users_from_row(&a->user, r, 0, 0);
	a->have_user = 1;
	a->origin = xstrdup(pg_val(r, 0, DB_REFRESH_ORIGIN));
	a->auth_time = strtoll(pg_val(r, 0, DB_REFRESH_AUTH_TIME), NULL, 10);
	if (pg_val(r, 0, DB_REFRESH_DEVICE) != NULL)
		a->device_key = xstrdup(pg_val(r, 0, DB_REFRESH_DEVICE));
	if (pg_val(r, 0, DB_REFRESH_SCOPES) != NULL)
		a->scope = xstrdup(pg_val(r, 0, DB_REFRESH_SCOPES));
	/* A refresh token works only on the device it was issued to. */
	if (a->device_key != NULL && signin_param(a, "DEVICE_KEY") != NULL &&
	    strcmp(a->device_key, signin_param(a, "DEVICE_KEY")) != 0) {
		task_fail(t, CORE_ERR_BAD_GRANT,
		    "Invalid Refresh Token");
		return;
	}
	if (signin_true(r, 0, DB_REFRESH_EXPIRED)) {
		task_fail(t, CORE_ERR_BAD_GRANT,
		    "Refresh Token has expired");
		return;
	}
	if (a->kind == SIGNIN_REFRESH &&
	    signin_secret_hash(t, a, a->user.username) != 0)
		return;
	if (!a->user.enabled) {
		task_fail(t, CORE_ERR_BAD_GRANT, "User is disabled.");
		return;
	}
	if (signin_rotation(a, &grace)) {
		since = pg_val(r, 0, DB_REFRESH_SINCE_ROTATED);
		signin_refresh_rotate(t, a, since != NULL &&
		    strtod(since, NULL) > (double)grace);
		return;
	}
	a->with_refresh = 0;
	signin_goto(t, SIGNIN_STEP_PRE_TOKEN);
}

