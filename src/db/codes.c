/*
 * codes.c: SQL of the oauth_codes table (see codes.h).
 *
 * A code is single use: the exchange marks it used in the statement
 * that reads it (FOR UPDATE, then UPDATE ... WHERE used_at IS NULL), so
 * of two concurrent exchanges exactly one wins; and it does so only when
 * redirect_uri and the PKCE challenge match, so whoever holds only the
 * code changes nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/codes.h"
#include "db/pg.h"
#include "util.h"

#define DB_CODES_TTL_TEXT	"300"

void
db_codes_insert(struct pg_batch *b, const struct db_code_new *c)
{
	char	*auth_time = xasprintf("%lld", c->auth_time);

	pg_batch_add(b, "INSERT INTO oauth_codes (code_hash, pool_id, "
	    "client_id, sub, redirect_uri, scopes, nonce, code_challenge, "
	    "auth_time, origin_jti, expires_at) VALUES ($1::bytea, $2, $3, "
	    "$4::uuid, $5, $6, $7, $8, $9::bigint, $10::uuid, extract(epoch "
	    "FROM clock_timestamp()) + " DB_CODES_TTL_TEXT ")", 10, c->digest,
	    c->pool_id, c->client_id, c->sub, c->redirect_uri, c->scopes,
	    c->nonce, c->challenge, auth_time, c->origin_jti);
	free(auth_time);
}

void
db_codes_take(struct pg_batch *b, const char *digest, const char *client_id,
    const char *redirect_uri, const char *s256)
{
	pg_batch_add(b, "WITH old AS (SELECT *, expires_at < extract(epoch "
	    "FROM clock_timestamp()) AS expired FROM oauth_codes WHERE "
	    "code_hash = $1::bytea AND client_id = $2 FOR UPDATE), used AS "
	    "(UPDATE oauth_codes c SET used_at = extract(epoch FROM "
	    "clock_timestamp()) FROM old WHERE c.code_hash = old.code_hash "
	    "AND old.used_at IS NULL AND NOT old.expired AND "
	    "old.redirect_uri = $3 AND (old.code_challenge IS NULL OR "
	    "old.code_challenge = $4) RETURNING 1) SELECT old.sub, "
	    "old.redirect_uri, old.scopes, old.nonce, old.code_challenge, "
	    "old.auth_time, old.origin_jti, old.used_at IS NOT NULL, "
	    "old.expired, EXISTS (SELECT 1 FROM used) FROM old", 4, digest,
	    client_id, redirect_uri, s256);
}

static int
db_codes_true(const PGresult *r, int col)
{
	const char	*v = pg_val(r, 0, col);

	return v != NULL && strcmp(v, "t") == 0;
}

int
db_codes_taken(const PGresult *r, struct db_code *c)
{
	memset(c, 0, sizeof *c);
	if (pg_rows(r) != 1)
		return -1;
	c->sub = pg_val(r, 0, 0);
	c->redirect_uri = pg_val(r, 0, 1);
	c->scopes = pg_val(r, 0, 2);
	c->nonce = pg_val(r, 0, 3);
	c->challenge = pg_val(r, 0, 4);
	c->auth_time = strtoll(pg_val(r, 0, 5), NULL, 10);
	c->origin_jti = pg_val(r, 0, 6);
	c->used = db_codes_true(r, 7);
	c->expired = db_codes_true(r, 8);
	c->spent_now = db_codes_true(r, 9);
	return 0;
}
