/*
 * pages.c: the hosted UI's sign-in page and its follow-ups.
 *
 * Every page is a template of templates/ rendered with a context that
 * always has base (the domain's path: links are relative to it),
 * pool_name and csrf. The CSRF token is double-submitted: a random
 * value in an HttpOnly, SameSite cookie and in a hidden field, compared
 * in constant time on every POST. Sign-in runs the sign-in core
 * (core/signin.c) through its hosted door on a task the request owns,
 * so lockout, hidden user existence and challenges behave as through
 * the API; the core's error kinds become what the page shows in one
 * table (pages_errors), which the sign-up pages (ui/signup.c) use too.
 * A challenge (new password, MFA code) is another form posted to
 * /login with the challenge's Session. Success makes a hosted-UI
 * session (core/sessions.c) and completes the authorization request
 * (http/domain_authz.c). Every sign-in POST is first counted against
 * the client address (core/sessions.c). The sign-in page also shows a
 * button per identity provider the client supports, and an e-mail
 * field that picks one by IdpIdentifiers: both lead to /oauth2/authorize
 * with the same request (oauth/idpresponse.c takes it from there).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/codes.h"
#include "core/sessions.h"
#include "core/err.h"
#include "core/signin.h"
#include "core/task.h"
#include "log.h"
#include "http/domain.h"
#include "ui/mfa_pages.h"
#include "ui/pages.h"
#include "ui/render.h"
#include "ui/signup.h"
#include "ui/template.h"
#include "util.h"

#define PAGES_CSRF_BYTES	24

/* --- CSRF ------------------------------------------------------------------ */

