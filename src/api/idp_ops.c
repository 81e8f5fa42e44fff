/*
 * idp_ops.c: identity providers of a user pool (CreateIdentityProvider,
 * DescribeIdentityProvider, UpdateIdentityProvider,
 * DeleteIdentityProvider, ListIdentityProviders,
 * GetIdentityProviderByIdentifier).
 *
 * fed/idp_config.c decides what ProviderDetails a type takes and fills
 * in the presets; then a write may need the network before the
 * database: an OIDC provider's discovery document (fed/discovery.c,
 * always fetched afresh here, so that fixing a provider and updating it
 * works at once) or a SAML provider's MetadataURL (fed/fetch.c). Either
 * failing refuses the write with InvalidParameterException naming why.
 * Update reads the stored provider first: its type, and its secrets,
 * which new ProviderDetails need not repeat. Given ProviderDetails
 * replace the stored ones (endpoints discovered again); the
 * AttributeMapping and the IdpIdentifiers given replace theirs.
 *
 * Secrets (client_secret, private_key) are sealed under the master key
 * (crypto/keys.c) in one column; Describe opens them to show
 * client_secret, as Cognito does, and never shows private_key.
 *
 * SAML metadata (fetched from MetadataURL or given as MetadataFile)
 * must parse (fed/saml_meta.c) and name a signing certificate; it is
 * stored as it came.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "crypto/keys.h"
#include "db/idps.h"
#include "db/pg.h"
#include "fed/discovery.h"
#include "fed/fetch.h"
#include "fed/idp_config.h"
#include "fed/saml_idp.h"
#include "fed/saml_meta.h"
#include "util.h"

#define IDP_PAGE_MAX	60

static const char *const idp_types[] = { "SAML", "Facebook", "Google",
	"LoginWithAmazon", "SignInWithApple", "OIDC", NULL };

/* ProviderNameTypeV1: [^_][\p{L}\p{M}\p{S}\p{N}\p{P}][^_]+ */
static int
idp_check_new_name(const char *s)
{
	if (shape_check_name(s) != 0 || s[0] == '_' || strlen(s) < 3)
		return -1;
	return strchr(s + 2, '_') == NULL ? 0 : -1;
}

/* IdpIdentifierType: [\w\s+=.@-]+ */
static int
idp_check_identifier(const char *s)
{
	return strchr(s, ',') == NULL ? shape_check_pool_name(s) : -1;
}

/* --- Input shapes (from the service model) --- */

static const struct shape s_new_name = { .kind = SHAPE_STRING, .min = 3,
	.max = 32, .has_min = 1, .has_max = 1, .check = idp_check_new_name,
	.pattern = "[^_][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_]+" };
