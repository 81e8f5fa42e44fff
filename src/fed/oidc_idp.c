/*
 * oidc_idp.c: the authorization code flow at a provider (see
 * oidc_idp.h).
 *
 * Every type sends PKCE (S256) but Apple: Sign in with Apple is OIDC
 * without PKCE (Apple documents none), with
 * response_mode=form_post when it asks for scopes, and a client secret
 * signed for each request (fed/apple.c, made by fed/idp_flow.c).
 *
 * The redemption is a chain of steps on the caller's task, each a
 * fetch on a worker thread (fed/fetch.c) or a cached document
 * (fed/discovery.c): the token request (client_secret_post, a form, or
 * for a provider whose token_request_method is GET, as Facebook's, the
 * same pairs in the query); for the ID-token types the JWKS (jwks_uri,
 * else the one the issuer's discovery document names), once more when
 * no key has the token's kid (a rotation), then the ID token's checks;
 * then the attributes: the OIDC userinfo (attributes_url, GET or POST
 * as attributes_request_method says) merged under the ID token's
 * claims (its sub must be the token's), or Facebook's and Amazon's
 * profile (fed/social.c). Google's people API is not read: its ID
 * token carries what the email and profile scopes give.
 *
 * Security decisions: the algorithm comes from a fixed list (RS256,
 * ES256) and must fit the key the kid names (crypto/jwk.c), so a token
 * saying none or HS256 is refused before any key is used; the issuer
 * is the configured one, compared exactly (Google's also without its
 * scheme, as Google issues both); aud must contain our client_id; the
 * nonce is the one we sent with this very state; exp and iat allow
 * OIDC_IDP_SKEW seconds of skew. Signature checks run on the loop: an
 * RSA or P-256 verification costs tens of microseconds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "core/task.h"
#include "crypto/b64.h"
#include "crypto/jwk.h"
#include "fed/discovery.h"
#include "fed/fetch.h"
#include "fed/oidc_idp.h"
#include "fed/social.h"
#include "log.h"
#include "util.h"

#define OIDC_IDP_GOOGLE_HOST	"accounts.google.com"
#define OIDC_IDP_GOOGLE_ISSUER	"https://" OIDC_IDP_GOOGLE_HOST

int
oidc_idp_has_id_token(enum fed_type type)
{
	return type == FED_OIDC || type == FED_GOOGLE || type == FED_APPLE;
}

static const char *
oidc_idp_detail(json_t *details, const char *key)
{
	const char	*v = json_string_value(json_object_get(details, key));

	return v != NULL && *v != '\0' ? v : NULL;
}

/* PKCE (S256) on the provider leg for every type but Apple, which
 * documents none. */
static int
oidc_idp_pkce(enum fed_type type)
{
	return type != FED_APPLE && type != FED_SAML;
}

int
oidc_idp_form_post(enum fed_type type, json_t *details)
{
	return type == FED_APPLE && oidc_idp_detail(details,
	    "authorize_scopes") != NULL;
}

/* "&name=<value encoded>" appended to *s. */
static void
oidc_idp_add(char **s, const char *name, const char *value)
{
	char	*enc, *next;

	if (value == NULL)
		return;
	enc = evhttp_encode_uri(value);
	next = xasprintf("%s%s%s=%s", *s, **s != '\0' ? "&" : "", name, enc);
	free(enc);
	free(*s);
	*s = next;
}

char *
oidc_idp_authorize_url(const struct oidc_idp_authz *a)
{
	const char	*url = oidc_idp_detail(a->details, "authorize_url");
	const char	*scopes = oidc_idp_detail(a->details,
			    "authorize_scopes");
	char		*q = xstrdup(""), *out, *sc = NULL, *p;

	if (url == NULL) {
		free(q);
		return NULL;
	}
	/* Facebook's scopes are comma-separated; every other's spaces. */
	if (scopes != NULL && a->type != FED_FACEBOOK) {
		sc = xstrdup(scopes);
		for (p = sc; *p != '\0'; p++)
			if (*p == ',')
				*p = ' ';
	}
	oidc_idp_add(&q, "response_type", "code");
	oidc_idp_add(&q, "client_id", oidc_idp_detail(a->details,
	    "client_id"));
	oidc_idp_add(&q, "redirect_uri", a->redirect_uri);
	oidc_idp_add(&q, "scope", sc != NULL ? sc : scopes);
	oidc_idp_add(&q, "state", a->state);
	if (oidc_idp_has_id_token(a->type))
		oidc_idp_add(&q, "nonce", a->nonce);
	if (oidc_idp_pkce(a->type) && a->challenge != NULL) {
		oidc_idp_add(&q, "code_challenge", a->challenge);
		oidc_idp_add(&q, "code_challenge_method", "S256");
	}
	/* Apple posts its answer when it is to tell the name or address. */
	if (oidc_idp_form_post(a->type, a->details))
		oidc_idp_add(&q, "response_mode", "form_post");
	out = xasprintf("%s%c%s", url, strchr(url, '?') != NULL ? '&' : '?',
	    q);
	free(q);
	free(sc);
	return out;
}

