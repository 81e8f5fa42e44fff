/*
 * authorize.c: GET /oauth2/authorize, and the end of every hosted-UI
 * sign-in: a code (or, for the implicit flow, tokens) sent back to the
 * client's redirect_uri.
 *
 * The order of the checks is RFC 6749 §4.1.2.1's: until client_id and
 * redirect_uri are known good, a failure is an error page and nothing is
 * redirected (an open redirector otherwise); after that, errors go back
 * to the redirect_uri with error= and the state. Public clients must use
 * PKCE with S256; "plain" is refused. A valid hosted-UI session signs the
 * user in without a page unless prompt=login; HEAD never does (it
 * answers as without a session, and makes no code).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "api/api.h"
#include "oauth/oauth.h"
#include "ui/pages.h"
#include "util.h"

/*
 * Back to the client's redirect_uri (known good) with pairs (stolen) and
 * the request's state, in the query or, for the implicit flow, in the
 * fragment.
 */
static void
authorize_back(struct oauth_req *o, json_t *pairs)
{
	const char	*rt = oauth_param(o, "response_type");
	char		*url;

	if (oauth_param(o, "state") != NULL)
		json_object_set_new(pairs, "state",
		    json_string(oauth_param(o, "state")));
	url = oauth_url_with(oauth_param(o, "redirect_uri"), pairs,
	    rt != NULL && strcmp(rt, "token") == 0);
	json_decref(pairs);
	oauth_redirect(o, url);
	free(url);
}

/* Where errors go once redirect_uri is known good. */
static void
authorize_fail(struct oauth_req *o, const char *error, const char *desc)
{
	json_t	*pairs = json_pack("{s:s}", "error", error);

	if (desc != NULL)
		json_object_set_new(pairs, "error_description",
		    json_string(desc));
	authorize_back(o, pairs);
}

/* PKCE and identity providers, once the client is known: 0 to go on. */
static int
authorize_extras(struct oauth_req *o)
{
	const char	*method = oauth_param(o, "code_challenge_method");
	const char	*challenge = oauth_param(o, "code_challenge");
	const char	*idp = oauth_param(o, "identity_provider");
	int		 code = strcmp(oauth_param(o, "response_type"), "code") == 0;

	if (challenge != NULL && (method == NULL ||
	    strcmp(method, "S256") != 0)) {
		authorize_fail(o, "invalid_request", "code_challenge_method "
		    "must be S256.");
		return -1;
	}
	if (code && challenge == NULL && !api_bool(o->client, "HasSecret",
	    0)) {
		authorize_fail(o, "invalid_request", "A public client must "
		    "use PKCE (code_challenge with S256).");
		return -1;
	}
	if ((idp != NULL && strcmp(idp, "COGNITO") != 0) ||
	    oauth_param(o, "idp_identifier") != NULL) {
		authorize_fail(o, "invalid_request", "The identity provider "
		    "is not known to this user pool.");
		return -1;
	}
	return 0;
}

static void
authorize_checked(struct oauth_req *o, int status, json_t *out)
{
	const char	*type = oauth_error_type(out);
	void		(*next)(struct oauth_req *) = o->page;

	o->page = NULL;
	if (status == 200) {
		o->client = json_incref(out);
		o->pool_id = xstrdup(api_str(out, "UserPoolId"));
		if (authorize_extras(o) == 0)
			next(o);
	} else if (strcmp(type, "ResourceNotFoundException") == 0)
		pages_error(o, 404, "This user pool has no such domain.");
	else if (strcmp(type, "invalid_client") == 0)
		pages_error(o, 400, "The application (client_id) is not "
		    "known to this user pool.");
	else if (strcmp(type, "redirect_mismatch") == 0)
		pages_error(o, 400, "The redirect_uri is not registered for "
		    "this application.");
	else if (strcmp(type, "unsupported_response_type") == 0 ||
	    strcmp(type, "unauthorized_client") == 0 ||
	    strcmp(type, "invalid_scope") == 0)
		authorize_fail(o, type, NULL);	/* redirect_uri checked */
	else if (status == 400)
		pages_error(o, 400, "The sign-in request is malformed.");
	else
		pages_error(o, 503, "The sign-in service is unavailable; "
		    "try again later.");
}

void
authorize_check(struct oauth_req *o, void (*next)(struct oauth_req *))
{
	const char	*client = oauth_param(o, "client_id");
	const char	*uri = oauth_param(o, "redirect_uri");
	const char	*rt = oauth_param(o, "response_type");
	json_t		*in;

	if (client == NULL || uri == NULL) {
		pages_error(o, 400, "The request needs client_id and "
		    "redirect_uri.");
		return;
	}
	in = json_pack("{s:s, s:s, s:s, s:s}", "Domain",
	    o->r->domain_prefix, "ClientId", client, "RedirectUri", uri,
	    "ResponseType", rt != NULL ? rt : "");
	if (oauth_param(o, "scope") != NULL)
		json_object_set_new(in, "Scope",
		    json_string(oauth_param(o, "scope")));
	o->page = (void *)next;
	oauth_invoke(o, "OAuthClient", in, authorize_checked);
}