void
pages_csrf(struct domain_req *o)
{
	free(o->csrf);
	o->csrf = domain_cookie(o, DOMAIN_CSRF_COOKIE);
	if (o->csrf != NULL && strlen(o->csrf) >= 32 &&
	    strspn(o->csrf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(o->csrf))
		return;
	free(o->csrf);
	o->csrf = codes_new_secret(PAGES_CSRF_BYTES);
	domain_set_cookie(o, DOMAIN_CSRF_COOKIE, o->csrf, 3600);
}

int
pages_csrf_ok(struct domain_req *o)
{
	const char	*given = api_str(o->form, "_csrf");
	char		*cookie = domain_cookie(o, DOMAIN_CSRF_COOKIE);
	int		 ok;

	ok = given != NULL && cookie != NULL && strlen(cookie) >= 32 &&
	    codes_equal_str(given, cookie);
	free(cookie);
	return ok;
}

/* --- The sign-in form ----------------------------------------------------- */

char *
pages_action(struct domain_req *o, const char *page)
{
	return xasprintf("%s/%s?%s", domain_base(o), page,
	    o->r->query != NULL ? o->r->query : "");
}

/* What the username field asks for, from the pool's sign-in options. */
const char *
pages_username_label(struct domain_req *o)
{
	json_t	*ua = json_object_get(o->client, "UsernameAttributes");

	if (strarray_has(ua, "email") && strarray_has(ua, "phone_number"))
		return "Email or phone number";
	if (strarray_has(ua, "email"))
		return "Email";
	if (strarray_has(ua, "phone_number"))
		return "Phone number";
	return "Username";
}

static int	pages_cognito(struct domain_req *);

/* The authorization request's parameters a provider's link carries. */
static const char *const pages_authz_params[] = { "client_id",
	"redirect_uri", "response_type", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method", NULL };

/* Cognito's social providers, which are named after their type. */
static const char *const pages_social[] = { "Google", "Facebook",
	"LoginWithAmazon", "SignInWithApple", NULL };

/* The request to /oauth2/authorize again, without a provider (new ref). */
static json_t *
pages_authz_request(struct domain_req *o)
{
	json_t		*p = json_object();
	const char	*v;
	size_t		 i;

	for (i = 0; pages_authz_params[i] != NULL; i++)
		if ((v = domain_param(o, pages_authz_params[i])) != NULL)
			json_object_set_new(p, pages_authz_params[i],
			    json_string(v));
	return p;
}

static int
pages_is_social(const char *name)
{
	size_t	i;

	for (i = 0; pages_social[i] != NULL; i++)
		if (strcmp(pages_social[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The client's identity providers on the sign-in page: a button (a
 * link to /oauth2/authorize with identity_provider) per provider, an
 * e-mail field that picks the provider by the address's domain
 * (idp_identifier) when one has IdpIdentifiers, and the pool's own
 * form when the client supports COGNITO (or names no providers). A
 * name the client keeps after its provider was deleted gets no button.
 */
static void
pages_providers(struct domain_req *o, json_t *ctx)
{
	json_t		*list = json_object_get(o->grant.d.client_config,
			    "SupportedIdentityProviders");
	json_t		*req = pages_authz_request(o), *buttons = json_array();
	json_t		*v, *hidden, *pairs;
	const char	*name, *k;
	char		*action = xasprintf("%s/oauth2/authorize",
			    domain_base(o)), *url;
	size_t		 i;

	json_array_foreach(list, i, v) {
		if ((name = json_string_value(v)) == NULL ||
		    strcmp(name, "COGNITO") == 0 ||
		    !strarray_has(o->grant.d.providers, name))
			continue;
		pairs = json_deep_copy(req);
		json_object_set_new(pairs, "identity_provider",
		    json_string(name));
		url = domain_url_with(action, pairs, 0);
		json_decref(pairs);
		json_array_append_new(buttons, json_pack("{s:s, s:s, s:b}",
		    "name", name, "url", url, "social",
		    pages_is_social(name)));
		free(url);
	}
	json_object_set_new(ctx, "cognito", json_boolean(pages_cognito(o)));
	if (json_array_size(buttons) > 0)
		json_object_set_new(ctx, "has_providers", json_true());
	json_object_set_new(ctx, "providers", buttons);
	if (o->grant.d.has_idp_identifiers) {
		hidden = json_array();
		json_object_foreach(req, k, v)
			json_array_append_new(hidden, json_pack("{s:s, s:O}",
			    "name", k, "value", v));
		json_object_set_new(ctx, "idp_action", json_string(action));
		json_object_set_new(ctx, "idp_hidden", hidden);
	}
	free(action);
	json_decref(req);
}

static void
pages_login_show(struct domain_req *o, int status, const char *error)
{
	json_t	*ctx;
	char	*action = pages_action(o, "login");

	pages_csrf(o);
	ctx = json_pack("{s:s, s:s}", "action", action, "username_label",
	    pages_username_label(o));
	free(action);
	if (error != NULL)
		json_object_set_new(ctx, "error", json_string(error));
	/* What was typed, else the client's login_hint. */
	if (domain_param(o, "username") != NULL ||
	    domain_param(o, "login_hint") != NULL)
		json_object_set_new(ctx, "username", json_string(
		    domain_param(o, "username") != NULL ? domain_param(o,
		    "username") : domain_param(o, "login_hint")));
	signup_login_context(o, ctx);
	pages_providers(o, ctx);
	render_page(o, status, "login", ctx);
}

static void
pages_login_form(struct domain_req *o)
{
	pages_login_show(o, 200, NULL);
}

void
pages_login_get(struct domain_req *o)
{
	domain_authz_check(o, pages_login_form);
}

/* --- Signing in ----------------------------------------------------------- */

/* What a challenge page asks for: the field and its label. */
static const struct {
	const char	*challenge;
	const char	*field;
	const char	*label;
	int		 password;
} pages_challenges[] = {
	{ "NEW_PASSWORD_REQUIRED", "NEW_PASSWORD", "New password", 1 },
	{ "SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE",
	  "Code from your authenticator app", 0 },
	{ "SMS_MFA", "SMS_MFA_CODE", "Code sent to your phone", 0 },
	{ "EMAIL_OTP", "EMAIL_OTP_CODE", "Code sent to your email", 0 },
	{ "SELECT_MFA_TYPE", "ANSWER", "How do you want to confirm it is "
	  "you?", 0 },
};

/* The factors a user may choose, for the SELECT_MFA_TYPE page. */
static json_t *
pages_mfa_choices(const char *list)
{
	static const char *const	 names[][2] = {
		{ "SOFTWARE_TOKEN_MFA", "A code from my authenticator app" },
		{ "SMS_MFA", "A code by text message" },
		{ "EMAIL_OTP", "A code by email" },
	};
	json_t				*out = json_array(), *all;
	size_t				 i;

	all = list != NULL ? json_loads(list, 0, NULL) : NULL;
	for (i = 0; i < nitems(names); i++)
		if (strarray_has(all, names[i][0]))
			json_array_append_new(out, json_pack("{s:s, s:s}",
			    "value", names[i][0], "label", names[i][1]));
	json_decref(all);
	return out;
}

static int
pages_challenge_index(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < nitems(pages_challenges); i++)
		if (strcmp(pages_challenges[i].challenge, name) == 0)
			return (int)i;
	return -1;
}

/* A challenge's form, carrying its Session and the user's name. */
static void
pages_challenge_show(struct domain_req *o, const char *name,
    const char *session, const char *username, const char *error,
    json_t *params)
{
	int	 i = pages_challenge_index(name);
	char	*action;
	json_t	*ctx;

	if (name != NULL && strcmp(name, "MFA_SETUP") == 0) {
		mfa_pages_setup(o, session, username);
		return;
	}
	action = pages_action(o, "login");
	if (i < 0) {
		free(action);
		render_error(o, 400, "This account needs a sign-in step the "
		    "hosted pages do not offer yet; use the app instead.");
		return;
	}
	pages_csrf(o);
	ctx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "action",
	    action, "challenge", name, "session", session, "username",
	    username, "field", pages_challenges[i].field, "label",
	    pages_challenges[i].label, "password",
	    pages_challenges[i].password);
	free(action);
	if (error != NULL)
		json_object_set_new(ctx, "error", json_string(error));
	if (strcmp(name, "SELECT_MFA_TYPE") == 0) {
		json_object_set_new(ctx, "select", json_true());
		json_object_set_new(ctx, "choices", pages_mfa_choices(api_str(
		    params, "MFAS_CAN_CHOOSE")));
	}
	render_page(o, error != NULL ? 400 : 200, "challenge", ctx);
}

void
pages_session_made(struct domain_req *o, const struct core_err *err)
{
	if (err != NULL) {
		render_error(o, 503, "The sign-in could not be completed; try "
		    "again later.");
		return;
	}
	domain_set_cookie(o, DOMAIN_SESSION_COOKIE, o->secret, 3600);
	wipe_free(o->secret);
	o->secret = NULL;
	domain_authz_complete(o);
}

/* Signed in: a hosted-UI session, then back to the application. */
static void
pages_signed_in(struct domain_req *o, const struct signin_outcome *out)
{
	free(o->sub);
	free(o->username);
	o->sub = xstrdup(out->sub);
	o->username = xstrdup(out->username);
	o->auth_time = out->auth_time;
	sessions_create(domain_task(o, "session", pages_session_made),
	    o->pool_id, o->sub, o->auth_time, &o->secret);
}

/* A sign-in the page owns: its task and copies of what it asks. */
struct pages_signin {
	struct task		 task;
	struct signin_req	 req;
	char			*client_id;
	char			*challenge;
	char			*session;
	json_t			*params;
};

static void
pages_signin_free(void *p)
{
	struct pages_signin	*ps = p;

	task_clear(&ps->task);
	free(ps->client_id);
	free(ps->challenge);
	if (ps->session != NULL)
		wipe_free(ps->session);
	json_decref(ps->params);
	free(ps);
}

/* What a page shows for a failed sign-in. */
enum pages_show {
	PAGES_SHOW_LOGIN,	/* the sign-in page with the message */
	PAGES_SHOW_AGAIN,	/* the same challenge with the message */
	PAGES_SHOW_DOWN,	/* our fault: try later */
};

/*
 * The one table from core error kinds to what the sign-in page shows:
 * the core's message is written for a person, so most kinds show it
 * on the sign-in page; a wrong code or a refused new password asks the
 * same challenge again; our own faults say to come back later.
 */
static const struct {
	enum pages_show	 show;
	int		 status;
	const char	*message;	/* NULL: the core's */
} pages_errors[CORE_ERR_NKINDS] = {
	[CORE_ERR_INTERNAL] = { PAGES_SHOW_DOWN, 503,
	    "Signing in is unavailable; try again later." },
	[CORE_ERR_BUSY] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_INVALID] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_NOT_AUTHORIZED] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_NO_RESOURCE] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_NO_USER] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_NOT_CONFIRMED] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_RESET_REQUIRED] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_BAD_PASSWORD] = { PAGES_SHOW_AGAIN, 400, NULL },
	[CORE_ERR_CODE_MISMATCH] = { PAGES_SHOW_AGAIN, 400, NULL },
	[CORE_ERR_CODE_EXPIRED] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_ALIAS_EXISTS] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_LIMIT] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_UNSUPPORTED] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_TOKEN_REUSE] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_CONFIG] = { PAGES_SHOW_LOGIN, 400, NULL },
	/* A trigger's message is for the user, as on Cognito's pages. */
	[CORE_ERR_LAMBDA_VALIDATION] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_LAMBDA_UNEXPECTED] = { PAGES_SHOW_LOGIN, 400, NULL },
	[CORE_ERR_LAMBDA_RESPONSE] = { PAGES_SHOW_LOGIN, 400, NULL },
};

