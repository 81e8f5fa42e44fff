/*
 * saml_idp.c: the pool as a SAML service provider (see saml_idp.h).
 *
 * Every operation is the same short chain of steps over one state
 * (struct saml_idp_op): load what the database holds (the pool's key
 * when it is needed, the provider when only its name is known, the age
 * of its metadata), make the pool's key when it has none (a worker
 * thread; two workers racing keep the first one written), parse the
 * provider's metadata on a worker and fetch it again when its
 * validUntil or cacheDuration has ended, then the operation's own end:
 * an AuthnRequest or LogoutRequest built and signed on a worker and
 * its ID kept under a new state (idp_flow_keep); or the Response
 * checked on a worker (saml_response_verify) and its assertion ID used
 * in PostgreSQL, where an ID already there is a replay and refused.
 *
 * An IdP-initiated Response (no InResponseTo expected) passes only for
 * a provider with IDPInit "true", and, as Cognito documents, only when
 * it was issued within the last six minutes. EncryptedResponses "true"
 * gives the pool's key to the check for decryption; otherwise an
 * encrypted assertion cannot be read and is refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codes.h"
#include "core/sessions.h"
#include "core/task.h"
#include "crypto/keys.h"
#include "db/pg.h"
#include "db/saml.h"
#include "db/sessions.h"
#include "fed/fetch.h"
#include "fed/idp_config.h"
#include "fed/idp_flow.h"
#include "fed/saml_idp.h"
#include "fed/saml_keys.h"
#include "fed/saml_meta.h"
#include "fed/saml_redirect.h"
#include "fed/saml_request.h"
#include "fed/saml_sp.h"
#include "fed/saml_xml.h"
#include "log.h"
#include "util.h"

/* How old an IdP-initiated assertion may be (Cognito: six minutes). */
#define SAML_IDP_INIT_AGE	360

struct saml_idp_op {
	char			*pool_id;	/* NULL: the domain's */
	char			*domain;
	char			*base_url;
	char			*sp_entity;
	char			*acs_url;
	struct db_idp		 idp;
	int			 have_idp;
	char			*provider_name;	/* to load by name */
	int			 need_key;
	char			*key_pem;	/* wiped */
	char			*cert;
	char			*why;
	long long		 meta_age;	/* seconds; -1: unknown */
	char			*metadata;	/* the text checked */
	int			 refetched;
	struct saml_meta	 meta;
	/* authn and signout */
	json_t			*request;
	char			*browser;
	char			*state;
	char			 id[42];
	char			**url;
	struct db_saml_session	 sess;		/* signout: borrowed copy */
	char			*session_digest;
	char			*name_id, *name_id_format, *session_index;
	/* verify */
	char			*response;
	char			*irt;
	struct saml_assertion	*out;
	struct db_idp		*idp_out;
	struct saml_error	 err;
	int			 decrypt;	/* EncryptedResponses */
	char			*supported;	/* IdP-initiated: JSON */
	char			*query;		/* a redirect's, raw */
	long long		 others;	/* of them not SAML */
	/* certificate and metadata */
	char			**text;
	/* the operation's own end, once key and metadata are ready */
	void			(*next)(struct task *);
};

static void
saml_idp_op_free(void *p)
{
	struct saml_idp_op	*op = p;

	free(op->pool_id);
	free(op->domain);
	free(op->base_url);
	free(op->sp_entity);
	free(op->acs_url);
	db_idps_clear(&op->idp);
	free(op->provider_name);
	if (op->key_pem != NULL)
		wipe_free(op->key_pem);
	free(op->cert);
	free(op->why);
	free(op->metadata);
	saml_meta_free(&op->meta);
	json_decref(op->request);
	if (op->browser != NULL)
		wipe_free(op->browser);
	if (op->state != NULL)
		wipe_free(op->state);
	free(op->session_digest);
	free(op->name_id);
	free(op->name_id_format);
	free(op->session_index);
	free(op->response);
	free(op->irt);
	free(op->supported);
	free(op->query);
	free(op);
}

