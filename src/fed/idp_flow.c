/*
 * idp_flow.c: a hosted sign-in on its way through a provider (see
 * idp_flow.h).
 *
 * The state sent to the provider is 32 random bytes; the table keeps
 * only its keyed digest (core/codes.c), and that of the browser's
 * cookie, so a database dump neither completes a sign-in nor tells
 * which browser started it. The PKCE verifier is sealed under the
 * master key. An idp_identifier holding an e-mail address (the sign-in
 * page's e-mail field) names the provider of its domain, unless the
 * whole address is an identifier itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "core/codes.h"
#include "core/task.h"
#include "crypto/b64.h"
#include "crypto/keys.h"
#include "db/fed_states.h"
#include "db/idps.h"
#include "db/pg.h"
#include "fed/apple.h"
#include "fed/idp_flow.h"
#include "fed/oidc_idp.h"
#include "fed/saml_idp.h"
#include "log.h"
#include "util.h"

#define IDP_FLOW_NONCE_BYTES	24

struct idp_flow_op {
	char	*pool_id;
	json_t	*client_config;
	json_t	*request;
	char	*redirect_uri;
	char	*base_url;
	char	*browser;
	char	**url;
	int	*saml;
	int	*form_post;
	struct idp_flow *flow;
	/* start: what the provider gets */
	struct db_idp idp;
	char	*state;
	char	*nonce;
	char	*verifier;
};

static void
idp_flow_op_free(void *p)
{
	struct idp_flow_op	*op = p;

	free(op->pool_id);
	json_decref(op->client_config);
	json_decref(op->request);
	free(op->redirect_uri);
	free(op->base_url);
	if (op->browser != NULL)
		wipe_free(op->browser);
	db_idps_clear(&op->idp);
	if (op->state != NULL)
		wipe_free(op->state);
	free(op->nonce);
	if (op->verifier != NULL)
		wipe_free(op->verifier);
	free(op);
}

int
idp_flow_supported(json_t *client_config, const char *name)
{
	return strarray_has(json_object_get(client_config,
	    "SupportedIdentityProviders"), name);
}

const char *
idp_flow_identifier_domain(const char *identifier)
{
	const char	*at = strrchr(identifier, '@');

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

void
idp_flow_clear(struct idp_flow *f)
{
	free(f->pool_id);
	json_decref(f->request);
	db_idps_clear(&f->idp);
	free(f->nonce);
	if (f->verifier != NULL)
		wipe_free(f->verifier);
	if (f->client_secret != NULL)
		wipe_free(f->client_secret);
	memset(f, 0, sizeof *f);
}

/* --- Start ---------------------------------------------------------------- */

/* base64url(SHA-256(verifier)), malloc'd. */
static char *
idp_flow_challenge(const char *verifier)
{
	unsigned char	hash[32];

	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (const unsigned char *)verifier, strlen(verifier), hash) != 0)
		fatalx("idp_flow_challenge: SHA-256");
	return b64url_encode(hash, sizeof hash);
}

static void
idp_flow_inserted(struct task *t, struct pg_reply *reply)
{
	struct idp_flow_op	*op = t->data;
	struct oidc_idp_authz	 a;
	enum fed_type		 type;
	char			*challenge;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (federation_type_of(op->idp.type, &type) != 0)
		type = FED_OIDC;
	challenge = idp_flow_challenge(op->verifier);
	memset(&a, 0, sizeof a);
	a.type = type;
	a.details = op->idp.details;
	a.redirect_uri = op->redirect_uri;
	a.state = op->state;
	a.nonce = op->nonce;
	a.challenge = challenge;
	*op->url = oidc_idp_authorize_url(&a);
	free(challenge);
	if (*op->url == NULL) {
		task_fail(t, CORE_ERR_CONFIG, "The identity provider %s has "
		    "no authorize_url.", op->idp.name);
		return;
	}
	task_ok(t);
}

