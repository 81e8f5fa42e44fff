/*
 * resource_servers.h: the resource_servers table (a pool's resource
 * servers, keyed by pool and identifier, with their custom scopes as a
 * JSON array): the statements of the JSON API's resource server
 * operations (api/rs_ops.c) and the columns of their rows. The scopes
 * clients may name are checked against it by db/pools.h's
 * DB_POOLS_CLIENT_CHECKS. Functions are prefixed db_resource_servers_.
 */
#ifndef DB_RESOURCE_SERVERS_H
#define DB_RESOURCE_SERVERS_H

struct pg_batch;

#define DB_RESOURCE_SERVERS_MAX_PER_POOL	25

/*
 * Insert server identifier of pool with name and scopes (JSON text)
 * unless the pool has it or DB_RESOURCE_SERVERS_MAX_PER_POOL servers.
 * No row: no such pool; columns: the pool's server count, whether the
 * identifier is taken, the rows inserted. A race the check cannot see
 * fails on the primary key (PG_STATE_UNIQUE).
 */
#define DB_RESOURCE_SERVERS_CREATE_COUNT	0
#define DB_RESOURCE_SERVERS_CREATE_DUP		1
#define DB_RESOURCE_SERVERS_CREATE_ADDED	2
void	db_resource_servers_create(struct pg_batch *, const char *,
	    const char *, const char *, const char *);
/*
 * The server (pool, identifier): one row of the pool id, the name and
 * the scopes (JSON text), these NULL when there is no such server; no
 * row: no such pool.
 */
#define DB_RESOURCE_SERVERS_GET_POOL	0
#define DB_RESOURCE_SERVERS_GET_NAME	1
#define DB_RESOURCE_SERVERS_GET_SCOPES	2
void	db_resource_servers_get(struct pg_batch *, const char *,
	    const char *);
/*
 * Replace the name and scopes (JSON text) of server (pool, identifier):
 * one row, whether the pool exists and the rows updated.
 */
void	db_resource_servers_update(struct pg_batch *, const char *,
	    const char *, const char *, const char *);
/* Delete it: one row, whether the pool exists and the rows deleted. */
void	db_resource_servers_delete(struct pg_batch *, const char *,
	    const char *);
/*
 * The pool's servers in identifier order after identifier after (NULL:
 * from the start), at most limit (text): rows of these columns (one row
 * with NULL IDENTIFIER when there is none); no row: no such pool.
 */
#define DB_RESOURCE_SERVERS_LIST_POOL		0
#define DB_RESOURCE_SERVERS_LIST_IDENTIFIER	1
#define DB_RESOURCE_SERVERS_LIST_NAME		2
#define DB_RESOURCE_SERVERS_LIST_SCOPES		3
void	db_resource_servers_list(struct pg_batch *, const char *,
	    const char *, const char *);

#endif
