/*
 * admin_user_ops.c: the administrator's user operations (AdminCreateUser,
 * AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser,
 * AdminUpdateUserAttributes, AdminDeleteUserAttributes,
 * AdminConfirmSignUp, AdminSetUserPassword, AdminResetUserPassword,
 * ListUsers).
 *
 * Every operation first reads the pool's configuration: it says how a
 * Username is normalised (core/users.c), and a missing pool answers
 * ResourceNotFoundException before anything else. A Username may be the
 * user's name or a sign-in alias (DB_USERS_MATCH); should an alias equal
 * another user's name, the name wins.
 *
 * Each write is one batch, so a user is never half-written: the row,
 * the codes and the messages it sends commit together or not at all.
 * The uniqueness of names and aliases is the schema's (unique indexes),
 * so two concurrent creations of one name end in one row and one unique
 * violation, answered as Cognito answers a duplicate. A write that
 * depends on what was read (the attributes being changed, a status)
 * names the row as read; when the row changed meanwhile the guarded
 * statement divides by zero, the batch rolls back, and the operation
 * reads again and retries a few times. The statements are db/users.c's
 * (and db/user_codes.c's, db/refresh_tokens.c's).
 *
 * Passwords are hashed on a crypto thread; the plain text is wiped as
 * soon as the hash and the invitation are built.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/codes.h"
#include "core/filter.h"
#include "core/policy.h"
#include "core/users.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "db/pg.h"
#include "db/refresh_tokens.h"
#include "db/user_codes.h"
#include "db/users.h"
#include "hooks/triggers.h"
#include "notify/caps.h"
#include "notify/messages.h"
#include "util.h"

#define AU_PAGE_MAX		60
#define AU_MAX_TRIES		3
#define AU_RESET_VALIDITY	"3600"		/* seconds */
#define AU_VERIFY_VALIDITY	"86400"

/* --- Input shapes (from the service model) --- */

static const char *const au_actions[] = { "RESEND", "SUPPRESS", NULL };
static const char *const au_mediums[] = { "SMS", "EMAIL", NULL };

static const struct shape s_bool = { .kind = SHAPE_BOOL };
static const struct shape s_action = { .kind = SHAPE_STRING,
	.enums = au_actions };
static const struct shape s_medium = { .kind = SHAPE_STRING,
	.enums = au_mediums };
static const struct shape s_mediums = { .kind = SHAPE_LIST,
	.item = &s_medium };
static const struct shape s_meta_value = { .kind = SHAPE_STRING,
	.max = 131072, .has_max = 1 };
static const struct shape s_meta_key = SHAPE_STR(0, 131072);
static const struct shape s_meta = { .kind = SHAPE_MAP, .key = &s_meta_key,
	.item = &s_meta_value };
static const struct shape s_filter = { .kind = SHAPE_STRING, .max = 256,
	.has_max = 1 };
static const struct shape s_limit = { .kind = SHAPE_INT, .min = 0,
	.max = AU_PAGE_MAX, .has_min = 1, .has_max = 1 };

