/*
 * pools.c: SQL writing a pool, its keys, a client, a domain (see
 * pools.h).
 */
#include "config.h"

#include "db/pg.h"
#include "db/pools.h"
#include "util.h"

#define DB_POOLS_STR(x)		DB_POOLS_STR2(x)
#define DB_POOLS_STR2(x)	#x

/*
 * The foreign key of pool_keys is checked at the end of the statement,
 * when the pool row exists.
 */
void
db_pools_insert(struct pg_batch *b, const struct db_pool_new *n)
{
	pg_batch_add(b, "WITH p AS (INSERT INTO pools (id, name, config, "
	    "tags, mfa_config) VALUES ($1, $2, $3::jsonb, $4::jsonb, "
	    "$5::jsonb) RETURNING *), k AS (INSERT INTO pool_keys (pool_id, "
	    "kid, purpose, private_sealed, public_pem, jwk) VALUES "
	    "($1, $6, 'id', $7, $8, $9::jsonb), "
	    "($1, $10, 'access', $11, $12, $13::jsonb) RETURNING kid) "
	    "SELECT " DB_POOLS_COLUMNS " FROM p", 13, n->id, n->name,
	    n->config, n->tags, n->mfa,
	    n->keys[0].kid, n->keys[0].sealed, n->keys[0].public_pem,
	    n->keys[0].jwk,
	    n->keys[1].kid, n->keys[1].sealed, n->keys[1].public_pem,
	    n->keys[1].jwk);
}

void
db_pools_insert_client(struct pg_batch *b, const struct db_client_new *n)
{
	pg_batch_add(b, "WITH chk AS (SELECT p.id AS pool_id, "
	    "  (SELECT count(*) FROM clients c WHERE c.pool_id = p.id) AS n, "
	    DB_POOLS_CLIENT_CHECKS
	    "  FROM pools p WHERE p.id = $1::text), "
	    "ins AS (INSERT INTO clients (pool_id, id, name, secret_sealed, "
	    "    config) "
	    "  SELECT pool_id, $2::text, $3::text, $8::text, $4::jsonb "
	    "  FROM chk WHERE n < " DB_POOLS_STR(DB_POOLS_MAX_CLIENTS) " "
	    "  AND bad_scope IS NULL AND bad_attr IS NULL AND bad_idp IS NULL "
	    "  RETURNING created_at, modified_at) "
	    "SELECT chk.n, chk.bad_scope, chk.bad_attr, ins.created_at, "
	    "  ins.modified_at, chk.bad_idp FROM chk LEFT JOIN ins ON true", 8,
	    n->pool_id, n->id, n->name, n->config, n->custom_scopes,
	    n->read_attrs, n->write_attrs, n->sealed);
}

void
db_pools_insert_domain(struct pg_batch *b, const char *pool_id,
    const char *domain, const char *kind, const char *config)
{
	pg_batch_add(b, "WITH chk AS (SELECT p.id AS pool_id, "
	    "  (SELECT d.pool_id FROM domains d WHERE d.domain = $1::text) "
	    "    AS owner, "
	    "  EXISTS (SELECT 1 FROM domains d WHERE d.pool_id = p.id "
	    "    AND d.kind = $3::text) AS has_kind "
	    "  FROM pools p WHERE p.id = $2::text), "
	    "ins AS (INSERT INTO domains (domain, pool_id, kind, config) "
	    "  SELECT $1::text, pool_id, $3::text, $4::jsonb FROM chk "
	    "  WHERE owner IS NULL AND NOT has_kind RETURNING 1) "
	    "SELECT chk.owner, chk.has_kind, (SELECT count(*) FROM ins) "
	    "FROM chk", 4, domain, pool_id, kind, config);
}

void
db_pools_guard_made(struct pg_batch *b, const char *pool_id,
    const char *client_id, const char *domain)
{
	pg_batch_add(b, "SELECT 1 / (SELECT count(*) FROM clients WHERE "
	    "pool_id = $1 AND id = $2)::int / (SELECT count(*) FROM domains "
	    "WHERE pool_id = $1 AND domain = $3)::int", 3, pool_id, client_id,
	    domain);
}

void
db_pools_signing_keys(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b,
	    "SELECT purpose, kid, private_sealed FROM pool_keys WHERE "
	    "pool_id = $1 AND retired_at IS NULL ORDER BY created_at DESC",
	    1, pool_id);
}

void
db_pools_access_key(struct pg_batch *b, const char *pool_id,
    const char *kid, const char *client_id, const char *pool_ver,
    const char *client_ver)
{
	pg_batch_add(b,
	    "SELECT k.public_pem, p.xmin::text, CASE WHEN p.xmin::text = $4 "
	    "THEN NULL ELSE p.config::text END, c.xmin::text, CASE WHEN "
	    "c.xmin::text = $5 THEN NULL ELSE c.config::text END FROM "
	    "pool_keys k JOIN pools p ON p.id = k.pool_id LEFT JOIN clients c "
	    "ON c.pool_id = k.pool_id AND c.id = $3 WHERE k.pool_id = $1 AND "
	    "k.kid = $2 AND k.purpose = 'access'", 5, pool_id, kid, client_id,
	    pool_ver, client_ver);
}
