/*
 * domain_authz.c: the authorization request of a pool domain's request
 * (/oauth2/authorize's query, carried through the sign-in pages), and
 * its end: a code (or, for the implicit flow, tokens) sent back to the
 * client's redirect_uri.
 *
 * The order of the checks is RFC 6749 §4.1.2.1's: until client_id and
 * redirect_uri are known good, a failure is an error page and nothing is
 * redirected (an open redirector otherwise); after that, errors go back
 * to the redirect_uri with error= and the state. Public clients must use
 * PKCE with S256; "plain" is refused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/domain.h"
#include "ui/render.h"
#include "util.h"

/*
 * Back to the client's redirect_uri (known good) with pairs (stolen) and
 * the request's state, in the query or, for the implicit flow, in the
 * fragment.
 */
static void
domain_authz_back(struct domain_req *o, json_t *pairs)
{
	const char	*rt = domain_param(o, "response_type");
	char		*url;

	if (domain_param(o, "state") != NULL)
		json_object_set_new(pairs, "state",
		    json_string(domain_param(o, "state")));
	url = domain_url_with(domain_param(o, "redirect_uri"), pairs,
	    rt != NULL && strcmp(rt, "token") == 0);
	json_decref(pairs);
	domain_redirect(o, url);
	free(url);
}

/* Where errors go once redirect_uri is known good. */
void
domain_authz_fail(struct domain_req *o, const char *error, const char *desc)
{
	json_t	*pairs = json_pack("{s:s}", "error", error);

	if (desc != NULL)
		json_object_set_new(pairs, "error_description",
		    json_string(desc));
	domain_authz_back(o, pairs);
}

/* PKCE and identity providers, once the client is known: 0 to go on. */
static int
domain_authz_extras(struct domain_req *o)
{
	const char	*method = domain_param(o, "code_challenge_method");
	const char	*challenge = domain_param(o, "code_challenge");
	const char	*idp = domain_param(o, "identity_provider");
	int		 code = strcmp(domain_param(o, "response_type"), "code") == 0;

	if (challenge != NULL && (method == NULL ||
	    strcmp(method, "S256") != 0)) {
		domain_authz_fail(o, "invalid_request", "code_challenge_method "
		    "must be S256.");
		return -1;
	}
	if (code && challenge == NULL && !api_bool(o->client, "HasSecret",
	    0)) {
		domain_authz_fail(o, "invalid_request", "A public client must "
		    "use PKCE (code_challenge with S256).");
		return -1;
	}
	if ((idp != NULL && strcmp(idp, "COGNITO") != 0) ||
	    domain_param(o, "idp_identifier") != NULL) {
		domain_authz_fail(o, "invalid_request", "The identity provider "
		    "is not known to this user pool.");
		return -1;
	}
	return 0;
}

static void
domain_authz_checked(struct domain_req *o, int status, json_t *out)
{
	const char	*type = domain_error_type(out);
	void		(*next)(struct domain_req *) = o->page;

	o->page = NULL;
	if (status == 200) {
		o->client = json_incref(out);
		o->pool_id = xstrdup(api_str(out, "UserPoolId"));
		if (domain_authz_extras(o) == 0)
			next(o);
	} else if (strcmp(type, "ResourceNotFoundException") == 0)
		render_error(o, 404, "This user pool has no such domain.");
	else if (strcmp(type, "invalid_client") == 0)
		render_error(o, 400, "The application (client_id) is not "
		    "known to this user pool.");
	else if (strcmp(type, "redirect_mismatch") == 0)
		render_error(o, 400, "The redirect_uri is not registered for "
		    "this application.");
	else if (strcmp(type, "unsupported_response_type") == 0 ||
	    strcmp(type, "unauthorized_client") == 0 ||
	    strcmp(type, "invalid_scope") == 0)
		domain_authz_fail(o, type, NULL);	/* redirect_uri checked */
	else if (status == 400)
		render_error(o, 400, "The sign-in request is malformed.");
	else
		render_error(o, 503, "The sign-in service is unavailable; "
		    "try again later.");
}

void
domain_authz_check(struct domain_req *o, void (*next)(struct domain_req *))
{
	const char	*client = domain_param(o, "client_id");
	const char	*uri = domain_param(o, "redirect_uri");
	const char	*rt = domain_param(o, "response_type");
	json_t		*in;

	if (client == NULL || uri == NULL) {
		render_error(o, 400, "The request needs client_id and "
		    "redirect_uri.");
		return;
	}
	in = json_pack("{s:s, s:s, s:s, s:s}", "Domain",
	    o->r->domain_prefix, "ClientId", client, "RedirectUri", uri,
	    "ResponseType", rt != NULL ? rt : "");
	if (domain_param(o, "scope") != NULL)
		json_object_set_new(in, "Scope",
		    json_string(domain_param(o, "scope")));
	o->page = (void *)next;
	domain_invoke(o, "OAuthClient", in, domain_authz_checked);
}

/* --- Completing: a code or tokens back to the client ------------------- */

static void
domain_authz_coded(struct domain_req *o, int status, json_t *out)
{
	if (status != 200) {
		domain_authz_fail(o, "server_error", NULL);
		return;
	}
	domain_authz_back(o, json_pack("{s:s}", "code", api_str(out, "Code")));
}

/* The implicit flow: tokens in the fragment, never a refresh token. */
static void
domain_authz_implicit_done(struct domain_req *o, int status, json_t *out)
{
	json_t	*res = json_object_get(out, "AuthenticationResult");
	json_t	*pairs;
	char	*expires;

	if (status != 200) {
		domain_authz_fail(o, "server_error", NULL);
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
	domain_authz_back(o, pairs);
}

void
domain_authz_complete(struct domain_req *o)
{
	json_t		*in;
	const char	*scope = api_str(o->client, "Scope");

	in = json_pack("{s:s, s:s, s:s, s:s, s:I}", "ClientId",
	    domain_param(o, "client_id"), "Sub", o->sub, "Scope", scope,
	    "UserPoolId", o->pool_id, "AuthTime", (json_int_t)o->auth_time);
	if (domain_param(o, "nonce") != NULL)
		json_object_set_new(in, "Nonce",
		    json_string(domain_param(o, "nonce")));
	if (strcmp(domain_param(o, "response_type"), "token") == 0) {
		domain_invoke(o, "OAuthImplicit", in, domain_authz_implicit_done);
		return;
	}
	json_object_set_new(in, "RedirectUri",
	    json_string(domain_param(o, "redirect_uri")));
	if (domain_param(o, "code_challenge") != NULL)
		json_object_set_new(in, "CodeChallenge",
		    json_string(domain_param(o, "code_challenge")));
	domain_invoke(o, "OAuthCode", in, domain_authz_coded);
}