/* The user every operation but ListUsers names. */
static const struct shape_member s_create_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "UserAttributes", &ops_shape_attributes, 0 },
	{ "ValidationData", &ops_shape_attributes, 0 },
	{ "TemporaryPassword", &ops_shape_password, 0 },
	{ "ForceAliasCreation", &s_bool, 0 },
	{ "MessageAction", &s_action, 0 },
	{ "DesiredDeliveryMediums", &s_mediums, 0 },
	{ "ClientMetadata", &s_meta, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_create = { .kind = SHAPE_STRUCT,
	.members = s_create_members };

static const struct shape_member s_ref_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "ClientMetadata", &s_meta, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_ref = { .kind = SHAPE_STRUCT,
	.members = s_ref_members };

static const struct shape_member s_update_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "UserAttributes", &ops_shape_attributes, 1 },
	{ "ClientMetadata", &s_meta, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_update = { .kind = SHAPE_STRUCT,
	.members = s_update_members };

static const struct shape_member s_delete_attrs_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "UserAttributeNames", &ops_shape_attribute_names, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_delete_attrs = { .kind = SHAPE_STRUCT,
	.members = s_delete_attrs_members };

static const struct shape_member s_set_password_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "Password", &ops_shape_password, 1 },
	{ "Permanent", &s_bool, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_set_password = { .kind = SHAPE_STRUCT,
	.members = s_set_password_members };

static const struct shape_member s_list_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "AttributesToGet", &ops_shape_attribute_names, 0 },
	{ "Limit", &s_limit, 0 },
	{ "PaginationToken", &ops_shape_next_token, 0 },
	{ "Filter", &s_filter, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_list = { .kind = SHAPE_STRUCT,
	.members = s_list_members };

/* --- The state of one call --- */

typedef void	(*au_step)(struct api_call *);

struct au {
	struct ops_pool		 pool;		/* key: the Username's */
	struct user		 user;		/* as loaded */
	int			 have_user;
	int			 find_user;	/* before next */
	au_step			 next;
	int			 tries;
	/* what a write computes */
	json_t			*attrs;
	struct users_aliases	 aliases;
	char			*sub;
	char			*username;	/* as stored */
	char			*signin;	/* the name to sign in with */
	char			*password;	/* plain, wiped */
	char			*hash;
	char			*srp_salt;	/* with the hash */
	char			*srp_verifier;
	json_t			*mediums;	/* where the invitation goes */
	int			 stmt;		/* index of the row statement */
};

static void
au_free(void *p)
{
	struct au	*a = p;

	ops_pool_clear(&a->pool);
	users_clear(&a->user);
	json_decref(a->attrs);
	users_aliases_clear(&a->aliases);
	free(a->sub);
	free(a->username);
	free(a->signin);
	if (a->password != NULL)
		wipe_free(a->password);
	if (a->hash != NULL)
		wipe_free(a->hash);
	free(a->srp_salt);
	if (a->srp_verifier != NULL)
		wipe_free(a->srp_verifier);
	json_decref(a->mediums);
	free(a);
}

static const char *
au_pool(struct api_call *call)
{
	return api_str(call->in, "UserPoolId");
}

static void
au_set_aliases(struct au *a)
{
	users_aliases_clear(&a->aliases);
	users_alias_columns(&a->pool.rules, a->attrs, &a->aliases);
}

/*
 * A unique violation of the users table, as Cognito answers it: the
 * name is taken, or an alias is (in a pool that signs in by email or
 * phone, the alias is the sign-in name, so that is a name taken too).
 */
static void
au_fail_unique(struct api_call *call, struct au *a, struct pg_reply *reply)
{
	const char	*what = users_unique_attribute(reply->constraint);
	int		 name;

	if (what == NULL) {
		api_fail(call, "UsernameExistsException",
		    "User account already exists");
		return;
	}
	name = (strcmp(what, "email") == 0 && a->pool.rules.username_email) ||
	    (strcmp(what, "phone_number") == 0 &&
	    a->pool.rules.username_phone);
	api_fail(call, name ? "UsernameExistsException" :
	    "AliasExistsException", "An account with the given %s already "
	    "exists.", what);
}

/* --- Loading the pool and the user --- */

static void	au_find(struct api_call *, au_step);

static void
au_pool_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct au	*a = call->data;

	if (ops_pool_read(call, reply, &a->pool) != 0)
		return;
	if (a->find_user)
		au_find(call, a->next);
	else
		a->next(call);
}

static void
au_start(struct api_call *call, au_step next, int find_user)
{
	struct au	*a = xcalloc(1, sizeof *a);

	a->next = next;
	a->find_user = find_user;
	api_set_data(call, a, au_free);
	ops_pool_query(call, au_pool_loaded);
}

/* Read the pool's configuration, then run next. */
static void
au_begin(struct api_call *call, au_step next)
{
	au_start(call, next, 0);
}

/* Read the pool's configuration and the user Username names, then next. */
static void
au_begin_user(struct api_call *call, au_step next)
{
	au_start(call, next, 1);
}

static void
au_user_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct au	*a = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		ops_fail_no_user(call);
		return;
	}
	users_clear(&a->user);
	db_users_from_row(&a->user, reply->res[0], 0, 0);
	a->have_user = 1;
	a->next(call);
}

/* Read the user named by the Username input, then run next. */
static void
au_find(struct api_call *call, au_step next)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();

	a->next = next;
	db_users_find(b, au_pool(call), a->pool.key);
	api_query(call, b, au_user_loaded);
}

/*
 * After a failed guarded write: read the user again and redo the step,
 * a few times, or give up.
 */
static void
au_retry(struct api_call *call, struct pg_reply *reply, au_step step)
{
	struct au	*a = call->data;

	if (reply->sqlstate == NULL ||
	    strcmp(reply->sqlstate, DB_USERS_STATE_CHANGED) != 0) {
		api_fail_db(call, reply);
		return;
	}
	if (++a->tries >= AU_MAX_TRIES) {
		api_fail(call, "TooManyRequestsException", "The user was "
		    "changed by another request; try again.");
		return;
	}
	au_find(call, step);
}

