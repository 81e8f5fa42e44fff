/*
 * user_ops.c: the public self-service operations of the JSON API, the
 * ones a user's own app calls without SigV4. SignUp, ConfirmSignUp,
 * ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword
 * (authenticated by ClientId and, for a client with a secret, a
 * SecretHash) are the API's door to core/signup.c: each fills a struct
 * signup_req from its input and runs the core on a task the call owns;
 * the outcome becomes Cognito's JSON, errors Cognito's exceptions
 * through api.c's table. GetUser, UpdateUserAttributes,
 * GetUserAttributeVerificationCode, VerifyUserAttribute,
 * DeleteUserAttributes, DeleteUser and ChangePassword are authenticated
 * by the user's access token; their codes are core/signup.c's
 * (signup_code_send) and the codes table's (db/user_codes.c): bound to
 * the value they were sent to, single use, their guesses limited.
 *
 * Every write of an operation is one batch (one transaction).
 * Read-modify-write of a user's attributes is guarded by the
 * modified_at it read. Passwords are hashed and checked on a crypto
 * thread, never on the loop, and every copy of a password is wiped
 * after use.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/codes.h"
#include "core/mfa.h"
#include "core/signup.h"
#include "core/task.h"
#include "core/tokens.h"
#include "core/users.h"
#include "crypto/password.h"
#include "db/pg.h"
#include "db/user_codes.h"
#include "db/users.h"
#include "util.h"

/* --- Input shapes (from the service model) --- */

static int user_check_secret_hash(const char *);
static int user_check_token(const char *);

static const struct shape s_secret_hash = { .kind = SHAPE_STRING,
	.min = 1, .max = 128, .has_min = 1, .has_max = 1,
	.check = user_check_secret_hash, .pattern = "[\\w+=/]+",
	.sensitive = 1 };
static const struct shape s_code = { .kind = SHAPE_STRING, .min = 1,
	.max = 2048, .has_min = 1, .has_max = 1,
	.check = shape_check_no_space, .pattern = "[\\S]+" };
static const struct shape s_token = { .kind = SHAPE_STRING,
	.check = user_check_token, .pattern = "[A-Za-z0-9-_=.]+",
	.sensitive = 1 };
static const struct shape s_string = { .kind = SHAPE_STRING };
static const struct shape s_bool = { .kind = SHAPE_BOOL };
static const struct shape s_metadata = { .kind = SHAPE_MAP,
	.key = &s_string, .item = &s_string };