/* --- The ID token -------------------------------------------------------- */

/* A base64url part as a JSON object (new reference), or NULL. */
static json_t *
oidc_idp_part(const char *s, size_t len)
{
	char		*text = xstrndup(s, len);
	unsigned char	*raw;
	size_t		 n;
	json_t		*j = NULL;

	if (b64url_decode(text, &raw, &n) == 0) {
		j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES,
		    NULL);
		free(raw);
	}
	free(text);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The key of the JWKS for alg and kid (borrowed), or NULL. */
static json_t *
oidc_idp_key(json_t *jwks, enum jwk_alg alg, const char *kid)
{
	json_t		*keys = json_object_get(jwks, "keys");
	json_t		*k, *found = NULL;
	const char	*id;
	size_t		 i, n = 0;

	json_array_foreach(keys, i, k) {
		if (!jwk_fits(k, alg))
			continue;
		id = json_string_value(json_object_get(k, "kid"));
		if (kid != NULL && (id == NULL || strcmp(id, kid) != 0))
			continue;
		found = k;
		n++;
	}
	/* Without a kid, only a JWKS of one fitting key is unambiguous. */
	return n == 1 || (kid != NULL && n > 0) ? found : NULL;
}

static int
oidc_idp_aud_ok(json_t *aud, const char *client_id)
{
	json_t	*v;
	size_t	 i;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), client_id) == 0;
	json_array_foreach(aud, i, v)
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), client_id) == 0)
			return 1;
	return 0;
}

/* With several audiences, azp must name this client (OIDC Core 3.1.3.7). */
static int
oidc_idp_azp_ok(json_t *c, const char *client_id)
{
	json_t		*aud = json_object_get(c, "aud");
	const char	*azp = json_string_value(json_object_get(c, "azp"));

	if (!json_is_array(aud) || json_array_size(aud) <= 1)
		return 1;
	return azp != NULL && strcmp(azp, client_id) == 0;
}

static int
oidc_idp_iss_ok(const char *iss, const char *want)
{
	if (iss == NULL || want == NULL)
		return 0;
	if (strcmp(iss, want) == 0)
		return 1;
	/* Google issues "accounts.google.com" as well. */
	return strcmp(want, OIDC_IDP_GOOGLE_ISSUER) == 0 &&
	    strcmp(iss, OIDC_IDP_GOOGLE_HOST) == 0;
}

/* The claims' checks: NULL, or why they fail (static). */
static const char *
oidc_idp_claims_fail(json_t *c, const struct oidc_idp_expect *x)
{
	json_t		*exp = json_object_get(c, "exp");
	json_t		*iat = json_object_get(c, "iat");
	const char	*nonce = json_string_value(json_object_get(c, "nonce"));
	const char	*sub = json_string_value(json_object_get(c, "sub"));

	if (!oidc_idp_iss_ok(json_string_value(json_object_get(c, "iss")),
	    x->issuer))
		return "its issuer is not the provider's";
	if (!oidc_idp_aud_ok(json_object_get(c, "aud"), x->client_id))
		return "it is not meant for this client (aud)";
	if (!oidc_idp_azp_ok(c, x->client_id))
		return "it has several audiences and is not authorized "
		    "for this client (azp)";
	if (!json_is_number(exp) || json_number_value(exp) + OIDC_IDP_SKEW <
	    (double)x->now)
		return "it has expired";
	if (iat != NULL && (!json_is_number(iat) || json_number_value(iat) >
	    (double)(x->now + OIDC_IDP_SKEW)))
		return "it was issued in the future";
	if (x->nonce != NULL && (nonce == NULL || strcmp(nonce,
	    x->nonce) != 0))
		return "its nonce is not the one sent";
	if (sub == NULL || *sub == '\0')
		return "it names no subject";
	return NULL;
}