/*
 * A new code for the user: its digest stored (bound to the value it
 * verifies, when bound is not NULL), the text into out.
 */
static void
au_add_code(struct pg_batch *b, const char *pool, const char *sub,
    const char *purpose, const char *bound, const char *validity,
    char out[CODES_DIGITS + 1])
{
	char	digest[CODES_DIGEST_HEX];

	codes_new(out);
	codes_digest_bound(purpose, bound, out, digest);
	db_user_codes_issue_fresh(b, pool, sub, purpose, digest, validity);
	wipe(digest, sizeof digest);
}

static void
au_send(struct pg_batch *b, struct api_call *call, struct au *a,
    enum messages_kind kind, const char *medium, const char *dest,
    const char *code, const char *username)
{
	caps_charge(b, kind == MESSAGES_INVITE ? CAPS_ADMIN : CAPS_CODE,
	    au_pool(call), dest, NULL);
	json_decref(messages_send(b, au_pool(call), a->pool.config, kind,
	    medium, dest, code, username));
}

/* --- AdminGetUser --- */

static void
au_get_loaded(struct api_call *call)
{
	struct au	*a = call->data;

	api_ok(call, users_describe(&a->user, NULL, 1));
}

static void
au_get(struct api_call *call)
{
	au_begin_user(call, au_get_loaded);
}

/* --- AdminDeleteUser --- */

static void
au_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (pg_rows(reply->res[0]) == 0)
		ops_fail_no_user(call);
	else
		api_ok(call, NULL);
}

/* Codes, tokens, sessions and memberships go by ON DELETE CASCADE. */
static void
au_delete_pooled(struct api_call *call)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();

	db_users_delete_by_name(b, au_pool(call), a->pool.key);
	api_query(call, b, au_delete_done);
}

static void
au_delete(struct api_call *call)
{
	au_begin(call, au_delete_pooled);
}

/* --- AdminDisableUser, AdminEnableUser --- */

static void
au_enable_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (ops_count(reply->res[0], 0, DB_USERS_ENABLED_COUNT) == 0)
		ops_fail_no_user(call);
	else
		api_ok(call, NULL);
}

/* Disabling also ends every refresh token of the user. */
static void
au_set_enabled(struct api_call *call, const char *enabled)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();

	db_users_set_enabled(b, au_pool(call), a->pool.key, enabled);
	api_query(call, b, au_enable_done);
}

static void
au_disable_pooled(struct api_call *call)
{
	au_set_enabled(call, "false");
}

static void
au_enable_pooled(struct api_call *call)
{
	au_set_enabled(call, "true");
}

static void
au_disable(struct api_call *call)
{
	au_begin(call, au_disable_pooled);
}

static void
au_enable(struct api_call *call)
{
	au_begin(call, au_enable_pooled);
}

/* --- AdminConfirmSignUp --- */

static void
au_post_confirmation_done(struct task *t, json_t *resp)
{
	(void)resp;
	api_ok(t->owner, NULL);
}

/*
 * The pool's PostConfirmation trigger once the user is confirmed
 * (PostConfirmation_ConfirmSignUp, as Cognito names it for
 * AdminConfirmSignUp too): its failure fails the call, the user stays
 * confirmed.
 */
static void
au_post_confirmation(struct api_call *call)
{
	struct au		*a = call->data;
	struct triggers_call	 c;
	json_t			*ua, *meta;

	if (!a->have_user || !triggers_has(a->pool.config,
	    "PostConfirmation")) {
		api_ok(call, NULL);
		return;
	}
	ua = json_deep_copy(a->user.attributes);
	json_object_set_new(ua, "sub", json_string(a->user.sub));
	json_object_set_new(ua, "cognito:user_status",
	    json_string("CONFIRMED"));
	memset(&c, 0, sizeof c);
	c.trigger = "PostConfirmation";
	c.source = "PostConfirmation_ConfirmSignUp";
	c.pool_id = au_pool(call);
	c.pool_config = a->pool.config;
	c.username = a->user.username;
	c.request = json_pack("{s:o}", "userAttributes", ua);
	if (json_is_object(meta = json_object_get(call->in, "ClientMetadata")))
		json_object_set(c.request, "clientMetadata", meta);
	c.response = json_object();
	triggers_call(&call->task, &c, au_post_confirmation_done);
	json_decref(c.request);
	json_decref(c.response);
}

