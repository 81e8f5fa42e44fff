/*
 * pools.h: a user pool, an app client and a domain created, for the
 * JSON API's CreateUserPool, CreateUserPoolClient and
 * CreateUserPoolDomain and for the demo pool (demo.c) alike: the pool's
 * id and its two RS256 signing keys (made on a worker thread), a
 * client's id and sealed secret, and the rows (db/pools.c). The
 * configurations come built by the caller (the API's rules over
 * Cognito's input, api/pool_ops.c and api/client_ops.c).
 *
 * pools_create_with makes a pool, a client and a domain together.
 *
 * Each runs on the caller's task: on success cb gets what was made
 * (valid while cb runs); on failure the task ends with a core_err:
 * NO_RESOURCE (no such pool), BAD_SCOPE and INVALID (a client's scope
 * or attribute the pool does not have, a domain taken), LIMIT (too
 * many clients), INTERNAL, BUSY.
 */
#ifndef CORE_POOLS_H
#define CORE_POOLS_H

#include <jansson.h>
#include <libpq-fe.h>

struct task;

/* A new pool (borrowed). */
struct pools_new {
	const char	*name;
	json_t		*config;	/* pools.config */
	json_t		*mfa;		/* pools.mfa_config */
	json_t		*tags;
	const char	*trigger_secret;	/* sealed, or NULL */
};

/* The new pool's row: DB_POOLS_COLUMNS (db/pools.h). */
typedef void	(*pools_created_fn)(struct task *, const PGresult *);

void	pools_create(struct task *, const struct pools_new *,
	    pools_created_fn);

/* A new app client (borrowed; NULL lists are []). */
struct pools_client_new {
	const char	*pool_id;
	const char	*name;
	json_t		*config;	/* clients.config */
	json_t		*custom_scopes;	/* ["<identifier>/<scope>"] */
	json_t		*read_attrs;
	json_t		*write_attrs;
	int		 secret;	/* generate a client secret */
};

struct pools_client {
	const char	*id;
	const char	*sealed;	/* the secret, or NULL */
	const char	*created;	/* epochs as the database says */
	const char	*modified;
};

typedef void	(*pools_client_fn)(struct task *, const struct pools_client *);

void	pools_create_client(struct task *, const struct pools_client_new *,
	    pools_client_fn);

/*
 * A domain (lower case) of kind "prefix" or "custom" with its settings
 * for pool; cb runs once it is stored.
 */
void	pools_create_domain(struct task *, const char *, const char *,
	    const char *, json_t *, void (*)(struct task *));

/*
 * A pool made with an app client (its pool_id ignored) and a prefix
 * domain in one transaction, as the demo makes its pool: all three are
 * stored or none is. cb gets the pool's row and the client; the task
 * ends as the three calls above end it.
 */
typedef void	(*pools_with_fn)(struct task *, const PGresult *,
		    const struct pools_client *);

void	pools_create_with(struct task *, const struct pools_new *,
	    const struct pools_client_new *, const char *, json_t *,
	    pools_with_fn);

#endif
