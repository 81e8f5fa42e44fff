/*
 * recovery.c: getting back into an account (see signup.h): a new
 * sign-up confirmation code, a forgotten password's code, and the new
 * password with that code; and what PreventUserExistenceErrors answers
 * for a name that matches no user.
 *
 * A reset code is checked (a guess counted, right or wrong) before the
 * new password is hashed, so wrong codes cost no hashing time; the code
 * is consumed only with the new password. While a user's code is dead
 * (its guesses used up within the window) no new code of that purpose
 * is sent.
 *
 * A missing name under PreventUserExistenceErrors is answered as an
 * existing user is, call after call: a send answers a delivery that
 * looks real (the same for the same name), charged to the message caps
 * under the name and starting a simulated code (table code_names) whose
 * guesses end as a real code's do, after which a send is refused as for
 * a real user; a guess without a live simulated code is charged to the
 * name's attempts (lockout_names), ending in CORE_ERR_LIMIT as a real
 * user's guesses without a code do.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "core/lockout.h"
#include "core/signup.h"
#include "core/signup_int.h"
#include "core/task.h"
#include "core/users.h"
#include "db/pg.h"
#include "db/user_codes.h"
#include "notify/caps.h"
#include "notify/messages.h"
#include "util.h"

#define RECOVERY_MSG_NO_RECOVERY	"Cannot reset password for the user " \
				"as there is no registered/verified email or " \
				"phone_number"

/* --- Sending a code to an existing user -------------------------------- */

static void
recovery_sent(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok)
		task_fail_db(t, reply);	/* a message cap */
	else
		task_ok(t);
}

void
signup_send_code(struct task *t, const char *purpose, const char *attr,
    const char *ttl)
{
	struct signup		*s = t->data;
	struct signup_code	 c;
	struct pg_batch		*b;
	char			*key;

	if (s->code_dead) {
		task_fail(t, CORE_ERR_LIMIT, SIGNUP_MSG_LIMIT);
		return;
	}
	memset(&c, 0, sizeof c);
	c.pool_id = s->pool_id;
	c.pool_config = s->pool_config;
	c.sub = s->user.sub;
	c.username = s->user.username;
	c.purpose = purpose;
	c.attr = attr;
	c.dest = signup_attr(s->user.attributes, attr);
	c.ttl = ttl;
	c.address = s->req->address;
	b = pg_batch_new();
	s->out.sent = signup_code_send(b, &c, &s->out.delivery) == 0;
	if (s->hide) {	/* as a simulated send does (signup_not_found) */
		key = xasprintf("%s:%s", purpose, s->key);
		lockout_clear_name(b, s->pool_id, key);
		free(key);
	}
	task_query(t, b, recovery_sent);
}

/* --- A name that matches no user --------------------------------------- */

/*
 * The delivery a missing user is answered: one that looks real and is
 * the same on every call for the same name.
 */
static void
recovery_fake_delivery(struct signup *s)
{
	const char		*name = s->req->username;
	struct signup_delivery	*d = &s->out.delivery;
	char			 dest[8], digest[CODES_DIGEST_HEX];

	signup_delivery_clear(d);
	d->medium = "EMAIL";
	if (users_is_email(name))
		d->destination = messages_mask(d->medium, name);
	else if (users_is_phone(name)) {
		d->medium = "SMS";
		d->destination = messages_mask(d->medium, name);
	} else {
		codes_digest_hex("simulated delivery", s->key, digest);
		dest[0] = isalpha((unsigned char)name[0]) ?
		    tolower((unsigned char)name[0]) : 'u';
		dest[1] = '@';
		dest[2] = 'a' + (isdigit((unsigned char)digest[2]) ?
		    digest[2] - '0' : digest[2] - 'a' + 10) +
		    (digest[3] & 0x7) % 11;
		dest[3] = '\0';
		d->destination = messages_mask(d->medium, dest);
	}
	d->attribute = strcmp(d->medium, "EMAIL") == 0 ? "email" :
	    "phone_number";
	s->out.sent = 1;
}

static void
recovery_fake_sent(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok) {
		task_fail_db(t, reply);	/* a message cap */
		return;
	}
	recovery_fake_delivery(t->data);
	task_ok(t);
}