static void
au_confirm_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0)
		ops_fail_no_user(call);
	else if (ops_count(r, 0, DB_USERS_CONFIRM_COUNT) == 0)
		api_fail(call, "NotAuthorizedException", "User cannot be "
		    "confirmed. Current status is %s", pg_val(r, 0,
		    DB_USERS_CONFIRM_STATUS));
	else
		au_post_confirmation(call);
}

static void
au_confirm_write(struct api_call *call)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();

	db_users_admin_confirm(b, au_pool(call), a->pool.key);
	api_query(call, b, au_confirm_done);
}

/* With a PostConfirmation trigger, the user is read first for its event. */
static void
au_confirm_pooled(struct api_call *call)
{
	struct au	*a = call->data;

	if (triggers_has(a->pool.config, "PostConfirmation"))
		au_find(call, au_confirm_write);
	else
		au_confirm_write(call);
}

static void
au_confirm(struct api_call *call)
{
	au_begin(call, au_confirm_pooled);
}

/* --- AdminCreateUser --- */

static void
au_create_done(struct api_call *call, struct pg_reply *reply)
{
	struct au	*a = call->data;
	struct user	 u;
	json_t		*out;

	if (!reply->ok) {
		if (reply->sqlstate != NULL &&
		    strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
			au_fail_unique(call, a, reply);
		else if (reply->sqlstate != NULL &&
		    strcmp(reply->sqlstate, PG_STATE_FOREIGN_KEY) == 0)
			ops_fail_no_pool(call, au_pool(call));
		else if (reply->sqlstate != NULL &&
		    strcmp(reply->sqlstate, DB_USERS_STATE_CHANGED) == 0)
			api_fail(call, "UnsupportedUserStateException",
			    "Resend not possible. %s status is not "
			    "FORCE_CHANGE_PASSWORD", a->user.username);
		else
			api_fail_db(call, reply);
		return;
	}
	db_users_from_row(&u, reply->res[a->stmt], 0, 0);
	out = json_pack("{s:o}", "User", users_describe(&u, NULL, 0));
	users_clear(&u);
	api_ok(call, out);
}

/*
 * The invitation, in the batch, to each medium asked for; the plain
 * password is not needed after it.
 */
static void
au_create_invite(struct pg_batch *b, struct api_call *call, struct au *a)
{
	json_t		*attrs = a->have_user ? a->user.attributes : a->attrs;
	json_t		*m;
	const char	*medium, *dest;
	size_t		 i;

	json_array_foreach(a->mediums, i, m) {
		medium = json_string_value(m);
		dest = json_string_value(json_object_get(attrs,
		    strcmp(medium, "EMAIL") == 0 ? "email" : "phone_number"));
		if (dest != NULL)
			au_send(b, call, a, MESSAGES_INVITE, medium, dest,
			    a->password, a->signin);
	}
	wipe_free(a->password);
	a->password = NULL;
}

/*
 * ForceAliasCreation: a verified email or phone alias another user holds
 * moves to the new user; the other user's copy becomes unverified.
 */
static void
au_create_moves(struct pg_batch *b, struct api_call *call, struct au *a)
{
	static const enum db_users_alias	 kinds[] = {
		DB_USERS_ALIAS_EMAIL, DB_USERS_ALIAS_PHONE
	};
	const char				*values[] = {
		a->aliases.email, a->aliases.phone
	};
	size_t					 i;

	if (!api_bool(call->in, "ForceAliasCreation", 0) ||
	    a->pool.rules.username_email || a->pool.rules.username_phone)
		return;
	for (i = 0; i < nitems(kinds); i++) {
		if (values[i] == NULL)
			continue;
		db_users_release_alias(b, kinds[i], au_pool(call), values[i]);
		a->stmt++;
	}
}

static void
au_create_insert(struct api_call *call)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();
	char		*attrs = ops_json_text(a->attrs);

	au_create_moves(b, call, a);
	db_users_admin_insert(b, &(struct db_users_new){
	    .pool_id = au_pool(call), .sub = a->sub, .username = a->username,
	    .key = a->pool.key, .attributes = attrs,
	    .email = a->aliases.email, .phone = a->aliases.phone,
	    .preferred = a->aliases.preferred, .hash = a->hash,
	    .srp_salt = a->srp_salt, .srp_verifier = a->srp_verifier });
	free(attrs);
	au_create_invite(b, call, a);
	api_query(call, b, au_create_done);
}