int
pages_error(const struct core_err *err, const char **msg)
{
	*msg = err->message;
	if ((unsigned)err->kind >= CORE_ERR_NKINDS)
		return 503;
	if (pages_errors[err->kind].message != NULL)
		*msg = pages_errors[err->kind].message;
	/* A kind without its row (status 0) shows on its form. */
	return pages_errors[err->kind].status != 0 ?
	    pages_errors[err->kind].status : 400;
}

static void
pages_signin_failed(struct domain_req *o, const struct core_err *err)
{
	const char	*challenge = api_str(o->form, "_challenge");
	const char	*msg;
	enum pages_show	 show = PAGES_SHOW_DOWN;
	int		 status;

	status = pages_error(err, &msg);
	if ((unsigned)err->kind < CORE_ERR_NKINDS)
		show = pages_errors[err->kind].show;
	if (show == PAGES_SHOW_DOWN)
		render_error(o, status, msg);
	else if (show == PAGES_SHOW_AGAIN && challenge != NULL)
		pages_challenge_show(o, challenge, api_str(o->form,
		    "_session"), api_str(o->form, "_username"), msg, NULL);
	else
		pages_login_show(o, status, msg);
}

/* The sign-in ended: signed in, a challenge's page, or the error. */
static void
pages_signin_end(struct task *t, const struct core_err *err)
{
	struct domain_req		*o = t->owner;
	const struct signin_outcome	*out;
	const char			*who;

	if (err != NULL) {
		pages_signin_failed(o, err);
		return;
	}
	out = signin_outcome(t);
	if (out->kind == SIGNIN_SIGNED_IN) {
		pages_signed_in(o, out);
		return;
	}
	if (out->kind != SIGNIN_CHALLENGE) {
		render_error(o, 503, "Signing in is unavailable; try again "
		    "later.");
		return;
	}
	who = api_str(out->params, "USER_ID_FOR_SRP");
	pages_challenge_show(o, out->challenge, out->session, who != NULL ?
	    who : api_str(o->form, "username"), NULL, out->params);
}

