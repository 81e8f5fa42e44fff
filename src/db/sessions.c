/*
 * sessions.c: SQL of hosted-UI sessions and sign-in attempts (see
 * sessions.h). A session lives an hour (Cognito's) unless its user
 * signs out globally (tokens_valid_after), is disabled or deleted.
 * Attempts are counted per pool, client address and minute in one
 * upsert, so parallel posts cannot both see a count under the limit,
 * and judged over a sliding minute (db_sessions_count_attempt).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/pg.h"
#include "db/sessions.h"
#include "util.h"

#define DB_SESSIONS_TTL	"3600"		/* seconds */

void
db_sessions_insert(struct pg_batch *b, const char *digest,
    const char *pool_id, const char *sub, long long auth_time,
    const char *provider)
{
	char	*at = xasprintf("%lld", auth_time);

	pg_batch_add(b, "INSERT INTO ui_sessions (session_hash, pool_id, sub, "
	    "auth_time, expires_at, provider_name) VALUES ($1::bytea, $2, "
	    "$3::uuid, $4::bigint, extract(epoch FROM clock_timestamp()) + "
	    DB_SESSIONS_TTL ", $5)", 5, digest, pool_id, sub, at, provider);
	free(at);
}

void
db_sessions_find(struct pg_batch *b, const char *digest, const char *pool_id)
{
	pg_batch_add(b, "SELECT u.sub, u.username, s.auth_time, "
	    "s.provider_name FROM "
	    "ui_sessions s JOIN users u ON u.pool_id = s.pool_id AND u.sub = "
	    "s.sub WHERE s.session_hash = $1::bytea AND s.pool_id = $2 AND "
	    "s.expires_at > extract(epoch FROM clock_timestamp()) AND "
	    "u.enabled AND s.created_at >= u.tokens_valid_after", 2, digest,
	    pool_id);
}

int
db_sessions_found(const PGresult *r, struct db_session *s)
{
	memset(s, 0, sizeof *s);
	if (pg_rows(r) != 1)
		return -1;
	s->sub = pg_val(r, 0, 0);
	s->username = pg_val(r, 0, 1);
	s->auth_time = strtoll(pg_val(r, 0, 2), NULL, 10);
	s->provider = pg_val(r, 0, 3);
	return 0;
}

void
db_sessions_delete(struct pg_batch *b, const char *digest,
    const char *pool_id)
{
	pg_batch_add(b, "DELETE FROM ui_sessions WHERE session_hash = "
	    "$1::bytea AND pool_id = $2", 2, digest, pool_id);
}

/*
 * The attempts of the last sixty seconds, estimated as a sliding window:
 * this minute's count (this one included) plus the previous minute's,
 * weighted by the part of it that is still within sixty seconds. A
 * fixed clock-minute window let twice the allowance through around a
 * minute's end.
 */
void
db_sessions_count_attempt(struct pg_batch *b, const char *pool_id,
    const char *address)
{
	pg_batch_add(b, "WITH t AS (SELECT extract(epoch FROM "
	    "clock_timestamp()) AS now), cur AS (INSERT INTO signin_attempts "
	    "(pool_id, address, window_start) SELECT $1, $2, "
	    "floor(t.now / 60)::bigint FROM t ON CONFLICT (pool_id, address, "
	    "window_start) DO UPDATE SET attempts = signin_attempts.attempts "
	    "+ 1 RETURNING attempts, window_start) SELECT (cur.attempts + "
	    "coalesce(p.attempts, 0) * (1 - (t.now - cur.window_start * 60) "
	    "/ 60))::float8 FROM cur CROSS JOIN t LEFT JOIN "
	    "signin_attempts p ON p.pool_id = $1 AND p.address = $2 AND "
	    "p.window_start = cur.window_start - 1", 2, pool_id, address);
}

double
db_sessions_attempts(const PGresult *r)
{
	const char	*v = pg_val(r, 0, 0);

	return v != NULL ? strtod(v, NULL) : 0;
}
