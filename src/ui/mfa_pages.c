/*
 * mfa_pages.c: the hosted UI's authenticator-app set-up, for the
 * MFA_SETUP challenge of a pool that requires MFA when the user has no
 * factor yet. Associating a secret on the challenge's Session
 * (core/mfa_setup.c, as AssociateSoftwareToken does) gives a secret,
 * shown as a QR code of its otpauth:// URI (and as text for typing in);
 * the user's first code is verified by the same core (as
 * VerifySoftwareToken), whose new Session then answers MFA_SETUP
 * through the sign-in core (pages_signin).
 * The secret travels in a hidden field so a mistyped code can show the
 * same QR again; it is the user's own secret, already on their screen.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "api/api.h"
#include "core/mfa_setup.h"
#include "core/task.h"
#include "http/domain.h"
#include "ui/mfa_pages.h"
#include "ui/pages.h"
#include "ui/render.h"
#include "ui/qr.h"
#include "util.h"

/* The set-up page for secret, with the session to answer with. */
static void
mfa_pages_show(struct domain_req *o, const char *secret, const char *session,
    const char *username, const char *error)
{
	const char	*pool = api_str(o->client, "PoolName");
	char		*issuer, *user, *uri, *svg, *action;
	json_t		*ctx;

	issuer = evhttp_encode_uri(pool != NULL ? pool : "userpoold");
	user = evhttp_encode_uri(username);
	uri = xasprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s", issuer,
	    user, secret, issuer);
	svg = qr_svg(uri);
	free(issuer);
	free(user);
	free(uri);
	action = pages_action(o, "login");
	pages_csrf(o);
	ctx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title",
	    "Set up your authenticator app", "action", action, "secret",
	    secret, "session", session, "username", username, "qr",
	    svg != NULL ? svg : "");
	free(action);
	free(svg);
	if (error != NULL)
		json_object_set_new(ctx, "error", json_string(error));
	render_page(o, error != NULL ? 400 : 200, "totp_setup", ctx);
}

/* The set-up could not start: its Session is spent or the pool changed. */
static void
mfa_pages_setup_failed(struct domain_req *o, const struct core_err *err)
{
	render_error(o, err->kind == CORE_ERR_INTERNAL ? 503 : 400,
	    "The authenticator app could not be set up; sign in again.");
}

static void
mfa_pages_associated(struct task *t, const struct mfa_setup_result *res)
{
	struct domain_req	*o = t->owner;

	mfa_pages_show(o, res->secret, res->session, o->username, NULL);
}

void
mfa_pages_setup(struct domain_req *o, const char *session,
    const char *username)
{
	struct mfa_setup_req	req;

	free(o->username);
	o->username = xstrdup(username);
	memset(&req, 0, sizeof req);
	req.session = session;
	mfa_setup_associate(domain_task(o, "AssociateSoftwareToken",
	    mfa_pages_setup_failed), &req, mfa_pages_associated);
}

/* A wrong code shows the same secret again; a fault says to retry. */
static void
mfa_pages_verify_failed(struct domain_req *o, const struct core_err *err)
{
	mfa_pages_show(o, api_str(o->form, "_secret"),
	    api_str(o->form, "_session"), api_str(o->form, "_username"),
	    err->kind == CORE_ERR_INTERNAL ? "Try again later." :
	    "That code did not match; enter the code your app shows now.");
}

static void
mfa_pages_verified(struct task *t, const struct mfa_setup_result *res)
{
	struct domain_req	*o = t->owner;

	pages_signin(o, "MFA_SETUP", res->session, json_pack("{s:s}",
	    "USERNAME", api_str(o->form, "_username")));
}

void
mfa_pages_setup_answer(struct domain_req *o)
{
	const char		*code = api_str(o->form, "code");
	struct mfa_setup_req	 req;

	if (code == NULL || api_str(o->form, "_session") == NULL ||
	    api_str(o->form, "_username") == NULL ||
	    api_str(o->form, "_secret") == NULL) {
		render_error(o, 400, "The set-up step was incomplete; sign in "
		    "again.");
		return;
	}
	memset(&req, 0, sizeof req);
	req.session = api_str(o->form, "_session");
	req.code = code;
	req.device_name = "Authenticator app";
	mfa_setup_verify(domain_task(o, "VerifySoftwareToken",
	    mfa_pages_verify_failed), &req, mfa_pages_verified);
}
