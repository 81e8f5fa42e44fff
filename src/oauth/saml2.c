/*
 * saml2.c: a pool domain's SAML 2.0 service-provider endpoints, thin
 * over src/fed/saml_idp.c and the ending every federated sign-in shares
 * (idpresponse_sign_in: federation core, hosted-UI session, the pool's
 * code back to the application).
 *
 * POST /saml2/idpresponse (HTTP-POST binding: SAMLResponse, RelayState).
 * An SP-initiated sign-in's RelayState is the state that
 * /oauth2/authorize?identity_provider= kept (oauth/idpresponse.c) and
 * bound to the browser by the cookie userpoold_saml (SameSite=None: the
 * IdP posts from its own site); it is taken once, the application's
 * request restored and checked again, and the Response must answer the
 * AuthnRequest kept with it (InResponseTo). Any other RelayState is, as
 * Cognito documents for IdP-initiated sign-in, the query the
 * application would have sent to /oauth2/authorize (client_id,
 * redirect_uri, response_type, scope, identity_provider): checked the
 * same way, and the Response passes only for a provider with IDPInit.
 * The posted form's other fields are dropped before the request is
 * checked, so an IdP cannot add parameters to the application's request.
 * Until the application's request is known good, refusals are pages;
 * after it, the OAuth error invalid_request at its redirect_uri, never
 * a code, and nothing is written but the assertion's ID.
 *
 * GET /saml2/metadata: the SP metadata (entity id, ACS, SLO, the pool's
 * certificate). GET /saml2/logout: the IdP's LogoutResponse to the
 * LogoutRequest /logout sent (saml2_signout), by its RelayState, with
 * its query signature checked; the browser then goes where /logout
 * would have sent it: the application's logout_uri, or, for /logout's
 * other form (redirect_uri and response_type), the sign-in page with
 * that query. The request kept with a sign-out's state names one of
 * them (SAML2_THEN_URI or SAML2_THEN_LOGIN), which a sign-in's never
 * does, so neither state passes for the other.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/federation.h"
#include "core/sessions.h"
#include "fed/idp_flow.h"
#include "fed/saml_idp.h"
#include "fed/saml_response.h"
#include "http/domain.h"
#include "http/request.h"
#include "oauth/oauth.h"
#include "ui/render.h"
#include "util.h"

#define SAML2_COOKIE		"userpoold_saml"
/* Where a sign-out through the IdP ends, in the request kept with it. */
#define SAML2_THEN_URI		"logout_uri"
#define SAML2_THEN_LOGIN	"login_query"
#define SAML2_EXPIRED		"This sign-in has expired or did not start " \
				"in this browser. Go back to the " \
				"application and sign in again."

struct saml2 {
	struct idp_flow		 flow;
	struct saml_assertion	 a;
	struct db_idp		 idp;		/* as verified */
	struct sessions_saml	 ss;
	json_t			*claims;
	char			*response;
	char			*browser;
	char			*base;
	char			*text;		/* metadata, a redirect URL */
	void			(*local)(struct domain_req *);
};

static void
saml2_free(void *p)
{
	struct saml2	*x = p;

	idp_flow_clear(&x->flow);
	saml_assertion_free(&x->a);
	db_idps_clear(&x->idp);
	json_decref(x->claims);
	free(x->response);
	if (x->browser != NULL)
		wipe_free(x->browser);
	free(x->base);
	free(x->text);
	free(x);
}

static struct saml2 *
saml2_of(struct domain_req *o)
{
	if (o->fed == NULL) {
		o->fed = xcalloc(1, sizeof(struct saml2));
		o->fed_free = saml2_free;
	}
	return o->fed;
}

/* The assertion's attributes as claims: one value a string, more an array. */
static json_t *
saml2_claims(const struct saml_assertion *a)
{
	json_t	*c = json_object(), *v;
	size_t	 i, j;

	for (i = 0; i < a->nattrs; i++) {
		if (a->attrs[i].nvalues == 1)
			v = json_string(a->attrs[i].values[0]);
		else {
			v = json_array();
			for (j = 0; j < a->attrs[i].nvalues; j++)
				json_array_append_new(v,
				    json_string(a->attrs[i].values[j]));
		}
		if (v != NULL)
			json_object_set_new(c, a->attrs[i].name, v);
	}
	return c;
}

/* --- POST /saml2/idpresponse ------------------------------------------- */

static void
saml2_verified(struct domain_req *o, const struct core_err *err)
{
	struct saml2		*x = o->fed;
	struct fed_identity	 id;

	if (err != NULL) {
		if (err->kind == CORE_ERR_INTERNAL ||
		    err->kind == CORE_ERR_BUSY)
			render_error(o, 503, "The sign-in could not be "
			    "completed; try again later.");
		else
			domain_authz_fail(o, "invalid_request", err->message);
		return;
	}
	x->claims = saml2_claims(&x->a);
	memset(&id, 0, sizeof id);
	id.provider_name = x->idp.name;
	id.provider_type = FED_SAML;
	id.issuer = x->a.issuer;
	id.subject = x->a.name_id;
	id.claims = x->claims;
	id.mapping = x->idp.mapping;
	x->ss.provider_name = x->idp.name;
	x->ss.name_id = x->a.name_id;
	x->ss.name_id_format = x->a.name_id_format;
	x->ss.session_index = x->a.session_index;
	o->fed_saml = &x->ss;
	idpresponse_sign_in(o, &id);
}