/* RESEND: a new temporary password, only while the user has one. */
static void
au_create_resend_write(struct api_call *call)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();

	db_users_resend_temp(b, au_pool(call), a->user.sub, a->hash,
	    a->srp_salt, a->srp_verifier);
	au_create_invite(b, call, a);
	api_query(call, b, au_create_done);
}

static void
au_hash_run(struct api_call *call)
{
	struct au		*a = call->data;
	struct password_set	 ps;

	/* The SRP verifier is made over the internal username. */
	if (password_make(&ps, au_pool(call), a->have_user ?
	    a->user.username : a->username, a->password) != 0)
		return;
	a->hash = ps.hash;
	a->srp_salt = ps.srp_salt;
	a->srp_verifier = ps.srp_verifier;
}

static void
au_create_hashed(struct api_call *call)
{
	struct au	*a = call->data;

	if (ops_hashed(call, a->hash) != 0)
		return;
	if (a->have_user)
		au_create_resend_write(call);
	else
		au_create_insert(call);
}

/*
 * The invitation's mediums: those asked for (each needs its attribute),
 * else SMS when the user has a phone number, as Cognito's default.
 */
static int
au_create_mediums(struct api_call *call, struct au *a, json_t *attrs)
{
	json_t		*given = json_object_get(call->in,
			    "DesiredDeliveryMediums"), *m;
	const char	*action = api_str(call->in, "MessageAction");
	size_t		 i;
	int		 email;

	a->mediums = json_array();
	if (action != NULL && strcmp(action, "SUPPRESS") == 0)
		return 0;
	if (json_array_size(given) == 0) {
		if (json_object_get(attrs, "phone_number") != NULL)
			json_array_append_new(a->mediums, json_string("SMS"));
		return 0;
	}
	json_array_foreach(given, i, m) {
		email = strcmp(json_string_value(m), "EMAIL") == 0;
		if (json_object_get(attrs, email ? "email" :
		    "phone_number") == NULL) {
			api_fail(call, "InvalidParameterException", "No %s "
			    "provided but desired delivery medium was %s",
			    email ? "email" : "phone_number",
			    email ? "Email" : "Sms");
			return -1;
		}
		if (!strarray_has(a->mediums, json_string_value(m)))
			json_array_append(a->mediums, m);
	}
	return 0;
}

/* The temporary password: given (and within the policy) or generated. */
static int
au_create_password(struct api_call *call, struct au *a)
{
	const char	*given = api_str(call->in, "TemporaryPassword");

	if (given == NULL) {
		a->password = policy_temp_password(policy_of(a->pool.config));
		return 0;
	}
	if (ops_check_password(call, a->pool.config, given) != 0)
		return -1;
	a->password = xstrdup(given);
	return 0;
}

static void
au_create_resend(struct api_call *call)
{
	struct au	*a = call->data;

	if (strcmp(a->user.status, "FORCE_CHANGE_PASSWORD") != 0) {
		api_fail(call, "UnsupportedUserStateException", "Resend not "
		    "possible. %s status is not FORCE_CHANGE_PASSWORD",
		    a->user.username);
		return;
	}
	a->signin = xstrdup(api_str(call->in, "Username"));
	if (au_create_mediums(call, a, a->user.attributes) != 0 ||
	    au_create_password(call, a) != 0)
		return;
	api_work(call, au_hash_run, au_create_hashed);
}

/*
 * The new user's attributes. In a pool that signs in by email or phone
 * the Username becomes that attribute and the stored name is the sub.
 */
static int
au_create_attrs(struct api_call *call, struct au *a)
{
	const char		*name = api_str(call->in, "Username"), *attr;
	enum core_err_kind	 ekind;
	char			*emsg;

	a->attrs = json_object();
	if (users_check_username(&a->pool.rules, name, &ekind, &emsg) != 0 ||
	    users_apply_attributes(&a->pool.rules, a->attrs, json_object_get(
	    call->in, "UserAttributes"), USERS_CREATE_ADMIN, NULL, &ekind,
	    &emsg) != 0)
		goto fail;
	if ((attr = users_username_attribute(&a->pool.rules, name)) != NULL) {
		json_object_set_new(a->attrs, attr, json_string(name));
		a->username = xstrdup(a->sub);
		free(a->pool.key);
		a->pool.key = xstrdup(a->sub);
	} else
		a->username = xstrdup(name);
	if (users_check_required(&a->pool.rules, a->attrs, &ekind,
	    &emsg) != 0)
		goto fail;
	a->signin = xstrdup(name);
	au_set_aliases(a);
	return 0;
fail:
	api_fail(call, api_exception(ekind), "%s", emsg);
	free(emsg);
	return -1;
}

