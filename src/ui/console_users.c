/*
 * console_users.c: the console's Users and groups section of a pool
 * (console_user_pages): the user list with its search (ListUsers'
 * Filter, typed whole or built from an attribute picker) and paging
 * (PaginationToken), Create user, a user's page (attributes, groups,
 * devices, MFA settings and its actions), the group list, Create group
 * and a group's page with its members.
 *
 * Everything runs through console_op, i.e. the JSON API's own
 * operations: the console writes no SQL and checks nothing the API
 * checks, so a refused form shows the API's message. That message goes
 * beside the field it is about (cu_user_fields, cu_group_fields: the
 * field is found by the words of the message, as the callback gets no
 * field name) and the form comes back with what was typed. A created
 * user is shown in the user list, as the classic console did, with a
 * link to its page.
 *
 * Users and groups are named by a query field (?username=, ?group=)
 * and by a hidden field in the forms that act on them, not by a path
 * segment: a Cognito name may hold a slash, and the router sees the
 * path decoded. A page made of several reads (a user's page: the user,
 * its groups, its devices, the pool's groups) chains its operations
 * with its context in the request's data; a read after the first that
 * fails leaves its part of the page empty with the message in it.
 * Actions answer with a redirect to the page they came from (Post/
 * Redirect/Get) carrying ?done=<action>, whose notice comes from the
 * action table, never from the URL's text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "http/request.h"
#include "ui/console.h"
#include "util.h"

#define CU_PAGE		50	/* users or groups on a list page */
#define CU_READ_MAX	60	/* groups and devices read for a user page */

#define CU_GET		EVHTTP_REQ_GET
#define CU_POST		EVHTTP_REQ_POST

/* --- Small helpers --- */

/* A query-string component (malloc'd). */
static char *
cu_enc(const char *s)
{
	char	*e = evhttp_uriencode(s != NULL ? s : "", -1, 0);

	return e != NULL ? e : xstrdup("");
}

/* A non-empty field, else NULL. */
static const char *
cu_field(struct console_req *cr, const char *name)
{
	const char	*v = console_param(cr, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static const char *
cu_pool(struct console_req *cr)
{
	return console_arg(cr, 0);
}

/* The context every page of the section starts from. */
static json_t *
cu_ctx(struct console_req *cr, const char *title)
{
	return json_pack("{s:{s:s}, s:s, s:{s:b}}", "pool", "id",
	    cu_pool(cr), "title", title, "nav", "users", 1);
}

/* Epoch seconds (a JSON number) as "YYYY-MM-DD HH:MM UTC". */
static json_t *
cu_time(json_t *t)
{
	char		 buf[32];
	struct tm	 tm;
	time_t		 s = (time_t)json_number_value(t);

	if (!json_is_number(t) || gmtime_r(&s, &tm) == NULL)
		return json_string("");
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
	return json_string(buf);
}

/* The value of attribute name in a [{Name, Value}] list, or NULL. */
static const char *
cu_attr(json_t *list, const char *name)
{
	size_t	 i;
	json_t	*a;

	json_array_foreach(list, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "Name")) ?
		    json_string_value(json_object_get(a, "Name")) : "",
		    name) == 0)
			return json_string_value(json_object_get(a, "Value"));
	}
	return NULL;
}

/* Set ctx[key] to a copy of v when it is a string. */
static void
cu_copy_str(json_t *ctx, const char *key, json_t *v)
{
	if (json_is_string(v))
		json_object_set(ctx, key, v);
}

/*
 * The field an API message is about: the first of these words found in
 * it (case-insensitively), in this order ("Username should be either an
 * email or a phone number" is about the username). NULL: the form's top.
 */
struct cu_field_word {
	const char	*word;
	const char	*field;
};

static const struct cu_field_word cu_user_fields[] = {
	{ "password", "temporary_password" },
	{ "username", "username" },
	{ "user account", "username" },
	{ "phone", "phone_number" },
	{ "email", "email" },
	{ NULL, NULL }
};

static const struct cu_field_word cu_group_fields[] = {
	{ "precedence", "precedence" },
	{ "description", "description" },
	{ "role", "role_arn" },
	{ "group", "group_name" },
	{ NULL, NULL }
};

static const char *
cu_field_of(const struct cu_field_word *t, const char *msg)
{
	for (; t->word != NULL; t++) {
		if (strcasestr(msg, t->word) != NULL)
			return t->field;
	}
	return NULL;
}

/* Put an API message beside its field: ctx.errors.<field> or ctx.error. */
static void
cu_error(json_t *ctx, const struct cu_field_word *t, const char *msg)
{
	const char	*field = cu_field_of(t, msg);
	json_t		*errors;

	if (field == NULL) {
		json_object_set_new(ctx, "error", json_string(msg));
		return;
	}
	if ((errors = json_object_get(ctx, "errors")) == NULL) {
		errors = json_object();
		json_object_set_new(ctx, "errors", errors);
	}
	json_object_set_new(errors, field, json_string(msg));
	json_object_set_new(ctx, "has_errors", json_true());
}

/* --- Actions on a user or a group, and their notices --- */