static void
recovery_fake_charged(struct task *t, struct pg_reply *reply)
{
	struct lockout_charge	 c;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	/* As a real code's: the attempt after LOCKOUT_AFTER and on fail. */
	if (lockout_charged(reply->res[0], &c) == 0 && (!c.go ||
	    c.failures > LOCKOUT_AFTER))
		task_fail(t, CORE_ERR_LIMIT, SIGNUP_MSG_LIMIT);
	else
		task_fail(t, CORE_ERR_CODE_MISMATCH, SIGNUP_MSG_MISMATCH);
	lockout_charge_clear(&c);
}

/* A guess at a missing name's simulated code: as a real code's. */
static void
recovery_fake_guessed(struct task *t, struct pg_reply *reply)
{
	struct signup	*s = t->data;
	const PGresult	*r;
	const char	*expired;
	struct pg_batch	*b;
	char		*key;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	r = reply->res[0];
	expired = pg_val(r, 0, 1);
	if (strcmp(pg_val(r, 0, 2), "t") == 0) {
		task_fail(t, CORE_ERR_CODE_MISMATCH, SIGNUP_MSG_MISMATCH);
		return;
	}
	if (pg_val(r, 0, 0) != NULL && strcmp(expired, "f") == 0) {
		task_fail(t, CORE_ERR_LIMIT, SIGNUP_MSG_LIMIT);
		return;
	}
	/* No live code: as a real user without one (recovery_checked). */
	b = pg_batch_new();
	key = xasprintf("%s:%s", s->purpose, s->key);
	lockout_charge_name(b, s->pool_id, key);
	/* The guess is wrong: its check settles at once. */
	lockout_failed_name(b, s->pool_id, key);
	free(key);
	task_query(t, b, recovery_fake_charged);
}

/*
 * No such user: CORE_ERR_NO_USER, or under PreventUserExistenceErrors
 * the answers of recovery.c's top paragraph. sends: the operation sends
 * a code (else it checks one).
 */
void
signup_not_found(struct task *t, const char *purpose, int sends)
{
	struct signup	*s = t->data;
	struct pg_batch	*b;
	char		*key;

	if (!s->hide) {
		task_fail(t, CORE_ERR_NO_USER, SIGNUP_NOT_FOUND);
		return;
	}
	if (sends && s->name_dead) {
		task_fail(t, CORE_ERR_LIMIT, SIGNUP_MSG_LIMIT);
		return;
	}
	s->purpose = purpose;
	b = pg_batch_new();
	key = xasprintf("%s:%s", purpose, s->key);
	if (sends) {
		caps_charge(b, CAPS_CODE, s->pool_id, key, s->req->address);
		db_user_codes_name_sent(b, s->pool_id, key,
		    strcmp(purpose, "reset") == 0 ? SIGNUP_TTL_RESET :
		    SIGNUP_TTL_SIGNUP);
		lockout_clear_name(b, s->pool_id, key);
		task_query(t, b, recovery_fake_sent);
	} else {
		db_user_codes_name_guess(b, s->pool_id, key);
		task_query(t, b, recovery_fake_guessed);
	}
	free(key);
}

/* --- ResendConfirmationCode -------------------------------------------- */

static void
recovery_resend_found(struct task *t)
{
	struct signup	*s = t->data;
	const char	*attr;

	if (!s->have_user) {
		signup_not_found(t, "signup", 1);
		return;
	}
	if (strcmp(s->user.status, "UNCONFIRMED") != 0) {
		task_fail(t, CORE_ERR_INVALID, "User is already confirmed.");
		return;
	}
	if ((attr = signup_code_attr(&s->rules, s->user.attributes)) ==
	    NULL) {
		task_fail(t, CORE_ERR_INVALID,
		    "Cannot resend codes. Auto verification not turned on.");
		return;
	}
	signup_send_code(t, "signup", attr, SIGNUP_TTL_SIGNUP);
}

static void
recovery_resend_client(struct task *t)
{
	signup_find(t, "signup", recovery_resend_found);
}

void
signup_resend(struct task *t, const struct signup_req *r)
{
	signup_begin(t, r, recovery_resend_client);
}

/* --- ForgotPassword ---------------------------------------------------- */