static const struct shape_member s_analytics_members[] = {
	{ "AnalyticsEndpointId", &s_string, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_analytics = { .kind = SHAPE_STRUCT,
	.members = s_analytics_members };
static const struct shape_member s_context_members[] = {
	{ "IpAddress", &s_string, 0 },
	{ "EncodedData", &s_string, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_context = { .kind = SHAPE_STRUCT,
	.members = s_context_members };
static const struct shape s_session = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .sensitive = 1 };

/* What every ClientId operation takes. */
#define USER_CLIENT_MEMBERS						\
	{ "ClientId", &ops_shape_client_id, 1 },			\
	{ "SecretHash", &s_secret_hash, 0 },				\
	{ "Username", &ops_shape_username, 1 },				\
	{ "AnalyticsMetadata", &s_analytics, 0 },			\
	{ "UserContextData", &s_context, 0 },				\
	{ "ClientMetadata", &s_metadata, 0 }

static const struct shape_member s_signup_members[] = {
	USER_CLIENT_MEMBERS,
	{ "Password", &ops_shape_password, 0 },
	{ "UserAttributes", &ops_shape_attributes, 0 },
	{ "ValidationData", &ops_shape_attributes, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_signup = { .kind = SHAPE_STRUCT,
	.members = s_signup_members };

static const struct shape_member s_confirm_members[] = {
	USER_CLIENT_MEMBERS,
	{ "ConfirmationCode", &s_code, 1 },
	{ "ForceAliasCreation", &s_bool, 0 },
	{ "Session", &s_session, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_confirm = { .kind = SHAPE_STRUCT,
	.members = s_confirm_members };

static const struct shape_member s_user_members[] = {
	USER_CLIENT_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_user = { .kind = SHAPE_STRUCT,
	.members = s_user_members };

static const struct shape_member s_confirm_reset_members[] = {
	USER_CLIENT_MEMBERS,
	{ "ConfirmationCode", &s_code, 1 },
	{ "Password", &ops_shape_password, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_confirm_reset = { .kind = SHAPE_STRUCT,
	.members = s_confirm_reset_members };

static const struct shape_member s_token_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_token_only = { .kind = SHAPE_STRUCT,
	.members = s_token_members };

static const struct shape_member s_update_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "UserAttributes", &ops_shape_attributes, 1 },
	{ "ClientMetadata", &s_metadata, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_update = { .kind = SHAPE_STRUCT,
	.members = s_update_members };

static const struct shape_member s_get_code_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "AttributeName", &ops_shape_attribute_name, 1 },
	{ "ClientMetadata", &s_metadata, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_get_code = { .kind = SHAPE_STRUCT,
	.members = s_get_code_members };

static const struct shape_member s_verify_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "AttributeName", &ops_shape_attribute_name, 1 },
	{ "Code", &s_code, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_verify = { .kind = SHAPE_STRUCT,
	.members = s_verify_members };

static const struct shape_member s_delete_attrs_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "UserAttributeNames", &ops_shape_attribute_names, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_delete_attrs = { .kind = SHAPE_STRUCT,
	.members = s_delete_attrs_members };

static const struct shape_member s_change_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "PreviousPassword", &ops_shape_password, 0 },
	{ "ProposedPassword", &ops_shape_password, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_change = { .kind = SHAPE_STRUCT,
	.members = s_change_members };

/* [\w+=/]+ */
static int
user_check_secret_hash(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_+=/", *s) == NULL)
			return -1;
	return 0;
}

/* [A-Za-z0-9-_=.]+ */
static int
user_check_token(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_=.", *s) == NULL)
			return -1;
	return 0;
}

/* --- The door to the sign-up core --- */

/* A sign-up operation the call owns: its task and what it asks. */
struct user_signup {
	struct task		 task;
	struct signup_req	 req;
};

static void
user_signup_free(void *p)
{
	struct user_signup	*us = p;

	task_clear(&us->task);
	free(us);
}

/* CodeDeliveryDetails of a core delivery. */
static json_t *
user_delivery_json(const struct signup_delivery *d)
{
	return json_pack("{s:s, s:s, s:s}", "Destination", d->destination,
	    "DeliveryMedium", d->medium, "AttributeName", d->attribute);
}

/* SignUp's answer. */
static json_t *
user_signed_up(const struct signup_outcome *o)
{
	json_t	*out;

	out = json_pack("{s:b, s:s}", "UserConfirmed", o->confirmed,
	    "UserSub", o->sub);
	if (o->sent)
		json_object_set_new(out, "CodeDeliveryDetails",
		    user_delivery_json(&o->delivery));
	return out;
}

/* ResendConfirmationCode's and ForgotPassword's answer. */
static json_t *
user_code_sent(const struct signup_outcome *o)
{
	return json_pack("{s:o}", "CodeDeliveryDetails",
	    user_delivery_json(&o->delivery));
}

/* The confirmations answer {}. */
static json_t *
user_nothing(const struct signup_outcome *o)
{
	(void)o;
	return NULL;
}

/* What each operation runs and answers. */
static const struct {
	const char	*name;
	void		(*run)(struct task *, const struct signup_req *);
	json_t		*(*answer)(const struct signup_outcome *);
} user_signup_ops[] = {
	{ "SignUp", signup_sign_up, user_signed_up },
	{ "ConfirmSignUp", signup_confirm, user_nothing },
	{ "ResendConfirmationCode", signup_resend, user_code_sent },
	{ "ForgotPassword", signup_forgot, user_code_sent },
	{ "ConfirmForgotPassword", signup_reset, user_nothing },
};

static int
user_signup_index(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(user_signup_ops); i++)
		if (strcmp(user_signup_ops[i].name, name) == 0)
			return (int)i;
	fatalx("user_signup_index: %s", name);
}

static void
user_signup_end(struct task *t, const struct core_err *err)
{
	struct api_call	*call = t->owner;
	int		 i = user_signup_index(call->op->name);

	if (err != NULL)
		api_fail_err(call, err);
	else
		api_ok(call, user_signup_ops[i].answer(signup_outcome(t)));
}

/* Every ClientId operation of the core: the input as a request. */
static void
user_signup_run(struct api_call *call)
{
	struct user_signup	*us = xcalloc(1, sizeof *us);
	struct signup_req	*r = &us->req;
	json_t			*in = call->in;

	task_init(&us->task, call->req->id, call->op->name, &req_task_guard,
	    call->req, user_signup_end, call);
	api_set_data(call, us, user_signup_free);
	r->door = SIGNUP_DOOR_API;
	r->client_id = api_str(in, "ClientId");
	r->secret_hash = api_str(in, "SecretHash");
	r->username = api_str(in, "Username");
	r->password = api_str(in, "Password");
	r->attributes = json_object_get(in, "UserAttributes");
	r->code = api_str(in, "ConfirmationCode");
	r->force_alias = api_bool(in, "ForceAliasCreation", 0);
	r->address = req_client_addr(call->req);
	r->validation = json_object_get(in, "ValidationData");
	r->metadata = json_object_get(in, "ClientMetadata");
	user_signup_ops[user_signup_index(call->op->name)].run(&us->task, r);
}

/* --- One operation's state --- */

struct user_op {
	char			*pool_id;
	char			*client_id;
	json_t			*pool_config;
	json_t			*client_config;
	struct users_rules	 rules;
	struct user		 user;
	int			 have_user;
	int			 code_dead;	/* of the attribute's code */
	char			 modified[32];	/* user.modified_at */
	char			*password;	/* wiped */
	char			*previous;	/* wiped */
	struct password_set	 pset;		/* the new password's */
	int			 checked;	/* of previous */
	char			 digest[CODES_DIGEST_HEX];
	const char		*attr;		/* being verified */
	json_t			*attrs;		/* new attributes */
	json_t			*delivery;	/* CodeDeliveryDetails */
	json_t			*deliveries;	/* ...List */
	const char		*address;	/* the client's, for the caps */
};

static void
user_op_free(void *p)
{
	struct user_op	*op = p;

	free(op->pool_id);
	free(op->client_id);
	json_decref(op->pool_config);
	json_decref(op->client_config);
	if (op->have_user)
		users_clear(&op->user);
	if (op->password != NULL)
		wipe_free(op->password);
	if (op->previous != NULL)
		wipe_free(op->previous);
	password_set_clear(&op->pset);
	json_decref(op->attrs);
	json_decref(op->delivery);
	json_decref(op->deliveries);
	free(op);
}

static struct user_op *
user_op_new(struct api_call *call)
{
	struct user_op	*op = xcalloc(1, sizeof *op);

	op->address = req_client_addr(call->req);
	api_set_data(call, op, user_op_free);
	return op;
}

/* Answer an error whose message was malloc'd, and free it. */
static void
user_fail(struct api_call *call, const char *type, char *msg)
{
	api_fail(call, type, "%s", msg != NULL ? msg : "");
	free(msg);
}

static void
user_fail_internal(struct api_call *call)
{
	api_fail(call, "InternalErrorException",
	    "The service could not complete the request; try again.");
}

static char *
user_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* A string attribute of an attributes object, or NULL. */
static const char *
user_attr(json_t *attrs, const char *name)
{
	return json_string_value(json_object_get(attrs, name));
}

/* The purpose of a code that verifies attribute attr. */
static const char *
user_verify_purpose(const char *attr)
{
	return strcmp(attr, "email") == 0 ? "verify:email" :
	    "verify:phone_number";
}

/*
 * Queue a new code for purpose in the batch (signup_code_send) to dest,
 * the value of attribute attr of the user. Sets op->delivery to the
 * CodeDeliveryDetails.
 */
static void
user_code_issue(struct user_op *op, struct pg_batch *b, const char *purpose,
    const char *attr, const char *dest)
{
	struct signup_code	c;
	struct signup_delivery	d;

	memset(&c, 0, sizeof c);
	memset(&d, 0, sizeof d);
	c.pool_id = op->pool_id;
	c.pool_config = op->pool_config;
	c.sub = op->user.sub;
	c.username = op->user.username;
	c.purpose = purpose;
	c.attr = attr;
	c.dest = dest;
	c.ttl = SIGNUP_TTL_VERIFY;
	c.address = op->address;
	json_decref(op->delivery);
	op->delivery = signup_code_send(b, &c, &d) == 0 ?
	    user_delivery_json(&d) : NULL;
	signup_delivery_clear(&d);
}

/* Answer the verdict on a code of a check's row; 0 when it was right. */
static int
user_code_verdict(struct api_call *call, const PGresult *r)
{
	enum db_user_codes_verdict	 v = db_user_codes_verdict(r);
	struct core_err			 err;

	if (v == DB_USER_CODES_RIGHT)
		return 0;
	signup_code_err(v, &err);
	api_fail_err(call, &err);
	return -1;
}

/*
 * A unique violation of a user write: the alias (or username) someone
 * else has. 0 when the failure was something else.
 */
static int
user_fail_unique(struct api_call *call, struct pg_reply *reply,
    const char *type)
{
	const char	*what = users_unique_attribute(reply->constraint);

	if (reply->sqlstate == NULL ||
	    strcmp(reply->sqlstate, PG_STATE_UNIQUE) != 0)
		return 0;
	if (what != NULL)
		api_fail(call, type, "An account with the given %s already "
		    "exists.", what);
	else
		api_fail(call, "UsernameExistsException",
		    "User already exists");
	return 1;
}

/* --- Passwords on a crypto thread --- */

/* Check PreviousPassword (when given) and hash the new password. */
static void
user_hash_run(struct api_call *call)
{
	struct user_op	*op = call->data;

	op->checked = 1;
	if (op->previous != NULL) {
		op->checked = op->user.password_hash == NULL ? 0 :
		    password_check(op->user.password_hash,
		    op->previous);
		wipe_free(op->previous);
		op->previous = NULL;
	}
	if (op->checked == 1 && password_make(&op->pset, op->pool_id,
	    op->user.username, op->password) != 0)
		op->checked = -1;
	wipe_free(op->password);
	op->password = NULL;
}

/* 0 when the worker's results are good, else answered. */
static int
user_hash_verdict(struct api_call *call)
{
	struct user_op	*op = call->data;

	if (op->checked == 0) {
		api_fail(call, "NotAuthorizedException",
		    "Incorrect username or password.");
		return -1;
	}
	if (op->checked < 0 || op->pset.hash == NULL) {
		user_fail_internal(call);
		return -1;
	}
	return 0;
}

/* 0 when the password may be set, else answered. */
static int
user_check_policy(struct api_call *call, const char *password)
{
	struct user_op	*op = call->data;

	return ops_check_password(call, op->pool_config, password);
}

/* --- Codes answered --- */

static void
user_answer_delivery(struct api_call *call, json_t *delivery)
{
	api_ok(call, json_pack("{s:o}", "CodeDeliveryDetails", delivery));
}

static void
user_confirm_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		if (!user_fail_unique(call, reply, "AliasExistsException"))
			api_fail_db(call, reply);
		return;
	}
	r = reply->res[reply->nres - 1];
	if (user_code_verdict(call, r) != 0)
		return;
	if (!db_user_codes_written(r)) {
		api_fail(call, "ConcurrentModificationException",
		    SIGNUP_MSG_CHANGED);
		return;
	}
	api_ok(call, NULL);
}

/*
 * Consume the code of purpose (op->digest) and write op->attrs, as the
 * last statement of b; then run b.
 */
static void
user_verify_write(struct api_call *call, struct pg_batch *b,
    const char *purpose)
{
	struct user_op			*op = call->data;
	struct db_user_codes_verify	 v;

	memset(&v, 0, sizeof v);
	v.pool_id = op->pool_id;
	v.sub = op->user.sub;
	v.purpose = purpose;
	v.digest = op->digest;
	v.modified = op->modified;
	signup_code_verify(b, &op->rules, op->attrs, &v);
	api_query(call, b, user_confirm_done);
}

static void
user_sent(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	user_answer_delivery(call, json_incref(op->delivery));
}

/*
 * Issue a code for purpose to attr, then answer its delivery; while the
 * user's code of that purpose is dead (op->code_dead), none.
 */
static void
user_send_code(struct api_call *call, const char *purpose, const char *attr)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b;

	if (op->code_dead) {
		api_fail(call, "LimitExceededException", "Attempt limit "
		    "exceeded, please try after some time.");
		return;
	}
	b = pg_batch_new();
	user_code_issue(op, b, purpose, attr, user_attr(op->user.attributes,
	    attr));
	api_query(call, b, user_sent);
}

/* --- The access token operations --- */

/* The state of a token operation from the token's check. */
static struct user_op *
user_op_access(struct api_call *call, struct tokens_access *a)
{
	struct user_op	*op = user_op_new(call);

	op->pool_id = xstrdup(a->pool_id);
	op->client_id = xstrdup(a->client_id);
	op->pool_config = json_incref(a->pool_config);
	op->client_config = json_incref(a->client_config);
	users_copy(&op->user, &a->user);
	op->have_user = 1;
	snprintf(op->modified, sizeof op->modified, "%.17g",
	    op->user.modified_at);
	users_rules_init(&op->rules, op->pool_config);
	return op;
}

static json_t *
user_writable(struct user_op *op)
{
	return json_object_get(op->client_config, "WriteAttributes");
}

static void
user_token_start(struct api_call *call, tokens_access_cb cb)
{
	tokens_check_access(&call->task, api_str(call->in, "AccessToken"), cb);
}

/* --- GetUser --- */

static void
user_get_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	json_t	*read, *out;

	read = json_object_get(a->client_config, "ReadAttributes");
	out = json_pack("{s:s, s:o}", "Username", a->user.username,
	    "UserAttributes", users_attribute_list(&a->user,
	    json_array_size(read) > 0 ? read : NULL));
	json_object_update_new(out, mfa_user_settings(NULL, a->user.mfa,
	    a->user.attributes));
	api_ok(call, out);
}

static void
user_get(struct api_call *call)
{
	user_token_start(call, user_get_checked);
}

/* --- UpdateUserAttributes and DeleteUserAttributes --- */

static void
user_attrs_done(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		if (!user_fail_unique(call, reply, "AliasExistsException"))
			api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		api_fail(call, "ConcurrentModificationException",
		    SIGNUP_MSG_CHANGED);
		return;
	}
	api_ok(call, json_array_size(op->deliveries) > 0 ? json_pack("{s:O}",
	    "CodeDeliveryDetailsList", op->deliveries) : NULL);
}

/*
 * Change a copy of the user's attributes with change() (applying or
 * deleting what the input member lists) and check the required ones.
 * A batch whose first statement writes them (and their alias columns)
 * over the user's, or NULL after answering.
 */
static struct pg_batch *
user_attrs_change(struct api_call *call, struct tokens_access *a,
    users_change_fn change, const char *member)
{
	struct user_op		*op = user_op_access(call, a);
	struct users_aliases	 al;
	struct pg_batch		*b;
	enum core_err_kind	 ekind;
	char			*emsg = NULL, *attrs;

	op->attrs = json_deep_copy(op->user.attributes);
	if (change(&op->rules, op->attrs, json_object_get(call->in, member),
	    USERS_UPDATE_SELF, user_writable(op), &ekind, &emsg) != 0 ||
	    users_check_required(&op->rules, op->attrs, &ekind, &emsg) != 0) {
		user_fail(call, api_exception(ekind), emsg);
		return NULL;
	}
	users_alias_columns(&op->rules, op->attrs, &al);
	attrs = ops_json_text(op->attrs);
	b = pg_batch_new();
	db_users_update_attrs(b, &(struct db_users_attrs){
	    .pool_id = op->pool_id, .sub = op->user.sub, .attributes = attrs,
	    .email = al.email, .phone = al.phone, .preferred = al.preferred,
	    .modified = op->modified });
	free(attrs);
	users_aliases_clear(&al);
	return b;
}

/*
 * A new e-mail address or phone number is unverified until its code
 * comes back (users_apply_attributes reset its flag, unless a client
 * allowed to write the flag set it); with automatic verification of
 * that attribute, a code goes to the new value. The codes follow the
 * user row in the batch.
 */
static void
user_update_codes(struct user_op *op, struct pg_batch *b)
{
	static const char *const	 names[] = { "email", "phone_number" };
	size_t				 i;

	op->deliveries = json_array();
	for (i = 0; i < nitems(names); i++) {
		if (!users_verify_due(&op->rules, op->user.attributes,
		    op->attrs, names[i]))
			continue;
		user_code_issue(op, b, user_verify_purpose(names[i]),
		    names[i], user_attr(op->attrs, names[i]));
		if (op->delivery != NULL)
			json_array_append(op->deliveries, op->delivery);
	}
}

static void
user_update_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct pg_batch	*b;

	if ((b = user_attrs_change(call, a, users_apply_attributes,
	    "UserAttributes")) == NULL)
		return;
	user_update_codes(call->data, b);
	api_query(call, b, user_attrs_done);
}

static void
user_update(struct api_call *call)
{
	user_token_start(call, user_update_checked);
}

static void
user_delete_attrs_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct pg_batch	*b;

	if ((b = user_attrs_change(call, a, users_delete_attributes,
	    "UserAttributeNames")) != NULL)
		api_query(call, b, user_attrs_done);
}

static void
user_delete_attrs(struct api_call *call)
{
	user_token_start(call, user_delete_attrs_checked);
}

/* --- GetUserAttributeVerificationCode and VerifyUserAttribute --- */

/*
 * The attribute AttributeName names, which must be one a code can
 * verify and one the user has: its value, or NULL when answered.
 */
static const char *
user_verifiable(struct api_call *call, struct user_op *op)
{
	const char	*name = api_str(call->in, "AttributeName");
	const char	*value;

	if (strcmp(name, "email") != 0 && strcmp(name, "phone_number") != 0) {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "attribute name: only email and phone_number can be "
		    "verified.");
		return NULL;
	}
	if ((value = user_attr(op->user.attributes, name)) == NULL) {
		api_fail(call, "InvalidParameterException", "The user has no "
		    "%s to verify.", name);
		return NULL;
	}
	op->attr = strcmp(name, "email") == 0 ? "email" : "phone_number";
	return value;
}

static void
user_get_code_dead(struct api_call *call, struct pg_reply *reply)
{
	struct user_op	*op = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	op->code_dead = ops_true(reply->res[0], 0, 0);
	user_send_code(call, user_verify_purpose(op->attr), op->attr);
}

static void
user_get_code_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct user_op	*op = user_op_access(call, a);
	struct pg_batch	*b;

	if (user_verifiable(call, op) == NULL)
		return;
	b = pg_batch_new();
	db_user_codes_dead(b, op->pool_id, op->user.sub,
	    user_verify_purpose(op->attr));
	api_query(call, b, user_get_code_dead);
}