static void
saml_idp_copy(struct db_idp *to, const struct db_idp *from)
{
	memset(to, 0, sizeof *to);
	to->name = xstrdup_null(from->name);
	to->type = xstrdup_null(from->type);
	to->details = json_incref(from->details);
	to->mapping = json_incref(from->mapping);
	to->identifiers = json_incref(from->identifiers);
	to->metadata = xstrdup_null(from->metadata);
}

static struct saml_idp_op *
saml_idp_op_new(struct task *t, const char *pool_id, const char *base_url)
{
	struct saml_idp_op	*op = xcalloc(1, sizeof *op);

	if (base_url != NULL) {
		op->base_url = xstrdup(base_url);
		op->acs_url = saml_sp_acs_url(base_url);
	}
	if (pool_id != NULL) {
		op->pool_id = xstrdup(pool_id);
		op->sp_entity = saml_sp_entity_id(pool_id);
	}
	op->meta_age = -1;
	task_set_data(t, op, saml_idp_op_free);
	return op;
}

int
saml_idp_detail_true(const struct db_idp *idp, const char *key)
{
	const char	*v = json_string_value(json_object_get(idp->details,
			    key));

	return v != NULL && strcmp(v, "true") == 0;
}

static int64_t
saml_idp_now(void)
{
	return (int64_t)time(NULL);
}

/* --- Metadata: parsed, fetched again when it has expired --------------- */

static void	saml_idp_meta(struct task *);

static void
saml_idp_meta_parse(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	char			 why[200];

	saml_meta_free(&op->meta);
	if (op->metadata == NULL || saml_meta_parse(op->metadata,
	    strlen(op->metadata), &op->meta, why, sizeof why) != 0)
		op->why = xstrdup(op->metadata == NULL ? "no metadata" : why);
}

static void
saml_idp_meta_stored(struct task *t, struct pg_reply *reply)
{
	struct saml_idp_op	*op = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	op->next(t);
}

static void
saml_idp_meta_fetched(struct task *t, struct fetch *f, void *arg)
{
	struct saml_idp_op	*op;

	(void)arg;
	if (t == NULL)
		return;
	op = t->data;
	if (f->error != NULL || f->status != 200 || f->body == NULL) {
		log_warn("%s: SAML metadata of %s not fetched again: %s",
		    t->id, op->idp.name, f->error != NULL ? f->error :
		    "not 200");
		task_fail(t, CORE_ERR_CONFIG, "The identity provider's "
		    "metadata has expired and could not be fetched again.");
		return;
	}
	free(op->metadata);
	op->metadata = xstrndup(f->body, f->len);
	op->refetched = 1;
	task_work(t, saml_idp_meta_parse, saml_idp_meta);
}

/* The metadata parsed: on, fetch it again, or fail. */
static void
saml_idp_meta(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	const char		*url;
	int64_t			 now = saml_idp_now(), until;
	struct pg_batch		*b;

	if (op->why != NULL) {
		task_fail(t, CORE_ERR_CONFIG, "The identity provider's "
		    "metadata cannot be used: %s.", op->why);
		return;
	}
	until = saml_meta_expiry(&op->meta, now - (op->meta_age > 0 ?
	    op->meta_age : 0));
	if (!op->refetched && until != 0 && until <= now &&
	    (url = idp_config_metadata_url(op->idp.type,
	    op->idp.details)) != NULL) {
		fetch_start(t, fetch_new(url), saml_idp_meta_fetched, NULL);
		return;
	}
	if (op->refetched) {
		b = pg_batch_new();
		db_saml_metadata_set(b, op->pool_id, op->idp.name,
		    op->metadata, op->meta.sso_redirect,
		    op->meta.slo_redirect);
		task_query(t, b, saml_idp_meta_stored);
		return;
	}
	op->next(t);
}

