/*
 * auth_sessions.c: the auth_sessions table (see auth_sessions.h): the
 * single-use Sessions of sign-in challenges, their lookup with the user
 * (and the device, for device SRP), their consumption and the count of
 * wrong codes answered to them.
 */
#include "config.h"

#include <stdlib.h>

#include "db/auth_sessions.h"
#include "db/mfa.h"
#include "db/pg.h"
#include "db/users.h"
#include "util.h"

#define AS_NOW	"extract(epoch FROM clock_timestamp())"

void
db_auth_sessions_insert(struct pg_batch *b,
    const struct db_auth_session_new *s)
{
	char	*ttl = xasprintf("%lld", s->ttl);

	pg_batch_add(b, "INSERT INTO auth_sessions (session_hash, pool_id, "
	    "client_id, sub, challenge, data, expires_at) VALUES ($1::bytea, "
	    "$2, $3, $4::uuid, $5, $6::jsonb, " AS_NOW " + $7::bigint)", 7,
	    s->digest, s->pool_id, s->client_id, s->sub, s->challenge,
	    s->data, ttl);
	free(ttl);
}

void
db_auth_sessions_find(struct pg_batch *b, const char *digest,
    const char *client_id)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS ", s.challenge, s.data, "
	    "u.totp_secret_sealed, u.totp_last_step FROM auth_sessions s JOIN "
	    "users u ON u.pool_id = s.pool_id AND u.sub = s.sub WHERE "
	    "s.session_hash = $1::bytea AND s.client_id = $2 AND s.expires_at "
	    "> " AS_NOW, 2, digest, client_id);
}

void
db_auth_sessions_find_device(struct pg_batch *b, const char *digest,
    const char *client_id, const char *device_key)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS ", s.challenge, s.data, "
	    "d.group_key, d.salt, d.verifier, d.remembered FROM auth_sessions "
	    "s JOIN users u ON u.pool_id = s.pool_id AND u.sub = s.sub JOIN "
	    "devices d ON d.pool_id = s.pool_id AND d.sub = s.sub AND "
	    "d.device_key = s.data->>'d' AND d.confirmed WHERE "
	    "s.session_hash = $1::bytea AND s.client_id = $2 AND s.expires_at "
	    "> " AS_NOW " AND d.device_key = $3", 3, digest, client_id,
	    device_key);
}

void
db_auth_sessions_delete(struct pg_batch *b, const char *digest)
{
	pg_batch_add(b, "DELETE FROM auth_sessions WHERE session_hash = "
	    "$1::bytea", 1, digest);
}

void
db_auth_sessions_consume(struct pg_batch *b, const char *digest)
{
	pg_batch_add(b, "DELETE FROM auth_sessions WHERE session_hash = "
	    "$1::bytea RETURNING 1", 1, digest);
}

void
db_auth_sessions_consume_totp(struct pg_batch *b, const char *pool_id,
    const char *sub, const char *step, const char *sealed,
    const char *digest)
{
	pg_batch_add(b, "WITH t AS (" DB_MFA_TOTP_USE_SQL ") DELETE FROM "
	    "auth_sessions WHERE session_hash = $5::bytea AND EXISTS (SELECT "
	    "1 FROM t) RETURNING 1", 5, pool_id, sub, step, sealed, digest);
}

void
db_auth_sessions_count_wrong(struct pg_batch *b, const char *digest,
    int max)
{
	char	*n = xasprintf("%d", max);

	pg_batch_add(b, "UPDATE auth_sessions SET data = jsonb_set(data, "
	    "'{attempts}', to_jsonb(coalesce((data->>'attempts')::int, 0) + "
	    "1)) WHERE session_hash = $1::bytea", 1, digest);
	pg_batch_add(b, "DELETE FROM auth_sessions WHERE session_hash = "
	    "$1::bytea AND (data->>'attempts')::int >= $2::int", 2, digest, n);
	free(n);
}
