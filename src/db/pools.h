/*
 * pools.h: a user pool and its parts written: the pool row with its
 * two signing keys, an app client, a domain. The statements
 * core/pools.c runs for the JSON API's Create operations and for the
 * demo pool, the signing keys core/tokens.c and the JWKS
 * (oauth/discovery.c) read, and the pool operations' reads and writes
 * of the row (api/pool_ops.c, api/tag_ops.c, api/ops_common.c).
 * Functions are prefixed db_pools_.
 */
#ifndef DB_POOLS_H
#define DB_POOLS_H

#include "db/idps.h"

struct pg_batch;

/* EstimatedNumberOfUsers of the pool aliased p. */
#define DB_POOLS_ESTIMATED_USERS_SQL					\
	"(SELECT count(*) FROM users u WHERE u.pool_id = p.id)"

/* The select list of a pool's description, over "pools p". */
#define DB_POOLS_COLUMNS						\
	"p.id, p.name, p.config, p.tags, p.mfa_config, p.created_at, "	\
	"p.modified_at, (SELECT d.domain FROM domains d WHERE "		\
	"d.pool_id = p.id AND d.kind = 'prefix') AS domain, "		\
	"(SELECT d.domain FROM domains d WHERE d.pool_id = p.id AND "	\
	"d.kind = 'custom') AS custom_domain, "				\
	DB_POOLS_ESTIMATED_USERS_SQL " AS estimated_users"

#define DB_POOLS_NKEYS	2	/* the ID token's, the access token's */

/* A new pool (strings borrowed; JSON as text). */
struct db_pool_new {
	const char	*id;
	const char	*name;
	const char	*config;
	const char	*tags;
	const char	*mfa;
	const char	*trigger_secret;	/* sealed, or NULL */
	struct {
		const char	*kid;
		const char	*sealed;	/* the private key */
		const char	*public_pem;
		const char	*jwk;
	} keys[DB_POOLS_NKEYS];
};

/*
 * The pool row and both keys in one statement, hence one transaction;
 * its row is DB_POOLS_COLUMNS of the new pool.
 */
void	db_pools_insert(struct pg_batch *, const struct db_pool_new *);

/* The pool's sealed trigger signing secret: one row, NULL when none. */
void	db_pools_trigger_secret(struct pg_batch *, const char *);
/* Replace it with a sealed one: a row when the pool exists. */
void	db_pools_set_trigger_secret(struct pg_batch *, const char *,
	    const char *);

/* A new app client (strings borrowed; JSON as text). */
struct db_client_new {
	const char	*pool_id;
	const char	*id;
	const char	*name;
	const char	*config;
	const char	*custom_scopes;	/* ["<identifier>/<scope>"] */
	const char	*read_attrs;	/* ReadAttributes or [] */
	const char	*write_attrs;	/* WriteAttributes or [] */
	const char	*sealed;	/* the secret, or NULL */
};

/* Clients a pool may have. */
#define DB_POOLS_MAX_CLIENTS	1000

/*
 * Insert the client unless the pool has DB_POOLS_MAX_CLIENTS, lists
 * no custom scope of the client or no custom attribute it names,
 * would let it write an immutable one, or has no identity provider it
 * supports. No row: no such pool; columns count, the first bad scope,
 * the first bad attribute ('u' + name: not in the schema, 'i' + name:
 * immutable), created_at and modified_at (NULL: not inserted), the
 * first unknown provider.
 */
void	db_pools_insert_client(struct pg_batch *,
	    const struct db_client_new *);

/*
 * Columns bad_scope, bad_attr and bad_idp of the pool row p for client
 * input $5 (custom scopes), $6 (read) and $7 (write attributes) and
 * configuration $4 (SupportedIdentityProviders, db/idps.h); shared
 * with UpdateUserPoolClient's statement.
 */
#define DB_POOLS_CLIENT_CHECKS						\
	"(SELECT s FROM jsonb_array_elements_text($5::jsonb) AS t(s) "	\
	"  WHERE NOT EXISTS (SELECT 1 FROM resource_servers r, "	\
	"    jsonb_array_elements(r.scopes) AS sc "			\
	"    WHERE r.pool_id = p.id AND "				\
	"    r.identifier || '/' || (sc->>'ScopeName') = t.s) "		\
	"  LIMIT 1) AS bad_scope, "					\
	"(SELECT CASE WHEN m.sa IS NULL THEN 'u' ELSE 'i' END || x.a "	\
	"  FROM (SELECT a, false AS w FROM "				\
	"      jsonb_array_elements_text($6::jsonb) AS r(a) "		\
	"    UNION ALL SELECT a, true FROM "				\
	"      jsonb_array_elements_text($7::jsonb) AS w(a)) AS x "	\
	"  LEFT JOIN LATERAL (SELECT s AS sa FROM "			\
	"      jsonb_array_elements(p.config->'SchemaAttributes') AS s "\
	"      WHERE s->>'Name' = x.a LIMIT 1) AS m ON true "		\
	"  WHERE jsonb_typeof(p.config->'SchemaAttributes') = 'array' "	\
	"  AND ((m.sa IS NULL AND x.a LIKE 'custom:%') "		\
	"    OR (x.w AND m.sa->>'Mutable' = 'false')) "			\
	"  LIMIT 1) AS bad_attr, " DB_IDPS_CLIENT_CHECK