/* --- The pool's key --------------------------------------------------- */

static void	saml_idp_ready(struct task *);

static void
saml_idp_key_generate(struct task *t)
{
	struct saml_idp_op	*op = t->data;

	if (saml_keys_generate(op->pool_id, &op->key_pem, &op->cert,
	    &op->why) != 0)
		op->key_pem = NULL;
}

/* The row of db_saml_key_get: 1 with a key, 0 without, -1 no pool. */
static int
saml_idp_key_row(struct saml_idp_op *op, const PGresult *r)
{
	const char	*sealed;
	unsigned char	*plain;
	size_t		 len;

	if (pg_rows(r) != 1)
		return -1;
	if (op->pool_id == NULL) {
		op->pool_id = xstrdup(pg_val(r, 0, 0));
		op->sp_entity = saml_sp_entity_id(op->pool_id);
	}
	if ((sealed = pg_val(r, 0, 1)) == NULL || pg_val(r, 0, 2) == NULL)
		return 0;
	if (keys_open(sealed, &plain, &len) != 0)
		return -1;
	op->key_pem = xstrndup((const char *)plain, len);
	wipe(plain, len);
	free(plain);
	free(op->cert);
	op->cert = xstrdup(pg_val(r, 0, 2));
	return 1;
}

static void
saml_idp_key_inserted(struct task *t, struct pg_reply *reply)
{
	struct saml_idp_op	*op = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	wipe_free(op->key_pem);
	op->key_pem = NULL;
	if (saml_idp_key_row(op, reply->res[1]) != 1) {
		task_fail(t, CORE_ERR_INTERNAL, "The SAML key was not kept.");
		return;
	}
	saml_idp_ready(t);
}

static void
saml_idp_key_made(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct pg_batch		*b;
	char			*sealed;

	if (op->key_pem == NULL) {
		task_fail(t, CORE_ERR_INTERNAL, "No SAML key: %s.", op->why);
		return;
	}
	sealed = keys_seal(op->key_pem, strlen(op->key_pem));
	b = pg_batch_new();
	db_saml_key_insert(b, op->pool_id, sealed, op->cert);
	free(sealed);
	task_query(t, b, saml_idp_key_inserted);
}

/* Key and provider known: the metadata, then the operation's end. */
static void
saml_idp_ready(struct task *t)
{
	struct saml_idp_op	*op = t->data;

	if (!op->have_idp) {
		op->next(t);
		return;
	}
	task_work(t, saml_idp_meta_parse, saml_idp_meta);
}

static void
saml_idp_loaded(struct task *t, struct pg_reply *reply)
{
	struct saml_idp_op	*op = t->data;
	int			 i = 0, k;
	enum fed_type		 type;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (op->provider_name != NULL) {
		if (pg_rows(reply->res[i]) != 1 ||
		    db_idps_from_row(reply->res[i], 0, 1, &op->idp) != 0 ||
		    federation_type_of(op->idp.type, &type) != 0 ||
		    type != FED_SAML) {
			task_fail(t, CORE_ERR_NO_RESOURCE, "The identity "
			    "provider %s does not exist.", op->provider_name);
			return;
		}
		op->have_idp = 1;
		op->metadata = xstrdup_null(op->idp.metadata);
		i++;
	}
	if (op->supported != NULL) {
		op->others = strtoll(pg_val(reply->res[i], 0, 0), NULL, 10);
		i++;
	}
	if (op->have_idp) {
		if (pg_rows(reply->res[i]) == 1)
			op->meta_age = strtoll(pg_val(reply->res[i], 0, 0),
			    NULL, 10);
		i++;
	}
	if (op->need_key) {
		if ((k = saml_idp_key_row(op, reply->res[i])) < 0) {
			task_fail(t, CORE_ERR_NO_RESOURCE, "The user pool does "
			    "not exist.");
			return;
		}
		if (k == 0) {
			task_work(t, saml_idp_key_generate, saml_idp_key_made);
			return;
		}
	}
	saml_idp_ready(t);
}