static void
saml2_verify(struct domain_req *o, const struct db_idp *idp,
    const char *name, const char *in_response_to)
{
	struct saml2		*x = o->fed;
	struct saml_idp_check	 c;

	memset(&c, 0, sizeof c);
	c.pool_id = o->pool_id;
	c.idp = idp;
	c.provider_name = name;
	c.base_url = x->base;
	c.in_response_to = in_response_to;
	c.response = x->response;
	c.supported = json_object_get(o->grant.d.client_config,
	    "SupportedIdentityProviders");
	saml_idp_verify(domain_task(o, "saml response", saml2_verified), &c,
	    &x->a, &x->idp);
}

/* SP-initiated: the application's request checked again. */
static void
saml2_checked(struct domain_req *o)
{
	struct saml2	*x = o->fed;

	if (strcmp(o->pool_id, x->flow.pool_id) != 0) {
		render_error(o, 400, "This sign-in did not start at this "
		    "domain.");
		return;
	}
	if (!idp_flow_supported(o->grant.d.client_config, x->flow.idp.name)) {
		domain_authz_fail(o, "invalid_request", "The identity provider "
		    "is not supported for this client.");
		return;
	}
	saml2_verify(o, &x->flow.idp, NULL, x->flow.nonce);
}

/* Whether a kept request is a sign-out's (else a sign-in's). */
static int
saml2_is_signout(json_t *request)
{
	return json_is_string(json_object_get(request, SAML2_THEN_URI)) ||
	    json_is_string(json_object_get(request, SAML2_THEN_LOGIN));
}

static void
saml2_taken(struct domain_req *o, const struct core_err *err)
{
	struct saml2	*x = o->fed;

	if (err != NULL) {
		render_error(o, err->kind == CORE_ERR_BAD_GRANT ? 400 : 503,
		    err->kind == CORE_ERR_BAD_GRANT ? SAML2_EXPIRED :
		    "The sign-in service is unavailable; try again later.");
		return;
	}
	if (x->flow.type != FED_SAML || x->flow.nonce == NULL ||
	    saml2_is_signout(x->flow.request)) {
		render_error(o, 400, SAML2_EXPIRED);
		return;
	}
	json_decref(o->query);
	o->query = json_incref(x->flow.request);
	domain_authz_check(o, saml2_checked);
}

/* IdP-initiated: the request RelayState carries, checked. */
static void
saml2_init_checked(struct domain_req *o)
{
	const char	*name = domain_param(o, "identity_provider");

	if (name == NULL) {
		domain_authz_fail(o, "invalid_request", "An IdP-initiated "
		    "sign-in needs identity_provider in its RelayState.");
		return;
	}
	if (!idp_flow_supported(o->grant.d.client_config, name)) {
		domain_authz_fail(o, "invalid_request", "The identity provider "
		    "is not supported for this client.");
		return;
	}
	saml2_verify(o, NULL, name, NULL);
}

void
saml2_idpresponse_post(struct domain_req *o)
{
	struct saml2	*x = saml2_of(o);
	const char	*resp = domain_param(o, "SAMLResponse");
	const char	*relay = domain_param(o, "RelayState");
	json_t		*params;
	char		*state;

	if (resp == NULL || *resp == '\0') {
		render_error(o, 400, "The identity provider sent no SAML "
		    "response.");
		return;
	}
	x->response = xstrdup(resp);
	x->base = idpresponse_base_url(o);
	state = relay != NULL && *relay != '\0' && strchr(relay, '=') ==
	    NULL ? xstrdup(relay) : NULL;
	params = relay != NULL && state == NULL ? domain_params(relay) : NULL;
	/* Nothing of the posted form reaches the application's request. */
	json_decref(o->form);
	o->form = NULL;
	if (state != NULL) {
		x->browser = domain_cookie(o, SAML2_COOKIE);
		if (x->browser == NULL || !domain_param_ok(state, 1)) {
			free(state);
			render_error(o, 400, SAML2_EXPIRED);
			return;
		}
		idp_flow_take(domain_task(o, "saml state", saml2_taken), state,
		    x->browser, &x->flow);
		wipe_free(state);
		return;
	}
	if (params == NULL || json_object_get(params, "client_id") == NULL) {
		json_decref(params);
		render_error(o, 400, "This SAML response answers no sign-in "
		    "started here, and its RelayState names no application "
		    "(client_id, redirect_uri, response_type, "
		    "identity_provider) for an IdP-initiated sign-in.");
		return;
	}
	json_decref(o->query);
	o->query = params;
	domain_authz_check(o, saml2_init_checked);
}

/* --- GET /saml2/metadata ------------------------------------------------ */

