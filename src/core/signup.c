/*
 * signup.c: signing up (see signup.h): the steps every operation of
 * signup.h runs (the app client and its SecretHash, the user by name or
 * alias), and SignUp and ConfirmSignUp. The codes themselves are
 * signup_codes.c's.
 *
 * Codes are CODES_DIGITS random digits stored only as a digest (table
 * codes, db/user_codes.c), single use and expiring: 24 hours for
 * sign-up and attribute verification, one hour for a password reset.
 * Every write of an operation is one batch (one transaction): the user
 * row, the code row, the message caps' charge and the message that
 * carries the code commit together or not at all. The uniqueness of
 * usernames and sign-in aliases lives in the schema, so fifty parallel
 * sign-ups of one name end in one user and forty-nine
 * CORE_ERR_USER_EXISTS. Passwords are hashed on a crypto thread, never
 * on the loop, and every copy of a password is wiped after use.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "core/policy.h"
#include "core/signin.h"
#include "core/signup.h"
#include "core/signup_int.h"
#include "core/task.h"
#include "core/users.h"
#include "crypto/random.h"
#include "db/clients.h"
#include "db/pg.h"
#include "db/user_codes.h"
#include "db/users.h"
#include "util.h"

#define SIGNUP_USERNAME_MAX	128
#define SIGNUP_CODE_MAX		2048
#define SIGNUP_PASSWORD_MAX	256

/* --- State ------------------------------------------------------------- */

static void
signup_free(void *p)
{
	struct signup	*s = p;

	free(s->pool_id);
	json_decref(s->pool_config);
	json_decref(s->client_config);
	free(s->key);
	if (s->have_user)
		users_clear(&s->user);
	if (s->password != NULL)
		wipe_free(s->password);
	password_set_clear(&s->pset);
	json_decref(s->attrs);
	signup_delivery_clear(&s->out.delivery);
	free(s);
}

const struct signup_outcome *
signup_outcome(struct task *t)
{
	struct signup	*s = t->data;

	return &s->out;
}

const char *
signup_attr(json_t *attrs, const char *name)
{
	return json_string_value(json_object_get(attrs, name));
}

const char *
signup_code_attr(const struct users_rules *rules, json_t *attrs)
{
	if (rules->auto_verify_email && signup_attr(attrs, "email") != NULL)
		return "email";
	if (rules->auto_verify_phone &&
	    signup_attr(attrs, "phone_number") != NULL)
		return "phone_number";
	return NULL;
}

/* Fail with a users.c or signin.c error (kind, malloc'd message). */
static void
signup_fail_users(struct task *t, enum core_err_kind kind, char *emsg)
{
	task_fail(t, kind, "%s", emsg != NULL ? emsg : "");
	free(emsg);
}

void
signup_fail_db(struct task *t, struct pg_reply *reply,
    enum core_err_kind alias_kind)
{
	const char	*what = users_unique_attribute(reply->constraint);

	if (reply->sqlstate == NULL ||
	    strcmp(reply->sqlstate, PG_STATE_UNIQUE) != 0)
		task_fail_db(t, reply);
	else if (what != NULL)
		task_fail(t, alias_kind, "An account with the given %s already "
		    "exists.", what);
	else
		task_fail(t, CORE_ERR_USER_EXISTS, "User already exists");
}

/* --- The app client, then the user ------------------------------------- */

static void
signup_client_loaded(struct task *t, struct pg_reply *reply)
{
	struct signup		*s = t->data;
	const struct signup_req	*r = s->req;
	struct signin_client	 sc;
	enum core_err_kind	 ekind;
	char			*emsg = NULL;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		task_fail(t, CORE_ERR_NO_CLIENT, "User pool client %s does not "
		    "exist.", r->client_id);
		return;
	}
	if (signin_client_from_row(&sc, r->client_id, reply->res[0], 0,
	    0) != 0) {
		signin_client_clear(&sc);
		task_fail(t, CORE_ERR_INTERNAL, "The service could not "
		    "complete the request; try again.");
		return;
	}
	if (r->door == SIGNUP_DOOR_API && signin_check_secret_hash(&sc,
	    r->username, r->secret_hash, &ekind, &emsg) != 0) {
		signin_client_clear(&sc);
		signup_fail_users(t, ekind, emsg);
		return;
	}
	s->hide = signin_hide_existence(&sc);
	s->pool_id = xstrdup(sc.pool_id);
	s->pool_config = json_incref(sc.pool_config);
	s->client_config = json_incref(sc.config);
	signin_client_clear(&sc);
	users_rules_init(&s->rules, s->pool_config);
	s->key = users_key(&s->rules, r->username);
	s->next(t);
}

