/*
 * mfa_setup.c: TOTP set-up and MFA preferences (see mfa_setup.h).
 *
 * TOTP secrets are sealed under the master key before they reach the
 * database. Associating stores a new pending secret, leaving a verified
 * one in use; verifying checks a code against the pending secret (or,
 * with none pending, against the verified one) and then makes it the
 * verified secret, recording the step used so that the code is not
 * accepted again, here or at sign-in. Verifying with an access token
 * does not turn TOTP MFA on: as on Cognito, the user then sets the
 * preference (a pool that requires MFA uses a verified token without
 * it, see mfa.c). Verifying during MFA_SETUP does turn it on and makes
 * it preferred unless another factor is.
 *
 * Every write is guarded by what was read (the secrets, the last step,
 * the settings), so two requests racing with one code cannot both
 * succeed: the loser reads again and decides again (a code already used
 * is then refused), a few times at most. With a Session, the challenge
 * session is single-use: its row is replaced by one for a new Session
 * in the same statement that writes the user, and a guard that fails
 * after the old row was deleted rolls the whole statement back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/codes.h"
#include "core/mfa.h"
#include "core/mfa_setup.h"
#include "core/task.h"
#include "core/tokens.h"
#include "core/users.h"
#include "db/mfa.h"
#include "db/pg.h"
#include "util.h"

#define MFA_MAX_TRIES		3
#define MFA_SESSION_BYTES	48

#define MFA_MSG_SESSION		"Invalid session for the user, session is " \
				"expired."
#define MFA_MSG_MISMATCH	"Code mismatch and fail enable Software " \
				"Token MFA"
#define MFA_MSG_NO_POOL_TOTP	"Software Token MFA has not been enabled " \
				"by the userPool"
#define MFA_MSG_NO_USER_TOTP	"Software Token MFA does not exist for the " \
				"user."
#define MFA_MSG_CHANGED		"The user was changed by another request; " \
				"try again."

/* --- The state of one request --- */

struct mfa_op {
	char		*pool_id;
	char		*sub;
	char		*user_key;	/* an administrator's request */
	char		*digest;	/* the Session's, or NULL */
	char		*code;		/* verify: the user's code */
	char		*device_name;
	json_t		*settings;	/* preference */
	task_fn		 next;		/* after the user is loaded */
	mfa_setup_cb	 cb;
	int		 tries;
	/* as loaded */
	json_t		*pool_mfa;	/* DB_MFA_POOL_SQL */
	json_t		*mfa;		/* users.mfa */
	json_t		*attrs;
	char		*mfa_text;	/* as read, for guards */
	char		*attrs_text;
	char		*secret;	/* verified, sealed */
	char		*pending;	/* sealed */
	long long	 last_step;
	/* what a write makes */
	char		*secret_code;	/* SecretCode, wiped */
	char		*session;	/* the new Session, wiped */
	char		*sealed;	/* the new pending secret */
};

static void
mfa_loaded_clear(struct mfa_op *op)
{
	json_decref(op->pool_mfa);
	json_decref(op->mfa);
	json_decref(op->attrs);
	free(op->mfa_text);
	free(op->attrs_text);
	free(op->secret);
	free(op->pending);
	op->pool_mfa = op->mfa = op->attrs = NULL;
	op->mfa_text = op->attrs_text = op->secret = op->pending = NULL;
}

/* Forget what a write made (before another try). */
static void
mfa_made_clear(struct mfa_op *op)
{
	wipe_free(op->secret_code);
	wipe_free(op->session);
	free(op->sealed);
	op->secret_code = op->session = op->sealed = NULL;
}

static void
mfa_op_free(void *p)
{
	struct mfa_op	*op = p;

	free(op->pool_id);
	free(op->sub);
	free(op->user_key);
	free(op->digest);
	if (op->code != NULL)
		wipe_free(op->code);
	free(op->device_name);
	json_decref(op->settings);
	mfa_loaded_clear(op);
	mfa_made_clear(op);
	free(op);
}