/* Verify the signature of token (its second dot at d2) with the JWKS. */
static int
oidc_idp_signature(const char *token, const char *d2, json_t *header,
    json_t *jwks, const char **why)
{
	enum jwk_alg	 alg;
	const char	*kid = json_string_value(json_object_get(header,
			    "kid"));
	json_t		*key;
	unsigned char	*sig;
	size_t		 sig_len;
	int		 rc;

	if (jwk_alg_of(json_string_value(json_object_get(header, "alg")),
	    &alg) != 0 || json_object_get(header, "crit") != NULL) {
		*why = "its algorithm is not RS256 or ES256";
		return -1;
	}
	if ((key = oidc_idp_key(jwks, alg, kid)) == NULL) {
		*why = "no key of the provider has its kid";
		return OIDC_IDP_NO_KEY;
	}
	if (b64url_decode(d2 + 1, &sig, &sig_len) != 0) {
		*why = "its signature is malformed";
		return -1;
	}
	rc = jwk_verify(key, alg, token, (size_t)(d2 - token), sig, sig_len,
	    why);
	free(sig);
	return rc;
}

int
oidc_idp_check_token(const char *token, json_t *jwks,
    const struct oidc_idp_expect *x, json_t **claims, char **why)
{
	const char	*d1, *d2, *reason = NULL;
	json_t		*header = NULL, *c = NULL;
	int		 rc = -1;

	*claims = NULL;
	if (strlen(token) > OIDC_IDP_TOKEN_MAX ||
	    (d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL ||
	    (header = oidc_idp_part(token, (size_t)(d1 - token))) == NULL ||
	    (c = oidc_idp_part(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL) {
		reason = "it is not a signed JWT";
		goto out;
	}
	if ((rc = oidc_idp_signature(token, d2, header, jwks, &reason)) != 0)
		goto out;
	if ((reason = oidc_idp_claims_fail(c, x)) != NULL) {
		rc = -1;
		goto out;
	}
	*claims = c;
	c = NULL;
out:
	json_decref(header);
	json_decref(c);
	if (rc != 0)
		*why = xstrdup(reason);
	return rc;
}

/* --- Redeeming the code -------------------------------------------------- */

struct oidc_op {
	char			*provider;
	enum fed_type		 type;
	json_t			*details;
	json_t			*mapping;
	char			*secret;
	char			*code;
	char			*redirect_uri;
	char			*nonce;
	char			*verifier;
	struct oidc_idp_identity *out;
	char			*access_token;
	char			*id_token;
	char			*jwks_url;
	int			 refreshed;
	json_t			*claims;
	char			*subject;
};

static void
oidc_op_free(void *p)
{
	struct oidc_op	*op = p;

	free(op->provider);
	json_decref(op->details);
	json_decref(op->mapping);
	if (op->secret != NULL)
		wipe_free(op->secret);
	if (op->code != NULL)
		wipe_free(op->code);
	free(op->redirect_uri);
	free(op->nonce);
	if (op->verifier != NULL)
		wipe_free(op->verifier);
	if (op->access_token != NULL)
		wipe_free(op->access_token);
	if (op->id_token != NULL)
		wipe_free(op->id_token);
	free(op->jwks_url);
	json_decref(op->claims);
	free(op->subject);
	free(op);
}

void
oidc_idp_identity_clear(struct oidc_idp_identity *id)
{
	free(id->subject);
	free(id->issuer);
	json_decref(id->claims);
	memset(id, 0, sizeof *id);
}

/* A fetch that brought no answer: the provider is down or slow. */
static int
oidc_unreached(struct task *t, struct fetch *f, const char *what)
{
	struct oidc_op	*op = t->data;

	if (f->error == NULL)
		return 0;
	log_warn("%s: %s of identity provider %s: %s", t->id, what,
	    op->provider, f->error);
	task_fail(t, CORE_ERR_BUSY, "The identity provider %s could not be "
	    "reached (%s: %s).", op->provider, what, f->error);
	return 1;
}

/* The answer's JSON object (new reference), or NULL after failing t. */
static json_t *
oidc_answer(struct task *t, struct fetch *f, const char *what)
{
	struct oidc_op	*op = t->data;
	json_t		*j;

	if (f->status != 200) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s Error - %ld error "
		    "getting %s", op->provider, f->status, what);
		return NULL;
	}
	j = f->body != NULL ? json_loadb(f->body, f->len, 0, NULL) : NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s Error - the %s "
		    "answer is not JSON", op->provider, what);
		return NULL;
	}
	return j;
}

