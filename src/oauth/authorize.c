/*
 * authorize.c: GET /oauth2/authorize. The request is checked
 * (http/domain_authz.c); then a valid hosted-UI session signs the user
 * in without a page unless prompt=login or the client does not support
 * the provider the session was signed in through (COGNITO for the
 * pool's own users), and otherwise the sign-in page
 * gets the same request (or, with prompt=none, login_required goes
 * back to the client). HEAD never signs in (it answers as without a
 * session, and makes no code). identity_provider (other than COGNITO)
 * or idp_identifier sends the browser to that provider
 * (oauth/idpresponse.c) without looking at the session: the
 * application asked for the provider.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "core/sessions.h"
#include "fed/idp_flow.h"
#include "http/domain.h"
#include "oauth/oauth.h"
#include "util.h"

/* --- GET /oauth2/authorize -------------------------------------------- */

/* No session: the sign-in page, with the same request. */
static void
authorize_to_login(struct domain_req *o)
{
	char	*url = xasprintf("%s/login?%s", domain_base(o),
		    o->r->query != NULL ? o->r->query : "");

	domain_redirect(o, url);
	free(url);
}

/* No usable session and prompt=none: the client asked for no page. */
static int
authorize_no_prompt(struct domain_req *o)
{
	const char	*prompt = domain_param(o, "prompt");

	if (prompt == NULL || strcmp(prompt, "none") != 0)
		return 0;
	domain_authz_fail(o, "login_required", NULL);
	return 1;
}

static void
authorize_session_checked(struct domain_req *o, const struct core_err *err)
{
	/* No session, or one of a provider this client does not support. */
	if (err != NULL || !idp_flow_supported(o->grant.d.client_config,
	    o->who.provider != NULL ? o->who.provider : "COGNITO")) {
		if (!authorize_no_prompt(o))
			authorize_to_login(o);
		return;
	}
	free(o->sub);
	free(o->username);
	o->sub = xstrdup(o->who.sub);
	o->username = xstrdup(o->who.username);
	o->auth_time = o->who.auth_time;
	domain_authz_complete(o);
}

/*
 * A valid request: silently signed in by the session, or to /login. A
 * HEAD is never a sign-in: it answers as for a browser without a
 * session, and no code (nor anything else) is made.
 */
static void
authorize_session(struct domain_req *o)
{
	char		*session;
	const char	*prompt = domain_param(o, "prompt");
	const char	*idp = domain_param(o, "identity_provider");

	/* Straight to another identity provider (never for a HEAD). */
	if (o->r->method != EVHTTP_REQ_HEAD && ((idp != NULL &&
	    strcmp(idp, "COGNITO") != 0) || (idp == NULL &&
	    domain_param(o, "idp_identifier") != NULL))) {
		idpresponse_authorize(o);
		return;
	}
	session = domain_cookie(o, DOMAIN_SESSION_COOKIE);
	if (session == NULL || o->r->method == EVHTTP_REQ_HEAD ||
	    (prompt != NULL &&
	    strstr(prompt, "login") != NULL)) {
		free(session);
		if (!authorize_no_prompt(o))
			authorize_to_login(o);
		return;
	}
	sessions_check(domain_task(o, "session", authorize_session_checked),
	    o->pool_id, session, &o->who);
	free(session);
}

void
authorize_get(struct domain_req *o)
{
	domain_authz_check(o, authorize_session);
}
