/*
 * logout.c: GET /logout. Ends the hosted-UI session (the row and the
 * cookie), then either goes to logout_uri, which must be one of the
 * client's LogoutURLs, or, given redirect_uri and response_type instead,
 * back to the sign-in page for a new authorization request. A URI that
 * is not registered gets an error page, never a redirect. A session
 * made by a SAML provider with IDPSignout is ended at the provider as
 * well (a LogoutRequest, oauth/saml2.c), in either form, before
 * logout_uri or the sign-in page.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/grants.h"
#include "core/sessions.h"
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
logout_ended(struct domain_req *o, const struct core_err *err)
{
	if (err != NULL) {
		render_error(o, 503, "The sign-out failed; try again later.");
		return;
	}
	logout_go(o);
}

/* The client (and redirect URI) are good: end the session here. */
static void
logout_end(struct domain_req *o)
{
	char	*session = domain_cookie(o, DOMAIN_SESSION_COOKIE);

	if (session == NULL) {
		logout_go(o);
		return;
	}
	sessions_end(domain_task(o, "logout", logout_ended), o->pool_id,
	    session);
	free(session);
}

/*
 * A session that a SAML provider with IDPSignout made ends at the
 * provider too (oauth/saml2.c), which comes back to /saml2/logout and
 * from there to logout_uri or the sign-in page.
 */
static void
logout_begin(struct domain_req *o)
{
	char	*session = domain_cookie(o, DOMAIN_SESSION_COOKIE);

	if (session == NULL) {
		logout_end(o);
		return;
	}
	saml2_signout(o, session, logout_end);
	wipe_free(session);
}

static void
logout_client_loaded(struct domain_req *o, const struct core_err *err)
{
	if (err != NULL) {
		render_error(o, err->kind == CORE_ERR_INTERNAL ||
		    err->kind == CORE_ERR_BUSY ? 503 : 400, "The application "
		    "(client_id) is not known to this user pool.");
		return;
	}
	if (!strarray_has(json_object_get(o->grant.d.client_config,
	    "LogoutURLs"), domain_param(o, "logout_uri"))) {
		render_error(o, 400, "The logout_uri is not registered for "
		    "this application.");
		return;
	}
	free(o->pool_id);
	o->pool_id = xstrdup(o->grant.d.pool_id);
	logout_begin(o);
}

void
logout_get(struct domain_req *o)
{
	const char		*client = domain_param(o, "client_id");
	struct grants_request	 req;

	if (client == NULL || (domain_param(o, "logout_uri") == NULL &&
	    (domain_param(o, "redirect_uri") == NULL ||
	    domain_param(o, "response_type") == NULL))) {
		render_error(o, 400, "Sign-out needs client_id and logout_uri "
		    "(or redirect_uri and response_type).");
		return;
	}
	if (domain_param(o, "logout_uri") == NULL) {
		/* The same checks as an authorization request. */
		domain_authz_check(o, logout_begin);
		return;
	}
	memset(&req, 0, sizeof req);
	req.domain = o->r->domain_prefix;
	req.client_id = client;
	grants_check(domain_task(o, "logout", logout_client_loaded), &req,
	    &o->grant);
}
