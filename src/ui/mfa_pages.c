/*
 * mfa_pages.c: the hosted UI's authenticator-app set-up, for the
 * MFA_SETUP challenge of a pool that requires MFA when the user has no
 * factor yet. AssociateSoftwareToken on the challenge's Session gives a
 * secret, shown as a QR code of its otpauth:// URI (and as text for
 * typing in); the user's first code goes to VerifySoftwareToken, whose
 * Session then answers MFA_SETUP through the sign-in core (pages_signin).
 * The secret travels in a hidden field so a mistyped code can show the
 * same QR again; it is the user's own secret, already on their screen.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "api/api.h"
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

static void
mfa_pages_associated(struct domain_req *o, int status, json_t *out)
{
	if (status != 200) {
		render_error(o, status >= 500 ? 503 : 400, "The authenticator "
		    "app could not be set up; sign in again.");
		return;
	}
	mfa_pages_show(o, api_str(out, "SecretCode"), api_str(out, "Session"),
	    o->username, NULL);
}

void
mfa_pages_setup(struct domain_req *o, const char *session,
    const char *username)
{
	free(o->username);
	o->username = xstrdup(username);
	domain_invoke(o, "AssociateSoftwareToken", json_pack("{s:s}",
	    "Session", session), mfa_pages_associated);
}

static void
mfa_pages_verified(struct domain_req *o, int status, json_t *out)
{
	if (status != 200) {
		mfa_pages_show(o, api_str(o->form, "_secret"),
		    api_str(o->form, "_session"), api_str(o->form,
		    "_username"), status >= 500 ? "Try again later." :
		    "That code did not match; enter the code your app shows "
		    "now.");
		return;
	}
	pages_signin(o, "MFA_SETUP", api_str(out, "Session"), json_pack(
	    "{s:s}", "USERNAME", api_str(o->form, "_username")));
}

void
mfa_pages_setup_answer(struct domain_req *o)
{
	const char	*code = api_str(o->form, "code");

	if (code == NULL || api_str(o->form, "_session") == NULL ||
	    api_str(o->form, "_username") == NULL ||
	    api_str(o->form, "_secret") == NULL) {
		render_error(o, 400, "The set-up step was incomplete; sign in "
		    "again.");
		return;
	}
	domain_invoke(o, "VerifySoftwareToken", json_pack("{s:s, s:s, s:s}",
	    "Session", api_str(o->form, "_session"), "UserCode", code,
	    "FriendlyDeviceName", "Authenticator app"), mfa_pages_verified);
}