static void
user_get_code(struct api_call *call)
{
	user_token_start(call, user_get_code_checked);
}

static void
user_verify_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct user_op	*op = user_op_access(call, a);
	const char	*value, *purpose;
	char		 key[64];

	if ((value = user_verifiable(call, op)) == NULL)
		return;
	purpose = user_verify_purpose(op->attr);
	snprintf(key, sizeof key, "%s_verified", op->attr);
	codes_digest_bound(purpose, value, api_str(call->in, "Code"),
	    op->digest);
	op->attrs = json_deep_copy(op->user.attributes);
	json_object_set_new(op->attrs, key, json_string("true"));
	user_verify_write(call, pg_batch_new(), purpose);
}

static void
user_verify(struct api_call *call)
{
	user_token_start(call, user_verify_checked);
}

/* --- DeleteUser --- */

static void
user_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	api_ok(call, NULL);
}

/* Codes, tokens, sessions and group memberships go by cascade. */
static void
user_delete_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct pg_batch	*b = pg_batch_new();

	db_users_delete(b, a->pool_id, a->user.sub);
	api_query(call, b, user_delete_done);
}

static void
user_delete(struct api_call *call)
{
	user_token_start(call, user_delete_checked);
}

/* --- ChangePassword --- */

static void
user_change_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		/* The password changed since it was checked. */
		api_fail(call, "NotAuthorizedException",
		    "Incorrect username or password.");
		return;
	}
	api_ok(call, NULL);
}

