/*
 * domains.h: the domains table (a pool's prefix and custom domains,
 * keyed by the lower-case domain; a pool has at most one of each kind):
 * the statements of the JSON API's domain operations (api/domain_ops.c;
 * the insert is db/pools.h's) and of the OpenID discovery document
 * (oauth/discovery.c), and the columns of their rows. Functions are
 * prefixed db_domains_.
 */
#ifndef DB_DOMAINS_H
#define DB_DOMAINS_H

struct pg_batch;

/*
 * The domain (any case): one row of these columns (KIND "prefix" or
 * "custom", CONFIG JSON text), or none.
 */
#define DB_DOMAINS_DOMAIN	0
#define DB_DOMAINS_POOL		1
#define DB_DOMAINS_KIND		2
#define DB_DOMAINS_CONFIG	3
void	db_domains_describe(struct pg_batch *, const char *);
/*
 * Merge patch (a JSON object as text) into the settings of domain (any
 * case) of pool; when custom is "true", only if it is a custom domain.
 * One row of the domain's kind (NULL: no such domain of the pool) and
 * its new settings (NULL: not updated).
 */
#define DB_DOMAINS_UPDATE_KIND		0
#define DB_DOMAINS_UPDATE_CONFIG	1
void	db_domains_update(struct pg_batch *, const char *, const char *,
	    const char *, const char *);
/* Delete domain (any case) of pool: one row if it was. */
void	db_domains_delete(struct pg_batch *, const char *, const char *);
/*
 * The pool's domains: one row of these columns (NULL: none of that
 * kind), or none when there is no such pool.
 */
#define DB_DOMAINS_PREFIX	0
#define DB_DOMAINS_CUSTOM	1
void	db_domains_of_pool(struct pg_batch *, const char *);

#endif
