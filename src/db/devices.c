/*
 * devices.c: the devices and srp_spent tables (see devices.h): the
 * lookup and use of a confirmed device at sign-in, the device a token
 * issue adds and the prune of unconfirmed ones, the spending of an SRP
 * answer; the device operations' confirmation, reads, keyset pages,
 * deletion and status.
 */
#include "config.h"

#include "db/devices.h"
#include "db/pg.h"

#define DEV_NOW			"extract(epoch FROM clock_timestamp())"

/* The columns DB_DEVICES_COL_* number, over "devices d". */
#define DEV_COLUMNS							\
	"d.device_key, d.name, d.last_ip, d.remembered, d.created_at, "	\
	"d.modified_at, d.last_auth_at"

void
db_devices_find(struct pg_batch *b, const char *pool_id,
    const char *device_key, const char *sub)
{
	pg_batch_add(b, "SELECT remembered FROM devices WHERE pool_id = $1 "
	    "AND device_key = $2 AND sub = $3::uuid AND confirmed", 3,
	    pool_id, device_key, sub);
}

void
db_devices_touch(struct pg_batch *b, const char *pool_id,
    const char *device_key)
{
	pg_batch_add(b, "UPDATE devices SET last_auth_at = extract(epoch FROM "
	    "clock_timestamp()) WHERE pool_id = $1 AND device_key = $2", 2,
	    pool_id, device_key);
}

void
db_devices_insert(struct pg_batch *b, const char *pool_id,
    const char *device_key, const char *sub, const char *group_key)
{
	pg_batch_add(b, "INSERT INTO devices (pool_id, device_key, sub, "
	    "group_key) VALUES ($1, $2, $3::uuid, $4)", 4, pool_id,
	    device_key, sub, group_key);
}

void
db_devices_prune(struct pg_batch *b, const char *pool_id, const char *sub)
{
	pg_batch_add(b, "DELETE FROM devices WHERE pool_id = $1 AND sub = "
	    "$2::uuid AND NOT confirmed AND created_at < extract(epoch FROM "
	    "clock_timestamp()) - 86400", 2, pool_id, sub);
}

void
db_devices_spend_srp(struct pg_batch *b, const char *digest,
    const char *ttl, const char *device_key, const char *pool_id,
    const char *sub)
{
	pg_batch_add(b, "WITH dev AS (SELECT $3::text IS NULL OR EXISTS "
	    "(SELECT 1 FROM devices WHERE pool_id = $4 AND device_key = $3 "
	    "AND sub = $5::uuid AND confirmed) AS ok), ins AS (INSERT INTO "
	    "srp_spent (digest, expires_at) SELECT $1::bytea, extract(epoch "
	    "FROM clock_timestamp()) + $2::bigint FROM dev WHERE dev.ok ON "
	    "CONFLICT DO NOTHING RETURNING 1) SELECT dev.ok, EXISTS (SELECT 1 "
	    "FROM ins) FROM dev", 5, digest, ttl, device_key, pool_id, sub);
}

/*
 * The statement's snapshot tells a device that is not there (or not
 * the user's) from one that is confirmed already; of two concurrent
 * confirmations the second waits for the first's row lock and then
 * finds the device confirmed.
 */
void
db_devices_confirm(struct pg_batch *b, const struct db_devices_confirm *c)
{
	pg_batch_add(b, "WITH upd AS (UPDATE devices SET verifier = $4, "
	    "  salt = $5, name = COALESCE($6, name), "
	    "  remembered = $7::boolean, confirmed = true, "
	    "  last_ip = COALESCE(last_ip, $8), modified_at = " DEV_NOW " "
	    "  WHERE pool_id = $1 AND sub = $2::uuid AND device_key = $3 "
	    "  AND NOT confirmed RETURNING 1) "
	    "SELECT EXISTS (SELECT 1 FROM devices WHERE pool_id = $1 AND "
	    "sub = $2::uuid AND device_key = $3), (SELECT count(*) FROM upd)",
	    8, c->pool_id, c->sub, c->key, c->verifier, c->salt, c->name,
	    c->remembered, c->ip);
}

void
db_devices_get(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *key)
{
	pg_batch_add(b, "SELECT " DEV_COLUMNS " FROM devices d "
	    "WHERE d.pool_id = $1 AND d.sub = $2::uuid AND d.device_key = $3 "
	    "AND d.confirmed", 3, pool_id, sub, key);
}

void
db_devices_list(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *at, const char *key, const char *limit)
{
	pg_batch_add(b, "SELECT " DEV_COLUMNS " FROM devices d "
	    "WHERE d.pool_id = $1 AND d.sub = $2::uuid AND d.confirmed "
	    "AND ($3::float8 IS NULL OR "
	    "  (d.created_at, d.device_key) > ($3::float8, $4::text)) "
	    "ORDER BY d.created_at, d.device_key LIMIT $5::int", 5,
	    pool_id, sub, at, key, limit);
}

void
db_devices_delete(struct pg_batch *b, const char *pool_id, const char *sub,
    const char *key)
{
	pg_batch_add(b, "DELETE FROM devices WHERE pool_id = $1 AND "
	    "sub = $2::uuid AND device_key = $3 RETURNING 1", 3, pool_id,
	    sub, key);
}

void
db_devices_set_status(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *key, const char *status)
{
	pg_batch_add(b, "UPDATE devices SET remembered = "
	    "COALESCE($4::text = 'remembered', remembered), "
	    "modified_at = " DEV_NOW " WHERE pool_id = $1 AND "
	    "sub = $2::uuid AND device_key = $3 AND confirmed RETURNING 1", 4,
	    pool_id, sub, key, status);
}
