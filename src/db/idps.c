/*
 * idps.c: SQL of the identity providers of a pool (see idps.h).
 *
 * A write is a few statements of one batch, hence one transaction: the
 * provider row, then its identifiers (replaced whole when given), then
 * the row as Describe shows it. The schema's keys decide what is taken
 * (a name, an identifier), so two writers racing cannot both win.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/idps.h"
#include "db/pg.h"
#include "util.h"

#define DB_IDPS_STR(x)		DB_IDPS_STR2(x)
#define DB_IDPS_STR2(x)		#x

/* The provider (pool $1, name $2) with its pool, or the pool alone. */
#define DB_IDPS_ONE_SQL							\
	"SELECT p.id, " DB_IDPS_COLUMNS " FROM pools p "		\
	"LEFT JOIN identity_providers ip ON ip.pool_id = p.id "		\
	"AND ip.provider_name = $2 WHERE p.id = $1"

/* Identifiers $3 (a JSON array) of the provider (pool $1, name $2). */
static void
db_idps_add_identifiers(struct pg_batch *b, const struct db_idp_new *n)
{
	pg_batch_add(b, "INSERT INTO idp_identifiers (pool_id, identifier, "
	    "provider_name, position) SELECT ip.pool_id, x.v, "
	    "ip.provider_name, x.o FROM identity_providers ip, "
	    "jsonb_array_elements_text($3::jsonb) WITH ORDINALITY AS x(v, o) "
	    "WHERE ip.pool_id = $1 AND ip.provider_name = $2", 3,
	    n->pool_id, n->name, n->identifiers);
}

/* Nothing is inserted when the pool has DB_IDPS_MAX providers. */
void
db_idps_insert(struct pg_batch *b, const struct db_idp_new *n)
{
	pg_batch_add(b, "INSERT INTO identity_providers (pool_id, "
	    "provider_name, provider_type, provider_details, secrets_sealed, "
	    "attribute_mapping, metadata) SELECT $1, $2, $3, $4::jsonb, $5, "
	    "$6::jsonb, $7 WHERE (SELECT count(*) FROM identity_providers "
	    "WHERE pool_id = $1) < " DB_IDPS_STR(DB_IDPS_MAX), 7, n->pool_id,
	    n->name, n->type, n->details, n->sealed, n->mapping, n->metadata);
	if (n->identifiers != NULL)
		db_idps_add_identifiers(b, n);
	db_idps_get(b, n->pool_id, n->name);
}

void
db_idps_update(struct pg_batch *b, const struct db_idp_new *n)
{
	pg_batch_add(b, "UPDATE identity_providers SET "
	    "provider_details = coalesce($3::jsonb, provider_details), "
	    "secrets_sealed = coalesce($4, secrets_sealed), "
	    "attribute_mapping = coalesce($5::jsonb, attribute_mapping), "
	    "metadata = CASE WHEN $3 IS NULL THEN metadata ELSE $6 END, "
	    "modified_at = extract(epoch FROM clock_timestamp()) "
	    "WHERE pool_id = $1 AND provider_name = $2", 6, n->pool_id,
	    n->name, n->details, n->sealed, n->mapping, n->metadata);
	if (n->identifiers != NULL) {
		pg_batch_add(b, "DELETE FROM idp_identifiers WHERE "
		    "pool_id = $1 AND provider_name = $2", 2, n->pool_id,
		    n->name);
		db_idps_add_identifiers(b, n);
	}
	db_idps_get(b, n->pool_id, n->name);
}

void
db_idps_get(struct pg_batch *b, const char *pool_id, const char *name)
{
	pg_batch_add(b, DB_IDPS_ONE_SQL, 2, pool_id, name);
}

void
db_idps_by_identifier(struct pg_batch *b, const char *pool_id,
    const char *identifier)
{
	pg_batch_add(b, "SELECT p.id, " DB_IDPS_COLUMNS " FROM pools p "
	    "LEFT JOIN idp_identifiers x ON x.pool_id = p.id "
	    "AND x.identifier = $2 LEFT JOIN identity_providers ip "
	    "ON ip.pool_id = x.pool_id AND ip.provider_name = x.provider_name "
	    "WHERE p.id = $1", 2, pool_id, identifier);
}