/* --- Completing: a code or tokens back to the client ------------------- */

static void
authorize_coded(struct oauth_req *o, int status, json_t *out)
{
	if (status != 200) {
		authorize_fail(o, "server_error", NULL);
		return;
	}
	authorize_back(o, json_pack("{s:s}", "code", api_str(out, "Code")));
}

/* The implicit flow: tokens in the fragment, never a refresh token. */
static void
authorize_implicit_done(struct oauth_req *o, int status, json_t *out)
{
	json_t	*res = json_object_get(out, "AuthenticationResult");
	json_t	*pairs;
	char	*expires;

	if (status != 200) {
		authorize_fail(o, "server_error", NULL);
		return;
	}
	expires = xasprintf("%lld", api_int(res, "ExpiresIn", 3600));
	pairs = json_pack("{s:s, s:s, s:s}", "access_token",
	    api_str(res, "AccessToken"), "token_type", "Bearer",
	    "expires_in", expires);
	free(expires);
	if (api_str(res, "IdToken") != NULL)
		json_object_set_new(pairs, "id_token",
		    json_string(api_str(res, "IdToken")));
	authorize_back(o, pairs);
}

void
authorize_complete(struct oauth_req *o)
{
	json_t		*in;
	const char	*scope = api_str(o->client, "Scope");

	in = json_pack("{s:s, s:s, s:s, s:s, s:I}", "ClientId",
	    oauth_param(o, "client_id"), "Sub", o->sub, "Scope", scope,
	    "UserPoolId", o->pool_id, "AuthTime", (json_int_t)o->auth_time);
	if (oauth_param(o, "nonce") != NULL)
		json_object_set_new(in, "Nonce",
		    json_string(oauth_param(o, "nonce")));
	if (strcmp(oauth_param(o, "response_type"), "token") == 0) {
		oauth_invoke(o, "OAuthImplicit", in, authorize_implicit_done);
		return;
	}
	json_object_set_new(in, "RedirectUri",
	    json_string(oauth_param(o, "redirect_uri")));
	if (oauth_param(o, "code_challenge") != NULL)
		json_object_set_new(in, "CodeChallenge",
		    json_string(oauth_param(o, "code_challenge")));
	oauth_invoke(o, "OAuthCode", in, authorize_coded);
}

/* --- GET /oauth2/authorize -------------------------------------------- */

/* No session: the sign-in page, with the same request. */
static void
authorize_to_login(struct oauth_req *o)
{
	char	*url = xasprintf("%s/login?%s", oauth_base(o),
		    o->r->query != NULL ? o->r->query : "");

	oauth_redirect(o, url);
	free(url);
}

/* No usable session and prompt=none: the client asked for no page. */
static int
authorize_no_prompt(struct oauth_req *o)
{
	const char	*prompt = oauth_param(o, "prompt");

	if (prompt == NULL || strcmp(prompt, "none") != 0)
		return 0;
	authorize_fail(o, "login_required", NULL);
	return 1;
}

static void
authorize_session_checked(struct oauth_req *o, int status, json_t *out)
{
	if (status != 200) {
		if (!authorize_no_prompt(o))
			authorize_to_login(o);
		return;
	}
	o->sub = xstrdup(api_str(out, "Sub"));
	o->username = xstrdup(api_str(out, "Username"));
	o->auth_time = api_int(out, "AuthTime", 0);
	authorize_complete(o);
}

/*
 * A valid request: silently signed in by the session, or to /login. A
 * HEAD is never a sign-in: it answers as for a browser without a
 * session, and no code (nor anything else) is made.
 */
static void
authorize_session(struct oauth_req *o)
{
	char		*session = oauth_cookie(o, OAUTH_SESSION_COOKIE);
	const char	*prompt = oauth_param(o, "prompt");

	if (session == NULL || o->r->method == EVHTTP_REQ_HEAD ||
	    (prompt != NULL &&
	    strstr(prompt, "login") != NULL)) {
		free(session);
		if (!authorize_no_prompt(o))
			authorize_to_login(o);
		return;
	}
	oauth_invoke(o, "OAuthSession", json_pack("{s:s, s:s, s:s}",
	    "Action", "check", "UserPoolId", o->pool_id, "Session", session),
	    authorize_session_checked);
	free(session);
}

void
authorize_get(struct oauth_req *o)
{
	authorize_check(o, authorize_session);
}
