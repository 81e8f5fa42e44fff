/*
 * signin_device.c: signing in from a remembered device (reference §4.6).
 * After the password step, a DEVICE_KEY naming one of the user's
 * confirmed devices starts device SRP: DEVICE_SRP_AUTH (the client's A)
 * is answered with DEVICE_PASSWORD_VERIFIER (the device's salt, B and a
 * SECRET_BLOCK), and the client proves it holds the device secret whose
 * verifier ConfirmDevice stored; tokens follow. A remembered device skips
 * MFA that way when the pool's ChallengeRequiredOnNewDevice is true (the
 * console's "allow users to bypass MFA for trusted devices"); any other
 * device goes to MFA straight after the password when MFA is due, and
 * the tokens still name it. The server's secret b is kept sealed in the
 * single-use session.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/signin.h"
#include "core/signin_int.h"
#include "core/task.h"
#include "core/codes.h"
#include "crypto/b64.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "crypto/srp.h"
#include "db/auth_sessions.h"
#include "db/devices.h"
#include "db/pg.h"
#include "util.h"

#define DEVICE_BLOCK_BYTES	48

/* What one device SRP step needs; on the thread and back. */
struct signin_device {
	char	*key;		/* DeviceKey */
	char	*group;		/* DeviceGroupKey */
	char	*salt;
	char	*verifier;	/* wiped */
	int	 remembered;
	char	*A, *B, *b;	/* b wiped */
	char	*block;		/* SECRET_BLOCK, base64 */
	int	 rc;
};

void
signin_device_free(struct signin_device *d)
{
	if (d == NULL)
		return;
	free(d->key);
	free(d->group);
	free(d->salt);
	if (d->verifier != NULL)
		wipe_free(d->verifier);
	free(d->A);
	free(d->B);
	if (d->b != NULL)
		wipe_free(d->b);
	free(d->block);
	free(d);
}

static char *
signin_device_dup(json_t *data, const char *name)
{
	const char	*v = json_string_value(json_object_get(data, name));

	return v != NULL ? xstrdup(v) : NULL;
}

void
signin_device_missing(struct task *t)
{
	/* Clients retry without the key when the message says "device". */
	signin_fail_charged(t, t->data, CORE_ERR_NO_RESOURCE,
	    "Device does not exist.");
}

/* --- After the password: a known device or MFA ---------------------- */

/*
 * A device the user did not ask to remember still needs MFA, and so does
 * every device unless the pool lets remembered ones bypass it.
 */
static int
signin_device_bypasses(struct signin *a, int remembered)
{
	return remembered && json_is_true(json_object_get(json_object_get(
	    a->client.pool_config, "DeviceConfiguration"),
	    "ChallengeRequiredOnNewDevice"));
}

static void
signin_device_asked(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	signin_challenge_answer(t, a, "DEVICE_SRP_AUTH", json_pack(
	    "{s:s, s:s}", "USERNAME", a->user.username, "DEVICE_KEY",
	    signin_param(a, "DEVICE_KEY")));
}

static void
signin_device_found(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	struct pg_batch	*b;
	json_t		*data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		signin_device_missing(t);
		return;
	}
	/*
	 * Device SRP ends in tokens (clients take DEVICE_PASSWORD_VERIFIER's
	 * answer as the session): a device that may not bypass MFA goes to
	 * MFA at once when MFA is due, and the tokens name it.
	 */
	if (!signin_device_bypasses(a, signin_true(reply->res[0], 0,
	    DB_DEVICES_REMEMBERED)) &&
	    signin_mfa_due(a)) {
		a->device_key = xstrdup(signin_param(a, "DEVICE_KEY"));
		signin_next(t);
		return;
	}
	data = json_pack("{s:s}", "d", signin_param(a, "DEVICE_KEY"));
	b = pg_batch_new();
	signin_session_add(b, a, "DEVICE_SRP_AUTH", data);
	json_decref(data);
	task_query(t, b, signin_device_asked);
}

void
signin_device_step(struct task *t)
{
	struct signin	*a = t->data;
	const char	*key = signin_param(a, "DEVICE_KEY");
	struct pg_batch	*b;

	if (key == NULL) {
		signin_next(t);
		return;
	}
	b = pg_batch_new();
	db_devices_find(b, a->client.pool_id, key, a->user.sub);
	task_query(t, b, signin_device_found);
}

/* --- DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER ------------------- */

static void	signin_device_loaded(struct task *, struct pg_reply *);

void
signin_device_respond(struct task *t, struct signin *a)
{
	if (signin_session_digest(t, a) != 0 ||
	    signin_require(t, a, "USERNAME") != 0 ||
	    signin_require(t, a, "DEVICE_KEY") != 0)
		return;
	signin_session_load(t, a, signin_device_loaded);
}

static void
signin_device_round1_run(struct task *t)
{
	struct signin		*a = t->data;
	struct signin_device	*d = a->device;
	unsigned char		 raw[DEVICE_BLOCK_BYTES];

	d->rc = srp_server_start(d->verifier, d->A, &d->b, &d->B);
	random_bytes(raw, sizeof raw);
	d->block = b64_encode(raw, sizeof raw);
}

static void
signin_device_round1_stored(struct task *t, struct pg_reply *reply)
{
	struct signin		*a = t->data;
	struct signin_device	*d = a->device;
	char			*salt;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	salt = srp_pad_hex(d->salt);
	signin_challenge_answer(t, a, "DEVICE_PASSWORD_VERIFIER", json_pack(
	    "{s:s, s:s, s:s, s:s, s:s}", "SALT", salt != NULL ? salt : d->salt,
	    "SRP_B", d->B, "SECRET_BLOCK", d->block, "USERNAME",
	    a->user.username, "DEVICE_KEY", d->key));
	free(salt);
}