static void
saml2_metadata_made(struct domain_req *o, const struct core_err *err)
{
	struct saml2	*x = o->fed;

	if (err != NULL) {
		render_error(o, err->kind == CORE_ERR_NO_RESOURCE ? 404 : 503,
		    err->kind == CORE_ERR_NO_RESOURCE ? "There is no such "
		    "page." : "The service is unavailable; try again later.");
		return;
	}
	req_reply(o->r, 200, "application/samlmetadata+xml", x->text,
	    strlen(x->text));
}

void
saml2_metadata_get(struct domain_req *o)
{
	struct saml2	*x = saml2_of(o);

	x->base = idpresponse_base_url(o);
	saml_idp_sp_metadata(domain_task(o, "saml metadata",
	    saml2_metadata_made), o->r->domain_prefix, x->base, &x->text);
}

/* --- /logout through the IdP, and its answer ------------------------- */

static void
saml2_signed_out(struct domain_req *o, const struct core_err *err)
{
	struct saml2	*x = o->fed;

	if (err != NULL && (err->kind == CORE_ERR_INTERNAL ||
	    err->kind == CORE_ERR_BUSY)) {
		render_error(o, 503, "The sign-out failed; try again later.");
		return;
	}
	if (err != NULL || x->text == NULL) {
		/* Not a SAML session with IDPSignout: sign out here. */
		x->local(o);
		return;
	}
	domain_set_cookie(o, DOMAIN_SESSION_COOKIE, "", 0);
	idpresponse_set_saml_cookie(o, x->browser);
	domain_redirect(o, x->text);
}

void
saml2_signout(struct domain_req *o, const char *session,
    void (*local)(struct domain_req *))
{
	struct saml2		*x = saml2_of(o);
	struct saml_idp_signout	 s;
	json_t			*req;

	x->local = local;
	x->base = idpresponse_base_url(o);
	x->browser = idpresponse_browser(o);
	if (domain_param(o, "logout_uri") != NULL)
		req = json_pack("{s:s, s:s}", "client_id", domain_param(o,
		    "client_id"), SAML2_THEN_URI, domain_param(o,
		    "logout_uri"));
	else
		req = json_pack("{s:s, s:s}", "client_id", domain_param(o,
		    "client_id"), SAML2_THEN_LOGIN, o->r->query);
	memset(&s, 0, sizeof s);
	s.pool_id = o->pool_id;
	s.session = session;
	s.request = req;
	s.browser = x->browser;
	s.base_url = x->base;
	saml_idp_signout(domain_task(o, "saml signout", saml2_signed_out), &s,
	    &x->text);
	json_decref(req);
}

/* Where the kept sign-out ends, malloc'd. */
static char *
saml2_logout_then(struct domain_req *o, json_t *request)
{
	const char	*v;

	if ((v = json_string_value(json_object_get(request,
	    SAML2_THEN_URI))) != NULL)
		return xstrdup(v);
	return xasprintf("%s/login?%s", domain_base(o), json_string_value(
	    json_object_get(request, SAML2_THEN_LOGIN)));
}

static void
saml2_logout_checked(struct domain_req *o, const struct core_err *err)
{
	struct saml2	*x = o->fed;
	char		*then;

	if (err != NULL) {
		render_error(o, err->kind == CORE_ERR_NOT_AUTHORIZED ? 400 :
		    503, err->kind == CORE_ERR_NOT_AUTHORIZED ? err->message :
		    "The sign-out service is unavailable; try again later.");
		return;
	}
	then = saml2_logout_then(o, x->flow.request);
	domain_redirect(o, then);
	free(then);
}

static void
saml2_logout_taken(struct domain_req *o, const struct core_err *err)
{
	struct saml2		*x = o->fed;
	struct saml_idp_answer	 in;

	if (err != NULL) {
		render_error(o, err->kind == CORE_ERR_BAD_GRANT ? 400 : 503,
		    err->kind == CORE_ERR_BAD_GRANT ? "This sign-out has "
		    "expired or did not start in this browser." : "The "
		    "sign-out service is unavailable; try again later.");
		return;
	}
	if (x->flow.type != FED_SAML || x->flow.nonce == NULL ||
	    !saml2_is_signout(x->flow.request)) {
		render_error(o, 400, "This sign-out did not start here.");
		return;
	}
	memset(&in, 0, sizeof in);
	in.query = o->r->query;
	in.response = x->response;
	in.in_response_to = x->flow.nonce;
	in.metadata = x->flow.idp.metadata;
	saml_idp_logout_check(domain_task(o, "saml logout response",
	    saml2_logout_checked), &in);
}

void
saml2_logout_get(struct domain_req *o)
{
	struct saml2	*x = saml2_of(o);
	const char	*resp = domain_param(o, "SAMLResponse");
	const char	*relay = domain_param(o, "RelayState");

	x->browser = domain_cookie(o, SAML2_COOKIE);
	if (resp == NULL || relay == NULL || x->browser == NULL ||
	    !domain_param_ok(relay, 1)) {
		render_error(o, 400, "This sign-out has expired or did not "
		    "start in this browser.");
		return;
	}
	x->response = xstrdup(resp);
	idp_flow_take(domain_task(o, "saml logout", saml2_logout_taken), relay,
	    x->browser, &x->flow);
}