/*
 * The bounds Cognito's model sets on a username, a code and a password,
 * which the API checks with its shapes and the hosted door does not:
 * longer input is refused, never looked up or hashed.
 */
static int
signup_bounds_ok(struct task *t, const struct signup_req *r)
{
	if (r->username == NULL || *r->username == '\0' ||
	    strlen(r->username) > SIGNUP_USERNAME_MAX) {
		task_fail(t, CORE_ERR_INVALID, "1 validation error detected: "
		    "Value at 'username' failed to satisfy constraint: Member "
		    "must have length less than or equal to %d",
		    SIGNUP_USERNAME_MAX);
		return 0;
	}
	if (r->code != NULL && strlen(r->code) > SIGNUP_CODE_MAX) {
		task_fail(t, CORE_ERR_INVALID, "1 validation error detected: "
		    "Value at 'confirmationCode' failed to satisfy "
		    "constraint: Member must have length less than or equal "
		    "to %d", SIGNUP_CODE_MAX);
		return 0;
	}
	if (r->password != NULL && strlen(r->password) > SIGNUP_PASSWORD_MAX) {
		task_fail(t, CORE_ERR_INVALID, "1 validation error detected: "
		    "Value at 'password' failed to satisfy constraint: Member "
		    "must have length less than or equal to %d",
		    SIGNUP_PASSWORD_MAX);
		return 0;
	}
	return 1;
}

void
signup_begin(struct task *t, const struct signup_req *r, task_fn next)
{
	struct signup	*s;
	struct pg_batch	*b;

	if (!signup_bounds_ok(t, r))
		return;
	s = xcalloc(1, sizeof *s);
	b = pg_batch_new();
	s->req = r;
	s->next = next;
	task_set_data(t, s, signup_free);
	db_clients_signin(b, r->client_id);
	task_query(t, b, signup_client_loaded);
}

static void
signup_found(struct task *t, struct pg_reply *reply)
{
	struct signup	*s = t->data;
	const PGresult	*r;
	const char	*v;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) > 0) {
		db_users_from_row(&s->user, r, 0, 0);
		s->have_user = 1;
		v = pg_val(r, 0, DB_USERS_NCOLUMNS);
		s->code_dead = v != NULL && strcmp(v, "t") == 0;
		snprintf(s->modified, sizeof s->modified, "%.17g",
		    s->user.modified_at);
	}
	if (reply->nres > 1) {
		v = pg_val(reply->res[1], 0, 0);
		s->name_dead = v != NULL && strcmp(v, "t") == 0;
	}
	s->found(t);
}

/*
 * For an operation that sends a code (purpose given), a missing name's
 * simulated code is read in the same batch (recovery.c).
 */
void
signup_find(struct task *t, const char *purpose, task_fn found)
{
	struct signup	*s = t->data;
	struct pg_batch	*b = pg_batch_new();
	char		*key;

	s->found = found;
	db_user_codes_find_user(b, s->pool_id, s->key, purpose);
	if (purpose != NULL && s->hide) {
		key = xasprintf("%s:%s", purpose, s->key);
		db_user_codes_name_dead(b, s->pool_id, key);
		free(key);
	}
	task_query(t, b, signup_found);
}

/* --- Passwords on a crypto thread -------------------------------------- */

/* The user's internal username: what SRP verifiers are made over. */
static const char *
signup_srp_name(struct signup *s)
{
	if (s->have_user)
		return s->user.username;
	return s->rules.username_email || s->rules.username_phone ? s->sub :
	    s->req->username;
}

static void
signup_hash_run(struct task *t)
{
	struct signup	*s = t->data;

	s->hashed = password_make(&s->pset, s->pool_id, signup_srp_name(s),
	    s->password);
	wipe_free(s->password);
	s->password = NULL;
}

void
signup_hash(struct task *t, task_fn done)
{
	struct signup	*s = t->data;

	s->password = xstrdup(s->req->password);
	task_work(t, signup_hash_run, done);
}

/* 0 when the worker hashed the password, else ended. */
static int
signup_hashed(struct task *t)
{
	struct signup	*s = t->data;

	if (s->hashed == 0 && s->pset.hash != NULL)
		return 0;
	task_fail(t, CORE_ERR_INTERNAL, "The service could not complete the "
	    "request; try again.");
	return -1;
}

int
signup_policy(struct task *t, const char *password)
{
	struct signup	*s = t->data;
	const char	*why;

	if ((why = policy_check_password(policy_of(s->pool_config),
	    password)) == NULL)
		return 0;
	task_fail(t, policy_err_kind(why), "%s", why);
	return -1;
}

/* --- SignUp ------------------------------------------------------------ */

static void
signup_exists(struct task *t)
{
	struct signup	*s = t->data;
	const char	*what;

	what = users_username_attribute(&s->rules, s->req->username);
	task_fail(t, CORE_ERR_USER_EXISTS, "An account with the given %s "
	    "already exists.", what != NULL ? what : "username");
}