/* Round 1 done: a new session holds A, B, the block and sealed b. */
static void
signin_device_round1_done(struct task *t)
{
	struct signin		*a = t->data;
	struct signin_device	*d = a->device;
	struct pg_batch		*b;
	json_t			*data;
	char			*sealed;

	if (d->rc != 0) {
		task_fail(t, CORE_ERR_INVALID,
		    "SRP_A is not a valid value.");
		return;
	}
	sealed = keys_seal(d->b, strlen(d->b));
	data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "d", d->key, "A", d->A,
	    "B", d->B, "b", sealed, "block", d->block);
	free(sealed);
	b = pg_batch_new();
	db_auth_sessions_delete(b, a->digest);
	signin_session_add(b, a, "DEVICE_PASSWORD_VERIFIER", data);
	json_decref(data);
	task_query(t, b, signin_device_round1_stored);
}

static void
signin_device_round2_run(struct task *t)
{
	struct signin		*a = t->data;
	struct signin_device	*d = a->device;
	struct srp_claim	 claim;
	unsigned char		*raw;
	size_t			 len;

	d->rc = 0;
	if (b64_decode(d->block, &raw, &len) != 0)
		return;
	claim.group = d->group;
	claim.name = d->key;
	claim.secret_block = raw;
	claim.secret_block_len = len;
	claim.timestamp = signin_param(a, "TIMESTAMP");
	d->rc = srp_server_verify(d->verifier, d->A, d->B, d->b, &claim,
	    signin_param(a, "PASSWORD_CLAIM_SIGNATURE"));
	free(raw);
}

static void
signin_device_consumed(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, SIGNIN_BAD_SESSION);
		return;
	}
	a->device_key = xstrdup(a->device->key);
	if (signin_device_bypasses(a, a->device->remembered))
		signin_goto(t, SIGNIN_STEP_POST_AUTH);
	else
		signin_next(t);
}

static void
signin_device_round2_done(struct task *t)
{
	struct signin	*a = t->data;
	struct pg_batch	*b;

	if (a->device->rc != 1) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, SIGNIN_BAD_PASSWORD);
		return;
	}
	b = pg_batch_new();
	db_auth_sessions_consume(b, a->digest);
	db_devices_touch(b, a->client.pool_id, a->device->key);
	task_query(t, b, signin_device_consumed);
}

/* Take round 1's state back from the session; -1 if it is not whole. */
static int
signin_device_state(struct signin_device *d, json_t *data)
{
	const char	*sealed = json_string_value(json_object_get(data, "b"));
	unsigned char	*b;
	size_t		 len;

	d->A = signin_device_dup(data, "A");
	d->B = signin_device_dup(data, "B");
	d->block = signin_device_dup(data, "block");
	if (sealed == NULL || d->A == NULL || d->B == NULL ||
	    d->block == NULL || keys_open(sealed, &b, &len) != 0)
		return -1;
	d->b = xstrndup((const char *)b, len);
	wipe(b, len);
	free(b);
	return 0;
}

static void
signin_device_answer(struct task *t, struct signin *a, const char *name,
    json_t *data)
{
	struct signin_device	*d = a->device;
	const char		*given;

	if (strcmp(name, "DEVICE_SRP_AUTH") == 0) {
		if ((given = signin_param(a, "SRP_A")) == NULL) {
			task_fail(t, CORE_ERR_INVALID,
			    "Missing required parameter SRP_A");
			return;
		}
		d->A = xstrdup(given);
		task_work(t, signin_device_round1_run,
		    signin_device_round1_done);
		return;
	}
	if (signin_device_state(d, data) != 0 || (given = signin_param(a,
	    "PASSWORD_CLAIM_SECRET_BLOCK")) == NULL ||
	    strcmp(given, d->block) != 0 ||
	    signin_param(a, "PASSWORD_CLAIM_SIGNATURE") == NULL) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, SIGNIN_BAD_SESSION);
		return;
	}
	if (signin_srp_timestamp(t, a) != 0)
		return;
	task_work(t, signin_device_round2_run, signin_device_round2_done);
}

static void
signin_device_loaded(struct task *t, struct pg_reply *reply)
{
	struct signin	*a = t->data;
	const PGresult	*r;
	json_t		*data;
	char		*verifier;

	if ((r = signin_session_user(t, a, reply, a->req->challenge)) == NULL)
		return;
	/* Sealed (or plain from before): one that does not open is none. */
	if (pg_val(r, 0, DB_AUTH_SESSIONS_SALT) == NULL || (verifier =
	    password_verifier_open(pg_val(r, 0, DB_AUTH_SESSIONS_VERIFIER))) ==
	    NULL) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, SIGNIN_BAD_SESSION);
		return;
	}
	a->device = xcalloc(1, sizeof *a->device);
	a->device->key = xstrdup(signin_param(a, "DEVICE_KEY"));
	a->device->group = xstrdup(pg_val(r, 0, DB_AUTH_SESSIONS_GROUP));
	a->device->salt = xstrdup(pg_val(r, 0, DB_AUTH_SESSIONS_SALT));
	a->device->verifier = verifier;
	a->device->remembered = signin_true(r, 0,
	    DB_AUTH_SESSIONS_REMEMBERED);
	data = json_loads(pg_val(r, 0, DB_AUTH_SESSIONS_DATA), 0, NULL);
	signin_device_answer(t, a, a->req->challenge, data);
	json_decref(data);
}