void
db_idps_list(struct pg_batch *b, const char *pool_id, const char *after,
    const char *limit)
{
	pg_batch_add(b, "SELECT p.id, ip.provider_name, ip.provider_type, "
	    "ip.created_at, ip.modified_at FROM pools p LEFT JOIN LATERAL "
	    "(SELECT * FROM identity_providers WHERE pool_id = p.id "
	    "  AND ($2::text IS NULL OR provider_name > $2::text) "
	    "  ORDER BY provider_name LIMIT $3::int) AS ip ON true "
	    "WHERE p.id = $1 ORDER BY ip.provider_name", 3, pool_id, after,
	    limit);
}

/*
 * The provider's users stay (Cognito keeps them) but can no longer sign
 * in through it: their hosted-UI sessions and refresh tokens end with
 * it. A user the provider made is EXTERNAL_PROVIDER, named
 * <ProviderName>_<subject>, and its identities (compact JSON written by
 * core/federation.c) name the provider; the text is matched, not cast,
 * so an identities value an admin rewrote cannot fail the delete.
 */
#define DB_IDPS_MADE							\
	"SELECT u.sub FROM users u WHERE EXISTS (SELECT 1 FROM d) AND "	\
	"u.pool_id = $1 AND u.status = 'EXTERNAL_PROVIDER' AND "	\
	"left(u.username, length($2) + 1) = $2 || '_' AND "		\
	"strpos(u.attributes->>'identities', '\"providerName\":' || "	\
	"to_json($2::text)::text) > 0"

void
db_idps_delete(struct pg_batch *b, const char *pool_id, const char *name)
{
	pg_batch_add(b, "WITH d AS (DELETE FROM identity_providers "
	    "  WHERE pool_id = $1 AND provider_name = $2 RETURNING 1), "
	    "m AS (" DB_IDPS_MADE "), "
	    "s AS (DELETE FROM ui_sessions x USING m WHERE x.pool_id = $1 "
	    "  AND x.sub = m.sub), "
	    "r AS (DELETE FROM refresh_tokens x USING m WHERE x.pool_id = $1 "
	    "  AND x.sub = m.sub) "
	    "SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1), "
	    "(SELECT count(*) FROM d)", 2, pool_id, name);
}

static json_t *
db_idps_json(const PGresult *r, int i, int c, json_t *dflt)
{
	const char	*v = pg_val(r, i, c);
	json_t		*j;

	if (v != NULL && (j = json_loads(v, 0, NULL)) != NULL) {
		json_decref(dflt);
		return j;
	}
	return dflt;
}

static char *
db_idps_dup(const PGresult *r, int i, int c)
{
	const char	*v = pg_val(r, i, c);

	return v != NULL ? xstrdup(v) : NULL;
}

int
db_idps_from_row(const PGresult *r, int i, int c, struct db_idp *p)
{
	memset(p, 0, sizeof *p);
	if (pg_val(r, i, c) == NULL)
		return -1;
	p->name = db_idps_dup(r, i, c);
	p->type = db_idps_dup(r, i, c + 1);
	p->details = db_idps_json(r, i, c + 2, json_object());
	p->sealed = db_idps_dup(r, i, c + 3);
	p->mapping = db_idps_json(r, i, c + 4, json_object());
	p->identifiers = db_idps_json(r, i, c + 5, json_array());
	p->created = db_idps_dup(r, i, c + 6);
	p->modified = db_idps_dup(r, i, c + 7);
	p->metadata = db_idps_dup(r, i, c + 8);
	return 0;
}

void
db_idps_clear(struct db_idp *p)
{
	free(p->name);
	free(p->type);
	json_decref(p->details);
	free(p->sealed);
	json_decref(p->mapping);
	json_decref(p->identifiers);
	free(p->created);
	free(p->modified);
	free(p->metadata);
	memset(p, 0, sizeof *p);
}