char *
idp_flow_keep(struct pg_batch *b, const struct idp_flow_kept *k)
{
	struct db_fed_state_new	 n;
	char			 sd[CODES_DIGEST_HEX], bd[CODES_DIGEST_HEX];
	char			*state, *request, *sealed = NULL;

	state = k->state != NULL ? xstrdup(k->state) :
	    codes_new_secret(IDP_FLOW_SECRET_BYTES);
	codes_digest_hex("fed-state", state, sd);
	codes_digest_hex("fed-browser", k->browser, bd);
	request = json_dumps(k->request, JSON_COMPACT);
	if (k->verifier != NULL)
		sealed = keys_seal(k->verifier, strlen(k->verifier));
	memset(&n, 0, sizeof n);
	n.state_digest = sd;
	n.browser_digest = bd;
	n.pool_id = k->pool_id;
	n.provider_name = k->provider_name;
	n.request = request;
	n.nonce = k->nonce;
	n.verifier_sealed = sealed;
	db_fed_states_insert(b, &n);
	free(request);
	free(sealed);
	return state;
}

/* The provider is good: keep the request under a new state. */
static void
idp_flow_keep_oidc(struct task *t)
{
	struct idp_flow_op	*op = t->data;
	struct idp_flow_kept	 k;
	struct pg_batch		*b = pg_batch_new();

	op->nonce = codes_new_secret(IDP_FLOW_NONCE_BYTES);
	op->verifier = codes_new_secret(IDP_FLOW_SECRET_BYTES);
	memset(&k, 0, sizeof k);
	k.pool_id = op->pool_id;
	k.provider_name = op->idp.name;
	k.request = op->request;
	k.browser = op->browser;
	k.nonce = op->nonce;
	k.verifier = op->verifier;
	op->state = idp_flow_keep(b, &k);
	task_query(t, b, idp_flow_inserted);
}

/* A SAML provider: an AuthnRequest (fed/saml_idp.c) ends the task. */
static void
idp_flow_saml(struct task *t)
{
	struct idp_flow_op	*op = t->data;
	struct saml_idp_authn	 a;

	memset(&a, 0, sizeof a);
	a.pool_id = op->pool_id;
	a.idp = &op->idp;
	a.request = op->request;
	a.browser = op->browser;
	a.base_url = op->base_url;
	if (op->saml != NULL)
		*op->saml = 1;
	saml_idp_authn(t, &a, op->url);
}

/* The first row of the reply that names a provider, or -1. */
static int
idp_flow_found(struct pg_reply *reply, struct db_idp *p)
{
	int	i;

	for (i = 0; i < reply->nres; i++)
		if (pg_rows(reply->res[i]) > 0 &&
		    db_idps_from_row(reply->res[i], 0, 1, p) == 0)
			return 0;
	return -1;
}

static void
idp_flow_loaded(struct task *t, struct pg_reply *reply)
{
	struct idp_flow_op	*op = t->data;
	enum fed_type		 type;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (idp_flow_found(reply, &op->idp) != 0 ||
	    !idp_flow_supported(op->client_config, op->idp.name)) {
		task_fail(t, CORE_ERR_UNSUPPORTED, "The identity provider is "
		    "not supported for this client.");
		return;
	}
	if (federation_type_of(op->idp.type, &type) != 0) {
		task_fail(t, CORE_ERR_CONFIG, "Signing in through %s providers "
		    "is not available here yet.", op->idp.type);
		return;
	}
	if (type == FED_SAML)
		idp_flow_saml(t);
	else {
		if (op->form_post != NULL)
			*op->form_post = oidc_idp_form_post(type,
			    op->idp.details);
		idp_flow_keep_oidc(t);
	}
}