static void
au_pre_sign_up_done(struct task *t, json_t *resp)
{
	(void)resp;	/* Cognito ignores it for AdminCreateUser */
	api_work(t->owner, au_hash_run, au_create_hashed);
}

/*
 * The pool's PreSignUp trigger (PreSignUp_AdminCreateUser) before the
 * new user is written: a refusal writes nothing. AdminCreateUser is
 * the adapter's own operation, so its trigger step is here.
 */
static void
au_create_pre_sign_up(struct api_call *call, struct au *a)
{
	struct triggers_call	 c;
	json_t			*vd = json_object_get(call->in,
				    "ValidationData"), *item, *pairs;
	const char		*name;
	size_t			 i;

	if (!triggers_has(a->pool.config, "PreSignUp")) {
		api_work(call, au_hash_run, au_create_hashed);
		return;
	}
	pairs = json_is_array(vd) ? json_object() : json_null();
	json_array_foreach(vd, i, item)
		if ((name = api_str(item, "Name")) != NULL)
			json_object_set_new(pairs, name, json_string(
			    api_str(item, "Value") != NULL ?
			    api_str(item, "Value") : ""));
	memset(&c, 0, sizeof c);
	c.trigger = "PreSignUp";
	c.source = "PreSignUp_AdminCreateUser";
	c.pool_id = au_pool(call);
	c.pool_config = a->pool.config;
	c.username = a->username;
	c.request = json_pack("{s:O, s:o}", "userAttributes", a->attrs,
	    "validationData", pairs);
	if (json_is_object(json_object_get(call->in, "ClientMetadata")))
		json_object_set(c.request, "clientMetadata",
		    json_object_get(call->in, "ClientMetadata"));
	c.response = json_pack("{s:b, s:b, s:b}", "autoConfirmUser", 0,
	    "autoVerifyEmail", 0, "autoVerifyPhone", 0);
	triggers_call(&call->task, &c, au_pre_sign_up_done);
	json_decref(c.request);
	json_decref(c.response);
}

static void
au_create_pooled(struct api_call *call)
{
	struct au	*a = call->data;
	const char	*action = api_str(call->in, "MessageAction");
	char		 sub[37];

	if (action != NULL && strcmp(action, "RESEND") == 0) {
		au_find(call, au_create_resend);
		return;
	}
	random_uuid(sub);
	a->sub = xstrdup(sub);
	if (au_create_attrs(call, a) != 0 ||
	    au_create_mediums(call, a, a->attrs) != 0 ||
	    au_create_password(call, a) != 0)
		return;
	au_create_pre_sign_up(call, a);
}

static void
au_create(struct api_call *call)
{
	au_begin(call, au_create_pooled);
}

/* --- AdminUpdateUserAttributes, AdminDeleteUserAttributes --- */

/*
 * A changed contact the pool verifies automatically gets a code, unless
 * the same request marks it verified.
 */
static void
au_update_verify(struct pg_batch *b, struct api_call *call, struct au *a)
{
	static const struct {
		const char	*attr;
		const char	*purpose;
		const char	*medium;
	} contacts[] = {
		{ "email", "verify:email", "EMAIL" },
		{ "phone_number", "verify:phone_number", "SMS" },
	};
	char		 code[CODES_DIGITS + 1];
	const char	*value;
	size_t		 i;

	for (i = 0; i < nitems(contacts); i++) {
		if (!users_verify_due(&a->pool.rules, a->user.attributes,
		    a->attrs, contacts[i].attr))
			continue;
		value = json_string_value(json_object_get(a->attrs,
		    contacts[i].attr));
		au_add_code(b, au_pool(call), a->user.sub, contacts[i].purpose,
		    value, AU_VERIFY_VALIDITY, code);
		au_send(b, call, a, MESSAGES_VERIFY, contacts[i].medium,
		    value, code, a->user.username);
		wipe(code, sizeof code);
	}
}

static void
au_attrs_done(struct api_call *call, struct pg_reply *reply)
{
	struct au	*a = call->data;

	if (reply->ok)
		api_ok(call, NULL);
	else if (reply->sqlstate != NULL &&
	    strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
		au_fail_unique(call, a, reply);
	else
		au_retry(call, reply, a->next);
}

/* Write a->attrs over the attributes as read. */
static void
au_attrs_write(struct api_call *call)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();
	char		*old, *new;

	au_set_aliases(a);
	old = ops_json_text(a->user.attributes);
	new = ops_json_text(a->attrs);
	db_users_write_attrs(b, &(struct db_users_attrs){
	    .pool_id = au_pool(call), .sub = a->user.sub, .old = old,
	    .attributes = new, .email = a->aliases.email,
	    .phone = a->aliases.phone, .preferred = a->aliases.preferred });
	free(old);
	free(new);
	au_update_verify(b, call, a);
	api_query(call, b, au_attrs_done);
}

