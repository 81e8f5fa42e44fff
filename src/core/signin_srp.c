/*
 * signin_srp.c: USER_SRP_AUTH, the sign-in flow browser and mobile SDKs
 * use by default (reference §4). Round 1 (InitiateAuth with SRP_A)
 * answers PASSWORD_VERIFIER with the user's salt, B and a SECRET_BLOCK;
 * round 2 (RespondToAuthChallenge with the client's signature) proves
 * the password without sending it. The modular arithmetic runs on the
 * crypto threads.
 *
 * SECRET_BLOCK is self-contained, because clients often send no Session
 * back: base64 of the server's state (pool, client, user, A, B, the
 * secret b, the time) sealed with AES-GCM under the master key. An
 * unknown user (when the client hides existence) or one without a
 * verifier yet gets a fake verifier derived from a server key, so the
 * answers look alike and no password can match.
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
#include "crypto/srp.h"
#include "db/devices.h"
#include "db/pg.h"
#include "util.h"

#define SRP_TIMESTAMP_SKEW	300	/* seconds either side */
#define SRP_FAKE_LABEL		"userpoold srp fake users v1"

struct signin_srp {
	char		*A;
	char		*B;
	char		*b;		/* the server's secret, wiped */
	char		*salt;
	char		*verifier;	/* wiped */
	char		*user_id;	/* USER_ID_FOR_SRP */
	char		*key;		/* normalised username, for fakes */
	int		 fake;
	int		 rc;		/* thread result */
	unsigned char	*block;		/* round 2: SECRET_BLOCK bytes */
	size_t		 block_len;
	char		*block_text;	/* round 1: SECRET_BLOCK, base64 */
};

void
signin_srp_free(struct signin_srp *s)
{
	if (s == NULL)
		return;
	free(s->A);
	free(s->B);
	if (s->b != NULL)
		wipe_free(s->b);
	free(s->salt);
	if (s->verifier != NULL)
		wipe_free(s->verifier);
	free(s->user_id);
	free(s->key);
	free(s->block);
	free(s->block_text);
	free(s);
}

/* The part of a pool id after '_': the SRP "pool name". */
static const char *
signin_srp_pool_name(const char *pool_id)
{
	const char	*u = strchr(pool_id, '_');

	return u != NULL ? u + 1 : pool_id;
}

/* A fake verifier (and salt) for a name; the same every time. */
static void
signin_srp_fake(struct signin *a)
{
	unsigned char	 key[32];

	keys_master_derive(SRP_FAKE_LABEL, key);
	free(a->srp->salt);
	if (a->srp->verifier != NULL)
		wipe_free(a->srp->verifier);
	srp_fake_user(key, sizeof key, a->client.pool_id, a->srp->key,
	    &a->srp->salt, &a->srp->verifier);
	wipe(key, sizeof key);
}

/* --- Round 1 ------------------------------------------------------- */

static void	signin_srp_user_loaded(struct task *);

void
signin_srp_start(struct task *t, struct signin *a)
{
	if (signin_require(t, a, "USERNAME") != 0 ||
	    signin_require(t, a, "SRP_A") != 0)
		return;
	a->username = xstrdup(signin_param(a, "USERNAME"));
	if (signin_secret_hash(t, a, a->username) != 0)
		return;
	a->srp = xcalloc(1, sizeof *a->srp);
	a->srp->A = xstrdup(signin_param(a, "SRP_A"));
	a->srp->key = users_key(&a->rules, a->username);
	signin_find_user(t, a, a->username, signin_srp_user_loaded);
}

static void
signin_srp_round1_run(struct task *t)
{
	struct signin	*a = t->data;

	if (a->srp->fake)
		signin_srp_fake(a);
	a->srp->rc = srp_server_start(a->srp->verifier, a->srp->A,
	    &a->srp->b, &a->srp->B);
}

/* The sealed state round 2 needs, as base64. */
static char *
signin_srp_block(struct signin *a)
{
	json_t	*j;
	char	*text, *sealed, *out;

	j = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, "
	    "s:b}", "v", 1, "p", a->client.pool_id, "c", a->client.client_id,
	    "s", a->have_user ? a->user.sub : "", "n", a->srp->user_id,
	    "k", a->srp->key, "A", a->srp->A, "B", a->srp->B, "b", a->srp->b,
	    "t", (json_int_t)time(NULL), "f", a->srp->fake);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	sealed = keys_seal(text, strlen(text));
	wipe_free(text);
	out = b64_encode(sealed, strlen(sealed));
	free(sealed);
	return out;
}

