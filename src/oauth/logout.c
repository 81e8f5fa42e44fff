/*
 * logout.c: GET /logout. Ends the hosted-UI session (the row and the
 * cookie), then either goes to logout_uri, which must be one of the
 * client's LogoutURLs, or, given redirect_uri and response_type instead,
 * back to the sign-in page for a new authorization request. A URI that
 * is not registered gets an error page, never a redirect.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/domain.h"
#include "oauth/oauth.h"
#include "ui/render.h"
#include "util.h"

static void
logout_go(struct domain_req *o)
{
	const char	*logout_uri = domain_param(o, "logout_uri");
	char		*url;

	domain_set_cookie(o, DOMAIN_SESSION_COOKIE, "", 0);
	if (logout_uri != NULL) {
		domain_redirect(o, logout_uri);
		return;
	}
	url = xasprintf("%s/login?%s", domain_base(o), o->r->query);
	domain_redirect(o, url);
	free(url);
}

static void
logout_ended(struct domain_req *o, int status, json_t *out)
{
	(void)out;
	if (status != 200) {
		render_error(o, 503, "The sign-out failed; try again later.");
		return;
	}
	logout_go(o);
}

/* The client (and redirect URI) are good: end the session. */
static void
logout_end(struct domain_req *o)
{
	char	*session = domain_cookie(o, DOMAIN_SESSION_COOKIE);

	if (session == NULL) {
		logout_go(o);
		return;
	}
	domain_invoke(o, "OAuthSession", json_pack("{s:s, s:s, s:s}",
	    "Action", "end", "UserPoolId", o->pool_id, "Session", session),
	    logout_ended);
	free(session);
}

static void
logout_client_loaded(struct domain_req *o, int status, json_t *out)
{
	json_t	*cc = json_object_get(out, "Client");

	if (status != 200 || cc == NULL) {
		render_error(o, status == 200 || status == 400 ? 400 : 503,
		    "The application (client_id) is not known to this user "
		    "pool.");
		return;
	}
	if (!strarray_has(json_object_get(cc, "LogoutURLs"),
	    domain_param(o, "logout_uri"))) {
		render_error(o, 400, "The logout_uri is not registered for "
		    "this application.");
		return;
	}
	o->pool_id = xstrdup(api_str(out, "UserPoolId"));
	logout_end(o);
}

void
logout_get(struct domain_req *o)
{
	const char	*client = domain_param(o, "client_id");

	if (client == NULL || (domain_param(o, "logout_uri") == NULL &&
	    (domain_param(o, "redirect_uri") == NULL ||
	    domain_param(o, "response_type") == NULL))) {
		render_error(o, 400, "Sign-out needs client_id and logout_uri "
		    "(or redirect_uri and response_type).");
		return;
	}
	if (domain_param(o, "logout_uri") == NULL) {
		/* The same checks as an authorization request. */
		domain_authz_check(o, logout_end);
		return;
	}
	domain_invoke(o, "OAuthClient", json_pack("{s:s, s:s}", "Domain",
	    o->r->domain_prefix, "ClientId", client), logout_client_loaded);
}