/*
 * Change a copy of the attributes as read with change() (applying or
 * deleting what the input member lists), then write it.
 */
static void
au_attrs_change(struct api_call *call, users_change_fn change,
    const char *member)
{
	struct au		*a = call->data;
	enum core_err_kind	 ekind;
	char			*emsg;

	json_decref(a->attrs);
	a->attrs = json_deep_copy(a->user.attributes);
	if (change(&a->pool.rules, a->attrs, json_object_get(call->in,
	    member), USERS_UPDATE_ADMIN, NULL, &ekind, &emsg) != 0) {
		api_fail(call, api_exception(ekind), "%s", emsg);
		free(emsg);
		return;
	}
	au_attrs_write(call);
}

static void
au_update_loaded(struct api_call *call)
{
	au_attrs_change(call, users_apply_attributes, "UserAttributes");
}

static void
au_update(struct api_call *call)
{
	au_begin_user(call, au_update_loaded);
}

static void
au_delete_attrs_loaded(struct api_call *call)
{
	au_attrs_change(call, users_delete_attributes, "UserAttributeNames");
}

static void
au_delete_attrs(struct api_call *call)
{
	au_begin_user(call, au_delete_attrs_loaded);
}

/* --- AdminSetUserPassword --- */

static void
au_set_password_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (pg_rows(reply->res[0]) == 0)
		ops_fail_no_user(call);
	else
		api_ok(call, NULL);
}

/*
 * Permanent: CONFIRMED with the password. Otherwise the password is a
 * temporary one: FORCE_CHANGE_PASSWORD and its validity starts now.
 * A new password also clears the lockout counters.
 */
static void
au_set_password_hashed(struct api_call *call)
{
	struct au	*a = call->data;
	struct pg_batch	*b;
	int		 permanent = api_bool(call->in, "Permanent", 0);

	if (ops_hashed(call, a->hash) != 0)
		return;
	wipe_free(a->password);
	a->password = NULL;
	b = pg_batch_new();
	db_users_set_password(b, &(struct db_users_password){
	    .pool_id = au_pool(call), .sub = a->user.sub, .hash = a->hash,
	    .status = permanent ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD",
	    .permanent = permanent ? "true" : "false",
	    .srp_salt = a->srp_salt, .srp_verifier = a->srp_verifier });
	api_query(call, b, au_set_password_done);
}

static void
au_set_password_loaded(struct api_call *call)
{
	struct au	*a = call->data;
	const char	*pw = api_str(call->in, "Password");

	if (ops_check_password(call, a->pool.config, pw) != 0)
		return;
	a->password = xstrdup(pw);
	api_work(call, au_hash_run, au_set_password_hashed);
}

static void
au_set_password(struct api_call *call)
{
	au_begin_user(call, au_set_password_loaded);
}

/* --- AdminResetUserPassword --- */

static void
au_reset_done(struct api_call *call, struct pg_reply *reply)
{
	struct au	*a = call->data;

	if (reply->ok)
		api_ok(call, NULL);
	else
		au_retry(call, reply, a->next);
}

/*
 * RESET_REQUIRED keeps the password but refuses it at sign-in; the
 * refresh tokens end; a code goes to a verified contact.
 */
static void
au_reset_loaded(struct api_call *call)
{
	struct au	*a = call->data;
	struct pg_batch	*b = pg_batch_new();
	const char	*attr;
	char		*old, code[CODES_DIGITS + 1];
	int		 admin_only;

	old = ops_json_text(a->user.attributes);
	db_users_reset_required(b, au_pool(call), a->user.sub, old);
	free(old);
	db_refresh_tokens_drop_user(b, au_pool(call), a->user.sub);
	attr = users_recovery_attr(a->pool.config, a->user.attributes,
	    &admin_only);
	if (attr != NULL) {
		au_add_code(b, au_pool(call), a->user.sub, "reset", NULL,
		    AU_RESET_VALIDITY, code);
		au_send(b, call, a, MESSAGES_RESET, strcmp(attr, "email") == 0 ?
		    "EMAIL" : "SMS", json_string_value(json_object_get(
		    a->user.attributes, attr)), code, a->user.username);
		wipe(code, sizeof code);
	}
	api_query(call, b, au_reset_done);
}

