/*
 * pg.h: asynchronous PostgreSQL on the worker's event loop.
 *
 * A batch is one or more parameterised statements sent in pipeline mode
 * and closed by one sync, so PostgreSQL runs them as one implicit
 * transaction: either every statement commits or none does. The
 * callback runs exactly once on the loop, with every statement's result
 * or with the reason it failed (constraint violation, timeout, database
 * unreachable). Results belong to the pg layer and are freed when the
 * callback returns; copy what must outlive it.
 */
#ifndef PG_H
#define PG_H

#include <libpq-fe.h>

#include "util.h"

struct event_base;
struct pg_batch;

/* SQLSTATEs the pg layer reports itself. */
#define PG_STATE_TIMEOUT	"57014"	/* query_canceled */
#define PG_STATE_UNAVAILABLE	"08006"	/* connection_failure */
#define PG_STATE_OVERLOADED	"53300"	/* too_many_connections */
#define PG_STATE_UNIQUE		"23505"
#define PG_STATE_FOREIGN_KEY	"23503"
#define PG_STATE_RAISED		"P0001"	/* RAISE EXCEPTION in a function */

struct pg_reply {
	int		  ok;		/* every statement succeeded */
	const char	 *sqlstate;	/* first failure's SQLSTATE, or NULL */
	const char	 *error;	/* first failure's message (for logs) */
	const char	 *constraint;	/* constraint name of a violation */
	int		  nres;
	PGresult	**res;		/* one per statement; NULL if not run */
};

typedef void	(*pg_cb)(struct pg_reply *, void *);

int		 pg_init(struct event_base *, const char *, int, int, int)
		    MUST_CHECK;
void		 pg_shutdown(void);
int		 pg_ready(void);

struct pg_batch	*pg_batch_new(void);
void		 pg_batch_add(struct pg_batch *, const char *, int, ...);
void		 pg_batch_addv(struct pg_batch *, const char *, int,
		    const char *const *);
void		 pg_batch_free(struct pg_batch *);
/* Run fn on the loop once the batch has committed (after its callback). */
void		 pg_batch_on_commit(struct pg_batch *, void (*)(void));
void		 pg_submit(struct pg_batch *, pg_cb, void *);
void		 pg_query(pg_cb, void *, const char *, int, ...);

/* Result accessors: NULL for SQL NULL or out of range. */
const char	*pg_val(const PGresult *, int, int);
int		 pg_rows(const PGresult *);
const char	*pg_field(const PGresult *, int, const char *);

/* Blocking helpers for start-up and command-line tools, never the loop. */
PGconn		*pg_connect_blocking(const char *, char **);
int		 pg_exec_blocking(PGconn *, const char *, int,
		    const char *const *, PGresult **, char **) MUST_CHECK;

#endif