static void
signin_srp_round1_done(struct task *t)
{
	struct signin	*a = t->data;
	struct signin_srp	*s = a->srp;
	char		*block;

	if (s->rc != 0) {
		task_fail(t, CORE_ERR_INVALID,
		    "SRP_A is not a valid value.");
		return;
	}
	block = signin_srp_block(a);
	signin_challenge_plain(t, a, "PASSWORD_VERIFIER", json_pack(
	    "{s:s, s:s, s:s, s:s, s:s}", "SALT", s->salt, "SRP_B", s->B,
	    "SECRET_BLOCK", block, "USERNAME", s->user_id, "USER_ID_FOR_SRP",
	    s->user_id));
	free(block);
}

static void
signin_srp_user_loaded(struct task *t)
{
	struct signin	*a = t->data;
	struct signin_srp	*s = a->srp;

	if (a->have_user) {
		/* Hiding users, a lock shows at round 2 as for nobody. */
		if (!signin_hide_existence(&a->client) && signin_locked(t, a))
			return;
	} else if (!signin_hide_existence(&a->client)) {
		signin_fail_unknown(t, a);
		return;
	}
	/* Without a verifier (yet) the exchange runs on a fake one. */
	s->fake = !a->have_user || a->user.srp_verifier == NULL;
	s->user_id = xstrdup(a->have_user ? a->user.username : a->username);
	if (!s->fake) {
		s->salt = xstrdup(a->user.srp_salt);
		s->verifier = password_verifier_open(a->user.srp_verifier);
		s->fake = s->verifier == NULL;
	}
	task_work(t, signin_srp_round1_run, signin_srp_round1_done);
}

/* --- Round 2 ------------------------------------------------------- */

static const char *
signin_srp_field(json_t *j, const char *name)
{
	return json_string_value(json_object_get(j, name));
}

/* Open SECRET_BLOCK into the state of round 1; NULL if it is not ours. */
static json_t *
signin_srp_open(struct signin *a, const char *text)
{
	struct signin_srp	*s = a->srp;
	unsigned char	*plain;
	char		*sealed;
	size_t		 len;
	json_t		*j;

	if (b64_decode(text, &s->block, &s->block_len) != 0)
		return NULL;
	sealed = xstrndup((const char *)s->block, s->block_len);
	if (keys_open(sealed, &plain, &len) != 0) {
		free(sealed);
		return NULL;
	}
	free(sealed);
	j = json_loadb((const char *)plain, len, 0, NULL);
	wipe(plain, len);
	free(plain);
	return j;
}

/* The block was made for this client and is fresh. */
static int
signin_srp_block_valid(struct signin *a, json_t *j)
{
	const char	*client = signin_srp_field(j, "c");
	const char	*pool = signin_srp_field(j, "p");
	json_t		*t = json_object_get(j, "t");
	long long	 ttl = signin_config_int(a->client.config,
			    "AuthSessionValidity",
			    3) * 60;

	if (client == NULL || pool == NULL || !json_is_integer(t) ||
	    signin_srp_field(j, "A") == NULL ||
	    signin_srp_field(j, "B") == NULL ||
	    signin_srp_field(j, "b") == NULL ||
	    signin_srp_field(j, "n") == NULL ||
	    signin_srp_field(j, "k") == NULL ||
	    signin_srp_field(j, "s") == NULL)
		return 0;
	return strcmp(client, a->client.client_id) == 0 &&
	    strcmp(pool, a->client.pool_id) == 0 &&
	    json_integer_value(t) + ttl >= (json_int_t)time(NULL);
}

static void
signin_srp_take(struct signin *a, json_t *j)
{
	struct signin_srp	*s = a->srp;

	s->A = xstrdup(signin_srp_field(j, "A"));
	s->B = xstrdup(signin_srp_field(j, "B"));
	s->b = xstrdup(signin_srp_field(j, "b"));
	s->user_id = xstrdup(signin_srp_field(j, "n"));
	s->key = xstrdup(signin_srp_field(j, "k"));
	s->fake = json_is_true(json_object_get(j, "f"));
}

int
signin_srp_timestamp(struct task *t, struct signin *a)
{
	int64_t	when;

	if (srp_timestamp_parse(signin_param(a, "TIMESTAMP"), &when) == 0 &&
	    when >= (int64_t)time(NULL) - SRP_TIMESTAMP_SKEW &&
	    when <= (int64_t)time(NULL) + SRP_TIMESTAMP_SKEW)
		return 0;
	task_fail(t, CORE_ERR_NOT_AUTHORIZED,
	    "TIMESTAMP is not a valid time within five minutes of now.");
	return -1;
}