/* Load what op needs, then op->next. */
static void
saml_idp_load(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct pg_batch		*b = pg_batch_new();
	const char		*name = op->provider_name != NULL ?
				    op->provider_name : op->idp.name;

	if (op->provider_name != NULL)
		db_idps_get(b, op->pool_id, op->provider_name);
	if (op->supported != NULL)
		db_saml_others(b, op->pool_id, op->supported);
	if (op->have_idp || op->provider_name != NULL)
		db_saml_metadata_age(b, op->pool_id, name);
	if (op->need_key && op->pool_id == NULL)
		db_saml_key_of_domain(b, op->domain);
	else if (op->need_key)
		db_saml_key_get(b, op->pool_id);
	if (!op->have_idp && op->provider_name == NULL && !op->need_key) {
		pg_batch_free(b);
		op->next(t);
		return;
	}
	task_query(t, b, saml_idp_loaded);
}

/* --- Requests: AuthnRequest, LogoutRequest ------------------------------ */

static void
saml_idp_kept(struct task *t, struct pg_reply *reply)
{
	struct saml_idp_op	*op = t->data;

	if (!reply->ok) {
		/* Before the end: it may free what op->url points into. */
		free(*op->url);
		*op->url = NULL;
		task_fail_db(t, reply);
		return;
	}
	task_ok(t);
}

static void
saml_idp_authn_build(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct saml_authn	 a;

	memset(&a, 0, sizeof a);
	a.destination = op->meta.sso_redirect;
	a.sp_entity_id = op->sp_entity;
	a.acs_url = op->acs_url;
	a.relay_state = op->state;
	a.sign_key_pem = op->need_key ? op->key_pem : NULL;
	a.now = saml_idp_now();
	*op->url = saml_request_authn(&a, op->id);
}

/* 0 when the request (what) was made into *op->url; else the task fails. */
static int
saml_idp_made(struct task *t, const char *what)
{
	struct saml_idp_op	*op = t->data;

	if (*op->url != NULL)
		return 0;
	task_fail(t, CORE_ERR_INTERNAL, "The %s could not be made.", what);
	return -1;
}

/*
 * Add to b the state keeping the request's ID (its nonce) and run b.
 * The state was drawn first (it is the RelayState): keep it.
 */
static void
saml_idp_keep(struct task *t, struct pg_batch *b)
{
	struct saml_idp_op	*op = t->data;
	struct idp_flow_kept	 k;

	memset(&k, 0, sizeof k);
	k.pool_id = op->pool_id;
	k.provider_name = op->idp.name;
	k.request = op->request;
	k.browser = op->browser;
	k.nonce = op->id;
	k.state = op->state;
	wipe_free(idp_flow_keep(b, &k));
	task_query(t, b, saml_idp_kept);
}

static void
saml_idp_authn_built(struct task *t)
{
	if (saml_idp_made(t, "AuthnRequest") == 0)
		saml_idp_keep(t, pg_batch_new());
}

static void
saml_idp_authn_go(struct task *t)
{
	struct saml_idp_op	*op = t->data;

	if (op->meta.sso_redirect == NULL) {
		task_fail(t, CORE_ERR_CONFIG, "The identity provider %s has "
		    "no SingleSignOnService for the HTTP-Redirect binding.",
		    op->idp.name);
		return;
	}
	op->state = codes_new_secret(IDP_FLOW_SECRET_BYTES);
	task_work(t, saml_idp_authn_build, saml_idp_authn_built);
}