void
pages_signin(struct domain_req *o, const char *challenge, const char *session,
    json_t *params)
{
	struct pages_signin	*ps = xcalloc(1, sizeof *ps);

	if (o->page_free != NULL)
		fatalx("pages_signin: a second sign-in in one request");
	o->page = ps;
	o->page_free = pages_signin_free;
	ps->client_id = xstrdup(domain_param(o, "client_id"));
	ps->challenge = challenge != NULL ? xstrdup(challenge) : NULL;
	ps->session = session != NULL ? xstrdup(session) : NULL;
	ps->params = params;
	ps->req.door = SIGNIN_DOOR_HOSTED;
	ps->req.client_id = ps->client_id;
	ps->req.flow = challenge == NULL ? "USER_PASSWORD_AUTH" : NULL;
	ps->req.challenge = ps->challenge;
	ps->req.session = ps->session;
	ps->req.params = ps->params;
	ps->req.address = req_client_addr(o->r);
	task_init(&ps->task, o->r->id, "hosted sign-in", &req_task_guard,
	    o->r, pages_signin_end, o);
	signin_start(&ps->task, &ps->req);
}

/* A challenge's answer from its form. */
static void
pages_answer(struct domain_req *o, const char *challenge)
{
	int		 i = pages_challenge_index(challenge);
	const char	*value;

	value = i >= 0 ? api_str(o->form, pages_challenges[i].field) : NULL;
	if (i < 0 || value == NULL || api_str(o->form, "_session") == NULL ||
	    api_str(o->form, "_username") == NULL) {
		pages_login_show(o, 400, "The sign-in step was incomplete; "
		    "start again.");
		return;
	}
	pages_signin(o, challenge, api_str(o->form, "_session"), json_pack(
	    "{s:s, s:s}", "USERNAME", api_str(o->form, "_username"),
	    pages_challenges[i].field, value));
}