static void	signin_verifier_user_loaded(struct task *);

void
signin_verifier_start(struct task *t, struct signin *a)
{
	const char	*given;
	json_t		*j;

	if (signin_require(t, a, "USERNAME") != 0 ||
	    signin_require(t, a, "PASSWORD_CLAIM_SECRET_BLOCK") != 0 ||
	    signin_require(t, a, "PASSWORD_CLAIM_SIGNATURE") != 0 ||
	    signin_require(t, a, "TIMESTAMP") != 0)
		return;
	a->srp = xcalloc(1, sizeof *a->srp);
	j = signin_srp_open(a, signin_param(a, "PASSWORD_CLAIM_SECRET_BLOCK"));
	if (j == NULL || !signin_srp_block_valid(a, j)) {
		json_decref(j);
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, SIGNIN_BAD_SESSION);
		return;
	}
	signin_srp_take(a, j);
	json_decref(j);
	given = signin_param(a, "USERNAME");
	a->username = xstrdup(given);
	if (signin_secret_hash(t, a, given) != 0 ||
	    signin_srp_timestamp(t, a) != 0)
		return;
	signin_find_user(t, a, a->srp->user_id, signin_verifier_user_loaded);
}

static void
signin_verifier_run(struct task *t)
{
	struct signin	*a = t->data;
	struct signin_srp	*s = a->srp;
	struct srp_claim claim;

	if (s->fake)
		signin_srp_fake(a);
	claim.group = signin_srp_pool_name(a->client.pool_id);
	claim.name = s->user_id;
	claim.secret_block = s->block;
	claim.secret_block_len = s->block_len;
	claim.timestamp = signin_param(a, "TIMESTAMP");
	s->rc = srp_server_verify(s->verifier, s->A, s->B, s->b, &claim,
	    signin_param(a, "PASSWORD_CLAIM_SIGNATURE"));
	a->matched = s->rc == 1;
}

static void
signin_verifier_spent(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (!signin_true(reply->res[0], 0, DB_DEVICES_SPEND_DEVICE_OK))
		signin_device_missing(t);
	else if (!signin_true(reply->res[0], 0, DB_DEVICES_SPEND_SPENT))
		signin_fail_charged(t, t->data, CORE_ERR_NOT_AUTHORIZED,
		    SIGNIN_BAD_SESSION);
	else
		signin_check_done(t);
}

/*
 * A matched answer spends its SECRET_BLOCK, so it cannot sign in twice;
 * but not when the DEVICE_KEY beside it is unknown, because clients then
 * send the same answer again without the key.
 */
static void
signin_verifier_spend(struct task *t, struct signin *a)
{
	struct pg_batch	*b = pg_batch_new();
	char		 digest[CODES_DIGEST_HEX];
	char		*ttl;

	codes_digest_hex("srp-block", signin_param(a,
	    "PASSWORD_CLAIM_SECRET_BLOCK"), digest);
	ttl = xasprintf("%lld", signin_config_int(a->client.config,
	    "AuthSessionValidity", 3) * 60);
	db_devices_spend_srp(b, digest, ttl, signin_param(a, "DEVICE_KEY"),
	    a->client.pool_id, a->user.sub);
	free(ttl);
	task_query(t, b, signin_verifier_spent);
}

static void
signin_verifier_done(struct task *t)
{
	struct signin	*a = t->data;

	/* A fake exchange never matches (its charge counted it). */
	if (a->srp->fake || !a->have_user) {
		signin_answer_failure(t, a);
		return;
	}
	if (a->matched)
		signin_verifier_spend(t, a);
	else
		signin_check_done(t);
}

static void
signin_verifier_check(struct task *t)
{
	task_work(t, signin_verifier_run, signin_verifier_done);
}

static void
signin_verifier_user_loaded(struct task *t)
{
	struct signin	*a = t->data;
	struct signin_srp	*s = a->srp;

	/* The name USERNAME gives must be the one round 1 answered. */
	if (strcmp(a->username, s->user_id) != 0 && (!a->have_user ||
	    strcmp(a->username, a->user.username) != 0)) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, SIGNIN_BAD_PASSWORD);
		return;
	}
	if (!s->fake && (!a->have_user || a->user.srp_verifier == NULL))
		s->fake = 1;
	if (!s->fake && (s->verifier = password_verifier_open(
	    a->user.srp_verifier)) == NULL)
		s->fake = 1;
	signin_charge(t, a, signin_verifier_check);
}
