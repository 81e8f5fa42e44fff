/*
 * pools.c: SQL writing a pool, its keys, a client, a domain; reading
 * the signing keys and the JWKS; the pool operations' load, save,
 * delete and pages of the pool row, and its tags (see pools.h). Tag
 * and untag change one row with one statement, so concurrent calls
 * merge instead of overwriting each other.
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
	    "tags, mfa_config, trigger_secret_sealed) VALUES ($1, $2, "
	    "$3::jsonb, $4::jsonb, $5::jsonb, $14) RETURNING *), k AS (INSERT INTO pool_keys (pool_id, "
	    "kid, purpose, private_sealed, public_pem, jwk) VALUES "
	    "($1, $6, 'id', $7, $8, $9::jsonb), "
	    "($1, $10, 'access', $11, $12, $13::jsonb) RETURNING kid) "
	    "SELECT " DB_POOLS_COLUMNS " FROM p", 14, n->id, n->name,
	    n->config, n->tags, n->mfa,
	    n->keys[0].kid, n->keys[0].sealed, n->keys[0].public_pem,
	    n->keys[0].jwk,
	    n->keys[1].kid, n->keys[1].sealed, n->keys[1].public_pem,
	    n->keys[1].jwk, n->trigger_secret);
}

void
db_pools_trigger_secret(struct pg_batch *b, const char *id)
{
	pg_batch_add(b, "SELECT trigger_secret_sealed FROM pools WHERE "
	    "id = $1", 1, id);
}

void
db_pools_set_trigger_secret(struct pg_batch *b, const char *id,
    const char *sealed)
{
	pg_batch_add(b, "UPDATE pools SET trigger_secret_sealed = $2 WHERE "
	    "id = $1 RETURNING 1", 2, id, sealed);
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

void
db_pools_by_name(struct pg_batch *b, const char *name)
{
	pg_batch_add(b, "SELECT id FROM pools WHERE name = $1 "
	    "ORDER BY created_at LIMIT 1", 1, name);
}

void
db_pools_get(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, "SELECT " DB_POOLS_COLUMNS " FROM pools p WHERE "
	    "p.id = $1", 1, pool_id);
}

void
db_pools_config(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, "SELECT config FROM pools WHERE id = $1", 1,
	    pool_id);
}

void
db_pools_save(struct pg_batch *b, const struct db_pools_save *s)
{
	pg_batch_add(b, "UPDATE pools SET name = $2, config = $3::jsonb, "
	    "mfa_config = $4::jsonb, tags = coalesce($5::jsonb, tags), "
	    "modified_at = extract(epoch FROM clock_timestamp()) "
	    "WHERE id = $1 AND modified_at = $6::float8 RETURNING id", 6,
	    s->id, s->name, s->config, s->mfa, s->tags, s->version);
}

void
db_pools_delete(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, "WITH p AS (SELECT id, config->>'DeletionProtection' "
	    "AS protection, EXISTS (SELECT 1 FROM domains d WHERE "
	    "d.pool_id = $1) AS has_domain FROM pools WHERE id = $1 "
	    "FOR UPDATE), gone AS (DELETE FROM pools WHERE id IN "
	    "(SELECT id FROM p WHERE protection IS DISTINCT FROM "
	    "'ACTIVE' AND NOT has_domain) RETURNING id) SELECT "
	    "p.protection, p.has_domain, (SELECT count(*) FROM gone) "
	    "AS deleted FROM p", 1, pool_id);
}

void
db_pools_list(struct pg_batch *b, const char *at, const char *id,
    const char *limit)
{
	pg_batch_add(b, "SELECT id, name, config->'LambdaConfig' AS lambda, "
	    "created_at, modified_at FROM pools WHERE $1::float8 IS NULL "
	    "OR (created_at, id) > ($1::float8, $2::text) "
	    "ORDER BY created_at, id LIMIT $3::int", 3, at, id, limit);
}

void
db_pools_tag(struct pg_batch *b, const char *pool_id, const char *tags)
{
	pg_batch_add(b, "WITH u AS (UPDATE pools SET tags = tags || "
	    "$2::jsonb WHERE id = $1::text AND (SELECT count(*) FROM "
	    "jsonb_object_keys(tags || $2::jsonb)) <= "
	    DB_POOLS_STR(DB_POOLS_MAX_TAGS) " RETURNING 1) "
	    "SELECT (SELECT count(*) FROM u) FROM pools WHERE id = $1::text",
	    2, pool_id, tags);
}

void
db_pools_untag(struct pg_batch *b, const char *pool_id, const char *keys)
{
	pg_batch_add(b, "UPDATE pools SET tags = tags - ARRAY(SELECT "
	    "jsonb_array_elements_text($2::jsonb)) WHERE id = $1::text "
	    "RETURNING 1", 2, pool_id, keys);
}

void
db_pools_tags(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, "SELECT tags FROM pools WHERE id = $1::text", 1,
	    pool_id);
}

void
db_pools_jwks(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, "SELECT 1 FROM pools WHERE id = $1", 1, pool_id);
	pg_batch_add(b, "SELECT jwk FROM pool_keys WHERE pool_id = $1 "
	    "ORDER BY purpose DESC, created_at DESC", 1, pool_id);
}