typedef void	(*cu_input_fn)(struct console_req *, json_t *);

struct cu_action {
	const char	*name;		/* path segment and error key */
	const char	*op;
	cu_input_fn	 input;		/* adds the form's members, or NULL */
	const char	*notice;
	int		 leaves;	/* gone: back to the list */
};

static void
cu_in_group(struct console_req *cr, json_t *in)
{
	const char	*g = console_param(cr, "group");

	json_object_set_new(in, "GroupName", json_string(g ? g : ""));
}

static void
cu_in_attribute(struct console_req *cr, json_t *in)
{
	const char	*n = console_param(cr, "attribute_name");
	const char	*v = console_param(cr, "attribute_value");

	json_object_set_new(in, "UserAttributes", json_pack("[{s:s, s:s}]",
	    "Name", n ? n : "", "Value", v ? v : ""));
}

static void
cu_in_attribute_name(struct console_req *cr, json_t *in)
{
	const char	*n = console_param(cr, "attribute_name");

	json_object_set_new(in, "UserAttributeNames", json_pack("[s]",
	    n ? n : ""));
}

/* SMS and TOTP enabled or not, one of them (or neither) preferred. */
static void
cu_in_mfa(struct console_req *cr, json_t *in)
{
	const char	*pref = cu_field(cr, "preferred");

	pref = pref != NULL ? pref : "";
	json_object_set_new(in, "SMSMfaSettings", json_pack("{s:b, s:b}",
	    "Enabled", console_param(cr, "sms_mfa") != NULL,
	    "PreferredMfa", strcmp(pref, "SMS_MFA") == 0));
	json_object_set_new(in, "SoftwareTokenMfaSettings", json_pack(
	    "{s:b, s:b}", "Enabled", console_param(cr, "totp_mfa") != NULL,
	    "PreferredMfa", strcmp(pref, "SOFTWARE_TOKEN_MFA") == 0));
}

static void
cu_in_device(struct console_req *cr, json_t *in)
{
	const char	*k = console_param(cr, "device_key");

	json_object_set_new(in, "DeviceKey", json_string(k ? k : ""));
}

static void
cu_in_member(struct console_req *cr, json_t *in)
{
	const char	*u = console_param(cr, "member");

	json_object_set_new(in, "Username", json_string(u ? u : ""));
}

/* A group's description, precedence and role as typed. */
static void
cu_in_group_fields(struct console_req *cr, json_t *in)
{
	const char	*d = console_param(cr, "description");
	const char	*p = cu_field(cr, "precedence");
	const char	*r = cu_field(cr, "role_arn");
	char		*end;
	long long	 n;

	if (d != NULL)
		json_object_set_new(in, "Description", json_string(d));
	if (r != NULL)
		json_object_set_new(in, "RoleArn", json_string(r));
	if (p == NULL)
		return;
	n = strtoll(p, &end, 10);
	/* Not a number: the API's own answer to a wrong type. */
	json_object_set_new(in, "Precedence", *end == '\0' ?
	    json_integer(n) : json_string(p));
}

static const struct cu_action cu_user_actions[] = {
	{ "disable", "AdminDisableUser", NULL, "User disabled.", 0 },
	{ "enable", "AdminEnableUser", NULL, "User enabled.", 0 },
	{ "reset_password", "AdminResetUserPassword", NULL, "Password reset: "
	    "the user sets a new one at the next sign-in.", 0 },
	{ "sign_out", "AdminUserGlobalSignOut", NULL,
	    "User signed out everywhere.", 0 },
	{ "confirm", "AdminConfirmSignUp", NULL, "User confirmed.", 0 },
	{ "delete", "AdminDeleteUser", NULL, "User deleted.", 1 },
	{ "add_to_group", "AdminAddUserToGroup", cu_in_group,
	    "Added to group.", 0 },
	{ "remove_from_group", "AdminRemoveUserFromGroup", cu_in_group,
	    "Removed from group.", 0 },
	{ "attribute", "AdminUpdateUserAttributes", cu_in_attribute,
	    "Attribute saved.", 0 },
	{ "delete_attribute", "AdminDeleteUserAttributes",
	    cu_in_attribute_name, "Attribute deleted.", 0 },
	{ "mfa", "AdminSetUserMFAPreference", cu_in_mfa,
	    "MFA settings saved.", 0 },
	{ "forget_device", "AdminForgetDevice", cu_in_device,
	    "Device forgotten.", 0 },
	{ NULL, NULL, NULL, NULL, 0 }
};

static const struct cu_action cu_group_actions[] = {
	{ "update", "UpdateGroup", cu_in_group_fields, "Group saved.", 0 },
	{ "add", "AdminAddUserToGroup", cu_in_member, "User added.", 0 },
	{ "remove", "AdminRemoveUserFromGroup", cu_in_member,
	    "User removed from the group.", 0 },
	{ "delete", "DeleteGroup", NULL, "Group deleted.", 1 },
	{ NULL, NULL, NULL, NULL, 0 }
};