/* A JSON object from jsonb text; {} for anything else. */
static json_t *
mfa_json(const char *text)
{
	json_t	*j = text != NULL ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

/* Compact JSON text for a jsonb parameter (malloc'd). */
static char *
mfa_text(json_t *v)
{
	char	*s = json_dumps(v, JSON_COMPACT);

	if (s == NULL)
		fatalx("mfa_text: json_dumps");
	return s;
}

static int
mfa_true(const PGresult *r, int row, int col)
{
	const char	*v = pg_val(r, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

/* Success: the caller's cb with what the write made. */
static void
mfa_done(struct task *t)
{
	struct mfa_op		*op = t->data;
	struct mfa_setup_result	 res;

	res.secret = op->secret_code;
	res.session = op->session;
	op->cb(t, &res);
}

/* --- Loading the user --- */

static void
mfa_loaded(struct task *t, struct pg_reply *reply)
{
	struct mfa_op	*op = t->data;
	const PGresult	*r;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0) {
		if (op->digest != NULL)
			task_fail(t, CORE_ERR_NOT_AUTHORIZED, MFA_MSG_SESSION);
		else
			task_fail(t, CORE_ERR_NO_USER, "User does not exist.");
		return;
	}
	mfa_loaded_clear(op);
	op->mfa_text = xstrdup_null(pg_val(r, 0, DB_MFA_SETTINGS));
	op->attrs_text = xstrdup_null(pg_val(r, 0, DB_MFA_ATTRIBUTES));
	op->mfa = mfa_json(op->mfa_text);
	op->attrs = mfa_json(op->attrs_text);
	op->secret = xstrdup_null(pg_val(r, 0, DB_MFA_SECRET));
	op->pending = xstrdup_null(pg_val(r, 0, DB_MFA_PENDING));
	op->last_step = strtoll(pg_val(r, 0, DB_MFA_LAST_STEP), NULL, 10);
	op->pool_mfa = mfa_json(pg_val(r, 0, DB_MFA_POOL));
	if (op->pool_id == NULL)
		op->pool_id = xstrdup(pg_val(r, 0, DB_MFA_POOL_ID));
	if (op->sub == NULL)
		op->sub = xstrdup(pg_val(r, 0, DB_MFA_SUB));
	op->next(t);
}

/*
 * Read the user's MFA state and the pool's settings, then run op->next:
 * by session, by the user a token or an earlier load named, or by the
 * user key of an administrator's request.
 */
static void
mfa_load(struct task *t)
{
	struct mfa_op	*op = t->data;
	struct pg_batch	*b = pg_batch_new();

	if (op->digest != NULL)
		db_mfa_by_session(b, op->digest);
	else if (op->sub != NULL)
		db_mfa_by_sub(b, op->pool_id, op->sub);
	else
		db_mfa_by_name(b, op->pool_id, op->user_key);
	task_query(t, b, mfa_loaded);
}

/* After a guarded write found the user changed: load again and redo. */
static void
mfa_retry(struct task *t)
{
	struct mfa_op	*op = t->data;

	mfa_made_clear(op);
	if (++op->tries >= MFA_MAX_TRIES) {
		task_fail(t, CORE_ERR_BUSY, MFA_MSG_CHANGED);
		return;
	}
	mfa_load(t);
}

static void
mfa_token_checked(struct task *t, struct tokens_access *a)
{
	struct mfa_op	*op = t->data;

	op->pool_id = xstrdup(a->pool_id);
	op->sub = xstrdup(a->user.sub);
	mfa_load(t);
}

/*
 * Start on t: check the token, or find the session, or take the
 * administrator's user, then load the user and run next.
 */
static void
mfa_start(struct task *t, const struct mfa_setup_req *req, task_fn next,
    mfa_setup_cb cb)
{
	struct mfa_op	*op;
	char		 digest[CODES_DIGEST_HEX];
	int		 ways = (req->access_token != NULL) +
			    (req->session != NULL) + (req->user_key != NULL);

	if (ways != 1) {
		task_fail(t, CORE_ERR_INVALID, ways > 1 ? "Only one of "
		    "AccessToken and Session may be given." : "An AccessToken "
		    "or a Session is required.");
		return;
	}
	op = xcalloc(1, sizeof *op);
	op->next = next;
	op->cb = cb;
	op->code = xstrdup_null(req->code);
	op->device_name = xstrdup_null(req->device_name);
	op->settings = req->settings != NULL ? json_incref(req->settings) :
	    NULL;
	task_set_data(t, op, mfa_op_free);
	if (req->access_token != NULL) {
		tokens_check_access(t, req->access_token, mfa_token_checked);
		return;
	}
	if (req->session != NULL) {
		codes_digest_hex("session", req->session, digest);
		op->digest = xstrdup(digest);
	} else {
		op->pool_id = xstrdup(req->pool_id);
		op->user_key = xstrdup(req->user_key);
	}
	mfa_load(t);
}

/* The pool lets users set up TOTP; -1 after ending t. */
static int
mfa_pool_totp(struct task *t, struct mfa_op *op)
{
	if (mfa_pool_factors(op->pool_mfa) & MFA_BIT(MFA_TOTP))
		return 0;
	task_fail(t, CORE_ERR_NO_TOTP, MFA_MSG_NO_POOL_TOTP);
	return -1;
}

/* A new Session for the challenge; its digest into digest. */
static void
mfa_new_session(struct mfa_op *op, char digest[CODES_DIGEST_HEX])
{
	wipe_free(op->session);
	op->session = codes_new_secret(MFA_SESSION_BYTES);
	codes_digest_hex("session", op->session, digest);
}

/* The outcome of a rotation: 0 when it happened, else -1 (handled). */
static int
mfa_rotated(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok) {
		if (reply->sqlstate != NULL &&
		    strcmp(reply->sqlstate, DB_MFA_STATE_CHANGED) == 0)
			mfa_retry(t);
		else
			task_fail_db(t, reply);
		return -1;
	}
	if (!mfa_true(reply->res[0], 0, DB_MFA_ROTATED)) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, MFA_MSG_SESSION);
		return -1;
	}
	return 0;
}