/*
 * The new hash replaces the one PreviousPassword was checked against,
 * and only that one.
 */
static void
user_change_write(struct api_call *call)
{
	struct user_op	*op = call->data;
	struct pg_batch	*b;

	if (user_hash_verdict(call) != 0)
		return;
	b = pg_batch_new();
	db_users_change_password(b, &(struct db_users_password){
	    .pool_id = op->pool_id, .sub = op->user.sub,
	    .hash = op->pset.hash, .old_hash = op->user.password_hash,
	    .srp_salt = op->pset.srp_salt,
	    .srp_verifier = op->pset.srp_verifier });
	api_query(call, b, user_change_done);
}

static void
user_change_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct user_op	*op = user_op_access(call, a);
	const char	*prev = api_str(call->in, "PreviousPassword");
	const char	*next = api_str(call->in, "ProposedPassword");

	if (prev == NULL && op->user.password_hash != NULL) {
		api_fail(call, "InvalidParameterException",
		    "PreviousPassword is required.");
		return;
	}
	if (user_check_policy(call, next) != 0)
		return;
	op->previous = user_strdup(prev);
	op->password = xstrdup(next);
	api_work(call, user_hash_run, user_change_write);
}

static void
user_change(struct api_call *call)
{
	user_token_start(call, user_change_checked);
}

const struct api_op user_ops[] = {
	{ "SignUp", user_signup_run, API_PUBLIC, &s_signup },
	{ "ConfirmSignUp", user_signup_run, API_PUBLIC, &s_confirm },
	{ "ResendConfirmationCode", user_signup_run, API_PUBLIC, &s_user },
	{ "ForgotPassword", user_signup_run, API_PUBLIC, &s_user },
	{ "ConfirmForgotPassword", user_signup_run, API_PUBLIC,
	    &s_confirm_reset },
	{ "GetUser", user_get, API_PUBLIC, &s_token_only },
	{ "UpdateUserAttributes", user_update, API_PUBLIC, &s_update },
	{ "GetUserAttributeVerificationCode", user_get_code, API_PUBLIC,
	    &s_get_code },
	{ "VerifyUserAttribute", user_verify, API_PUBLIC, &s_verify },
	{ "DeleteUserAttributes", user_delete_attrs, API_PUBLIC,
	    &s_delete_attrs },
	{ "DeleteUser", user_delete, API_PUBLIC, &s_token_only },
	{ "ChangePassword", user_change, API_PUBLIC, &s_change },
	{ NULL, NULL, 0, NULL }
};
