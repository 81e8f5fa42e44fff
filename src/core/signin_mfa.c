/*
 * signin_mfa.c: the second factor of a sign-in. After the password (or
 * SRP) step, core/mfa.c decides from the pool's and the user's settings
 * whether a challenge follows: SMS_MFA or EMAIL_OTP (a code sent through
 * the message queue, its digest kept in the session), SOFTWARE_TOKEN_MFA
 * (a TOTP code, each step usable once), SELECT_MFA_TYPE (the user picks
 * one) or MFA_SETUP (an ON pool and no factor yet: AssociateSoftwareToken
 * and VerifySoftwareToken with the Session, then this challenge).
 * Sessions are single use: answering consumes the row, a wrong code is
 * counted and after a few the session dies. Every code is also charged
 * to the user's lockout (core/lockout.c) before it is compared, so codes
 * cannot be guessed in parallel nor across sign-ins.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/signin.h"
#include "core/signin_int.h"
#include "core/task.h"
#include "core/codes.h"
#include "core/lockout.h"
#include "core/mfa.h"
#include "db/auth_sessions.h"
#include "db/pg.h"
#include "notify/caps.h"
#include "notify/messages.h"
#include "util.h"

#define MFA_MAX_ATTEMPTS	3
#define MFA_BAD_CODE		"Invalid code or auth state for the user."

/* --- Asking ---------------------------------------------------------- */

static void
signin_mfa_stored(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	json_t		*params = a->attrs;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	a->attrs = NULL;
	signin_challenge_answer(t, a, a->mfa_challenge, params);
}

/* The code of SMS_MFA or EMAIL_OTP: sent, and its digest in data. */
static void
signin_mfa_send_code(struct pg_batch *b, struct signin *a, enum mfa_factor f,
    json_t *data, json_t *params)
{
	const char	*attr = f == MFA_SMS ? "phone_number" : "email";
	const char	*dest = json_string_value(json_object_get(
			    a->user.attributes, attr));
	char		 code[CODES_DIGITS + 1];
	char		 digest[CODES_DIGEST_HEX];
	json_t		*details, *config;

	codes_new(code);
	codes_digest_hex("mfa", code, digest);
	json_object_set_new(data, "code", json_string(digest));
	/*
	 * The e-mail template lives in the MFA settings (pools.mfa_config);
	 * a shallow copy of the shared pool configuration carries it.
	 */
	config = json_copy(a->client.pool_config);
	json_object_set(config, "EmailMfaConfiguration", json_object_get(
	    a->client.pool_mfa, "EmailMfaConfiguration"));
	caps_charge(b, CAPS_CODE, a->client.pool_id, dest, a->req->address);
	details = messages_send(b, a->client.pool_id, config, MESSAGES_MFA,
	    f == MFA_SMS ? "SMS" : "EMAIL", dest, code, a->user.username);
	json_decref(config);
	wipe(code, sizeof code);
	json_object_set(params, "CODE_DELIVERY_DELIVERY_MEDIUM",
	    json_object_get(details, "DeliveryMedium"));
	json_object_set(params, "CODE_DELIVERY_DESTINATION",
	    json_object_get(details, "Destination"));
	json_decref(details);
}

/* Store the session of a challenge (with its code) and answer it. */
static void
signin_mfa_ask(struct task *t, struct signin *a, const char *challenge,
    int factor, unsigned factors, struct pg_batch *b)
{
	json_t	*data = json_object();
	json_t	*params = json_pack("{s:s}", "USER_ID_FOR_SRP",
		    a->user.username);
	char	*list;

	if (strcmp(challenge, "SMS_MFA") == 0 ||
	    strcmp(challenge, "EMAIL_OTP") == 0)
		signin_mfa_send_code(b, a, factor, data, params);
	else if (strcmp(challenge, "SOFTWARE_TOKEN_MFA") == 0 &&
	    mfa_totp_name(a->user.mfa) != NULL)
		json_object_set_new(params, "FRIENDLY_DEVICE_NAME",
		    json_string(mfa_totp_name(a->user.mfa)));
	else if (strcmp(challenge, "SELECT_MFA_TYPE") == 0 ||
	    strcmp(challenge, "MFA_SETUP") == 0) {
		list = mfa_factor_list_text(factors);
		json_object_set_new(params, strcmp(challenge, "MFA_SETUP") ==
		    0 ? "MFAS_CAN_SETUP" : "MFAS_CAN_CHOOSE",
		    json_string(list));
		free(list);
	}
	if (a->device_key != NULL)	/* device SRP passed before MFA */
		json_object_set_new(data, "device",
		    json_string(a->device_key));
	signin_session_add(b, a, challenge, data);
	json_decref(data);
	json_decref(a->attrs);
	a->attrs = params;
	a->mfa_challenge = challenge;
	task_query(t, b, signin_mfa_stored);
}