static const struct cu_action *
cu_action_find(const struct cu_action *t, const char *name)
{
	for (; name != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* The notice of ?done=: an action's, or the creation's. */
static void
cu_notice(struct console_req *cr, json_t *ctx, const struct cu_action *t)
{
	const char		*done = cu_field(cr, "done");
	const struct cu_action	*a;

	if (done == NULL)
		return;
	if (strcmp(done, "created") == 0)
		json_object_set_new(ctx, "notice", json_string(t ==
		    cu_group_actions ? "Group created." : "User created."));
	else if ((a = cu_action_find(t, done)) != NULL)
		json_object_set_new(ctx, "notice", json_string(a->notice));
}

/* --- The user list --- */

/* The attributes ListUsers searches, for the picker. */
static const char *const cu_search_attrs[] = {
	"username", "email", "phone_number", "name", "given_name",
	"family_name", "preferred_username", "cognito:user_status", "status",
	"sub", NULL
};

/* The filter of the search form: typed whole, or from the picker. */
static char *
cu_list_filter(struct console_req *cr)
{
	const char	*f = cu_field(cr, "filter"), *attr, *value, *op, *p;
	char		*out;
	size_t		 n = 0;

	if (f != NULL)
		return xstrdup(f);
	attr = cu_field(cr, "attribute");
	value = cu_field(cr, "value");
	op = cu_field(cr, "match");
	/* Whatever was sent goes to ListUsers, which says what is wrong. */
	if (attr == NULL || value == NULL)
		return NULL;
	out = xmalloc(strlen(attr) + 2 * strlen(value) + 8);
	n = (size_t)sprintf(out, "%s %s \"", attr, op != NULL &&
	    strcmp(op, "=") == 0 ? "=" : "^=");
	for (p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

/* The search form as it was sent: filter, picker choices. */
static void
cu_list_form(struct console_req *cr, json_t *ctx, const char *filter)
{
	const char	*attr = cu_field(cr, "attribute"), *op;
	json_t		*opts = json_array();
	int		 i;

	for (i = 0; cu_search_attrs[i] != NULL; i++)
		json_array_append_new(opts, json_pack("{s:s, s:b}", "name",
		    cu_search_attrs[i], "selected", attr != NULL &&
		    strcmp(attr, cu_search_attrs[i]) == 0));
	json_object_set_new(ctx, "attributes", opts);
	op = cu_field(cr, "match");
	json_object_set_new(ctx, "match_equals", json_boolean(op != NULL &&
	    strcmp(op, "=") == 0));
	if (cu_field(cr, "value") != NULL)
		json_object_set_new(ctx, "value", json_string(cu_field(cr,
		    "value")));
	/* The typed filter comes back as typed; the one searched shows. */
	if (cu_field(cr, "filter") != NULL)
		json_object_set_new(ctx, "filter", json_string(cu_field(cr,
		    "filter")));
	if (filter != NULL)
		json_object_set_new(ctx, "searched", json_string(filter));
}

/* One row of the user list. */
static json_t *
cu_list_row(json_t *u)
{
	json_t		*attrs = json_object_get(u, "Attributes");
	const char	*name = json_string_value(json_object_get(u,
			    "Username"));
	const char	*email = cu_attr(attrs, "email");
	char		*enc = cu_enc(name);
	json_t		*row;

	row = json_pack("{s:s, s:s, s:O, s:b, s:s, s:o, s:o}",
	    "username", name != NULL ? name : "", "query", enc,
	    "status", json_object_get(u, "UserStatus"),
	    "enabled", json_is_true(json_object_get(u, "Enabled")),
	    "email", email != NULL ? email : "",
	    "created", cu_time(json_object_get(u, "UserCreateDate")),
	    "modified", cu_time(json_object_get(u, "UserLastModifiedDate")));
	free(enc);
	return row;
}

/* After Create user, a link to the new user's page. */
static void
cu_list_created(struct console_req *cr, json_t *ctx)
{
	const char	*name = cu_field(cr, "created");
	char		*enc;

	if (name == NULL)
		return;
	enc = cu_enc(name);
	json_object_set_new(ctx, "new_user", json_pack("{s:s, s:s}", "name",
	    name, "query", enc));
	free(enc);
}

struct cu_list {
	json_t	*ctx;
	char	*filter;
};

static void
cu_list_free(void *p)
{
	struct cu_list	*l = p;

	json_decref(l->ctx);
	free(l->filter);
	free(l);
}

static void
cu_list_ok(struct console_req *cr, json_t *out)
{
	struct cu_list	*l = console_data(cr);
	json_t		*rows = json_array(), *u, *ctx = l->ctx;
	const char	*next;
	char		*ef, *et;
	size_t		 i;

	json_array_foreach(json_object_get(out, "Users"), i, u)
		json_array_append_new(rows, cu_list_row(u));
	json_object_set_new(ctx, "users", rows);
	json_object_set_new(ctx, "count", json_integer((json_int_t)
	    json_array_size(rows)));
	next = json_string_value(json_object_get(out, "PaginationToken"));
	ef = cu_enc(l->filter);
	json_object_set_new(ctx, "first_query", json_sprintf("filter=%s",
	    ef));
	if (next != NULL) {
		et = cu_enc(next);
		json_object_set_new(ctx, "next_query", json_sprintf(
		    "filter=%s&token=%s", ef, et));
		free(et);
	}
	free(ef);
	l->ctx = NULL;
	console_render(cr, 200, "users_list", ctx);
}

static void
cu_list_fail(struct console_req *cr, const char *msg)
{
	struct cu_list	*l = console_data(cr);
	json_t		*ctx = l->ctx;

	json_object_set_new(ctx, "filter_error", json_string(msg));
	json_object_set_new(ctx, "users", json_array());
	l->ctx = NULL;
	console_render(cr, 200, "users_list", ctx);
}

static void
cu_list(struct console_req *cr)
{
	struct cu_list	*l = xcalloc(1, sizeof *l);
	json_t		*in;
	const char	*tok = cu_field(cr, "token");

	console_set_data(cr, l, cu_list_free);
	l->ctx = cu_ctx(cr, "Users and groups");
	l->filter = cu_list_filter(cr);
	cu_list_form(cr, l->ctx, l->filter);
	cu_notice(cr, l->ctx, cu_user_actions);
	cu_list_created(cr, l->ctx);
	if (tok != NULL)
		json_object_set_new(l->ctx, "paged", json_true());
	in = json_pack("{s:s, s:i}", "UserPoolId", cu_pool(cr), "Limit",
	    CU_PAGE);
	if (l->filter != NULL)
		json_object_set_new(in, "Filter", json_string(l->filter));
	if (tok != NULL)
		json_object_set_new(in, "PaginationToken", json_string(tok));
	console_op(cr, "ListUsers", in, cu_list_ok, cu_list_fail);
}

/* --- Create user --- */

/* The form's fields, echoed back when the API refuses them. */
static const char *const cu_create_texts[] = {
	"username", "temporary_password", "phone_number", "email", NULL
};
static const char *const cu_create_boxes[] = {
	"send_invitation", "phone_verified", "email_verified", NULL
};

static json_t *
cu_create_ctx(struct console_req *cr, int sent)
{
	json_t		*ctx = cu_ctx(cr, "Create user"), *form = json_object();
	const char	*v;
	int		 i;

	for (i = 0; cu_create_texts[i] != NULL; i++)
		if ((v = console_param(cr, cu_create_texts[i])) != NULL)
			json_object_set_new(form, cu_create_texts[i],
			    json_string(v));
	/* Cognito's defaults: invite, phone marked verified. */
	for (i = 0; cu_create_boxes[i] != NULL; i++)
		json_object_set_new(form, cu_create_boxes[i], json_boolean(sent ?
		    console_param(cr, cu_create_boxes[i]) != NULL :
		    strcmp(cu_create_boxes[i], "email_verified") != 0));
	json_object_set_new(ctx, "form", form);
	return ctx;
}

static void
cu_create_attr(json_t *attrs, const char *name, const char *value)
{
	json_array_append_new(attrs, json_pack("{s:s, s:s}", "Name", name,
	    "Value", value));
}

/* AdminCreateUser's input from the form. */
static json_t *
cu_create_input(struct console_req *cr)
{
	const char	*phone = cu_field(cr, "phone_number");
	const char	*email = cu_field(cr, "email");
	const char	*pw = cu_field(cr, "temporary_password");
	json_t		*in, *attrs = json_array(), *media = json_array();

	in = json_pack("{s:s, s:s}", "UserPoolId", cu_pool(cr), "Username",
	    console_param(cr, "username") ? console_param(cr, "username") :
	    "");
	if (phone != NULL) {
		cu_create_attr(attrs, "phone_number", phone);
		if (console_param(cr, "phone_verified") != NULL)
			cu_create_attr(attrs, "phone_number_verified", "true");
		json_array_append_new(media, json_string("SMS"));
	}
	if (email != NULL) {
		cu_create_attr(attrs, "email", email);
		if (console_param(cr, "email_verified") != NULL)
			cu_create_attr(attrs, "email_verified", "true");
		json_array_append_new(media, json_string("EMAIL"));
	}
	json_object_set_new(in, "UserAttributes", attrs);
	if (pw != NULL)
		json_object_set_new(in, "TemporaryPassword", json_string(pw));
	if (console_param(cr, "send_invitation") == NULL)
		json_object_set_new(in, "MessageAction",
		    json_string("SUPPRESS"));
	if (json_array_size(media) > 0 &&
	    console_param(cr, "send_invitation") != NULL)
		json_object_set_new(in, "DesiredDeliveryMediums", media);
	else
		json_decref(media);
	return in;
}

static void
cu_create_ok(struct console_req *cr, json_t *out)
{
	const char	*name = json_string_value(json_object_get(
			    json_object_get(out, "User"), "Username"));
	char		*enc = cu_enc(name);

	console_redirect(cr, "/pools/%s/users?done=created&created=%s",
	    cu_pool(cr), enc);
	free(enc);
}

static void
cu_create_fail(struct console_req *cr, const char *msg)
{
	json_t	*ctx = cu_create_ctx(cr, 1);

	cu_error(ctx, cu_user_fields, msg);
	console_render(cr, 200, "users_create", ctx);
}


static void
cu_create(struct console_req *cr)
{
	if (console_http(cr)->method != CU_POST) {
		console_render(cr, 200, "users_create", cu_create_ctx(cr, 0));
		return;
	}
	console_op(cr, "AdminCreateUser", cu_create_input(cr), cu_create_ok,
	    cu_create_fail);
}

/*
 * A page made of several reads: its context, the user or group it is
 * about, and the action whose refusal it shows.
 */
struct cu_page {
	json_t			*ctx;
	char			*name;
	const struct cu_action	*action;
};

static void
cu_page_free(void *p)
{
	struct cu_page	*pg = p;

	json_decref(pg->ctx);
	free(pg->name);
	free(pg);
}

static struct cu_page *
cu_page_new(struct console_req *cr, const char *title, const char *name,
    const struct cu_action *action, const char *error)
{
	struct cu_page	*pg = xcalloc(1, sizeof *pg);
	char		*enc = cu_enc(name);

	pg->ctx = cu_ctx(cr, title);
	pg->name = xstrdup(name);
	pg->action = action;
	json_object_set_new(pg->ctx, "name", json_string(name));
	json_object_set_new(pg->ctx, "query", json_string(enc));
	free(enc);
	if (error != NULL && action != NULL)
		json_object_set_new(pg->ctx, "errors", json_pack("{s:s}",
		    action->name, error));
	else if (error != NULL)
		json_object_set_new(pg->ctx, "error", json_string(error));
	console_set_data(cr, pg, cu_page_free);
	return pg;
}

/* Render the page's context, which the renderer takes. */
static void
cu_page_render(struct console_req *cr, const char *tmpl)
{
	struct cu_page	*pg = console_data(cr);
	json_t		*ctx = pg->ctx;

	pg->ctx = NULL;
	console_render(cr, 200, tmpl, ctx);
}

/* A later read failed: its part of the page says why. */
static void
cu_page_part_fail(struct console_req *cr, const char *key, const char *msg)
{
	struct cu_page	*pg = console_data(cr);

	json_object_set_new(pg->ctx, key, json_string(msg));
}

/* --- A user's page --- */

static void	cu_user_groups(struct console_req *);

static json_t *
cu_user_attrs(json_t *list)
{
	json_t		*out = json_array(), *a;
	const char	*n;
	size_t		 i;

	json_array_foreach(list, i, a) {
		n = json_string_value(json_object_get(a, "Name"));
		if (n == NULL)
			continue;
		json_array_append_new(out, json_pack("{s:s, s:O, s:b}",
		    "name", n, "value", json_object_get(a, "Value"),
		    "deletable", strcmp(n, "sub") != 0));
	}
	return out;
}

/* The MFA part: factors set up and the preferred one. */
static void
cu_user_mfa(json_t *user, json_t *out)
{
	json_t		*list = json_object_get(out, "UserMFASettingList");
	const char	*pref = json_string_value(json_object_get(out,
			    "PreferredMfaSetting"));

	json_object_set_new(user, "mfa_sms", json_boolean(
	    strarray_has(list, "SMS_MFA")));
	json_object_set_new(user, "mfa_totp", json_boolean(
	    strarray_has(list, "SOFTWARE_TOKEN_MFA")));
	json_object_set_new(user, "mfa_list", json_array_size(list) > 0 ?
	    json_copy(list) : json_pack("[s]", "none"));
	pref = pref != NULL ? pref : "";
	json_object_set_new(user, "pref_sms", json_boolean(
	    strcmp(pref, "SMS_MFA") == 0));
	json_object_set_new(user, "pref_totp", json_boolean(
	    strcmp(pref, "SOFTWARE_TOKEN_MFA") == 0));
	json_object_set_new(user, "pref_none", json_boolean(*pref == '\0'));
	json_object_set_new(user, "preferred", json_string(*pref != '\0' ?
	    pref : "none"));
}

static void
cu_user_got(struct console_req *cr, json_t *out)
{
	struct cu_page	*pg = console_data(cr);
	json_t		*user = json_object();
	const char	*status = json_string_value(json_object_get(out,
			    "UserStatus"));

	cu_copy_str(user, "username", json_object_get(out, "Username"));
	cu_copy_str(user, "status", json_object_get(out, "UserStatus"));
	json_object_set_new(user, "enabled", json_boolean(json_is_true(
	    json_object_get(out, "Enabled"))));
	json_object_set_new(user, "unconfirmed", json_boolean(status !=
	    NULL && strcmp(status, "UNCONFIRMED") == 0));
	json_object_set_new(user, "created", cu_time(json_object_get(out,
	    "UserCreateDate")));
	json_object_set_new(user, "modified", cu_time(json_object_get(out,
	    "UserLastModifiedDate")));
	json_object_set_new(user, "attributes", cu_user_attrs(
	    json_object_get(out, "UserAttributes")));
	cu_user_mfa(user, out);
	json_object_set_new(pg->ctx, "account", user);
	/* Later operations name the user as the pool stores it. */
	if (json_string_value(json_object_get(out, "Username")) != NULL) {
		free(pg->name);
		pg->name = xstrdup(json_string_value(json_object_get(out,
		    "Username")));
	}
	cu_user_groups(cr);
}

static void
cu_user_missing(struct console_req *cr, const char *msg)
{
	console_fail_page(cr, 404, msg);
}

static void
cu_user_pool_groups_ok(struct console_req *cr, json_t *out)
{
	struct cu_page	*pg = console_data(cr);
	json_t		*mine = json_object_get(json_object_get(pg->ctx,
			    "account"), "groups"), *opts = json_array(), *g, *m;
	const char	*n;
	size_t		 i, j;
	int		 member;

	json_array_foreach(json_object_get(out, "Groups"), i, g) {
		n = json_string_value(json_object_get(g, "GroupName"));
		member = 0;
		json_array_foreach(mine, j, m)
			member |= n != NULL && strcmp(n, json_string_value(
			    json_object_get(m, "name"))) == 0;
		if (n != NULL && !member)
			json_array_append_new(opts, json_pack("{s:s}",
			    "name", n));
	}
	json_object_set_new(pg->ctx, "group_options", opts);
	cu_page_render(cr, "users_user");
}

static void
cu_user_pool_groups_fail(struct console_req *cr, const char *msg)
{
	cu_page_part_fail(cr, "group_options_error", msg);
	cu_page_render(cr, "users_user");
}

static json_t *
cu_device_row(json_t *d)
{
	json_t		*attrs = json_object_get(d, "DeviceAttributes");
	const char	*name = cu_attr(attrs, "device_name");

	return json_pack("{s:O, s:s, s:o, s:o}",
	    "key", json_object_get(d, "DeviceKey"),
	    "name", name != NULL ? name : "",
	    "created", cu_time(json_object_get(d, "DeviceCreateDate")),
	    "last", cu_time(json_object_get(d,
	    "DeviceLastAuthenticatedDate")));
}

static void
cu_user_next_pool_groups(struct console_req *cr)
{
	console_op(cr, "ListGroups", json_pack("{s:s, s:i}", "UserPoolId",
	    cu_pool(cr), "Limit", CU_READ_MAX), cu_user_pool_groups_ok,
	    cu_user_pool_groups_fail);
}

static void
cu_user_devices_ok(struct console_req *cr, json_t *out)
{
	struct cu_page	*pg = console_data(cr);
	json_t		*rows = json_array(), *d;
	size_t		 i;

	json_array_foreach(json_object_get(out, "Devices"), i, d)
		json_array_append_new(rows, cu_device_row(d));
	json_object_set_new(json_object_get(pg->ctx, "account"), "devices",
	    rows);
	cu_user_next_pool_groups(cr);
}

static void
cu_user_devices_fail(struct console_req *cr, const char *msg)
{
	cu_page_part_fail(cr, "devices_error", msg);
	cu_user_next_pool_groups(cr);
}

static void
cu_user_next_devices(struct console_req *cr)
{
	struct cu_page	*pg = console_data(cr);

	console_op(cr, "AdminListDevices", json_pack("{s:s, s:s, s:i}",
	    "UserPoolId", cu_pool(cr), "Username", pg->name, "Limit",
	    CU_READ_MAX), cu_user_devices_ok, cu_user_devices_fail);
}

static void
cu_user_groups_ok(struct console_req *cr, json_t *out)
{
	struct cu_page	*pg = console_data(cr);
	json_t		*rows = json_array(), *g;
	const char	*n;
	char		*enc;
	size_t		 i;

	json_array_foreach(json_object_get(out, "Groups"), i, g) {
		if ((n = json_string_value(json_object_get(g,
		    "GroupName"))) == NULL)
			continue;
		enc = cu_enc(n);
		json_array_append_new(rows, json_pack("{s:s, s:s}", "name", n,
		    "query", enc));
		free(enc);
	}
	json_object_set_new(json_object_get(pg->ctx, "account"), "groups",
	    rows);
	cu_user_next_devices(cr);
}

static void
cu_user_groups_fail(struct console_req *cr, const char *msg)
{
	cu_page_part_fail(cr, "groups_error", msg);
	cu_user_next_devices(cr);
}

static void
cu_user_groups(struct console_req *cr)
{
	struct cu_page	*pg = console_data(cr);

	console_op(cr, "AdminListGroupsForUser", json_pack("{s:s, s:s, s:i}",
	    "UserPoolId", cu_pool(cr), "Username", pg->name, "Limit",
	    CU_READ_MAX), cu_user_groups_ok, cu_user_groups_fail);
}

/* Read the user and draw its page, with an action's refusal if any. */
static void
cu_user_load(struct console_req *cr, const char *name,
    const struct cu_action *action, const char *error)
{
	struct cu_page	*pg = cu_page_new(cr, "User", name, action, error);

	cu_notice(cr, pg->ctx, cu_user_actions);
	console_op(cr, "AdminGetUser", json_pack("{s:s, s:s}", "UserPoolId",
	    cu_pool(cr), "Username", name), cu_user_got, cu_user_missing);
}

static void
cu_user(struct console_req *cr)
{
	const char	*name = cu_field(cr, "username");

	if (name == NULL) {
		console_redirect(cr, "/pools/%s/users", cu_pool(cr));
		return;
	}
	cu_user_load(cr, name, NULL, NULL);
}

/* An action's state: which, on whom. */
struct cu_act {
	const struct cu_action	*action;
	char			*name;
};

static void
cu_act_free(void *p)
{
	struct cu_act	*a = p;

	free(a->name);
	free(a);
}

static void
cu_user_act_ok(struct console_req *cr, json_t *out)
{
	struct cu_act	*a = console_data(cr);
	char		*enc = cu_enc(a->name);

	(void)out;
	if (a->action->leaves)
		console_redirect(cr, "/pools/%s/users?done=%s", cu_pool(cr),
		    a->action->name);
	else
		console_redirect(cr, "/pools/%s/user?username=%s&done=%s",
		    cu_pool(cr), enc, a->action->name);
	free(enc);
}

static void
cu_user_act_fail(struct console_req *cr, const char *msg)
{
	struct cu_act		*a = console_data(cr);
	const struct cu_action	*action = a->action;
	char			*name = xstrdup(a->name);

	/* cu_user_load replaces the data, which frees a. */
	cu_user_load(cr, name, action, msg);
	free(name);
}

/* Start action t (found by the path's second '*') on name. */
static void
cu_act_start(struct console_req *cr, const struct cu_action *t,
    const char *key, const char *name_field, console_ok_fn ok,
    console_fail_fn fail)
{
	const struct cu_action	*action = cu_action_find(t,
				    console_arg(cr, 1));
	const char		*name = console_param(cr, name_field);
	struct cu_act		*a;
	json_t			*in;

	if (action == NULL || name == NULL) {
		console_fail_page(cr, 404, "No such action.");
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->action = action;
	a->name = xstrdup(name);
	console_set_data(cr, a, cu_act_free);
	in = json_pack("{s:s, s:s}", "UserPoolId", cu_pool(cr), key, name);
	if (action->input != NULL)
		action->input(cr, in);
	console_op(cr, action->op, in, ok, fail);
}

static void
cu_user_act(struct console_req *cr)
{
	cu_act_start(cr, cu_user_actions, "Username", "username",
	    cu_user_act_ok, cu_user_act_fail);
}

/* --- Groups --- */

static json_t *
cu_group_row(json_t *g)
{
	const char	*n = json_string_value(json_object_get(g, "GroupName"));
	const char	*d = json_string_value(json_object_get(g,
			    "Description"));
	json_t		*p = json_object_get(g, "Precedence"), *row;
	char		*enc = cu_enc(n);

	row = json_pack("{s:s, s:s, s:s, s:o}", "name", n != NULL ? n : "",
	    "query", enc, "description", d != NULL ? d : "",
	    "created", cu_time(json_object_get(g, "CreationDate")));
	if (json_is_integer(p))
		json_object_set(row, "precedence", p);
	cu_copy_str(row, "role_arn", json_object_get(g, "RoleArn"));
	free(enc);
	return row;
}

/* ctx.next_query for a list answer's token (NextToken or Pagination). */
static void
cu_next(json_t *ctx, json_t *out, const char *member)
{
	const char	*next = json_string_value(json_object_get(out, member));
	char		*et;

	if (next == NULL)
		return;
	et = cu_enc(next);
	json_object_set_new(ctx, "next_query", json_sprintf("token=%s", et));
	free(et);
}

static void
cu_groups_ok(struct console_req *cr, json_t *out)
{
	struct cu_page	*pg = console_data(cr);
	json_t		*rows = json_array(), *g;
	size_t		 i;

	json_array_foreach(json_object_get(out, "Groups"), i, g)
		json_array_append_new(rows, cu_group_row(g));
	json_object_set_new(pg->ctx, "groups", rows);
	cu_next(pg->ctx, out, "NextToken");
	cu_page_render(cr, "users_groups");
}

static void
cu_groups_fail(struct console_req *cr, const char *msg)
{
	cu_page_part_fail(cr, "error", msg);
	cu_page_render(cr, "users_groups");
}

static void
cu_groups(struct console_req *cr)
{
	struct cu_page	*pg = cu_page_new(cr, "Groups", "", NULL, NULL);
	const char	*tok = cu_field(cr, "token");
	json_t		*in;

	cu_notice(cr, pg->ctx, cu_group_actions);
	if (tok != NULL)
		json_object_set_new(pg->ctx, "paged", json_true());
	in = json_pack("{s:s, s:i}", "UserPoolId", cu_pool(cr), "Limit",
	    CU_PAGE);
	if (tok != NULL)
		json_object_set_new(in, "NextToken", json_string(tok));
	console_op(cr, "ListGroups", in, cu_groups_ok, cu_groups_fail);
}

static const char *const cu_group_texts[] = {
	"group_name", "description", "role_arn", "precedence", NULL
};

static json_t *
cu_group_create_ctx(struct console_req *cr)
{
	json_t		*ctx = cu_ctx(cr, "Create group"), *form = json_object();
	const char	*v;
	int		 i;

	for (i = 0; cu_group_texts[i] != NULL; i++)
		if ((v = console_param(cr, cu_group_texts[i])) != NULL)
			json_object_set_new(form, cu_group_texts[i],
			    json_string(v));
	json_object_set_new(ctx, "form", form);
	return ctx;
}

static void
cu_group_create_ok(struct console_req *cr, json_t *out)
{
	const char	*n = json_string_value(json_object_get(
			    json_object_get(out, "Group"), "GroupName"));
	char		*enc = cu_enc(n);

	console_redirect(cr, "/pools/%s/group?group=%s&done=created",
	    cu_pool(cr), enc);
	free(enc);
}

static void
cu_group_create_fail(struct console_req *cr, const char *msg)
{
	json_t	*ctx = cu_group_create_ctx(cr);

	cu_error(ctx, cu_group_fields, msg);
	console_render(cr, 200, "users_group_create", ctx);
}

static void
cu_group_create(struct console_req *cr)
{
	const char	*n = console_param(cr, "group_name");
	json_t		*in;

	if (console_http(cr)->method != CU_POST) {
		console_render(cr, 200, "users_group_create",
		    cu_group_create_ctx(cr));
		return;
	}
	in = json_pack("{s:s, s:s}", "UserPoolId", cu_pool(cr), "GroupName",
	    n != NULL ? n : "");
	cu_in_group_fields(cr, in);
	console_op(cr, "CreateGroup", in, cu_group_create_ok,
	    cu_group_create_fail);
}

static void
cu_group_members_ok(struct console_req *cr, json_t *out)
{
	struct cu_page	*pg = console_data(cr);
	json_t		*rows = json_array(), *u;
	size_t		 i;

	json_array_foreach(json_object_get(out, "Users"), i, u)
		json_array_append_new(rows, cu_list_row(u));
	json_object_set_new(pg->ctx, "members", rows);
	cu_next(pg->ctx, out, "NextToken");
	cu_page_render(cr, "users_group");
}

static void
cu_group_members_fail(struct console_req *cr, const char *msg)
{
	cu_page_part_fail(cr, "members_error", msg);
	cu_page_render(cr, "users_group");
}

static void
cu_group_got(struct console_req *cr, json_t *out)
{
	struct cu_page	*pg = console_data(cr);
	const char	*tok = cu_field(cr, "token");
	json_t		*in;

	json_object_set_new(pg->ctx, "group", cu_group_row(json_object_get(
	    out, "Group")));
	in = json_pack("{s:s, s:s, s:i}", "UserPoolId", cu_pool(cr),
	    "GroupName", pg->name, "Limit", CU_PAGE);
	if (tok != NULL)
		json_object_set_new(in, "NextToken", json_string(tok));
	console_op(cr, "ListUsersInGroup", in, cu_group_members_ok,
	    cu_group_members_fail);
}

static void
cu_group_load(struct console_req *cr, const char *name,
    const struct cu_action *action, const char *error)
{
	struct cu_page	*pg = cu_page_new(cr, "Group", name, action, error);

	cu_notice(cr, pg->ctx, cu_group_actions);
	console_op(cr, "GetGroup", json_pack("{s:s, s:s}", "UserPoolId",
	    cu_pool(cr), "GroupName", name), cu_group_got, cu_user_missing);
}

static void
cu_group(struct console_req *cr)
{
	const char	*name = cu_field(cr, "group");

	if (name == NULL) {
		console_redirect(cr, "/pools/%s/groups", cu_pool(cr));
		return;
	}
	cu_group_load(cr, name, NULL, NULL);
}

static void
cu_group_act_ok(struct console_req *cr, json_t *out)
{
	struct cu_act	*a = console_data(cr);
	char		*enc = cu_enc(a->name);

	(void)out;
	if (a->action->leaves)
		console_redirect(cr, "/pools/%s/groups?done=%s", cu_pool(cr),
		    a->action->name);
	else
		console_redirect(cr, "/pools/%s/group?group=%s&done=%s",
		    cu_pool(cr), enc, a->action->name);
	free(enc);
}

static void
cu_group_act_fail(struct console_req *cr, const char *msg)
{
	struct cu_act		*a = console_data(cr);
	const struct cu_action	*action = a->action;
	char			*name = xstrdup(a->name);

	cu_group_load(cr, name, action, msg);
	free(name);
}

static void
cu_group_act(struct console_req *cr)
{
	cu_act_start(cr, cu_group_actions, "GroupName", "group",
	    cu_group_act_ok, cu_group_act_fail);
}

/* --- The section's pages --- */

const struct console_page console_user_pages[] = {
	{ CU_GET, "/pools/*/users", cu_list },
	{ CU_GET | CU_POST, "/pools/*/users/create", cu_create },
	{ CU_GET, "/pools/*/user", cu_user },
	{ CU_POST, "/pools/*/user/*", cu_user_act },
	{ CU_GET, "/pools/*/groups", cu_groups },
	{ CU_GET | CU_POST, "/pools/*/groups/create", cu_group_create },
	{ CU_GET, "/pools/*/group", cu_group },
	{ CU_POST, "/pools/*/group/*", cu_group_act },
	{ 0, NULL, NULL }
};