/*
 * Insert domain (lower case) of kind ("prefix" or "custom") with its
 * settings (JSON text) for pool, unless the domain has an owner or the
 * pool a domain of that kind. No row: no such pool; columns: the
 * owner, whether the pool has one of the kind, rows inserted. A race
 * the check cannot see fails on the constraints (PG_STATE_UNIQUE;
 * domains_pkey: the domain is taken).
 */
void	db_pools_insert_domain(struct pg_batch *, const char *, const char *,
	    const char *, const char *);

/*
 * Fail the batch (SQLSTATE DB_POOLS_STATE_GUARD: its writes roll back)
 * unless pool has client and domain; after their conditional inserts.
 */
#define DB_POOLS_STATE_GUARD	"22012"		/* division_by_zero */

void	db_pools_guard_made(struct pg_batch *, const char *, const char *,
	    const char *);

/*
 * The pool's current signing keys, newest first: rows of these columns
 * (PURPOSE "id" or "access").
 */
#define DB_POOLS_KEY_PURPOSE	0
#define DB_POOLS_KEY_KID	1
#define DB_POOLS_KEY_SEALED	2
void	db_pools_signing_keys(struct pg_batch *, const char *);
/*
 * What checking an access token of (pool, kid, client) reads: one row
 * of the access key's PEM, then the pool's and the client's version
 * (xmin) each followed by its config text, NULL when it is the version
 * the caller holds (pool_ver, client_ver; "" for none); CLIENT_VER is
 * NULL when the client is gone. No row: no such key.
 */
#define DB_POOLS_ACCESS_PEM		0
#define DB_POOLS_ACCESS_POOL_VER	1
#define DB_POOLS_ACCESS_CLIENT_VER	3
void	db_pools_access_key(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);

/* The oldest pool named name (the demo pool): one row of its id or none. */
#define DB_POOLS_ID		0
void	db_pools_by_name(struct pg_batch *, const char *);
/* The pool's row of DB_POOLS_COLUMNS (by id): one row or none. */
void	db_pools_get(struct pg_batch *, const char *);
/* The pool's configuration (JSON text): one row of it, or none. */
#define DB_POOLS_CONFIG		0
void	db_pools_config(struct pg_batch *, const char *);

/* A loaded pool written back (strings; JSON as text). */
struct db_pools_save {
	const char	*id;
	const char	*name;
	const char	*config;
	const char	*mfa;
	const char	*tags;		/* NULL: keep the tags */
	const char	*version;	/* modified_at as loaded */
};

/*
 * Write the pool back only if its modified_at is still version: one
 * row when it was written, none when another request changed or
 * deleted it meanwhile.
 */
void	db_pools_save(struct pg_batch *, const struct db_pools_save *);
/*
 * Delete the pool unless its DeletionProtection is ACTIVE or it has a
 * domain, deciding and deleting in one statement (keys, clients and
 * everything else of the pool go by ON DELETE CASCADE). No row: no such
 * pool; columns "protection" (DeletionProtection or NULL), "has_domain"
 * and "deleted" (the count).
 */
void	db_pools_delete(struct pg_batch *, const char *);
/*
 * The pools in (created_at, id) order after (at, a double as text, and
 * id; NULL: from the start), at most limit (text): rows of columns
 * "id", "name", "lambda" (LambdaConfig, JSON text), "created_at",
 * "modified_at".
 */
void	db_pools_list(struct pg_batch *, const char *, const char *,
	    const char *);

/* Tags a pool may have. */
#define DB_POOLS_MAX_TAGS	50

/*
 * Merge tags (a JSON object as text) into the pool's unless that makes
 * more than DB_POOLS_MAX_TAGS: no row: no such pool; one row of the
 * rows updated (0: too many tags).
 */
#define DB_POOLS_TAGGED		0
void	db_pools_tag(struct pg_batch *, const char *, const char *);
/* Drop the keys (a JSON array as text): one row, or none: no pool. */
void	db_pools_untag(struct pg_batch *, const char *, const char *);
/* The pool's tags: one row of them (JSON text), or none. */
#define DB_POOLS_TAGS		0
void	db_pools_tags(struct pg_batch *, const char *);

/*
 * The JSON Web Keys of the pool: two results, one row when the pool
 * exists, then its keys' rows of DB_POOLS_JWK (JSON text), the access
 * key first (by purpose) and the newest first.
 */
#define DB_POOLS_JWK		0
void	db_pools_jwks(struct pg_batch *, const char *);

#endif