void
saml_idp_authn(struct task *t, const struct saml_idp_authn *in, char **url)
{
	struct db_idp		 idp;
	json_t			*request = json_incref(in->request);
	char			*browser = xstrdup(in->browser);
	struct saml_idp_op	*op;

	/* in borrows from the task's current data, which goes now. */
	saml_idp_copy(&idp, in->idp);
	op = saml_idp_op_new(t, in->pool_id, in->base_url);
	op->idp = idp;
	op->have_idp = 1;
	op->metadata = xstrdup_null(idp.metadata);
	op->request = request;
	op->browser = browser;
	op->url = url;
	op->need_key = json_string_value(json_object_get(idp.details,
	    "RequestSigningAlgorithm")) != NULL;
	op->next = saml_idp_authn_go;
	saml_idp_load(t);
}

/* --- The Response ------------------------------------------------------- */

static void
saml_idp_used(struct task *t, struct pg_reply *reply)
{
	struct saml_idp_op	*op = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "The SAML assertion has "
		    "been used already.");
		return;
	}
	saml_idp_copy(op->idp_out, &op->idp);
	task_ok(t);
}

static void
saml_idp_check_run(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct saml_expect	 e;

	memset(&e, 0, sizeof e);
	e.idp = &op->meta;
	e.sp_entity_id = op->sp_entity;
	e.acs_url = op->acs_url;
	e.in_response_to = op->irt;
	e.now = saml_idp_now();
	e.sp_key_pem = op->decrypt ? op->key_pem : NULL;
	e.require_encrypted = op->decrypt;
	if (saml_response_verify(op->response, strlen(op->response), &e,
	    op->out, &op->err) != 0)
		return;
	if (op->irt == NULL && e.now - op->out->issue_instant >
	    SAML_IDP_INIT_AGE + SAML_RESPONSE_SKEW) {
		saml_assertion_free(op->out);
		op->err.kind = SAML_EXPIRED;
		snprintf(op->err.msg, sizeof op->err.msg, "an IdP-initiated "
		    "assertion must be issued within the last six minutes");
	}
}

static void
saml_idp_checked(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct pg_batch		*b;

	if (op->err.kind != SAML_OK) {
		log_info("%s: SAML response from %s refused: %s (%s)", t->id,
		    op->idp.name, saml_fail_name(op->err.kind), op->err.msg);
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "The SAML response was "
		    "refused: %s.", op->err.msg);
		return;
	}
	b = pg_batch_new();
	db_saml_assertion_use(b, op->pool_id, op->meta.entity_id,
	    op->out->assertion_id, (long long)op->out->expires);
	task_query(t, b, saml_idp_used);
}

static void
saml_idp_check_go(struct task *t)
{
	struct saml_idp_op	*op = t->data;

	if (op->irt == NULL && !saml_idp_detail_true(&op->idp, "IDPInit")) {
		task_fail(t, CORE_ERR_UNSUPPORTED, "IdP-initiated sign-in is "
		    "not enabled for the identity provider %s.",
		    op->idp.name);
		return;
	}
	if (op->irt == NULL && op->others != 0) {
		task_fail(t, CORE_ERR_UNSUPPORTED, "IdP-initiated sign-in "
		    "needs an app client that supports SAML providers only.");
		return;
	}
	op->decrypt = saml_idp_detail_true(&op->idp, "EncryptedResponses");
	task_work(t, saml_idp_check_run, saml_idp_checked);
}

void
saml_idp_verify(struct task *t, const struct saml_idp_check *in,
    struct saml_assertion *out, struct db_idp *idp_out)
{
	struct saml_idp_op	*op;
	struct db_idp		 idp;