static void
recovery_forgot_found(struct task *t)
{
	struct signup	*s = t->data;
	const char	*attr;
	int		 admin_only;

	if (!s->have_user) {
		signup_not_found(t, "reset", 1);
		return;
	}
	if (!s->user.enabled) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "User is disabled.");
		return;
	}
	attr = users_recovery_attr(s->pool_config, s->user.attributes,
	    &admin_only);
	if (attr == NULL && admin_only) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED,
		    "User password cannot be reset in the current state.");
		return;
	}
	if (attr == NULL) {
		task_fail(t, CORE_ERR_INVALID, RECOVERY_MSG_NO_RECOVERY);
		return;
	}
	signup_send_code(t, "reset", attr, SIGNUP_TTL_RESET);
}

static void
recovery_forgot_client(struct task *t)
{
	signup_find(t, "reset", recovery_forgot_found);
}

void
signup_forgot(struct task *t, const struct signup_req *r)
{
	signup_begin(t, r, recovery_forgot_client);
}

/* --- ConfirmForgotPassword --------------------------------------------- */

/* The end of a code check or reset by its row; 0 when the code was right. */
static int
recovery_verdict(struct task *t, const PGresult *r)
{
	enum db_user_codes_verdict	 v = db_user_codes_verdict(r);
	struct core_err			 err;

	if (v == DB_USER_CODES_RIGHT)
		return 0;
	signup_code_err(v, &err);
	task_fail(t, err.kind, "%s", err.message);
	return -1;
}

static void
recovery_reset_done(struct task *t, struct pg_reply *reply)
{
	struct signup	*s = t->data;

	if (!reply->ok)
		task_fail_db(t, reply);
	else if (recovery_verdict(t, reply->res[0]) == 0)
		signup_post_confirmation(t,
		    "PostConfirmation_ConfirmForgotPassword", s->user.username,
		    s->user.sub, s->user.attributes);
}

/* The code was right and the new password is hashed: consume and set. */
static void
recovery_reset_write(struct task *t)
{
	struct signup			*s = t->data;
	struct db_user_codes_reset	 r;
	struct pg_batch			*b;

	if (s->hashed != 0 || s->pset.hash == NULL) {
		task_fail(t, CORE_ERR_INTERNAL, "The service could not "
		    "complete the request; try again.");
		return;
	}
	r.pool_id = s->pool_id;
	r.sub = s->user.sub;
	r.digest = s->digest;
	r.hash = s->pset.hash;
	r.srp_salt = s->pset.srp_salt;
	r.srp_verifier = s->pset.srp_verifier;
	b = pg_batch_new();
	db_user_codes_reset(b, &r);
	task_query(t, b, recovery_reset_done);
}

/*
 * Under PreventUserExistenceErrors a user without a live code is
 * answered as a missing user is (a mismatch, charged to the name,
 * ending in CORE_ERR_LIMIT), not CORE_ERR_CODE_EXPIRED, which a missing
 * user never gets.
 */
static void
recovery_checked(struct task *t, struct pg_reply *reply)
{
	struct signup	*s = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (s->hide && db_user_codes_gone(reply->res[0])) {
		signup_not_found(t, "reset", 0);
		return;
	}
	if (recovery_verdict(t, reply->res[0]) != 0)
		return;
	signup_hash(t, recovery_reset_write);
}

static void
recovery_reset_found(struct task *t)
{
	struct signup	*s = t->data;
	struct pg_batch	*b;

	if (!s->have_user) {
		signup_not_found(t, "reset", 0);
		return;
	}
	codes_digest_bound("reset", NULL, s->req->code, s->digest);
	b = pg_batch_new();
	db_user_codes_check(b, s->pool_id, s->user.sub, "reset", s->digest);
	task_query(t, b, recovery_checked);
}

static void
recovery_reset_client(struct task *t)
{
	struct signup	*s = t->data;

	if (s->req->password == NULL) {
		task_fail(t, CORE_ERR_INVALID, "A new password is required.");
		return;
	}
	if (signup_policy(t, s->req->password) != 0)
		return;
	signup_find(t, NULL, recovery_reset_found);
}

void
signup_reset(struct task *t, const struct signup_req *r)
{
	signup_begin(t, r, recovery_reset_client);
}
