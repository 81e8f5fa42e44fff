/*
 * devices.c: the devices and srp_spent tables (see devices.h): the
 * lookup and use of a confirmed device at sign-in, the device a token
 * issue adds and the prune of unconfirmed ones, the spending of an SRP
 * answer.
 */
#include "config.h"

#include "db/devices.h"
#include "db/pg.h"

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
