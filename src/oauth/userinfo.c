/*
 * userinfo.c: GET and POST /oauth2/userInfo (OpenID Connect Core §5.3):
 * the user's claims for a bearer access token with the openid scope,
 * limited by its scopes and the client's read permissions. A missing
 * token is invalid_request (400), a bad, expired or revoked one
 * invalid_token (401), both with WWW-Authenticate (RFC 6750 §3).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
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
userinfo_done(struct domain_req *o, int status, json_t *out)
{
	if (status == 200)
		oauth_reply_json(o, 200, json_incref(out));
	else if (status >= 500)
		oauth_reply_error(o, 503, "server_error", NULL);
	else
		userinfo_fail(o, 401, "invalid_token",
		    api_str(out, "message"));
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
	domain_invoke(o, "OAuthUserInfo", json_pack("{s:s}", "AccessToken",
	    auth + 7), userinfo_done);
}
