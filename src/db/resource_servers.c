/*
 * resource_servers.c: the resource_servers table (see
 * resource_servers.h). The per-pool limit is checked inside the insert.
 */
#include "config.h"

#include "db/pg.h"
#include "db/resource_servers.h"

#define RS_STR(x)		RS_STR2(x)
#define RS_STR2(x)		#x

void
db_resource_servers_create(struct pg_batch *b, const char *pool_id,
    const char *identifier, const char *name, const char *scopes)
{
	pg_batch_add(b, "WITH chk AS (SELECT p.id AS pool_id, "
	    "  (SELECT count(*) FROM resource_servers r "
	    "    WHERE r.pool_id = p.id) AS n, "
	    "  EXISTS (SELECT 1 FROM resource_servers r "
	    "    WHERE r.pool_id = p.id AND r.identifier = $2::text) AS dup "
	    "  FROM pools p WHERE p.id = $1::text), "
	    "ins AS (INSERT INTO resource_servers (pool_id, identifier, name, "
	    "    scopes) "
	    "  SELECT pool_id, $2::text, $3::text, $4::jsonb FROM chk "
	    "  WHERE NOT dup AND n < "
	    RS_STR(DB_RESOURCE_SERVERS_MAX_PER_POOL) " RETURNING 1) "
	    "SELECT chk.n, chk.dup, (SELECT count(*) FROM ins) FROM chk", 4,
	    pool_id, identifier, name, scopes);
}

void
db_resource_servers_get(struct pg_batch *b, const char *pool_id,
    const char *identifier)
{
	pg_batch_add(b, "SELECT p.id, r.name, r.scopes FROM pools p "
	    "LEFT JOIN resource_servers r ON r.pool_id = p.id "
	    "AND r.identifier = $2::text WHERE p.id = $1::text", 2,
	    pool_id, identifier);
}

/* Full replacement of the name and scopes, as on Cognito. */
void
db_resource_servers_update(struct pg_batch *b, const char *pool_id,
    const char *identifier, const char *name, const char *scopes)
{
	pg_batch_add(b, "WITH u AS (UPDATE resource_servers "
	    "  SET name = $3::text, scopes = $4::jsonb "
	    "  WHERE pool_id = $1::text AND identifier = $2::text RETURNING 1) "
	    "SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1::text), "
	    "(SELECT count(*) FROM u)", 4, pool_id, identifier, name, scopes);
}

void
db_resource_servers_delete(struct pg_batch *b, const char *pool_id,
    const char *identifier)
{
	pg_batch_add(b, "WITH d AS (DELETE FROM resource_servers "
	    "  WHERE pool_id = $1::text AND identifier = $2::text RETURNING 1) "
	    "SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1::text), "
	    "(SELECT count(*) FROM d)", 2, pool_id, identifier);
}

void
db_resource_servers_list(struct pg_batch *b, const char *pool_id,
    const char *after, const char *limit)
{
	pg_batch_add(b, "SELECT p.id, r.identifier, r.name, r.scopes "
	    "FROM pools p LEFT JOIN LATERAL (SELECT identifier, name, scopes "
	    "  FROM resource_servers WHERE pool_id = p.id "
	    "  AND ($2::text IS NULL OR identifier > $2::text) "
	    "  ORDER BY identifier LIMIT $3::int) AS r ON true "
	    "WHERE p.id = $1::text ORDER BY r.identifier", 3, pool_id, after,
	    limit);
}