static void	pages_login_attempt(struct domain_req *);

static void
pages_login_counted(struct domain_req *o, const struct core_err *err)
{
	if (err == NULL)
		pages_login_attempt(o);
	else if (err->kind == CORE_ERR_LIMIT) {
		req_add_header(o->r, "Retry-After", "60");
		render_error(o, 429, "Too many sign-in attempts came from your "
		    "network. Wait a minute, then try again.");
	} else
		render_error(o, 503, "Signing in is unavailable; try again "
		    "later.");
}

/* 1 when the client signs in with the pool's own users (COGNITO). */
static int
pages_cognito(struct domain_req *o)
{
	json_t	*list = json_object_get(o->grant.d.client_config,
		    "SupportedIdentityProviders");

	return !json_is_array(list) || strarray_has(list, "COGNITO");
}

/* Every sign-in POST counts against the client address first. */
static void
pages_login_submit(struct domain_req *o)
{
	if (!pages_cognito(o)) {
		render_error(o, 400, "This application does not sign in with "
		    "a username and password; use one of its identity "
		    "providers.");
		return;
	}
	sessions_count_attempt(domain_task(o, "attempt", pages_login_counted),
	    o->pool_id, req_client_addr(o->r));
}

static void
pages_login_attempt(struct domain_req *o)
{
	const char	*user = api_str(o->form, "username");
	const char	*password = api_str(o->form, "password");
	const char	*challenge = api_str(o->form, "_challenge");

	if (challenge != NULL && strcmp(challenge, "MFA_SETUP") == 0) {
		mfa_pages_setup_answer(o);
		return;
	}
	if (challenge != NULL) {
		pages_answer(o, challenge);
		return;
	}
	if (user == NULL || *user == '\0' || password == NULL ||
	    *password == '\0') {
		pages_login_show(o, 400, "Enter your username and password.");
		return;
	}
	pages_signin(o, NULL, NULL, json_pack("{s:s, s:s}", "USERNAME", user,
	    "PASSWORD", password));
}

void
pages_login_post(struct domain_req *o)
{
	if (!pages_csrf_ok(o)) {
		render_error(o, 403, "This form has expired or did not come "
		    "from this site. Go back, reload the page and try again.");
		return;
	}
	domain_authz_check(o, pages_login_submit);
}