static void
oidc_finish(struct task *t)
{
	struct oidc_op	*op = t->data;

	oidc_idp_identity_clear(op->out);
	op->out->subject = op->subject;
	op->subject = NULL;
	op->out->claims = op->claims;
	op->claims = NULL;
	/* identities' issuer is null for every OAuth provider (Cognito's). */
	task_ok(t);
}

/* Userinfo's claims join the ID token's; its sub must be the token's. */
static int
oidc_merge_userinfo(struct task *t, json_t *info)
{
	struct oidc_op	*op = t->data;
	const char	*sub = json_string_value(json_object_get(info, "sub"));
	const char	*k;
	json_t		*v;

	if (sub == NULL || strcmp(sub, op->subject) != 0) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s Error - the user "
		    "attributes are not of the signed-in user", op->provider);
		return -1;
	}
	json_object_foreach(info, k, v)
		if (json_object_get(op->claims, k) == NULL)
			json_object_set(op->claims, k, v);
	return 0;
}

static void
oidc_attributes_done(struct task *t, struct fetch *f, void *arg)
{
	struct oidc_op	*op;
	json_t		*info;
	const char	*why;

	(void)arg;
	if (t == NULL || oidc_unreached(t, f, "user attributes"))
		return;
	op = t->data;
	if ((info = oidc_answer(t, f, "user attributes")) == NULL)
		return;
	if (oidc_idp_has_id_token(op->type)) {
		if (oidc_merge_userinfo(t, info) != 0) {
			json_decref(info);
			return;
		}
		json_decref(info);
	} else {
		if (social_subject(op->type, info, &op->subject, &why) != 0) {
			json_decref(info);
			task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s Error - %s",
			    op->provider, why);
			return;
		}
		op->claims = info;
	}
	oidc_finish(t);
}

/* The user's attributes, read with the access token. */
static void
oidc_attributes(struct task *t)
{
	struct oidc_op	*op = t->data;
	const char	*method = oidc_idp_detail(op->details,
			    "attributes_request_method");
	char		*url;
	struct fetch	*f;

	url = op->type == FED_OIDC ? xstrdup_null(oidc_idp_detail(op->details,
	    "attributes_url")) : op->type == FED_GOOGLE ? NULL :
	    social_attributes_url(op->type, op->details, op->mapping);
	if (url == NULL) {
		if (op->subject != NULL) {
			oidc_finish(t);
			return;
		}
		task_fail(t, CORE_ERR_CONFIG, "The identity provider %s has "
		    "no attributes_url.", op->provider);
		return;
	}
	f = fetch_new(url);
	free(url);
	f->auth = xasprintf("Bearer %s", op->access_token);
	if (method != NULL && strcmp(method, "POST") == 0)
		f->form = xstrdup("");
	fetch_start(t, f, oidc_attributes_done, NULL);
}

static void	oidc_jwks_got(struct task *, json_t *, const char *, void *);

static void
oidc_jwks_get(struct task *t, enum discovery_mode mode)
{
	struct oidc_op	*op = t->data;

	discovery_get(t, op->jwks_url, mode, oidc_jwks_got, NULL);
}

static void
oidc_jwks_got(struct task *t, json_t *jwks, const char *why, void *arg)
{
	struct oidc_op		*op;
	struct oidc_idp_expect	 x;
	char			*reason = NULL;
	int			 rc;

	(void)arg;
	if (t == NULL)
		return;
	op = t->data;
	if (jwks == NULL) {
		task_fail(t, CORE_ERR_BUSY, "The keys of identity provider %s "
		    "could not be fetched (%s).", op->provider, why);
		return;
	}
	memset(&x, 0, sizeof x);
	x.issuer = oidc_idp_detail(op->details, "oidc_issuer");
	x.client_id = oidc_idp_detail(op->details, "client_id");
	x.nonce = op->nonce;
	x.now = now_s();
	rc = oidc_idp_check_token(op->id_token, jwks, &x, &op->claims,
	    &reason);
	if (rc == OIDC_IDP_NO_KEY && !op->refreshed) {
		free(reason);
		op->refreshed = 1;
		oidc_jwks_get(t, DISCOVERY_REFRESH);
		return;
	}
	if (rc != 0) {
		log_warn("%s: ID token of identity provider %s refused: %s",
		    t->id, op->provider, reason);
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s Error - the ID token "
		    "was refused: %s.", op->provider, reason);
		free(reason);
		return;
	}
	op->subject = xstrdup(json_string_value(json_object_get(op->claims,
	    "sub")));
	oidc_attributes(t);
}

