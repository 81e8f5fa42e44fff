/*
 * saml.c: SQL of a pool's SAML service provider (see saml.h). A key is
 * inserted with ON CONFLICT DO NOTHING and read back in the same batch,
 * so of two workers making a pool's first key, both end with the one
 * that was written first. An assertion ID is used by an insert that
 * returns its row only when it was not there: a replay finds none.
 */
#include "config.h"

#include <stdio.h>

#include "db/idps.h"
#include "db/pg.h"
#include "db/saml.h"
#include "util.h"

#define DB_SAML_KEY_SELECT						\
	"SELECT p.id, k.private_sealed, k.certificate FROM pools p "	\
	"LEFT JOIN saml_keys k ON k.pool_id = p.id WHERE p.id = $1"

void
db_saml_key_get(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, DB_SAML_KEY_SELECT, 1, pool_id);
}

void
db_saml_key_of_domain(struct pg_batch *b, const char *domain)
{
	pg_batch_add(b, "SELECT p.id, k.private_sealed, k.certificate FROM "
	    "domains d JOIN pools p ON p.id = d.pool_id LEFT JOIN saml_keys k "
	    "ON k.pool_id = p.id WHERE d.domain = $1", 1, domain);
}

void
db_saml_key_insert(struct pg_batch *b, const char *pool_id,
    const char *sealed, const char *certificate)
{
	pg_batch_add(b, "INSERT INTO saml_keys (pool_id, private_sealed, "
	    "certificate) VALUES ($1, $2, $3) ON CONFLICT (pool_id) DO "
	    "NOTHING", 3, pool_id, sealed, certificate);
	pg_batch_add(b, DB_SAML_KEY_SELECT, 1, pool_id);
}

void
db_saml_assertion_use(struct pg_batch *b, const char *pool_id,
    const char *issuer, const char *id, long long expires)
{
	char	exp[32];

	snprintf(exp, sizeof exp, "%lld", expires);
	pg_batch_add(b, "INSERT INTO saml_assertions (pool_id, issuer, "
	    "assertion_id, expires_at) VALUES ($1, $2, $3, $4::bigint) "
	    "ON CONFLICT DO NOTHING RETURNING 1", 4, pool_id, issuer, id, exp);
}

void
db_saml_metadata_age(struct pg_batch *b, const char *pool_id,
    const char *name)
{
	pg_batch_add(b, "SELECT (extract(epoch FROM clock_timestamp()) - "
	    "greatest(coalesce(metadata_fetched_at, 0), modified_at))::bigint "
	    "FROM identity_providers WHERE pool_id = $1 AND provider_name = "
	    "$2", 2, pool_id, name);
}

void
db_saml_others(struct pg_batch *b, const char *pool_id, const char *names)
{
	pg_batch_add(b, "SELECT count(*) FROM jsonb_array_elements_text("
	    "$2::jsonb) AS t(s) LEFT JOIN identity_providers ip ON "
	    "ip.pool_id = $1 AND ip.provider_name = t.s WHERE "
	    "ip.provider_type IS DISTINCT FROM 'SAML'", 2, pool_id, names);
}

void
db_saml_metadata_set(struct pg_batch *b, const char *pool_id,
    const char *name, const char *metadata, const char *sso,
    const char *slo)
{
	pg_batch_add(b, "UPDATE identity_providers SET metadata = $3, "
	    "metadata_fetched_at = extract(epoch FROM clock_timestamp()), "
	    "provider_details = (provider_details - 'SSORedirectBindingURI' "
	    "- 'SLORedirectBindingURI') || jsonb_strip_nulls("
	    "jsonb_build_object('SSORedirectBindingURI', $4::text, "
	    "'SLORedirectBindingURI', $5::text)) WHERE pool_id = $1 AND "
	    "provider_name = $2", 5, pool_id, name, metadata, sso, slo);
}

void
db_saml_session_insert(struct pg_batch *b, const char *digest,
    const char *pool_id, const struct db_saml_session *s)
{
	pg_batch_add(b, "INSERT INTO saml_sessions (session_hash, pool_id, "
	    "provider_name, name_id, name_id_format, session_index) VALUES "
	    "($1::bytea, $2, $3, $4, $5, $6)", 6, digest, pool_id,
	    s->provider_name, s->name_id, s->name_id_format,
	    s->session_index);
}

void
db_saml_session_find(struct pg_batch *b, const char *digest,
    const char *pool_id)
{
	pg_batch_add(b, "SELECT s.provider_name, s.name_id, s.name_id_format, "
	    "s.session_index, " DB_IDPS_COLUMNS " FROM saml_sessions s JOIN "
	    "identity_providers ip ON ip.pool_id = s.pool_id AND "
	    "ip.provider_name = s.provider_name WHERE s.session_hash = "
	    "$1::bytea AND s.pool_id = $2", 2, digest, pool_id);
}