void
idp_flow_start(struct task *t, const struct idp_flow_start *in, char **url)
{
	struct idp_flow_op	*op = xcalloc(1, sizeof *op);
	struct pg_batch		*b;
	const char		*domain;

	op->pool_id = xstrdup(in->pool_id);
	op->client_config = json_incref(in->client_config);
	op->request = json_incref(in->request);
	op->redirect_uri = xstrdup(in->redirect_uri);
	op->base_url = xstrdup(in->base_url);
	op->browser = xstrdup(in->browser);
	op->url = url;
	op->saml = in->saml;
	op->form_post = in->form_post;
	task_set_data(t, op, idp_flow_op_free);
	b = pg_batch_new();
	if (in->name != NULL)
		db_idps_get(b, op->pool_id, in->name);
	else {
		db_idps_by_identifier(b, op->pool_id, in->identifier);
		if ((domain = idp_flow_identifier_domain(
		    in->identifier)) != NULL)
			db_idps_by_identifier(b, op->pool_id, domain);
	}
	task_query(t, b, idp_flow_loaded);
}

/* --- Take ----------------------------------------------------------------- */

/* A sealed text opened (malloc'd), or NULL. */
static char *
idp_flow_open(const char *sealed)
{
	unsigned char	*plain;
	size_t		 len;
	char		*s;

	if (sealed == NULL || keys_open(sealed, &plain, &len) != 0)
		return NULL;
	s = xstrndup((const char *)plain, len);
	wipe(plain, len);
	free(plain);
	return s;
}

/*
 * The client secret of the token request into f->client_secret: the
 * stored one, or for Apple one signed now with the stored private key.
 */
static int
idp_flow_secret(struct idp_flow *f, const char **why)
{
	char		*text = idp_flow_open(f->idp.sealed);
	json_t		*j;
	const char	*v;

	*why = NULL;
	if (text == NULL)
		return f->type == FED_APPLE ? -1 : 0;
	j = json_loads(text, 0, NULL);
	wipe_free(text);
	if (f->type == FED_APPLE) {
		v = json_string_value(json_object_get(j, "private_key"));
		f->client_secret = apple_client_secret(f->idp.details, v,
		    now_s(), why);
	} else if ((v = json_string_value(json_object_get(j,
	    "client_secret"))) != NULL)
		f->client_secret = xstrdup(v);
	json_decref(j);
	return *why == NULL ? 0 : -1;
}

static void
idp_flow_taken(struct task *t, struct pg_reply *reply)
{
	struct idp_flow_op	*op = t->data;
	struct idp_flow		*f = op->flow;
	const PGresult		*r;
	const char		*why;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	r = reply->res[0];
	idp_flow_clear(f);
	if (pg_rows(r) != 1 || db_idps_from_row(r, 0, 4, &f->idp) != 0 ||
	    (f->request = json_loads(pg_val(r, 0, 0), 0, NULL)) == NULL ||
	    (pg_val(r, 0, 2) != NULL &&
	    (f->verifier = idp_flow_open(pg_val(r, 0, 2))) == NULL) ||
	    federation_type_of(f->idp.type, &f->type) != 0) {
		task_fail(t, CORE_ERR_BAD_GRANT, "This sign-in has expired or "
		    "did not start in this browser.");
		return;
	}
	f->nonce = xstrdup(pg_val(r, 0, 1));
	f->pool_id = xstrdup(pg_val(r, 0, 3));
	if (idp_flow_secret(f, &why) != 0) {
		log_warn("%s: identity provider %s: no client secret: %s",
		    t->id, f->idp.name, why != NULL ? why : "no secrets");
		task_fail(t, CORE_ERR_CONFIG, "The identity provider %s cannot "
		    "be used: its private_key cannot sign.", f->idp.name);
		return;
	}
	task_ok(t);
}

void
idp_flow_take(struct task *t, const char *state, const char *browser,
    struct idp_flow *flow)
{
	struct idp_flow_op	*op = xcalloc(1, sizeof *op);
	struct pg_batch		*b = pg_batch_new();
	char			 sd[CODES_DIGEST_HEX], bd[CODES_DIGEST_HEX];

	op->flow = flow;
	task_set_data(t, op, idp_flow_op_free);
	codes_digest_hex("fed-state", state, sd);
	codes_digest_hex("fed-browser", browser, bd);
	db_fed_states_take(b, sd, bd);
	task_query(t, b, idp_flow_taken);
}