static void
signup_written(struct task *t, struct pg_reply *reply)
{
	struct signup	*s = t->data;

	if (!reply->ok) {
		/* The code row of a user not inserted: see below. */
		if (reply->sqlstate != NULL &&
		    strcmp(reply->sqlstate, PG_STATE_FOREIGN_KEY) == 0)
			signup_exists(t);
		else
			signup_fail_db(t, reply, CORE_ERR_USER_EXISTS);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		signup_exists(t);
		return;
	}
	s->out.sub = s->sub;
	if (s->out.confirmed)
		signup_post_confirmation(t, "PostConfirmation_ConfirmSignUp",
		    s->rules.username_email || s->rules.username_phone ?
		    s->sub : s->req->username, s->sub, s->attrs);
	else
		task_ok(t);
}

/* The lower-cased value of a username attribute that must be unique. */
static char *
signup_unique(struct signup *s, int is_username, const char *attr)
{
	const char	*v = signup_attr(s->attrs, attr);

	return is_username && v != NULL ? users_key(&s->rules, v) : NULL;
}

/*
 * Insert the user and, when a code is due, the code and its message.
 * When the user is not inserted (its e-mail or phone number is another
 * user's username) the code row violates its foreign key and the whole
 * batch fails, so no message goes out.
 */
static void
signup_write(struct task *t)
{
	struct signup		*s = t->data;
	struct users_aliases	 al;
	struct db_users_new	 u;
	struct signup_code	 c;
	struct pg_batch		*b;
	char			*attrs, *key, *ue, *up;

	if (signup_hashed(t) != 0)
		return;
	memset(&u, 0, sizeof u);
	u.username = s->rules.username_email || s->rules.username_phone ?
	    s->sub : s->req->username;
	key = users_key(&s->rules, u.username);
	ue = signup_unique(s, s->rules.username_email, "email");
	up = signup_unique(s, s->rules.username_phone, "phone_number");
	users_alias_columns(&s->rules, s->attrs, &al);
	attrs = compact_json(s->attrs);
	u.pool_id = s->pool_id;
	u.sub = s->sub;
	u.key = key;
	u.attributes = attrs;
	u.email = al.email;
	u.phone = al.phone;
	u.preferred = al.preferred;
	u.hash = s->pset.hash;
	u.srp_salt = s->pset.srp_salt;
	u.srp_verifier = s->pset.srp_verifier;
	u.unique_email = ue;
	u.unique_phone = up;
	u.confirmed = s->out.confirmed;
	b = pg_batch_new();
	db_users_sign_up(b, &u);
	memset(&c, 0, sizeof c);
	/* An auto-confirmed user (PreSignUp) gets no code. */
	if (!s->out.confirmed &&
	    (c.attr = signup_code_attr(&s->rules, s->attrs)) != NULL) {
		c.pool_id = s->pool_id;
		c.pool_config = s->pool_config;
		c.sub = s->sub;
		c.username = u.username;
		c.purpose = "signup";
		c.dest = signup_attr(s->attrs, c.attr);
		c.ttl = SIGNUP_TTL_SIGNUP;
		c.address = s->req->address;
		s->out.sent = signup_code_send(b, &c, &s->out.delivery) == 0;
	}
	users_aliases_clear(&al);
	free(attrs);
	free(key);
	free(ue);
	free(up);
	task_query(t, b, signup_written);
}

/* The attributes of a new user: UserAttributes and the username's. */
static int
signup_attrs(struct task *t, struct signup *s)
{
	const char	*u = s->req->username;
	const char		*name;
	enum core_err_kind	 ekind;
	json_t			*list = s->req->attributes, *empty = NULL;
	char			*emsg = NULL;
	int			 rc;

	if (list == NULL)
		list = empty = json_array();
	s->attrs = json_object();
	rc = users_apply_attributes(&s->rules, s->attrs, list,
	    USERS_CREATE_SELF, json_object_get(s->client_config,
	    "WriteAttributes"), &ekind, &emsg);
	json_decref(empty);
	if (rc == 0 && (name = users_username_attribute(&s->rules, u)) !=
	    NULL)
		json_object_set_new(s->attrs, name, json_string(u));
	if (rc == 0)
		rc = users_check_required(&s->rules, s->attrs, &ekind, &emsg);
	if (rc != 0) {
		signup_fail_users(t, ekind, emsg);
		return -1;
	}
	return 0;
}

/* After PreSignUp: the password hashed, then the user written. */
static void
signup_hash_write(struct task *t)
{
	signup_hash(t, signup_write);
}