	memset(&idp, 0, sizeof idp);
	if (in->idp != NULL)
		saml_idp_copy(&idp, in->idp);
	op = saml_idp_op_new(t, in->pool_id, in->base_url);
	if (in->idp != NULL) {
		op->idp = idp;
		op->have_idp = 1;
		op->metadata = xstrdup_null(idp.metadata);
	} else {
		op->provider_name = xstrdup(in->provider_name);
		op->supported = in->supported != NULL ?
		    json_dumps(in->supported, JSON_COMPACT) : xstrdup("[]");
	}
	op->irt = xstrdup_null(in->in_response_to);
	op->response = xstrdup(in->response);
	op->out = out;
	op->idp_out = idp_out;
	op->next = saml_idp_check_go;
	/* The key decrypts (EncryptedResponses; by name: not known yet). */
	op->need_key = in->idp == NULL ||
	    saml_idp_detail_true(in->idp, "EncryptedResponses");
	saml_idp_load(t);
}

/* --- Sign-out at the IdP ----------------------------------------------- */

static void
saml_idp_signout_build(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct saml_logout	 l;

	memset(&l, 0, sizeof l);
	l.destination = op->meta.slo_redirect;
	l.sp_entity_id = op->sp_entity;
	l.name_id = op->name_id;
	l.name_id_format = op->name_id_format;
	l.session_index = op->session_index;
	l.relay_state = op->state;
	l.sign_key_pem = op->key_pem;
	l.now = saml_idp_now();
	*op->url = saml_request_logout(&l, op->id);
}

static void
saml_idp_signout_built(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct pg_batch		*b;

	if (saml_idp_made(t, "LogoutRequest") != 0)
		return;
	b = pg_batch_new();
	db_sessions_delete(b, op->session_digest, op->pool_id);
	saml_idp_keep(t, b);
}

static void
saml_idp_signout_go(struct task *t)
{
	struct saml_idp_op	*op = t->data;

	if (op->meta.slo_redirect == NULL) {
		/* Nowhere to send it: a local sign-out only. */
		task_ok(t);
		return;
	}
	op->state = codes_new_secret(IDP_FLOW_SECRET_BYTES);
	task_work(t, saml_idp_signout_build, saml_idp_signout_built);
}

static void
saml_idp_signout_found(struct task *t, struct pg_reply *reply)
{
	struct saml_idp_op	*op = t->data;
	const PGresult		*r;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) != 1 || db_idps_from_row(r, 0, 4, &op->idp) != 0 ||
	    !saml_idp_detail_true(&op->idp, "IDPSignout")) {
		task_ok(t);
		return;
	}
	op->have_idp = 1;
	op->metadata = xstrdup_null(op->idp.metadata);
	op->name_id = xstrdup(pg_val(r, 0, 1));
	op->name_id_format = xstrdup_null(pg_val(r, 0, 2));
	op->session_index = xstrdup_null(pg_val(r, 0, 3));
	op->need_key = 1;
	op->next = saml_idp_signout_go;
	saml_idp_load(t);
}

void
saml_idp_signout(struct task *t, const struct saml_idp_signout *in,
    char **url)
{
	struct saml_idp_op	*op = saml_idp_op_new(t, in->pool_id,
				    in->base_url);
	struct pg_batch		*b = pg_batch_new();
	char			 digest[CODES_DIGEST_HEX];

	*url = NULL;
	op->request = json_incref(in->request);
	op->browser = xstrdup(in->browser);
	op->url = url;
	sessions_digest(in->session, digest);
	op->session_digest = xstrdup(digest);
	db_saml_session_find(b, digest, in->pool_id);
	task_query(t, b, saml_idp_signout_found);
}

/* --- The SP's certificate and metadata ---------------------------------- */

static void
saml_idp_cert_go(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	struct saml_sp		 sp;

	if (op->base_url == NULL) {
		*op->text = xstrdup(op->cert);
		task_ok(t);
		return;
	}
	memset(&sp, 0, sizeof sp);
	sp.pool_id = op->pool_id;
	sp.base_url = op->base_url;
	sp.signing_cert = op->cert;
	sp.encryption_cert = op->cert;
	sp.authn_signed = 1;
	if ((*op->text = saml_sp_metadata(&sp)) == NULL) {
		task_fail(t, CORE_ERR_INTERNAL, "The SP metadata could not be "
		    "made.");
		return;
	}
	task_ok(t);
}