static const struct shape s_name = { .kind = SHAPE_STRING, .min = 1,
	.max = 32, .has_min = 1, .has_max = 1, .check = shape_check_name,
	.pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+" };
static const struct shape s_type = { .kind = SHAPE_STRING,
	.enums = idp_types };
static const struct shape s_string = { .kind = SHAPE_STRING };
static const struct shape s_details = { .kind = SHAPE_MAP,
	.key = &s_string, .item = &s_string, .sensitive = 1 };
static const struct shape s_map_key = SHAPE_STR(1, 32);
static const struct shape s_mapping = { .kind = SHAPE_MAP,
	.key = &s_map_key, .item = &s_string };
static const struct shape s_identifier = { .kind = SHAPE_STRING, .min = 1,
	.max = 40, .has_min = 1, .has_max = 1, .check = idp_check_identifier,
	.pattern = "[\\w\\s+=.@-]+" };
static const struct shape s_identifiers = { .kind = SHAPE_LIST, .min = 0,
	.max = 50, .has_min = 1, .has_max = 1, .item = &s_identifier };
static const struct shape s_limit = { .kind = SHAPE_INT, .min = 0,
	.max = IDP_PAGE_MAX, .has_min = 1, .has_max = 1 };

static const struct shape_member s_create_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ProviderName", &s_new_name, 1 },
	{ "ProviderType", &s_type, 1 },
	{ "ProviderDetails", &s_details, 1 },
	{ "AttributeMapping", &s_mapping, 0 },
	{ "IdpIdentifiers", &s_identifiers, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_create = { .kind = SHAPE_STRUCT,
	.members = s_create_members };

static const struct shape_member s_update_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ProviderName", &s_name, 1 },
	{ "ProviderDetails", &s_details, 0 },
	{ "AttributeMapping", &s_mapping, 0 },
	{ "IdpIdentifiers", &s_identifiers, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_update = { .kind = SHAPE_STRUCT,
	.members = s_update_members };

static const struct shape_member s_ref_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ProviderName", &s_name, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_ref = { .kind = SHAPE_STRUCT,
	.members = s_ref_members };

static const struct shape_member s_list_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "MaxResults", &s_limit, 0 },
	{ "NextToken", &ops_shape_next_token, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_list = { .kind = SHAPE_STRUCT,
	.members = s_list_members };

static const struct shape_member s_pool_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_pool = { .kind = SHAPE_STRUCT,
	.members = s_pool_members };

static const struct shape_member s_by_id_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "IdpIdentifier", &s_identifier, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_by_id = { .kind = SHAPE_STRUCT,
	.members = s_by_id_members };

/* --- Output --- */

static void
idp_fail_missing(struct api_call *call)
{
	api_fail(call, "ResourceNotFoundException", "Identity provider %s "
	    "does not exist.", api_str(call->in, "ProviderName"));
}

/* IdentityProviderType; client_secret shown, private_key never. */
static json_t *
idp_output(const char *pool_id, const struct db_idp *p)
{
	json_t	*details = json_deep_copy(p->details);
	json_t	*secrets = idp_config_open_secrets(p->sealed);
	json_t	*secret = json_object_get(secrets, "client_secret");

	if (secret != NULL)
		json_object_set(details, "client_secret", secret);
	json_decref(secrets);
	return json_pack("{s:s, s:s, s:s, s:o, s:O, s:O, s:o, s:o}",
	    "UserPoolId", pool_id, "ProviderName", p->name,
	    "ProviderType", p->type, "ProviderDetails", details,
	    "AttributeMapping", p->mapping, "IdpIdentifiers", p->identifiers,
	    "LastModifiedDate", api_time(p->modified),
	    "CreationDate", api_time(p->created));
}

/*
 * Answer {IdentityProvider} from a row "p.id, " DB_IDPS_COLUMNS, or
 * the pool's or the provider's absence.
 */
static void
idp_answer_row(struct api_call *call, const PGresult *r,
    void (*missing)(struct api_call *))
{
	struct db_idp	p;

	if (pg_rows(r) == 0 || pg_val(r, 0, 0) == NULL)
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
	else if (db_idps_from_row(r, 0, 1, &p) != 0)
		missing(call);
	else {
		api_ok(call, json_pack("{s:o}", "IdentityProvider",
		    idp_output(pg_val(r, 0, 0), &p)));
		db_idps_clear(&p);
	}
}

/* --- Create and Update: the provider being written --- */

struct idp_write {
	int			 update;
	char			*type;
	struct idp_config	 cfg;		/* details NULL: unchanged */
	json_t			*mapping;	/* NULL: unchanged */
	char			*metadata;
	char			*url;		/* what is being fetched */
	/* the metadata parsed (on a crypto thread) */
	int			 meta_ok;
	char			 meta_err[200];
	char			*sso;
	char			*slo;
};

static void
idp_write_free(void *p)
{
	struct idp_write	*w = p;

	free(w->type);
	idp_config_clear(&w->cfg);
	json_decref(w->mapping);
	free(w->metadata);
	free(w->url);
	free(w->sso);
	free(w->slo);
	free(w);
}

static void
idp_limit(struct api_call *call)
{
	api_fail(call, "LimitExceededException", "A user pool can have at "
	    "most %d identity providers.", DB_IDPS_MAX);
}

static void
idp_written(struct api_call *call, struct pg_reply *reply)
{
	struct idp_write	*w = call->data;
	const char		*c = reply->constraint;

	if (!reply->ok && strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0 &&
	    c != NULL && strcmp(c, "identity_providers_pkey") == 0)
		api_fail(call, "DuplicateProviderException", "%s already "
		    "exists in user pool %s", api_str(call->in,
		    "ProviderName"), api_str(call->in, "UserPoolId"));
	else if (!reply->ok && strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
		api_fail(call, "InvalidParameterException", "An IdpIdentifier "
		    "is given twice or names another provider of user pool "
		    "%s.", api_str(call->in, "UserPoolId"));
	else if (!reply->ok && strcmp(reply->sqlstate,
	    PG_STATE_FOREIGN_KEY) == 0)
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
	else if (!reply->ok)
		api_fail_db(call, reply);
	else
		idp_answer_row(call, reply->res[reply->nres - 1],
		    w->update ? idp_fail_missing : idp_limit);
}

/* JSON text of v, or NULL for NULL. */
static char *
idp_text(json_t *v)
{
	return v != NULL ? ops_json_text(v) : NULL;
}

static void
idp_write(struct api_call *call)
{
	struct idp_write	*w = call->data;
	struct db_idp_new	 n;
	struct pg_batch		*batch = pg_batch_new();
	char			*details, *mapping, *ids, *secrets, *sealed;

	details = idp_text(w->cfg.details);
	mapping = idp_text(w->mapping);
	ids = idp_text(json_object_get(call->in, "IdpIdentifiers"));
	sealed = NULL;
	if (json_object_size(w->cfg.secrets) > 0) {
		secrets = ops_json_text(w->cfg.secrets);
		sealed = keys_seal(secrets, strlen(secrets));
		wipe_free(secrets);
	}
	memset(&n, 0, sizeof n);
	n.pool_id = api_str(call->in, "UserPoolId");
	n.name = api_str(call->in, "ProviderName");
	n.type = w->type;
	n.details = details;
	n.sealed = sealed;
	n.mapping = mapping;
	n.identifiers = ids;
	n.metadata = w->metadata;
	if (w->update)
		db_idps_update(batch, &n);
	else
		db_idps_insert(batch, &n);
	free(details);
	free(mapping);
	free(ids);
	free(sealed);
	api_query(call, batch, idp_written);
}

static void
idp_fetch_failed(struct api_call *call, const char *what, const char *why)
{
	struct idp_write	*w = call->data;

	api_fail(call, "InvalidParameterException", "Unable to fetch the %s "
	    "at %s: %s", what, w->url, why);
}

static void
idp_discovered(struct task *t, json_t *doc, const char *why, void *arg)
{
	struct api_call		*call = arg;
	struct idp_write	*w;
	char			*bad = NULL;

	if (t == NULL)
		return;
	w = call->data;
	if (doc == NULL)
		idp_fetch_failed(call, "OIDC discovery document", why);
	else if (idp_config_discovered(w->cfg.details, doc, &bad) != 0)
		api_fail(call, "InvalidParameterException", "%s", bad);
	else
		idp_write(call);
	free(bad);
}

/*
 * Parse the metadata on a crypto thread (libxml2 on up to a MiB is
 * not for the loop): it must describe one SAML 2.0 IdP with a signing
 * certificate. Its single sign-on and logout endpoints (redirect
 * binding) are shown in the details, as Cognito does.
 */
static void
idp_metadata_parse(struct api_call *call)
{
	struct idp_write	*w = call->data;
	struct saml_meta	 m;

	if (saml_meta_parse(w->metadata, strlen(w->metadata), &m, w->meta_err,
	    sizeof w->meta_err) != 0)
		return;
	w->meta_ok = 1;
	w->sso = m.sso_redirect != NULL ? xstrdup(m.sso_redirect) : NULL;
	w->slo = m.slo_redirect != NULL ? xstrdup(m.slo_redirect) : NULL;
	saml_meta_free(&m);
}

static void
idp_metadata_parsed(struct api_call *call)
{
	struct idp_write	*w = call->data;

	if (!w->meta_ok) {
		api_fail(call, "InvalidParameterException", "Invalid SAML "
		    "metadata: %s", w->meta_err);
		return;
	}
	if (w->sso != NULL)
		json_object_set_new(w->cfg.details, "SSORedirectBindingURI",
		    json_string(w->sso));
	if (w->slo != NULL)
		json_object_set_new(w->cfg.details, "SLORedirectBindingURI",
		    json_string(w->slo));
	idp_write(call);
}

static void
idp_metadata_check(struct api_call *call)
{
	api_work(call, idp_metadata_parse, idp_metadata_parsed);
}

static void
idp_metadata_fetched(struct task *t, struct fetch *f, void *arg)
{
	struct api_call		*call = arg;
	struct idp_write	*w;
	char			*why;

	if (t == NULL)
		return;
	w = call->data;
	if (f->error != NULL || f->status != 200) {
		why = f->error != NULL ? xstrdup(f->error) :
		    xasprintf("HTTP status %ld", f->status);
		idp_fetch_failed(call, "SAML metadata", why);
		free(why);
		return;
	}
	w->metadata = xstrndup(f->body != NULL ? f->body : "", f->len);
	idp_metadata_check(call);
}

/* Fetch what the details need (discovery, metadata), then write. */
static void
idp_prepare(struct api_call *call)
{
	struct idp_write	*w = call->data;
	const char		*url, *file;

	if (w->cfg.details == NULL) {
		idp_write(call);
		return;
	}
	if ((w->url = idp_config_discovery_url(w->type,
	    w->cfg.details)) != NULL) {
		discovery_get(&call->task, w->url, DISCOVERY_FRESH,
		    idp_discovered, call);
		return;
	}
	if ((url = idp_config_metadata_url(w->type, w->cfg.details)) != NULL) {
		w->url = xstrdup(url);
		fetch_start(&call->task, fetch_new(url), idp_metadata_fetched,
		    call);
		return;
	}
	file = json_string_value(json_object_get(w->cfg.details,
	    "MetadataFile"));
	if (file != NULL) {
		w->metadata = xstrdup(file);
		idp_metadata_check(call);
		return;
	}
	idp_write(call);
}

/* Build the details from the input; -1 after answering. */
static int
idp_build(struct api_call *call, json_t *kept)
{
	struct idp_write	*w = call->data;
	char			*why;

	if (idp_config_build(w->type, api_str(call->in, "ProviderName"),
	    json_object_get(call->in, "ProviderDetails"), kept, &w->cfg,
	    &why) == 0)
		return 0;
	api_fail(call, "InvalidParameterException", "%s", why);
	free(why);
	return -1;
}

/* --- CreateIdentityProvider --- */

static void
idp_create(struct api_call *call)
{
	struct idp_write	*w = xcalloc(1, sizeof *w);

	api_set_data(call, w, idp_write_free);
	w->type = xstrdup(api_str(call->in, "ProviderType"));
	if (idp_build(call, NULL) != 0)
		return;
	w->mapping = idp_config_mapping(w->type, json_object_get(call->in,
	    "AttributeMapping"));
	idp_prepare(call);
}

/* --- UpdateIdentityProvider --- */

/* The stored provider read: its type and secrets complete the input. */
static void
idp_update_read(struct api_call *call, struct pg_reply *reply)
{
	struct idp_write	*w = call->data;
	struct db_idp		 p;
	json_t			*kept, *m;
	const PGresult		*r;

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	if (db_idps_from_row(r, 0, 1, &p) != 0) {
		idp_fail_missing(call);
		return;
	}
	w->type = xstrdup(p.type);
	if ((m = json_object_get(call->in, "AttributeMapping")) != NULL)
		w->mapping = idp_config_mapping(w->type, m);
	kept = idp_config_open_secrets(p.sealed);
	db_idps_clear(&p);
	if (json_object_get(call->in, "ProviderDetails") != NULL &&
	    idp_build(call, kept) != 0) {
		json_decref(kept);
		return;
	}
	json_decref(kept);
	idp_prepare(call);
}

static void
idp_update(struct api_call *call)
{
	struct idp_write	*w = xcalloc(1, sizeof *w);
	struct pg_batch		*batch = pg_batch_new();

	w->update = 1;
	api_set_data(call, w, idp_write_free);
	db_idps_get(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "ProviderName"));
	api_query(call, batch, idp_update_read);
}

/* --- DescribeIdentityProvider, GetIdentityProviderByIdentifier --- */

static void
idp_describe_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else
		idp_answer_row(call, reply->res[0], idp_fail_missing);
}

static void
idp_describe(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_idps_get(batch, api_str(call->in, "UserPoolId"), api_str(call->in,
	    "ProviderName"));
	api_query(call, batch, idp_describe_done);
}

static void
idp_fail_no_identifier(struct api_call *call)
{
	api_fail(call, "ResourceNotFoundException", "No identity provider "
	    "has the identifier %s.", api_str(call->in, "IdpIdentifier"));
}

static void
idp_by_id_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else
		idp_answer_row(call, reply->res[0], idp_fail_no_identifier);
}