static void
au_reset(struct api_call *call)
{
	au_begin_user(call, au_reset_loaded);
}

/* --- ListUsers --- */

struct au_page {
	struct filter	 f;
	char		*after;		/* sort column value of the token */
	char		*after_key;	/* username_key of the token */
};

static void
au_list_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*users, *out, *get;
	struct user	 u;
	int		 i, n, max, sorted;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	n = pg_rows(r);
	max = (int)api_int(call->in, "Limit", AU_PAGE_MAX);
	if (max == 0)
		max = AU_PAGE_MAX;
	get = json_object_get(call->in, "AttributesToGet");
	sorted = PQnfields(r) > DB_USERS_LIST_SORT;
	users = json_array();
	for (i = 0; i < n && i < max; i++) {
		db_users_from_row(&u, r, i, 0);
		json_array_append_new(users, users_describe(&u, get, 0));
		users_clear(&u);
	}
	out = json_pack("{s:o}", "Users", users);
	if (n > max && sorted)
		ops_page_next(out, "PaginationToken", pg_val(r, max - 1,
		    DB_USERS_LIST_SORT), pg_val(r, max - 1,
		    DB_USERS_COL_USERNAME_KEY));
	else if (n > max)
		ops_page_next(out, "PaginationToken", pg_val(r, max - 1,
		    DB_USERS_COL_USERNAME_KEY), NULL);
	api_ok(call, out);
}

/* A PaginationToken is the position of the last user of a page. */
static int
au_list_token(struct api_call *call, struct au_page *p)
{
	const char	*tok = api_str(call->in, "PaginationToken");

	if (tok == NULL)
		return 0;
	if (p->f.column != NULL) {
		if (ops_token_parse(tok, &p->after, &p->after_key) != 0)
			return -1;
	} else if (ops_token_parse(tok, &p->after_key, NULL) != 0)
		return -1;
	return 0;
}

static void
au_list_pooled(struct api_call *call)
{
	struct au	*a = call->data;
	struct au_page	 p;
	struct pg_batch	*b;
	char		*emsg, limit[16];
	long long	 max = api_int(call->in, "Limit", AU_PAGE_MAX);

	memset(&p, 0, sizeof p);
	if (filter_parse_pool(api_str(call->in, "Filter"), 2,
	    a->pool.rules.case_sensitive, &p.f, &emsg) != 0) {
		api_fail(call, "InvalidParameterException", "%s", emsg);
		free(emsg);
		return;
	}
	if (au_list_token(call, &p) != 0) {
		api_fail(call, "InvalidParameterException",
		    "Invalid pagination token.");
		goto done;
	}
	snprintf(limit, sizeof limit, "%d", (int)(max == 0 ? AU_PAGE_MAX :
	    max) + 1);
	b = pg_batch_new();
	db_users_list(b, &(struct db_users_page){ .pool_id = au_pool(call),
	    .filter_sql = p.f.sql, .filter_value = p.f.value,
	    .column = p.f.column, .after = p.after,
	    .after_key = p.after_key, .limit = limit });
	api_query(call, b, au_list_done);
done:
	filter_clear(&p.f);
	free(p.after);
	free(p.after_key);
}

static void
au_list(struct api_call *call)
{
	au_begin(call, au_list_pooled);
}

const struct api_op admin_user_ops[] = {
	{ "AdminCreateUser", au_create, API_SIGNED, &s_create },
	{ "AdminGetUser", au_get, API_SIGNED, &s_ref },
	{ "AdminDeleteUser", au_delete, API_SIGNED, &s_ref },
	{ "AdminDisableUser", au_disable, API_SIGNED, &s_ref },
	{ "AdminEnableUser", au_enable, API_SIGNED, &s_ref },
	{ "AdminUpdateUserAttributes", au_update, API_SIGNED, &s_update },
	{ "AdminDeleteUserAttributes", au_delete_attrs, API_SIGNED,
	    &s_delete_attrs },
	{ "AdminConfirmSignUp", au_confirm, API_SIGNED, &s_ref },
	{ "AdminSetUserPassword", au_set_password, API_SIGNED,
	    &s_set_password },
	{ "AdminResetUserPassword", au_reset, API_SIGNED, &s_ref },
	{ "ListUsers", au_list, API_SIGNED, &s_list },
	{ NULL, NULL, 0, NULL }
};