int
signin_mfa_due(struct signin *a)
{
	struct mfa_decision	d;

	mfa_decide(a->client.pool_mfa, a->user.mfa, a->user.attributes,
	    a->user.has_totp, &d);
	return d.step != MFA_STEP_NONE;
}

void
signin_mfa_step(struct task *t)
{
	struct signin		*a = t->data;
	struct mfa_decision	 d;

	mfa_decide(a->client.pool_mfa, a->user.mfa, a->user.attributes,
	    a->user.has_totp, &d);
	if (d.step == MFA_STEP_NONE) {
		signin_next(t);
		return;
	}
	signin_mfa_ask(t, a, d.challenge, d.factor, d.factors,
	    pg_batch_new());
}

/* --- Answering ------------------------------------------------------- */

static void	signin_mfa_session_loaded(struct task *, struct pg_reply *);
static void	signin_mfa_charged(struct task *);

/* The challenges answered with a code, each charged to the lockout. */
static int
signin_mfa_is_code(const char *name)
{
	return strcmp(name, "SMS_MFA") == 0 ||
	    strcmp(name, "EMAIL_OTP") == 0 ||
	    strcmp(name, "SOFTWARE_TOKEN_MFA") == 0;
}

void
signin_mfa_respond(struct task *t, struct signin *a)
{
	if (signin_session_digest(t, a) != 0 ||
	    signin_require(t, a, "USERNAME") != 0)
		return;
	signin_session_load(t, a, signin_mfa_session_loaded);
}

/* Consume the session, then tokens. */
static void
signin_mfa_consumed(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[reply->nres - 1]) != 1) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s", SIGNIN_BAD_SESSION);
		return;
	}
	signin_next(t);
}

static void
signin_mfa_accept(struct task *t, struct signin *a, struct pg_batch *b)
{
	lockout_clear_user(b, a->client.pool_id, a->user.sub, &a->charge,
	    0);
	a->charge.go = 0;	/* settled */
	db_auth_sessions_consume(b, a->digest);
	task_query(t, b, signin_mfa_consumed);
}

static void
signin_mfa_counted(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	task_fail(t, CORE_ERR_CODE_MISMATCH, MFA_BAD_CODE);
}

/* A wrong code: counted; the last allowed one ends the session. */
static void
signin_mfa_wrong(struct task *t, struct signin *a)
{
	struct pg_batch	*b = pg_batch_new();

	lockout_failed_user(b, a->client.pool_id, a->user.sub);
	db_auth_sessions_count_wrong(b, a->digest, MFA_MAX_ATTEMPTS);
	task_query(t, b, signin_mfa_counted);
}

static void
signin_mfa_code(struct task *t, struct signin *a, json_t *data,
    const char *param)
{
	const char	*given = signin_param(a, param);
	const char	*want = json_string_value(json_object_get(data,
			    "code"));
	char		 digest[CODES_DIGEST_HEX];

	if (given == NULL) {
		task_fail(t, CORE_ERR_INVALID,
		    "Missing required parameter %s", param);
		return;
	}
	codes_digest_hex("mfa", given, digest);
	if (want == NULL || !codes_equal_str(digest, want)) {
		signin_mfa_wrong(t, a);
		return;
	}
	signin_mfa_accept(t, a, pg_batch_new());
}