/* --- Associating a secret --- */

/*
 * The end of a write, a rotation (with a Session) or a plain one:
 * mfa_done when it happened, none when a plain one wrote no row.
 */
static void
mfa_written(struct task *t, struct pg_reply *reply, task_fn none)
{
	struct mfa_op	*op = t->data;

	if (op->digest != NULL) {
		if (mfa_rotated(t, reply) != 0)
			return;
	} else if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	} else if (pg_rows(reply->res[0]) == 0) {
		none(t);
		return;
	}
	mfa_done(t);
}

static void
mfa_no_user(struct task *t)
{
	task_fail(t, CORE_ERR_NO_USER, "User does not exist.");
}

static void
mfa_associate_done(struct task *t, struct pg_reply *reply)
{
	mfa_written(t, reply, mfa_no_user);
}

static void
mfa_associate_write(struct task *t)
{
	struct mfa_op	*op = t->data;
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];

	if (mfa_pool_totp(t, op) != 0)
		return;
	mfa_made_clear(op);
	mfa_totp_new(&op->sealed, &op->secret_code);
	b = pg_batch_new();
	if (op->digest != NULL) {
		mfa_new_session(op, digest);
		db_mfa_associate_session(b, op->digest, digest, "{}",
		    op->sealed);
	} else
		db_mfa_associate(b, op->pool_id, op->sub, op->sealed);
	task_query(t, b, mfa_associate_done);
}

void
mfa_setup_associate(struct task *t, const struct mfa_setup_req *req,
    mfa_setup_cb cb)
{
	mfa_start(t, req, mfa_associate_write, cb);
}

/* --- Verifying a code --- */

static void
mfa_verify_done(struct task *t, struct pg_reply *reply)
{
	mfa_written(t, reply, mfa_retry);
}

/* Record the verified code: step, new settings; the user as read. */
static void
mfa_verify_write(struct task *t, long long step, json_t *mfa)
{
	struct mfa_op	*op = t->data;
	struct pg_batch	*b = pg_batch_new();
	char		 digest[CODES_DIGEST_HEX], s[24], *text;

	snprintf(s, sizeof s, "%lld", step);
	text = mfa_text(mfa);
	if (op->digest != NULL)
		mfa_new_session(op, digest);
	db_mfa_verify(b, &(struct db_mfa_verify){ .digest = op->digest,
	    .new_digest = digest, .data = "{\"totp_verified\": true}",
	    .pool_id = op->pool_id, .sub = op->sub, .step = s,
	    .settings = text, .settings_read = op->mfa_text,
	    .pending = op->pending, .secret = op->secret });
	free(text);
	task_query(t, b, mfa_verify_done);
}

/*
 * Check the code against the pending secret (a new one: any step) or,
 * with none pending, against the verified one (a step after the last
 * used).
 */
static void
mfa_verify_check(struct task *t)
{
	struct mfa_op	*op = t->data;
	const char	*target = op->pending != NULL ? op->pending :
			    op->secret;
	json_t		*mfa;
	int64_t		 step;

	if (mfa_pool_totp(t, op) != 0)
		return;
	if (target == NULL) {
		task_fail(t, CORE_ERR_NO_TOTP, MFA_MSG_NO_USER_TOTP);
		return;
	}
	step = op->code == NULL ? -1 : mfa_totp_check(target, op->code,
	    now_s(), op->pending != NULL ? 0 : op->last_step);
	if (step < 0) {
		task_fail(t, CORE_ERR_TOTP_MISMATCH, MFA_MSG_MISMATCH);
		return;
	}
	mfa = mfa_totp_verified(op->mfa, op->device_name, op->digest != NULL);
	mfa_verify_write(t, (long long)step, mfa);
	json_decref(mfa);
}

void
mfa_setup_verify(struct task *t, const struct mfa_setup_req *req,
    mfa_setup_cb cb)
{
	mfa_start(t, req, mfa_verify_check, cb);
}

/* --- Preferences --- */

static void
mfa_settings_done(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		mfa_retry(t);
		return;
	}
	mfa_done(t);
}

static void
mfa_settings_write(struct task *t)
{
	struct mfa_op	*op = t->data;
	struct pg_batch	*b;
	json_t		*mfa;
	enum core_err_kind	 ekind;
	char			*emsg = NULL, *text;

	mfa = mfa_apply_settings(op->mfa, op->settings, op->attrs,
	    op->secret != NULL, &ekind, &emsg);
	if (mfa == NULL) {
		task_fail(t, ekind, "%s", emsg);
		free(emsg);
		return;
	}
	text = mfa_text(mfa);
	json_decref(mfa);
	b = pg_batch_new();
	db_mfa_settings(b, op->pool_id, op->sub, text, op->mfa_text,
	    op->attrs_text, op->secret != NULL ? "true" : "false");
	free(text);
	task_query(t, b, mfa_settings_done);
}

void
mfa_setup_preference(struct task *t, const struct mfa_setup_req *req,
    mfa_setup_cb cb)
{
	mfa_start(t, req, mfa_settings_write, cb);
}
