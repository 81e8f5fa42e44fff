/*
 * signup.c: the hosted UI's self-service pages, as Cognito's classic
 * hosted UI has them: sign-up (/signup), its confirmation (/confirmUser,
 * also the target of a CONFIRM_WITH_LINK message), and the password
 * reset (/forgotPassword, then /confirmForgotPassword).
 *
 * Every page takes the authorization request of /login in its query and
 * checks it with domain_authz_check() first, so the links between pages
 * keep it, and a finished flow ends back on /login to sign in and go on
 * to the application. The notice /login then shows comes from a fixed
 * table by name: no text of the query is ever shown as a message.
 *
 * The pages are the hosted door of the sign-up core (core/signup.c): a
 * page fills a struct signup_req and runs the operation on the
 * request's task, so the rules, messages, code limits, message caps
 * (the client's address included) and hidden user existence
 * (PreventUserExistenceErrors) are the API's, without the SecretHash,
 * which the pages cannot know; a confidential client still proves
 * itself at the token endpoint before it gets a token. Every form
 * carries the CSRF token of pages.c, and an operation's refusal is shown
 * on its page with the message pages.c's table of error kinds gives
 * (the core's words, as the API sends them), with HTTP 400.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/err.h"
#include "core/signup.h"
#include "core/task.h"
#include "http/domain.h"
#include "ui/pages.h"
#include "ui/render.h"
#include "ui/signup.h"
#include "util.h"

/* The pages' own query parameters, never carried to another page. */
static const char *const signup_own_params[] = {
	"notice", "user_name", "confirmation_code", NULL
};

/* What a finished flow says on the sign-in page (?notice=<name>). */
static const struct {
	const char	*name;
	const char	*text;
} signup_notices[] = {
	{ "created", "Your account has been created. Sign in to continue." },
	{ "pending", "Your account has been created. An administrator must "
	  "confirm it before you can sign in." },
	{ "confirmed", "Your account is confirmed. Sign in to continue." },
	{ "reset", "Your password has been changed. Sign in with your new "
	  "password." },
};

/* The classes of characters a password policy can require. */
static const struct {
	const char	*member;
	const char	*text;
} signup_rules[] = {
	{ "RequireLowercase", "A lowercase letter" },
	{ "RequireUppercase", "An uppercase letter" },
	{ "RequireNumbers", "A number" },
	{ "RequireSymbols", "A special character (such as ! $ % or &)" },
};

/* How the sign-up form asks for an attribute; others are plain text. */
static const struct {
	const char	*name;
	const char	*label;
	const char	*type;
	const char	*autocomplete;
} signup_fields[] = {
	{ "email", "Email", "email", "email" },
	{ "phone_number", "Phone number (with + and country code)", "tel",
	  "tel" },
	{ "name", "Full name", "text", "name" },
	{ "given_name", "Given name", "text", "given-name" },
	{ "middle_name", "Middle name", "text", "additional-name" },
	{ "family_name", "Family name", "text", "family-name" },
	{ "nickname", "Nickname", "text", "nickname" },
	{ "preferred_username", "Preferred username", "text", "off" },
	{ "birthdate", "Date of birth", "date", "bday" },
	{ "gender", "Gender", "text", "sex" },
	{ "address", "Address", "text", "street-address" },
	{ "locale", "Language", "text", "language" },
	{ "zoneinfo", "Time zone", "text", "off" },
	{ "website", "Website", "url", "url" },
	{ "profile", "Profile page", "url", "url" },
	{ "picture", "Picture (address of an image)", "url", "photo" },
};

static int
signup_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* What the pages show of the pool: PasswordPolicy... (borrowed). */
static json_t *
signup_pool(struct domain_req *o, const char *name)
{
	return json_object_get(o->client, name);
}

