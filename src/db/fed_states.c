/*
 * fed_states.c: SQL of the sign-ins waiting at an identity provider
 * (see fed_states.h). Taking a state is one statement that deletes it
 * and returns it with its provider, so two answers carrying one state
 * cannot both go on.
 */
#include "config.h"

#include "db/fed_states.h"
#include "db/idps.h"
#include "db/pg.h"
#include "util.h"

#define DB_FED_STR(x)	DB_FED_STR2(x)
#define DB_FED_STR2(x)	#x

void
db_fed_states_insert(struct pg_batch *b, const struct db_fed_state_new *n)
{
	pg_batch_add(b, "INSERT INTO fed_states (state_hash, browser_hash, "
	    "pool_id, provider_name, request, nonce, verifier_sealed, "
	    "expires_at) VALUES ($1::bytea, $2::bytea, $3, $4, $5::jsonb, $6, "
	    "$7, extract(epoch FROM clock_timestamp()) + "
	    DB_FED_STR(DB_FED_STATES_TTL) ")", 7, n->state_digest,
	    n->browser_digest, n->pool_id, n->provider_name, n->request,
	    n->nonce, n->verifier_sealed);
}

void
db_fed_states_take(struct pg_batch *b, const char *state_digest,
    const char *browser_digest)
{
	pg_batch_add(b, "WITH s AS (DELETE FROM fed_states WHERE state_hash "
	    "= $1::bytea AND browser_hash = $2::bytea RETURNING *) "
	    "SELECT s.request, s.nonce, s.verifier_sealed, s.pool_id, "
	    DB_IDPS_COLUMNS " FROM s JOIN identity_providers ip ON "
	    "ip.pool_id = s.pool_id AND ip.provider_name = s.provider_name "
	    "WHERE s.expires_at > extract(epoch FROM clock_timestamp())", 2,
	    state_digest, browser_digest);
}