static void
signup_sign_up_client(struct task *t)
{
	struct signup		*s = t->data;
	enum core_err_kind	 ekind;
	char			*emsg = NULL;

	if (json_is_true(json_object_get(json_object_get(s->pool_config,
	    "AdminCreateUserConfig"), "AllowAdminCreateUserOnly"))) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED,
		    "SignUp is not permitted for this user pool");
		return;
	}
	if (users_check_username(&s->rules, s->req->username, &ekind,
	    &emsg) != 0) {
		signup_fail_users(t, ekind, emsg);
		return;
	}
	if (signup_attrs(t, s) != 0)
		return;
	if (s->req->password == NULL) {
		task_fail(t, CORE_ERR_INVALID,
		    "A password is required to sign up.");
		return;
	}
	if (signup_policy(t, s->req->password) != 0)
		return;
	random_uuid(s->sub);
	signup_pre_sign_up(t, signup_hash_write);
}

void
signup_sign_up(struct task *t, const struct signup_req *r)
{
	signup_begin(t, r, signup_sign_up_client);
}

/* --- ConfirmSignUp ----------------------------------------------------- */

/*
 * Under PreventUserExistenceErrors a user without a live code (none
 * sent, or expired) is answered as a missing name is, as
 * ConfirmForgotPassword does (recovery_checked): CORE_ERR_CODE_EXPIRED
 * would tell that the user exists.
 */
static void
signup_confirmed(struct task *t, struct pg_reply *reply)
{
	struct signup			*s = t->data;
	const PGresult			*r;
	enum db_user_codes_verdict	 v;
	struct core_err			 err;

	if (!reply->ok) {
		signup_fail_db(t, reply, CORE_ERR_ALIAS_EXISTS);
		return;
	}
	r = reply->res[reply->nres - 1];
	if (s->hide && db_user_codes_gone(r)) {
		signup_not_found(t, "signup", 0);
		return;
	}
	if ((v = db_user_codes_verdict(r)) != DB_USER_CODES_RIGHT) {
		signup_code_err(v, &err);
		task_fail(t, err.kind, "%s", err.message);
	} else if (!db_user_codes_written(r))
		task_fail(t, CORE_ERR_CHANGED, SIGNUP_MSG_CHANGED);
	else
		signup_post_confirmation(t, "PostConfirmation_ConfirmSignUp",
		    s->user.username, s->user.sub, s->attrs);
}

/*
 * ForceAliasCreation: a verified e-mail or phone number that another
 * user has as sign-in alias moves to this user (the other keeps the
 * value, unverified), provided the code is right. Not where the value
 * is the other user's username.
 */
static void
signup_take_aliases(struct signup *s, struct pg_batch *b)
{
	struct users_aliases	 al;

	if (!s->req->force_alias)
		return;
	users_alias_columns(&s->rules, s->attrs, &al);
	if (al.email != NULL && !s->rules.username_email)
		db_user_codes_take_alias(b, s->pool_id, s->user.sub, "email",
		    al.email, s->digest, s->modified);
	if (al.phone != NULL && !s->rules.username_phone)
		db_user_codes_take_alias(b, s->pool_id, s->user.sub,
		    "phone_number", al.phone, s->digest, s->modified);
	users_aliases_clear(&al);
}

static void
signup_confirm_write(struct task *t, struct signup *s)
{
	struct db_user_codes_verify	 v;
	struct pg_batch			*b = pg_batch_new();

	signup_take_aliases(s, b);
	memset(&v, 0, sizeof v);
	v.pool_id = s->pool_id;
	v.sub = s->user.sub;
	v.purpose = "signup";
	v.digest = s->digest;
	v.modified = s->modified;
	v.confirm = 1;
	signup_code_verify(b, &s->rules, s->attrs, &v);
	task_query(t, b, signup_confirmed);
}

static void
signup_confirm_found(struct task *t)
{
	struct signup	*s = t->data;
	const char	*attr;
	char		 key[64];

	if (!s->have_user) {
		signup_not_found(t, "signup", 0);
		return;
	}
	if (strcmp(s->user.status, "UNCONFIRMED") != 0) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "User cannot be "
		    "confirmed. Current status is %s", s->user.status);
		return;
	}
	s->attrs = json_deep_copy(s->user.attributes);
	if ((attr = signup_code_attr(&s->rules, s->attrs)) != NULL) {
		snprintf(key, sizeof key, "%s_verified", attr);
		json_object_set_new(s->attrs, key, json_string("true"));
	}
	codes_digest_bound("signup", NULL, s->req->code, s->digest);
	signup_confirm_write(t, s);
}

static void
signup_confirm_client(struct task *t)
{
	signup_find(t, NULL, signup_confirm_found);
}

void
signup_confirm(struct task *t, const struct signup_req *r)
{
	signup_begin(t, r, signup_confirm_client);
}