static void
oidc_discovered(struct task *t, json_t *doc, const char *why, void *arg)
{
	struct oidc_op	*op;
	const char	*url;

	(void)arg;
	if (t == NULL)
		return;
	op = t->data;
	url = json_string_value(json_object_get(doc, "jwks_uri"));
	if (doc == NULL || url == NULL || fetch_url_allowed(url) != 0) {
		task_fail(t, CORE_ERR_BUSY, "The keys of identity provider %s "
		    "could not be found (%s).", op->provider, why != NULL ?
		    why : "no usable jwks_uri");
		return;
	}
	op->jwks_url = xstrdup(url);
	oidc_jwks_get(t, DISCOVERY_CACHED);
}

/* The JWKS: jwks_uri, else the one of the issuer's discovery document. */
static void
oidc_jwks(struct task *t)
{
	struct oidc_op	*op = t->data;
	const char	*url = oidc_idp_detail(op->details, "jwks_uri");
	const char	*issuer = oidc_idp_detail(op->details, "oidc_issuer");
	char		*disc;

	if (url != NULL) {
		op->jwks_url = xstrdup(url);
		oidc_jwks_get(t, DISCOVERY_CACHED);
		return;
	}
	if (issuer == NULL) {
		task_fail(t, CORE_ERR_CONFIG, "The identity provider %s has "
		    "neither jwks_uri nor oidc_issuer.", op->provider);
		return;
	}
	disc = discovery_url(issuer);
	discovery_get(t, disc, DISCOVERY_CACHED, oidc_discovered, NULL);
	free(disc);
}

static void
oidc_token_done(struct task *t, struct fetch *f, void *arg)
{
	struct oidc_op	*op;
	json_t		*j;
	const char	*at, *it;

	(void)arg;
	if (t == NULL || oidc_unreached(t, f, "token"))
		return;
	op = t->data;
	if ((j = oidc_answer(t, f, "token")) == NULL)
		return;
	at = json_string_value(json_object_get(j, "access_token"));
	it = json_string_value(json_object_get(j, "id_token"));
	if (at == NULL || (oidc_idp_has_id_token(op->type) && it == NULL)) {
		json_decref(j);
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s Error - the token "
		    "answer lacks a token", op->provider);
		return;
	}
	op->access_token = xstrdup(at);
	op->id_token = xstrdup_null(it);
	json_decref(j);
	if (oidc_idp_has_id_token(op->type))
		oidc_jwks(t);
	else
		oidc_attributes(t);
}

/* The token request: a form, or its pairs in the query for GET. */
static struct fetch *
oidc_token_fetch(struct oidc_op *op, const char *url)
{
	const char	*method = oidc_idp_detail(op->details,
			    "token_request_method");
	char		*form = xstrdup(""), *full;
	struct fetch	*f;

	oidc_idp_add(&form, "grant_type", "authorization_code");
	oidc_idp_add(&form, "code", op->code);
	oidc_idp_add(&form, "redirect_uri", op->redirect_uri);
	oidc_idp_add(&form, "client_id", oidc_idp_detail(op->details,
	    "client_id"));
	oidc_idp_add(&form, "client_secret", op->secret);
	if (oidc_idp_pkce(op->type))
		oidc_idp_add(&form, "code_verifier", op->verifier);
	if (method != NULL && strcmp(method, "GET") == 0) {
		full = xasprintf("%s%c%s", url, strchr(url, '?') != NULL ?
		    '&' : '?', form);
		f = fetch_new(full);
		wipe_free(full);
		wipe_free(form);
		return f;
	}
	f = fetch_new(url);
	f->form = form;
	return f;
}

void
oidc_idp_redeem(struct task *t, const struct oidc_idp_redeem *in,
    struct oidc_idp_identity *out)
{
	struct oidc_op	*op = xcalloc(1, sizeof *op);
	const char	*url;

	op->provider = xstrdup(in->provider_name);
	op->type = in->type;
	op->details = json_incref(in->details);
	op->mapping = json_incref(in->mapping);
	op->secret = xstrdup_null(in->client_secret);
	op->code = xstrdup(in->code);
	op->redirect_uri = xstrdup(in->redirect_uri);
	op->nonce = xstrdup_null(in->nonce);
	op->verifier = xstrdup_null(in->verifier);
	op->out = out;
	task_set_data(t, op, oidc_op_free);
	if ((url = oidc_idp_detail(op->details, "token_url")) == NULL) {
		task_fail(t, CORE_ERR_CONFIG, "The identity provider %s has no "
		    "token_url.", op->provider);
		return;
	}
	fetch_start(t, oidc_token_fetch(op, url), oidc_token_done, NULL);
}