void
saml_idp_certificate(struct task *t, const char *pool_id, char **cert)
{
	struct saml_idp_op	*op = saml_idp_op_new(t, pool_id, NULL);

	op->text = cert;
	op->need_key = 1;
	op->next = saml_idp_cert_go;
	saml_idp_load(t);
}

void
saml_idp_sp_metadata(struct task *t, const char *domain,
    const char *base_url, char **xml)
{
	struct saml_idp_op	*op = saml_idp_op_new(t, NULL, base_url);

	op->domain = xstrdup(domain);
	op->text = xml;
	op->need_key = 1;
	op->next = saml_idp_cert_go;
	saml_idp_load(t);
}

/* --- The IdP's LogoutResponse ------------------------------------------- */

#define SAML_IDP_SUCCESS	"urn:oasis:names:tc:SAML:2.0:status:Success"

static int
saml_idp_logout_response(const char *value, const char *irt, char *why,
    size_t len)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, st;
	char		*xml, *got = NULL, *code = NULL;
	size_t		 n;
	int		 rc = -1;

	if ((xml = saml_request_inflate(value, &n)) == NULL) {
		snprintf(why, len, "The identity provider's sign-out answer "
		    "cannot be read.");
		return -1;
	}
	doc = saml_xml_parse(xml, n, why, len);
	free(xml);
	if (doc == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !saml_xml_is(root, SAML_NS_PROTO,
	    "LogoutResponse") || (got = saml_xml_attr(root,
	    "InResponseTo")) == NULL || strcmp(got, irt) != 0)
		snprintf(why, len, "The identity provider's sign-out answer "
		    "does not answer this sign-out.");
	else if ((st = saml_xml_child(root, SAML_NS_PROTO, "Status")) ==
	    NULL || (st = saml_xml_child(st, SAML_NS_PROTO,
	    "StatusCode")) == NULL || (code = saml_xml_attr(st,
	    "Value")) == NULL || strcmp(code, SAML_IDP_SUCCESS) != 0)
		snprintf(why, len, "The identity provider could not sign you "
		    "out.");
	else
		rc = 0;
	free(got);
	free(code);
	xmlFreeDoc(doc);
	return rc;
}

static void
saml_idp_logout_run(struct task *t)
{
	struct saml_idp_op	*op = t->data;
	char			 why[120];

	op->err.kind = SAML_MALFORMED;
	if (saml_meta_parse(op->metadata, strlen(op->metadata), &op->meta,
	    why, sizeof why) != 0) {
		snprintf(op->err.msg, sizeof op->err.msg, "The identity "
		    "provider's metadata cannot be used.");
		return;
	}
	if (saml_redirect_verify(op->query, "SAMLResponse", &op->meta, why,
	    sizeof why) != 0) {
		snprintf(op->err.msg, sizeof op->err.msg, "The identity "
		    "provider's sign-out answer is refused: %s.", why);
		return;
	}
	if (saml_idp_logout_response(op->response, op->irt, op->err.msg,
	    sizeof op->err.msg) != 0)
		return;
	op->err.kind = SAML_OK;
}

static void
saml_idp_logout_ran(struct task *t)
{
	struct saml_idp_op	*op = t->data;

	if (op->err.kind != SAML_OK)
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s", op->err.msg);
	else
		task_ok(t);
}

void
saml_idp_logout_check(struct task *t, const struct saml_idp_answer *in)
{
	struct saml_idp_op	*op = xcalloc(1, sizeof *op);

	task_set_data(t, op, saml_idp_op_free);
	op->response = xstrdup(in->response);
	op->irt = xstrdup(in->in_response_to);
	op->query = xstrdup(in->query);
	op->metadata = xstrdup(in->metadata != NULL ? in->metadata : "");
	task_work(t, saml_idp_logout_run, saml_idp_logout_ran);
}