static void
signin_mfa_totp(struct task *t, struct signin *a, const PGresult *r)
{
	const char	*code = signin_param(a, "SOFTWARE_TOKEN_MFA_CODE");
	const char	*sealed = pg_val(r, 0, DB_AUTH_SESSIONS_TOTP_SEALED);
	const char	*last = pg_val(r, 0, DB_AUTH_SESSIONS_TOTP_LAST);
	struct pg_batch	*b;
	int64_t		 step;
	char		*s;

	if (code == NULL) {
		task_fail(t, CORE_ERR_INVALID,
		    "Missing required parameter SOFTWARE_TOKEN_MFA_CODE");
		return;
	}
	if (sealed == NULL || (step = mfa_totp_check(sealed, code,
	    (int64_t)time(NULL), strtoll(last, NULL, 10))) < 0) {
		signin_mfa_wrong(t, a);
		return;
	}
	s = xasprintf("%lld", (long long)step);
	b = pg_batch_new();
	lockout_clear_user(b, a->client.pool_id, a->user.sub, &a->charge,
	    0);
	a->charge.go = 0;	/* settled */
	/* The step is used once: a replay finds no row and fails. */
	db_auth_sessions_consume_totp(b, a->client.pool_id, a->user.sub, s,
	    sealed, a->digest);
	free(s);
	task_query(t, b, signin_mfa_consumed);
}

/* SELECT_MFA_TYPE: the chosen factor's challenge, in a new session. */
static void
signin_mfa_select(struct task *t, struct signin *a)
{
	const char	*answer = signin_param(a, "ANSWER");
	unsigned	 usable;
	struct pg_batch	*b;
	int		 f;

	usable = mfa_usable(a->client.pool_mfa, a->user.mfa,
	    a->user.attributes, a->user.has_totp);
	if (answer == NULL || (f = mfa_factor_from_name(answer, 1)) < 0 ||
	    (usable & MFA_BIT(f)) == 0) {
		task_fail(t, CORE_ERR_INVALID,
		    "ANSWER must be one of the MFA types the user can choose.");
		return;
	}
	b = pg_batch_new();
	db_auth_sessions_delete(b, a->digest);
	signin_mfa_ask(t, a, mfa_factor_name(f), f, 0, b);
}

static void
signin_mfa_setup(struct task *t, struct signin *a, json_t *data)
{
	if (!json_is_true(json_object_get(data, "totp_verified"))) {
		task_fail(t, CORE_ERR_INVALID, "The software "
		    "token has not been verified with this session.");
		return;
	}
	signin_mfa_accept(t, a, pg_batch_new());
}

static void
signin_mfa_dispatch(struct task *t, struct signin *a, const PGresult *r,
    json_t *data)
{
	const char	*name = a->req->challenge;

	if (strcmp(name, "SMS_MFA") == 0)
		signin_mfa_code(t, a, data, "SMS_MFA_CODE");
	else if (strcmp(name, "EMAIL_OTP") == 0)
		signin_mfa_code(t, a, data, "EMAIL_OTP_CODE");
	else if (strcmp(name, "SOFTWARE_TOKEN_MFA") == 0)
		signin_mfa_totp(t, a, r);
	else if (strcmp(name, "SELECT_MFA_TYPE") == 0)
		signin_mfa_select(t, a);
	else
		signin_mfa_setup(t, a, data);
}

static void
signin_mfa_session_loaded(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	if (signin_session_user(t, a, reply, a->req->challenge) == NULL)
		return;
	if (!a->user.enabled) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "User is disabled.");
		return;
	}
	/* A code is charged to the lockout before it is compared. */
	a->mfa_row = reply->res[0];
	reply->res[0] = NULL;
	if (signin_mfa_is_code(a->req->challenge))
		signin_charge(t, a, signin_mfa_charged);
	else
		signin_mfa_charged(t);
}

static void
signin_mfa_charged(struct task *t)
{
	struct signin	*a = t->data;
	json_t		*data;

	data = json_loads(pg_val(a->mfa_row, 0,
	    DB_AUTH_SESSIONS_DATA), 0, NULL);
	if (json_is_string(json_object_get(data, "device")))
		a->device_key = xstrdup(json_string_value(json_object_get(data,
		    "device")));
	signin_mfa_dispatch(t, a, a->mfa_row, data);
	json_decref(data);
}
