/*
 * domains.c: the domains table (see domains.h): a domain's description,
 * its settings merged, its deletion, and the domains of a pool. A
 * domain is looked up lower-cased, as it is stored.
 */
#include "config.h"

#include "db/domains.h"
#include "db/pg.h"

void
db_domains_describe(struct pg_batch *b, const char *domain)
{
	pg_batch_add(b, "SELECT domain, pool_id, kind, config "
	    "FROM domains WHERE domain = lower($1::text)", 1, domain);
}

void
db_domains_update(struct pg_batch *b, const char *domain,
    const char *pool_id, const char *patch, const char *custom)
{
	pg_batch_add(b, "WITH d AS (SELECT kind FROM domains "
	    "  WHERE domain = lower($1::text) AND pool_id = $2::text), "
	    "u AS (UPDATE domains SET config = config || $3::jsonb "
	    "  WHERE domain = lower($1::text) AND pool_id = $2::text "
	    "  AND (kind = 'custom' OR NOT $4::boolean) RETURNING config) "
	    "SELECT (SELECT kind FROM d), (SELECT config FROM u)", 4,
	    domain, pool_id, patch, custom);
}

void
db_domains_delete(struct pg_batch *b, const char *domain,
    const char *pool_id)
{
	pg_batch_add(b, "DELETE FROM domains WHERE domain = "
	    "lower($1::text) AND pool_id = $2::text RETURNING 1", 2, domain,
	    pool_id);
}

void
db_domains_of_pool(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, "SELECT (SELECT domain FROM domains WHERE pool_id = "
	    "p.id AND kind = 'prefix'), (SELECT domain FROM domains WHERE "
	    "pool_id = p.id AND kind = 'custom') FROM pools p WHERE "
	    "p.id = $1", 1, pool_id);
}
