/*
 * clients.h: app clients as a pool domain sees them: the statements
 * core/grants.c runs and the decoding of their rows; and the statements
 * of the JSON API's client operations (api/client_ops.c; the insert is
 * db/pools.h's) and the columns of their rows. Functions are prefixed
 * db_clients_.
 */
#ifndef DB_CLIENTS_H
#define DB_CLIENTS_H

#include <jansson.h>
#include <libpq-fe.h>

struct pg_batch;

/*
 * The pool behind a domain and what its pages show of it, and the
 * client of the domain's pool (NULL members when there is none).
 */
struct db_domain_client {
	char	*pool_id;
	char	*pool_name;
	json_t	*username_attributes;	/* pools.config members, or NULL */
	json_t	*password_policy;
	json_t	*schema;
	json_t	*auto_verified;
	int	 admin_only;		/* AllowAdminCreateUserOnly */
	int	 has_logo;		/* a UI customization with an image */
	json_t	*client_config;		/* clients.config, NULL: no client */
	char	*client_name;
	int	 has_secret;
	/* a provider the client supports has IdpIdentifiers */
	int	 has_idp_identifiers;
	/* the names of those providers that exist (an array, or NULL) */
	json_t	*providers;
};

/* The row of the domain (prefix or custom) and the client id (or NULL). */
void	db_clients_of_domain(struct pg_batch *, const char *, const char *);
/* Decode it: 0, or -1 when there is no such domain. */
int	db_clients_domain_row(const PGresult *, struct db_domain_client *);
void	db_clients_domain_clear(struct db_domain_client *);

/* One row when the client belongs to the pool of the domain. */
void	db_clients_on_domain(struct pg_batch *, const char *, const char *);
/* One row when the domain is the pool's (pool id $2). */
void	db_clients_domain_of_pool(struct pg_batch *, const char *,
	    const char *);

/*
 * The app client and its pool by client id ($1): columns client pool_id,
 * clients.config, secret_sealed, pools.config, DB_MFA_POOL_SQL (struct
 * signin_client decodes them).
 */
#define DB_CLIENTS_SIGNIN_SQL						\
	"SELECT c.pool_id, c.config, c.secret_sealed, p.config, "	\
	DB_MFA_POOL_SQL("p") " FROM clients c JOIN pools p ON p.id = "	\
	"c.pool_id WHERE c.id = $1"
/* That row of client. */
void	db_clients_signin(struct pg_batch *, const char *);
/* The same, only when the client belongs to the pool of domain. */
void	db_clients_signin_on_domain(struct pg_batch *, const char *,
	    const char *);
/*
 * The user (pool, sub) and the client's row: DB_USERS_COLUMNS, then those
 * of DB_CLIENTS_SIGNIN_SQL; none when the client is not of the pool.
 */
void	db_clients_signin_user(struct pg_batch *, const char *, const char *,
	    const char *);

/* What UpdateUserPoolClient writes (strings; JSON as text). */
struct db_clients_update {
	const char	*pool_id;
	const char	*id;
	const char	*name;		/* NULL: keep the name */
	const char	*config;
	const char	*custom_scopes;	/* ["<identifier>/<scope>"] */
	const char	*read_attrs;	/* ReadAttributes or [] */
	const char	*write_attrs;	/* WriteAttributes or [] */
	const char	*need_secret;	/* "true": only if it has a secret */
};

/*
 * Replace the client's name and configuration unless the pool lists
 * no custom scope of it or no attribute it names, would let it write
 * an immutable one, or has no provider it supports (the checks of
 * DB_POOLS_CLIENT_CHECKS), or need_secret and the client has no secret.
 * No row: no such pool; one row of these columns: whether the client
 * has a secret (NULL: no such client), the first bad scope, attribute
 * ('u' + name: not in the schema, 'i' + name: immutable) and provider,
 * and the updated client's name, sealed secret and times (NAME NULL:
 * not updated).
 */
#define DB_CLIENTS_UPDATE_HAS_SECRET	0
#define DB_CLIENTS_UPDATE_BAD_SCOPE	1
#define DB_CLIENTS_UPDATE_BAD_ATTR	2
#define DB_CLIENTS_UPDATE_NAME		3
#define DB_CLIENTS_UPDATE_SECRET	4
#define DB_CLIENTS_UPDATE_CREATED	5
#define DB_CLIENTS_UPDATE_MODIFIED	6
#define DB_CLIENTS_UPDATE_BAD_IDP	7
void	db_clients_update(struct pg_batch *, const struct db_clients_update *);
/*
 * The client (pool, id): one row of these columns (NULL: no such
 * client; SECRET NULL when it has none, CONFIG JSON text); no row: no
 * such pool.
 */
#define DB_CLIENTS_DESCRIBE_NAME	0
#define DB_CLIENTS_DESCRIBE_SECRET	1
#define DB_CLIENTS_DESCRIBE_CONFIG	2
#define DB_CLIENTS_DESCRIBE_CREATED	3
#define DB_CLIENTS_DESCRIBE_MODIFIED	4
void	db_clients_describe(struct pg_batch *, const char *, const char *);
/*
 * Delete the client (pool, id) and its UI customization: one row,
 * whether the pool exists and the clients deleted.
 */
void	db_clients_delete(struct pg_batch *, const char *, const char *);
/*
 * The pool's clients in (created_at, id) order after (at, a double as
 * text, and id; NULL: from the start), at most limit (text): rows of
 * these columns (one row with NULL ID when there is none); no row: no
 * such pool.
 */
#define DB_CLIENTS_LIST_POOL		0
#define DB_CLIENTS_LIST_ID		1
#define DB_CLIENTS_LIST_NAME		2
#define DB_CLIENTS_LIST_CREATED		3
void	db_clients_list(struct pg_batch *, const char *, const char *,
	    const char *, const char *);

#endif
