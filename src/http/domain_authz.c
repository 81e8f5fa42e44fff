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

#include "core/grants.h"
#include "http/domain.h"
#include "oauth/oauth.h"
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

/*
 * PKCE and COGNITO as the identity provider, once the client is known:
 * 0 to go on (other providers: oauth/idpresponse.c).
 */
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
	if (code && challenge == NULL && !o->grant.d.has_secret) {
		domain_authz_fail(o, "invalid_request", "A public client must "
		    "use PKCE (code_challenge with S256).");
		return -1;
	}
	if (idp != NULL && strcmp(idp, "COGNITO") == 0 &&
	    !strarray_has(json_object_get(o->grant.d.client_config,
	    "SupportedIdentityProviders"), "COGNITO")) {
		domain_authz_fail(o, "invalid_request", "The identity provider "
		    "is not supported for this client.");
		return -1;
	}
	return 0;
}

/*
 * What the pages show: the pool's and client's names and logo, who
 * signs in with what, the password rules and the sign-up attributes.
 */
void
domain_authz_client(struct domain_req *o)
{
	const struct db_domain_client	*d = &o->grant.d;
	json_t				*c;

	c = json_pack("{s:s, s:O, s:b, s:b, s:b}", "PoolName", d->pool_name,
	    "RequiredAttributes", o->grant.required, "AllowSelfSignUp",
	    !d->admin_only, "HasLogo", d->has_logo, "HasSecret",
	    d->has_secret);
	if (d->client_name != NULL)
		json_object_set_new(c, "ClientName",
		    json_string(d->client_name));
	if (d->username_attributes != NULL)
		json_object_set(c, "UsernameAttributes",
		    d->username_attributes);
	if (d->password_policy != NULL)
		json_object_set(c, "PasswordPolicy", d->password_policy);
	if (d->auto_verified != NULL)
		json_object_set(c, "AutoVerifiedAttributes", d->auto_verified);
	json_decref(o->client);
	o->client = c;
	free(o->pool_id);
	o->pool_id = xstrdup(d->pool_id);
}

/*
 * A refused request: an error page until redirect_uri is known good,
 * then RFC 6749's error back to it (oauth/oauth.c's table).
 */
static void
domain_authz_refused(struct domain_req *o, const struct core_err *err)
{
	switch (err->kind) {
	case CORE_ERR_NO_RESOURCE:
		render_error(o, 404, "This user pool has no such domain.");
		break;
	case CORE_ERR_NO_CLIENT:
		render_error(o, 400, "The application (client_id) is not "
		    "known to this user pool.");
		break;
	case CORE_ERR_BAD_REDIRECT:
		render_error(o, 400, "The redirect_uri is not registered for "
		    "this application.");
		break;
	case CORE_ERR_BAD_TYPE:
	case CORE_ERR_UNSUPPORTED:
	case CORE_ERR_BAD_SCOPE:
		domain_authz_fail(o, oauth_error(err->kind)->error, NULL);
		break;
	case CORE_ERR_INTERNAL:
	case CORE_ERR_BUSY:
		render_error(o, 503, "The sign-in service is unavailable; "
		    "try again later.");
		break;
	default:
		render_error(o, 400, "The sign-in request is malformed.");
		break;
	}
}

static void
domain_authz_checked(struct domain_req *o, const struct core_err *err)
{
	void	(*next)(struct domain_req *) = o->page;

	o->page = NULL;
	if (err != NULL) {
		domain_authz_refused(o, err);
		return;
	}
	domain_authz_client(o);
	if (domain_authz_extras(o) == 0)
		next(o);
}

void
domain_authz_check(struct domain_req *o, void (*next)(struct domain_req *))
{
	struct grants_request	 req;

	memset(&req, 0, sizeof req);
	req.domain = o->r->domain_prefix;
	req.client_id = domain_param(o, "client_id");
	req.redirect_uri = domain_param(o, "redirect_uri");
	req.response_type = domain_param(o, "response_type");
	req.scope = domain_param(o, "scope");
	if (req.client_id == NULL || req.redirect_uri == NULL) {
		render_error(o, 400, "The request needs client_id and "
		    "redirect_uri.");
		return;
	}
	if (!domain_param_ok(req.client_id, 1) ||
	    !domain_param_ok(req.redirect_uri, 1) ||
	    !domain_param_ok(req.scope, 0) ||
	    !domain_param_ok(req.response_type, 1) ||
	    req.response_type == NULL) {
		render_error(o, 400, "The sign-in request is malformed.");
		return;
	}
	o->page = (void *)next;
	grants_check(domain_task(o, "authorize", domain_authz_checked), &req,
	    &o->grant);
}

/* --- Completing: a code or tokens back to the client ------------------- */

static void
domain_authz_coded(struct domain_req *o, const struct core_err *err)
{
	if (err != NULL) {
		domain_authz_fail(o, "server_error", NULL);
		return;
	}
	domain_authz_back(o, json_pack("{s:s}", "code", o->secret));
}

/* The implicit flow: tokens in the fragment, never a refresh token. */
static void
domain_authz_implicit_done(struct domain_req *o, const struct core_err *err)
{
	json_t		*res = o->result;
	json_t		*pairs;
	const char	*id;
	char		*expires;

	if (err != NULL) {
		domain_authz_fail(o, "server_error", NULL);
		return;
	}
	expires = xasprintf("%lld", (long long)json_integer_value(
	    json_object_get(res, "ExpiresIn")));
	pairs = json_pack("{s:s, s:s, s:s}", "access_token",
	    json_string_value(json_object_get(res, "AccessToken")),
	    "token_type", "Bearer", "expires_in", expires);
	free(expires);
	if ((id = json_string_value(json_object_get(res, "IdToken"))) != NULL)
		json_object_set_new(pairs, "id_token", json_string(id));
	domain_authz_back(o, pairs);
}

void
domain_authz_complete(struct domain_req *o)
{
	struct grants_user	 u;

	memset(&u, 0, sizeof u);
	u.pool_id = o->pool_id;
	u.client_id = domain_param(o, "client_id");
	u.sub = o->sub;
	u.scope = o->grant.scope;
	u.nonce = domain_param(o, "nonce");
	u.auth_time = o->auth_time;
	if (strcmp(domain_param(o, "response_type"), "token") == 0) {
		grants_implicit(domain_task(o, "implicit",
		    domain_authz_implicit_done), &u, &o->result);
		return;
	}
	u.redirect_uri = domain_param(o, "redirect_uri");
	u.challenge = domain_param(o, "code_challenge");
	grants_code(domain_task(o, "code", domain_authz_coded), &u,
	    &o->secret);
}
