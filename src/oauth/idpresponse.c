/*
 * idpresponse.c: a pool domain's doors to OIDC and social identity
 * providers, thin over src/fed/idp_flow.c, src/fed/oidc_idp.c and the
 * federation core (core/federation.c).
 *
 * /oauth2/authorize with identity_provider or idp_identifier, once the
 * request is checked (http/domain_authz.c), comes here: the request is
 * kept under a new state and the browser goes to the provider with it.
 * The state is bound to the browser by the cookie IDPRESPONSE_COOKIE
 * (random, HttpOnly, Secure, SameSite=Lax, sent only to
 * /oauth2/idpresponse), whose digest the kept request carries: a state
 * that another browser started finds nothing. A browser keeps its
 * cookie value across sign-ins, so two tabs may sign in at once: the
 * same value goes in a cookie of the same name sent only to
 * /oauth2/authorize (SameSite=Lax), and a well-formed value found
 * there is kept (idpresponse_browser); a new one is made only when it
 * is absent. Sign in with Apple answers with a cross-site POST
 * (response_mode=form_post), which a Lax cookie would miss: for it the
 * cookie for /oauth2/idpresponse is SameSite=None, as SAML's
 * (idpresponse_cookie); a POST answer is taken from Apple only, and
 * its form never reaches the application.
 *
 * /oauth2/idpresponse takes the state back (single use), restores the
 * application's request as the query and checks it again (the client
 * may have changed meanwhile), then: the provider's error goes back to
 * the application as an OAuth error with its state; a code is redeemed
 * and its ID token checked; the user is signed in by the federation
 * core; a hosted-UI session is set (so a second application signs in
 * without the provider); and the application gets the pool's own code,
 * exactly as after a password sign-in. Until the application's request
 * is known, failures are error pages; a provider that cannot be reached
 * is a page too (a person can retry); every other failure goes back to
 * the application as invalid_request with a description, as Cognito
 * does. Nothing is written before the provider's answer is verified.
 * The ending after a verified answer (idpresponse_sign_in) is SAML's
 * too (oauth/saml2.c); /oauth2/authorize for a SAML provider sets the
 * browser's cookie for /saml2/ instead of /oauth2/idpresponse
 * (SameSite=None), and the one for /oauth2/authorize as for OIDC.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "conf.h"
#include "core/codes.h"
#include "core/federation.h"
#include "core/sessions.h"
#include "fed/apple.h"
#include "fed/idp_flow.h"
#include "fed/oidc_idp.h"
#include "http/domain.h"
#include "http/request.h"
#include "oauth/oauth.h"
#include "ui/pages.h"
#include "ui/render.h"
#include "util.h"

#define IDPRESPONSE_COOKIE	"userpoold_idp"
#define IDPRESPONSE_SAML_COOKIE	"userpoold_saml"
#define IDPRESPONSE_PATH	"/oauth2/idpresponse"
#define IDPRESPONSE_AUTHZ_PATH	"/oauth2/authorize"
/* As long as a kept request lives (db/fed_states.h). */
#define IDPRESPONSE_COOKIE_AGE	600

