/*
 * clients.h: app clients as a pool domain sees them: the statements
 * core/grants.c runs and the decoding of their rows. Functions are
 * prefixed db_clients_.
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

#endif