static void
idp_by_id(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_idps_by_identifier(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "IdpIdentifier"));
	api_query(call, batch, idp_by_id_done);
}

/* --- DeleteIdentityProvider --- */

static void
idp_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (ops_pool_changed(call, reply, idp_fail_missing))
		api_ok(call, NULL);
}

static void
idp_delete(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_idps_delete(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "ProviderName"));
	api_query(call, batch, idp_delete_done);
}

/* --- ListIdentityProviders --- */

/* The page size: MaxResults, where 0 or absent means the largest. */
static int
idp_limit_of(struct api_call *call)
{
	long long	n = api_int(call->in, "MaxResults", 0);

	return n > 0 && n <= IDP_PAGE_MAX ? (int)n : IDP_PAGE_MAX;
}

static void
idp_list_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*items, *out;
	int		 i, n, max = idp_limit_of(call);

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	n = pg_rows(r);
	items = json_array();
	for (i = 0; i < n && i < max && pg_val(r, i, 1) != NULL; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:o}",
		    "ProviderName", pg_val(r, i, 1), "ProviderType",
		    pg_val(r, i, 2), "LastModifiedDate", api_time(pg_val(r, i,
		    4)), "CreationDate", api_time(pg_val(r, i, 3))));
	out = json_pack("{s:o}", "Providers", items);
	if (n > max && pg_val(r, max - 1, 1) != NULL)
		ops_page_next(out, "NextToken", pg_val(r, max - 1, 1), NULL);
	api_ok(call, out);
}

