/*
 * fed_states.h: the fed_states table (sql/014): an application's
 * authorization request kept while the browser signs in at an identity
 * provider, found again by the digests of the state and of the
 * browser's cookie. The statements src/fed/idp_flow.c runs. Functions
 * are prefixed db_fed_states_.
 */
#ifndef DB_FED_STATES_H
#define DB_FED_STATES_H

#include <libpq-fe.h>

struct pg_batch;

/* How long a sign-in may stay at the provider (seconds). */
#define DB_FED_STATES_TTL	600

/* A state as written (borrowed strings; digests as bytea literals). */
struct db_fed_state_new {
	const char	*state_digest;
	const char	*browser_digest;
	const char	*pool_id;
	const char	*provider_name;
	const char	*request;	/* JSON text */
	const char	*nonce;
	const char	*verifier_sealed;
};

void	db_fed_states_insert(struct pg_batch *,
	    const struct db_fed_state_new *);
/*
 * Take the live state of both digests (deleted: single use): none, or
 * one row of request, nonce, verifier_sealed, pool_id, then
 * DB_IDPS_COLUMNS of its provider (db_idps_from_row at column 4).
 */
void	db_fed_states_take(struct pg_batch *, const char *, const char *);

#endif