static int
signup_own(const char *name)
{
	size_t	i;

	for (i = 0; signup_own_params[i] != NULL; i++)
		if (strcmp(signup_own_params[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The URL of a page of the domain (path: "/login"...) with the
 * authorization request of the query and, when not NULL, a notice;
 * malloc'd.
 */
static char *
signup_url(struct domain_req *o, const char *path, const char *notice)
{
	json_t		*pairs = json_object(), *v;
	const char	*k;
	char		*page, *url;

	json_object_foreach(o->query, k, v) {
		if (!signup_own(k))
			json_object_set(pairs, k, v);
	}
	if (notice != NULL)
		json_object_set_new(pairs, "notice", json_string(notice));
	page = xasprintf("%s%s", domain_base(o), path);
	url = domain_url_with(page, pairs, 0);
	free(page);
	json_decref(pairs);
	return url;
}

/* Set ctx's key to url, which is freed. */
static void
signup_set_url(json_t *ctx, const char *key, char *url)
{
	json_object_set_new(ctx, key, json_string(url));
	free(url);
}

void
signup_login_context(struct domain_req *o, json_t *ctx)
{
	const char	*notice = api_str(o->query, "notice");
	size_t		 i;

	signup_set_url(ctx, "forgot_url", signup_url(o, "/forgotPassword",
	    NULL));
	if (api_bool(o->client, "AllowSelfSignUp", 0))
		signup_set_url(ctx, "signup_url", signup_url(o, "/signup",
		    NULL));
	for (i = 0; notice != NULL && i < nitems(signup_notices); i++) {
		if (strcmp(signup_notices[i].name, notice) == 0)
			json_object_set_new(ctx, "notice",
			    json_string(signup_notices[i].text));
	}
}

/* A finished flow: to the sign-in page with a notice. */
static void
signup_to_login(struct domain_req *o, const char *notice)
{
	char	*url = signup_url(o, "/login", notice);

	domain_redirect(o, url);
	free(url);
}

/* --- What the pages share --------------------------------------------- */

static int
signup_csrf_ok(struct domain_req *o)
{
	if (pages_csrf_ok(o))
		return 1;
	render_error(o, 403, "This form has expired or did not come from this "
	    "site. Go back, reload the page and try again.");
	return 0;
}

static void
signup_unavailable(struct domain_req *o)
{
	render_error(o, 503, "This service is unavailable; try again later.");
}

/*
 * The message of an operation's refusal (pages.c's table); NULL after
 * answering when the refusal was our fault.
 */
static const char *
signup_message(struct domain_req *o, const struct core_err *err)
{
	const char	*msg;

	if (pages_error(err, &msg) < 500)
		return msg;
	signup_unavailable(o);
	return NULL;
}

/* A page's operation: the request to the core and what it borrows. */
struct signup_page {
	struct signup_req	 req;
	json_t			*attributes;
};

static void
signup_page_free(void *p)
{
	struct signup_page	*sp = p;

	json_decref(sp->attributes);
	free(sp);
}

/*
 * The request of an operation for username (the strings are the
 * request's), as the hosted door with the client's address.
 */
static struct signup_req *
signup_page_req(struct domain_req *o, const char *client_id,
    const char *username)
{
	struct signup_page	*sp = xcalloc(1, sizeof *sp);

	if (o->page_free != NULL)
		o->page_free(o->page);
	o->page = sp;
	o->page_free = signup_page_free;
	sp->req.door = SIGNUP_DOOR_HOSTED;
	sp->req.client_id = client_id;
	sp->req.username = username;
	sp->req.address = req_client_addr(o->r);
	return &sp->req;
}

/* Run op for the request r on the request's task; done reads its end. */
static void
signup_run(struct domain_req *o, const char *name,
    void (*op)(struct task *, const struct signup_req *),
    const struct signup_req *r, domain_task_fn done)
{
	op(domain_task(o, name, done), r);
}

/* A form page's context: title, action (page), links, CSRF, error. */
static json_t *
signup_ctx(struct domain_req *o, const char *title, const char *page,
    const char *error)
{
	json_t	*ctx;
	char	*action = pages_action(o, page);

	pages_csrf(o);
	ctx = json_pack("{s:s, s:s}", "title", title, "action", action);
	free(action);
	signup_set_url(ctx, "login_url", signup_url(o, "/login", NULL));
	if (error != NULL)
		json_object_set_new(ctx, "error", json_string(error));
	return ctx;
}

/*
 * The user a code is for: a hidden field when the page knows it (the
 * sign-up or reset request just made), else a field that asks (and
 * keeps asking, by _ask, when the form comes back with an error).
 */
static void
signup_username(struct domain_req *o, json_t *ctx, const char *username)
{
	int	ask;

	ask = signup_empty(username) || api_str(o->form, "_ask") != NULL;
	json_object_set_new(ctx, "username_label",
	    json_string(pages_username_label(o)));
	if (username != NULL)
		json_object_set_new(ctx, "username", json_string(username));
	json_object_set_new(ctx, "ask", json_boolean(ask));
}

/* Where a code went (NULL: not said). */
static void
signup_delivery(json_t *ctx, const struct signup_delivery *d, int resent)
{
	if (d == NULL || d->destination == NULL)
		return;
	json_object_set_new(ctx, "destination", json_string(d->destination));
	json_object_set_new(ctx, "medium", json_string(d->medium != NULL &&
	    strcmp(d->medium, "SMS") == 0 ? "text message" : "email"));
	json_object_set_new(ctx, "resent", json_boolean(resent));
}

/* Where the operation's code went, or NULL. */
static const struct signup_delivery *
signup_sent(struct domain_req *o)
{
	const struct signup_outcome	*out = signup_outcome(&o->task);

	return out->sent ? &out->delivery : NULL;
}

/*
 * The pool's password rules, to show beside a new password. Without a
 * PasswordPolicy the pool has Cognito's default: every class.
 */
static void
signup_password_rules(struct domain_req *o, json_t *ctx)
{
	json_t		*pol = signup_pool(o, "PasswordPolicy");
	json_t		*rules = json_array();
	long long	 min = api_int(pol, "MinimumLength", 8);
	char		*first = xasprintf("At least %lld characters", min);
	size_t		 i;

	json_array_append_new(rules, json_string(first));
	free(first);
	for (i = 0; i < nitems(signup_rules); i++) {
		if (api_bool(pol, signup_rules[i].member, pol == NULL))
			json_array_append_new(rules,
			    json_string(signup_rules[i].text));
	}
	json_object_set_new(ctx, "rules", rules);
	json_object_set_new(ctx, "min_length", json_integer(min));
}

/* A required field of a form is missing: "<label> is required." */
static char *
signup_required(struct domain_req *o)
{
	return xasprintf("%s is required.", pages_username_label(o));
}

/* --- Sign-up -------------------------------------------------------------- */

/*
 * The attributes the sign-up form asks for: the e-mail address (unless
 * it is the username), then every other attribute the pool requires but
 * one the username fills.
 */
static json_t *
signup_asked(struct domain_req *o)
{
	json_t		*ua = signup_pool(o, "UsernameAttributes");
	json_t		*req = signup_pool(o, "RequiredAttributes");
	json_t		*out = json_array(), *v;
	const char	*name;
	size_t		 i;

	if (!strarray_has(ua, "email"))
		json_array_append_new(out, json_string("email"));
	json_array_foreach(req, i, v) {
		if ((name = json_string_value(v)) == NULL ||
		    strcmp(name, "email") == 0 || (json_array_size(ua) == 1 &&
		    strarray_has(ua, name)))
			continue;
		json_array_append(out, v);
	}
	return out;
}

/* The sign-up form's field for attribute name. */
static json_t *
signup_field(struct domain_req *o, const char *name)
{
	json_t		*req = signup_pool(o, "RequiredAttributes");
	json_t		*f;
	const char	*label = name, *type = "text", *ac = "off";
	char		*id;
	size_t		 i;

	for (i = 0; i < nitems(signup_fields); i++) {
		if (strcmp(signup_fields[i].name, name) != 0)
			continue;
		label = signup_fields[i].label;
		type = signup_fields[i].type;
		ac = signup_fields[i].autocomplete;
		break;
	}
	id = xasprintf("attr-%s", name);
	/* An address the pool verifies by code is needed to confirm. */
	f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "name", name, "id", id,
	    "label", label, "type", type, "autocomplete", ac, "required",
	    strarray_has(req, name) || strarray_has(signup_pool(o,
	    "AutoVerifiedAttributes"), name));
	free(id);
	if (api_str(o->form, name) != NULL)
		json_object_set_new(f, "value",
		    json_string(api_str(o->form, name)));
	return f;
}

/* The username field: an e-mail address or phone number if the pool says. */
static void
signup_username_field(struct domain_req *o, json_t *ctx)
{
	json_t	*ua = signup_pool(o, "UsernameAttributes");
	int	 email = strarray_has(ua, "email");
	int	 phone = strarray_has(ua, "phone_number");

	json_object_set_new(ctx, "username_label",
	    json_string(pages_username_label(o)));
	json_object_set_new(ctx, "username_type", json_string(email &&
	    !phone ? "email" : phone && !email ? "tel" : "text"));
	json_object_set_new(ctx, "username_autocomplete", json_string(email &&
	    !phone ? "email" : phone && !email ? "tel" : "username"));
	if (api_str(o->form, "username") != NULL)
		json_object_set_new(ctx, "username",
		    json_string(api_str(o->form, "username")));
}

static void
signup_show(struct domain_req *o, int status, const char *error)
{
	json_t	*ctx = signup_ctx(o, "Sign up", "signup", error);
	json_t	*asked = signup_asked(o), *fields = json_array(), *v;
	size_t	 i;

	signup_username_field(o, ctx);
	signup_password_rules(o, ctx);
	json_array_foreach(asked, i, v)
		json_array_append_new(fields, signup_field(o,
		    json_string_value(v)));
	json_decref(asked);
	json_object_set_new(ctx, "attributes", fields);
	render_page(o, status, "signup", ctx);
}

/* The pool lets users sign up; else answered. */
static int
signup_allowed(struct domain_req *o)
{
	if (api_bool(o->client, "AllowSelfSignUp", 0))
		return 1;
	render_error(o, 403, "You cannot sign up for this application. Ask its "
	    "administrator for an account.");
	return 0;
}

static void
signup_form(struct domain_req *o)
{
	if (signup_allowed(o))
		signup_show(o, 200, NULL);
}

void
signup_get(struct domain_req *o)
{
	domain_authz_check(o, signup_form);
}

static void	signup_confirm_show(struct domain_req *, int, const char *,
		    const char *, const struct signup_delivery *, int);

static void
signup_done(struct domain_req *o, const struct core_err *err)
{
	const char	*msg;

	if (err != NULL) {
		if ((msg = signup_message(o, err)) != NULL)
			signup_show(o, 400, msg);
	} else if (signup_outcome(&o->task)->confirmed)
		signup_to_login(o, "created");
	else if (signup_sent(o) != NULL)
		signup_confirm_show(o, 200, NULL, api_str(o->form,
		    "username"), signup_sent(o), 0);
	else
		signup_to_login(o, "pending");
}

/* UserAttributes from the fields of the form the page asked for. */
static json_t *
signup_form_attributes(struct domain_req *o)
{
	json_t		*asked = signup_asked(o), *out = json_array(), *v;
	const char	*value;
	size_t		 i;

	json_array_foreach(asked, i, v) {
		value = api_str(o->form, json_string_value(v));
		if (!signup_empty(value))
			json_array_append_new(out, json_pack("{s:O, s:s}",
			    "Name", v, "Value", value));
	}
	json_decref(asked);
	return out;
}

static void
signup_submit(struct domain_req *o)
{
	const char		*user = api_str(o->form, "username");
	const char		*password = api_str(o->form, "password");
	struct signup_req	*r;
	struct signup_page	*sp;
	char			*msg;

	if (!signup_allowed(o))
		return;
	if (signup_empty(user) || signup_empty(password)) {
		msg = xasprintf("%s and password are required.",
		    pages_username_label(o));
		signup_show(o, 400, msg);
		free(msg);
		return;
	}
	r = signup_page_req(o, domain_param(o, "client_id"), user);
	sp = o->page;
	sp->attributes = signup_form_attributes(o);
	r->password = password;
	r->attributes = sp->attributes;
	signup_run(o, "hosted sign-up", signup_sign_up, r, signup_done);
}

void
signup_post(struct domain_req *o)
{
	if (signup_csrf_ok(o))
		domain_authz_check(o, signup_submit);
}

/* --- Confirming a sign-up ------------------------------------------------ */

/* The code form for username (NULL: asked), cdd: where a code went. */
static void
signup_confirm_show(struct domain_req *o, int status, const char *error,
    const char *username, const struct signup_delivery *cdd, int resent)
{
	json_t	*ctx;

	ctx = signup_ctx(o, "Confirm your account", "confirmUser", error);

	signup_username(o, ctx, username);
	signup_delivery(ctx, cdd, resent);
	render_page(o, status, "confirm", ctx);
}

static void
signup_confirm_form(struct domain_req *o)
{
	signup_confirm_show(o, 200, NULL, api_str(o->query, "user_name"),
	    NULL, 0);
}

static void
signup_confirmed(struct domain_req *o, const struct core_err *err)
{
	const char	*msg;

	if (err == NULL)
		signup_to_login(o, "confirmed");
	else if ((msg = signup_message(o, err)) != NULL)
		signup_confirm_show(o, 400, msg, api_str(o->form, "username"),
		    NULL, 0);
}

static void
signup_resent(struct domain_req *o, const struct core_err *err)
{
	const char	*user = api_str(o->form, "username");
	const char	*msg;

	if (err == NULL)
		signup_confirm_show(o, 200, NULL, user, signup_sent(o), 1);
	else if ((msg = signup_message(o, err)) != NULL)
		signup_confirm_show(o, 400, msg, user, NULL, 0);
}

/* The code, or (the form's second button) a new code. */
static void
signup_confirm_submit(struct domain_req *o)
{
	const char		*user = api_str(o->form, "username");
	const char		*code = api_str(o->form, "code");
	const char		*action = api_str(o->form, "_action");
	const char		*client = domain_param(o, "client_id");
	struct signup_req	*r;
	char			*msg;

	if (signup_empty(user)) {
		msg = signup_required(o);
		signup_confirm_show(o, 400, msg, NULL, NULL, 0);
		free(msg);
	} else if (action != NULL && strcmp(action, "resend") == 0)
		signup_run(o, "hosted resend", signup_resend,
		    signup_page_req(o, client, user), signup_resent);
	else if (signup_empty(code))
		signup_confirm_show(o, 400, "Enter the code we sent you.",
		    user, NULL, 0);
	else {
		r = signup_page_req(o, client, user);
		r->code = code;
		signup_run(o, "hosted confirm", signup_confirm, r,
		    signup_confirmed);
	}
}

void
signup_confirm_post(struct domain_req *o)
{
	if (signup_csrf_ok(o))
		domain_authz_check(o, signup_confirm_submit);
}

/* --- The confirmation link ---------------------------------------------- */

static void
signup_link_done(struct domain_req *o, const struct core_err *err)
{
	const char	*msg;

	if (err != NULL) {
		if ((msg = signup_message(o, err)) != NULL)
			render_error(o, 400, msg);
	} else
		render_page(o, 200, "notice", json_pack("{s:s, s:s}",
		    "title", "Account confirmed", "message", "Your account is "
		    "confirmed. You can now sign in to the application."));
}

static void
signup_link_client(struct domain_req *o, const struct core_err *err)
{
	struct signup_req	*r;

	if (err != NULL && err->kind == CORE_ERR_NO_RESOURCE)
		render_error(o, 404, "This user pool has no such domain.");
	else if (err != NULL && err->kind == CORE_ERR_NO_CLIENT)
		render_error(o, 400, "The application (client_id) is not "
		    "known to this user pool.");
	else if (err != NULL)
		signup_unavailable(o);
	else {
		domain_authz_client(o);
		r = signup_page_req(o, api_str(o->query, "client_id"),
		    api_str(o->query, "user_name"));
		r->code = api_str(o->query, "confirmation_code");
		signup_run(o, "confirm link", signup_confirm, r,
		    signup_link_done);
	}
}

/*
 * A CONFIRM_WITH_LINK message's link: client_id, user_name and
 * confirmation_code, without an authorization request. The client only
 * needs to be one of the domain's pool; the code is the proof.
 */
static void
signup_link(struct domain_req *o)
{
	const char		*client = api_str(o->query, "client_id");
	struct grants_request	 req;

	if (signup_empty(client) || signup_empty(api_str(o->query,
	    "user_name")) || signup_empty(api_str(o->query,
	    "confirmation_code"))) {
		render_error(o, 400, "This confirmation link is incomplete. "
		    "Use the link of your message as it is.");
		return;
	}
	memset(&req, 0, sizeof req);
	req.domain = o->r->domain_prefix;
	req.client_id = client;
	grants_check(domain_task(o, "confirm link", signup_link_client), &req,
	    &o->grant);
}

void
signup_confirm_get(struct domain_req *o)
{
	if (api_str(o->query, "confirmation_code") != NULL)
		signup_link(o);
	else
		domain_authz_check(o, signup_confirm_form);
}

/* --- Forgotten passwords ------------------------------------------------- */

static void
signup_forgot_show(struct domain_req *o, int status, const char *error)
{
	json_t		*ctx = signup_ctx(o, "Forgot your password",
			    "forgotPassword", error);
	const char	*user = api_str(o->form, "username");

	if (user == NULL)
		user = api_str(o->query, "user_name");
	json_object_set_new(ctx, "username_label",
	    json_string(pages_username_label(o)));
	if (user != NULL)
		json_object_set_new(ctx, "username", json_string(user));
	render_page(o, status, "forgot", ctx);
}

static void
signup_forgot_form(struct domain_req *o)
{
	signup_forgot_show(o, 200, NULL);
}

void
signup_forgot_get(struct domain_req *o)
{
	domain_authz_check(o, signup_forgot_form);
}

/* The code and new password form for username (NULL: asked). */
static void
signup_reset_show(struct domain_req *o, int status, const char *error,
    const char *username, const struct signup_delivery *cdd)
{
	json_t	*ctx = signup_ctx(o, "Reset your password",
		    "confirmForgotPassword", error);

	signup_username(o, ctx, username);
	signup_delivery(ctx, cdd, 0);
	signup_password_rules(o, ctx);
	signup_set_url(ctx, "forgot_url", signup_url(o, "/forgotPassword",
	    NULL));
	render_page(o, status, "reset", ctx);
}

/*
 * Under PreventUserExistenceErrors an unknown user gets a code "sent"
 * as well, and the reset form; its code then never matches.
 */
static void
signup_forgot_sent(struct domain_req *o, const struct core_err *err)
{
	const char	*msg;

	if (err == NULL)
		signup_reset_show(o, 200, NULL, api_str(o->form, "username"),
		    signup_sent(o));
	else if ((msg = signup_message(o, err)) != NULL)
		signup_forgot_show(o, 400, msg);
}

static void
signup_forgot_submit(struct domain_req *o)
{
	const char	*user = api_str(o->form, "username");
	char		*msg;

	if (signup_empty(user)) {
		msg = signup_required(o);
		signup_forgot_show(o, 400, msg);
		free(msg);
		return;
	}
	signup_run(o, "hosted forgot", signup_forgot, signup_page_req(o,
	    domain_param(o, "client_id"), user), signup_forgot_sent);
}

void
signup_forgot_post(struct domain_req *o)
{
	if (signup_csrf_ok(o))
		domain_authz_check(o, signup_forgot_submit);
}

/* --- A new password with the code ---------------------------------------- */

static void
signup_reset_form(struct domain_req *o)
{
	signup_reset_show(o, 200, NULL, api_str(o->query, "user_name"), NULL);
}

void
signup_reset_get(struct domain_req *o)
{
	domain_authz_check(o, signup_reset_form);
}

static void
signup_reset_done(struct domain_req *o, const struct core_err *err)
{
	const char	*msg;

	if (err == NULL)
		signup_to_login(o, "reset");
	else if ((msg = signup_message(o, err)) != NULL)
		signup_reset_show(o, 400, msg, api_str(o->form, "username"),
		    NULL);
}

/* The form's trouble before the operation runs, or NULL (malloc'd). */
static char *
signup_reset_trouble(struct domain_req *o)
{
	const char	*password = api_str(o->form, "password");
	const char	*again = api_str(o->form, "password_again");

	if (signup_empty(api_str(o->form, "username")))
		return signup_required(o);
	if (signup_empty(api_str(o->form, "code")) || signup_empty(password))
		return xstrdup("Enter the code we sent you and a new "
		    "password.");
	if (again == NULL || strcmp(password, again) != 0)
		return xstrdup("The two passwords are not the same.");
	return NULL;
}

static void
signup_reset_submit(struct domain_req *o)
{
	struct signup_req	*r;
	char			*msg;

	if ((msg = signup_reset_trouble(o)) != NULL) {
		signup_reset_show(o, 400, msg, api_str(o->form, "username"),
		    NULL);
		free(msg);
		return;
	}
	r = signup_page_req(o, domain_param(o, "client_id"),
	    api_str(o->form, "username"));
	r->code = api_str(o->form, "code");
	r->password = api_str(o->form, "password");
	signup_run(o, "hosted reset", signup_reset, r, signup_reset_done);
}

void
signup_reset_post(struct domain_req *o)
{
	if (signup_csrf_ok(o))
		domain_authz_check(o, signup_reset_submit);
}