/* Pages in name order; one row more tells a page follows. */
static void
idp_list(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*after, limit[16];

	if (ops_page_after(call, &after, NULL) != 0)
		return;
	snprintf(limit, sizeof limit, "%d", idp_limit_of(call) + 1);
	batch = pg_batch_new();
	db_idps_list(batch, api_str(call->in, "UserPoolId"), after, limit);
	free(after);
	api_query(call, batch, idp_list_done);
}

/* --- GetSigningCertificate ------------------------------------------ */

static void
idp_cert_end(struct task *t, const struct core_err *err)
{
	struct api_call	*call = t->owner;
	char		**cert = call->data;

	if (err != NULL)
		api_fail_err(call, err);
	else
		api_ok(call, json_pack("{s:s}", "Certificate", *cert));
}

static void
idp_cert_freed(void *p)
{
	char	**cert = p;

	free(*cert);
	free(cert);
}

/* The pool's SAML SP certificate, made at the first need. */
static void
idp_signing_cert(struct api_call *call)
{
	char	**cert = xcalloc(1, sizeof *cert);

	api_set_data(call, cert, idp_cert_freed);
	call->task.end = idp_cert_end;
	saml_idp_certificate(&call->task, api_str(call->in, "UserPoolId"),
	    cert);
}

const struct api_op idp_ops[] = {
	{ "CreateIdentityProvider", idp_create, API_SIGNED, &s_create },
	{ "DescribeIdentityProvider", idp_describe, API_SIGNED, &s_ref },
	{ "UpdateIdentityProvider", idp_update, API_SIGNED, &s_update },
	{ "DeleteIdentityProvider", idp_delete, API_SIGNED, &s_ref },
	{ "ListIdentityProviders", idp_list, API_SIGNED, &s_list },
	{ "GetIdentityProviderByIdentifier", idp_by_id, API_SIGNED,
	    &s_by_id },
	{ "GetSigningCertificate", idp_signing_cert, API_SIGNED, &s_pool },
	{ NULL, NULL, 0, NULL }
};
