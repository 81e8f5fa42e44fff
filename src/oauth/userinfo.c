/*
 * userinfo.c: GET and POST /oauth2/userInfo (OpenID Connect Core §5.3):
 * the user's claims for a bearer access token with the openid scope,
 * limited by its scopes and the client's read permissions. A missing
 * token is invalid_request (400), a bad, expired or revoked one
 * invalid_token (401), both with WWW-Authenticate (RFC 6750 §3); so is
 * a token of another pool than the domain's. The check and the claims
 * are core/grants.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/grants.h"
#include "http/cors.h"
#include "http/domain.h"
#include "oauth/oauth.h"
#include "util.h"

static void
userinfo_fail(struct domain_req *o, int status, const char *error,
    const char *desc)
{
	char	*h = xasprintf("Bearer error=\"%s\"", error);

	req_add_header(o->r, "WWW-Authenticate", h);
	free(h);
	oauth_reply_error(o, status, error, desc);
}

static void
userinfo_done(struct domain_req *o, const struct core_err *err)
{
	if (err == NULL)
		oauth_reply_json(o, 200, json_incref(o->result));
	else if (oauth_error(err->kind)->status >= 500)
		oauth_reply_error(o, 503, "server_error", NULL);
	else
		userinfo_fail(o, 401, "invalid_token", err->message);
}

void
userinfo_handle(struct domain_req *o)
{
	const char	*auth = req_header(o->r, "Authorization");

	cors_add(o->r);
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0 ||
	    auth[7] == '\0') {
		userinfo_fail(o, 400, "invalid_request", "A bearer access "
		    "token is required.");
		return;
	}
	grants_user_info(domain_task(o, "userInfo", userinfo_done),
	    o->r->domain_prefix, auth + 7, &o->result);
}