/* The application's parameters kept across the provider. */
static const char *const idpresponse_kept[] = { "client_id",
	"redirect_uri", "response_type", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method", NULL };

/* OAuth errors a provider's answer passes on as they are. */
static const char *const idpresponse_errors[] = { "access_denied",
	"invalid_request", "unauthorized_client", "invalid_scope",
	"server_error", "temporarily_unavailable", NULL };

struct idpresponse {
	struct idp_flow		 flow;
	struct oidc_idp_identity who;
	char			*url;
	char			*browser;
	char			*code;
	char			*error;
	char			*error_description;
	int			 saml;		/* the provider is SAML */
	int			 form_post;	/* it answers by POST */
	char			*user;		/* Apple's user field */
};

static void
idpresponse_free(void *p)
{
	struct idpresponse	*x = p;

	idp_flow_clear(&x->flow);
	oidc_idp_identity_clear(&x->who);
	free(x->url);
	if (x->browser != NULL)
		wipe_free(x->browser);
	if (x->code != NULL)
		wipe_free(x->code);
	free(x->error);
	free(x->error_description);
	free(x->user);
	free(x);
}

static struct idpresponse *
idpresponse_of(struct domain_req *o)
{
	if (o->fed == NULL) {
		o->fed = xcalloc(1, sizeof(struct idpresponse));
		o->fed_free = idpresponse_free;
	}
	return o->fed;
}

/* The absolute URL of this domain (no trailing '/'), malloc'd. */
char *
idpresponse_base_url(struct domain_req *o)
{
	const char	*host = req_header(o->r, "Host");
	const char	*end = strstr(conf->public_url, "://");

	if (*domain_base(o) != '\0' || host == NULL || end == NULL)
		return xasprintf("%s%s", conf->public_url, domain_base(o));
	return xasprintf("%.*s://%s", (int)(end - conf->public_url),
	    conf->public_url, host);
}

/* The absolute URL of this domain's /oauth2/idpresponse, malloc'd. */
static char *
idpresponse_url(struct domain_req *o)
{
	char	*base = idpresponse_base_url(o);
	char	*url = xasprintf("%s" IDPRESPONSE_PATH, base);

	free(base);
	return url;
}

/*
 * The browser's cookie value (as sent to /oauth2/authorize), or a new
 * one when it has none.
 */
char *
idpresponse_browser(struct domain_req *o)
{
	char	*v = domain_cookie(o, IDPRESPONSE_COOKIE);

	if (v != NULL && strlen(v) >= 32 && strlen(v) <= 64 &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(v))
		return v;
	free(v);
	return codes_new_secret(IDP_FLOW_SECRET_BYTES);
}

/*
 * The browser's value as the cookie name for path (under the domain).
 * A provider that answers with a cross-site POST (a SAML IdP's
 * HTTP-POST binding, Apple's form_post) would not get a SameSite=Lax
 * cookie back, so the cookie its answer needs is SameSite=None; it is
 * still Secure and HttpOnly and sent only to that one path.
 */
static void
idpresponse_cookie(struct domain_req *o, const char *name, const char *path,
    const char *value, int cross_site_post)
{
	char	*c;

	c = xasprintf("%s=%s; Path=%s%s; Max-Age=%d; Secure; HttpOnly; "
	    "SameSite=%s", name, value, domain_base(o), path,
	    IDPRESPONSE_COOKIE_AGE, cross_site_post ? "None" : "Lax");
	req_add_header(o->r, "Set-Cookie", c);
	free(c);
}

/* The same browser value for /saml2/, where IdPs post their Response. */
void
idpresponse_set_saml_cookie(struct domain_req *o, const char *value)
{
	idpresponse_cookie(o, IDPRESPONSE_SAML_COOKIE, "/saml2/", value, 1);
}

/* --- /oauth2/authorize?identity_provider= ------------------------------- */

static void
idpresponse_started(struct domain_req *o, const struct core_err *err)
{
	struct idpresponse	*x = o->fed;

	if (err == NULL) {
		if (x->saml)
			idpresponse_set_saml_cookie(o, x->browser);
		else
			idpresponse_cookie(o, IDPRESPONSE_COOKIE,
			    IDPRESPONSE_PATH, x->browser, x->form_post);
		idpresponse_cookie(o, IDPRESPONSE_COOKIE,
		    IDPRESPONSE_AUTHZ_PATH, x->browser, 0);
		domain_redirect(o, x->url);
		return;
	}
	switch (err->kind) {
	case CORE_ERR_UNSUPPORTED:
	case CORE_ERR_CONFIG:
		domain_authz_fail(o, "invalid_request", err->message);
		break;
	default:
		render_error(o, 503, "The sign-in service is unavailable; try "
		    "again later.");
		break;
	}
}

/* The application's request, as kept (new reference). */
static json_t *
idpresponse_request(struct domain_req *o)
{
	json_t		*req = json_object();
	const char	*v;
	size_t		 i;

	for (i = 0; idpresponse_kept[i] != NULL; i++)
		if ((v = domain_param(o, idpresponse_kept[i])) != NULL)
			json_object_set_new(req, idpresponse_kept[i],
			    json_string(v));
	return req;
}

void
idpresponse_authorize(struct domain_req *o)
{
	struct idpresponse	*x = idpresponse_of(o);
	struct idp_flow_start	 in;
	json_t			*req = idpresponse_request(o);
	char			*url = idpresponse_url(o);
	char			*base = idpresponse_base_url(o);

	x->browser = idpresponse_browser(o);
	memset(&in, 0, sizeof in);
	in.pool_id = o->pool_id;
	in.client_config = o->grant.d.client_config;
	in.name = domain_param(o, "identity_provider");
	in.identifier = in.name == NULL ? domain_param(o, "idp_identifier") :
	    NULL;
	in.request = req;
	in.redirect_uri = url;
	in.base_url = base;
	in.browser = x->browser;
	in.saml = &x->saml;
	in.form_post = &x->form_post;
	idp_flow_start(domain_task(o, "federate", idpresponse_started), &in,
	    &x->url);
	json_decref(req);
	free(url);
	free(base);
}

/* --- /oauth2/idpresponse -------------------------------------------------- */

static void
idpresponse_signed_in(struct domain_req *o, const struct core_err *err)
{
	const struct fed_outcome	*out;

	if (err != NULL) {
		if (err->kind == CORE_ERR_INTERNAL ||
		    err->kind == CORE_ERR_BUSY)
			render_error(o, 503, "The sign-in could not be "
			    "completed; try again later.");
		else
			domain_authz_fail(o, "invalid_request", err->message);
		return;
	}
	out = federation_outcome(&o->task);
	free(o->sub);
	free(o->username);
	o->sub = xstrdup(out->user.sub);
	o->username = xstrdup(out->user.username);
	o->auth_time = out->auth_time;
	sessions_create_fed(domain_task(o, "session",
	    pages_session_made), o->pool_id, o->sub, o->auth_time,
	    o->fed_provider, o->fed_saml, &o->secret);
}

void
idpresponse_sign_in(struct domain_req *o, const struct fed_identity *id)
{
	free(o->fed_provider);
	o->fed_provider = xstrdup(id->provider_name);
	federation_sign_in(domain_task(o, "federated sign-in",
	    idpresponse_signed_in), o->pool_id, id);
}

static void
idpresponse_redeemed(struct domain_req *o, const struct core_err *err)
{
	struct idpresponse	*x = o->fed;
	struct fed_identity	 id;

	if (err != NULL) {
		if (err->kind == CORE_ERR_BUSY)
			render_error(o, 502, err->message);
		else
			domain_authz_fail(o, "invalid_request", err->message);
		return;
	}
	if (x->flow.type == FED_APPLE && x->who.claims != NULL)
		apple_user_claims(x->user, x->who.claims);
	memset(&id, 0, sizeof id);
	id.provider_name = x->flow.idp.name;
	id.provider_type = x->flow.type;
	id.issuer = x->who.issuer;
	id.subject = x->who.subject;
	id.claims = x->who.claims;
	id.mapping = x->flow.idp.mapping;
	idpresponse_sign_in(o, &id);
}

/* The provider's error code as the application gets it. */
static const char *
idpresponse_error_code(const char *error)
{
	size_t	i;

	for (i = 0; idpresponse_errors[i] != NULL; i++)
		if (strcmp(idpresponse_errors[i], error) == 0)
			return idpresponse_errors[i];
	return "invalid_request";
}

/* The application's request checked again: on with the answer. */
static void
idpresponse_checked(struct domain_req *o)
{
	struct idpresponse	*x = o->fed;
	struct oidc_idp_redeem	 in;

	if (strcmp(o->pool_id, x->flow.pool_id) != 0) {
		render_error(o, 400, "This sign-in did not start at this "
		    "domain.");
		return;
	}
	if (x->flow.type == FED_SAML || (o->r->method == EVHTTP_REQ_POST &&
	    x->flow.type != FED_APPLE)) {
		render_error(o, 400, "This sign-in did not start here.");
		return;
	}
	if (!idp_flow_supported(o->grant.d.client_config, x->flow.idp.name)) {
		domain_authz_fail(o, "invalid_request", "The identity provider "
		    "is not supported for this client.");
		return;
	}
	if (x->error != NULL || x->code == NULL) {
		domain_authz_fail(o, x->error != NULL ?
		    idpresponse_error_code(x->error) : "invalid_request",
		    x->error != NULL ? x->error_description :
		    "The identity provider sent no code.");
		return;
	}
	memset(&in, 0, sizeof in);
	in.provider_name = x->flow.idp.name;
	in.type = x->flow.type;
	in.details = x->flow.idp.details;
	in.mapping = x->flow.idp.mapping;
	in.client_secret = x->flow.client_secret;
	in.code = x->code;
	in.redirect_uri = x->url;
	in.nonce = x->flow.nonce;
	in.verifier = x->flow.verifier;
	oidc_idp_redeem(domain_task(o, "idp redeem", idpresponse_redeemed),
	    &in, &x->who);
}

static void
idpresponse_taken(struct domain_req *o, const struct core_err *err)
{
	struct idpresponse	*x = o->fed;

	if (err != NULL) {
		if (err->kind == CORE_ERR_BAD_GRANT)
			render_error(o, 400, "This sign-in has expired or did "
			    "not start in this browser. Go back to the "
			    "application and sign in again.");
		else
			render_error(o, 503, "The sign-in service is "
			    "unavailable; try again later.");
		return;
	}
	json_decref(o->query);
	o->query = json_incref(x->flow.request);
	domain_authz_check(o, idpresponse_checked);
}

/* GET (the query) or, from Apple's form_post, POST (the form). */
void
idpresponse_get(struct domain_req *o)
{
	struct idpresponse	*x = idpresponse_of(o);
	const char		*state = domain_param(o, "state");
	const char		*error = domain_param(o, "error");
	const char		*user = domain_param(o, "user");
	char			*taken;

	x->browser = domain_cookie(o, IDPRESPONSE_COOKIE);
	if (state == NULL || x->browser == NULL ||
	    !domain_param_ok(state, 1) ||
	    !domain_param_ok(domain_param(o, "code"), 1) ||
	    !domain_param_ok(error, 1) ||
	    !domain_param_ok(domain_param(o, "error_description"), 0) ||
	    !domain_param_ok(user, 0)) {
		render_error(o, 400, "This sign-in has expired or did not "
		    "start in this browser. Go back to the application and "
		    "sign in again.");
		return;
	}
	x->code = xstrdup_null(domain_param(o, "code"));
	x->error = xstrdup_null(error);
	x->error_description = xstrdup_null(domain_param(o,
	    "error_description"));
	x->user = xstrdup_null(user);
	x->url = idpresponse_url(o);
	/* The provider's form must not reach the application's request. */
	taken = xstrdup(state);
	json_decref(o->form);
	o->form = NULL;
	idp_flow_take(domain_task(o, "idp state", idpresponse_taken), taken,
	    x->browser, &x->flow);
	wipe_free(taken);
}
