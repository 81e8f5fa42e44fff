/*
 * migrate.c: apply the embedded migrations in order. Runs at start-up
 * and from `userpoold migrate`, blocking (never on the event loop).
 * A session-level advisory lock serialises instances that start at the
 * same time; each migration and its bookkeeping row commit together.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"
#include "db/pg.h"
#include "log.h"
#include "util.h"

#define MIGRATE_LOCK	"SELECT pg_advisory_lock(7402351001)"
#define MIGRATE_UNLOCK	"SELECT pg_advisory_unlock(7402351001)"

static int
migrate_applied(PGconn *c, const char *name, int *applied, char **cause)
{
	PGresult	*r;
	const char	*params[1] = { name };

	if (pg_exec_blocking(c, "SELECT 1 FROM schema_migrations "
	    "WHERE name = $1", 1, params, &r, cause) != 0)
		return -1;
	*applied = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

/* Run one migration and record it, in one transaction. */
static int
migrate_one(PGconn *c, const struct migration *m, char **cause)
{
	PGresult	*r;
	const char	*params[1] = { m->name };

	if (pg_exec_blocking(c, "BEGIN", 0, NULL, NULL, cause) != 0)
		return -1;
	r = PQexec(c, m->sql);	/* several statements: simple protocol */
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		*cause = xasprintf("migration %s: %s", m->name,
		    PQresultErrorMessage(r));
		PQclear(r);
		PQclear(PQexec(c, "ROLLBACK"));
		return -1;
	}
	PQclear(r);
	if (pg_exec_blocking(c, "INSERT INTO schema_migrations (name) "
	    "VALUES ($1)", 1, params, NULL, cause) != 0 ||
	    pg_exec_blocking(c, "COMMIT", 0, NULL, NULL, cause) != 0) {
		PQclear(PQexec(c, "ROLLBACK"));
		return -1;
	}
	log_info("migration %s applied", m->name);
	return 0;
}

static int
migrate_all(PGconn *c, char **cause)
{
	const struct migration	*m;
	int			 applied;

	if (pg_exec_blocking(c, "CREATE TABLE IF NOT EXISTS "
	    "schema_migrations (name text PRIMARY KEY, applied_at "
	    "timestamptz NOT NULL DEFAULT now())", 0, NULL, NULL, cause) != 0)
		return -1;
	for (m = migrations; m->name != NULL; m++) {
		if (migrate_applied(c, m->name, &applied, cause) != 0)
			return -1;
		if (!applied && migrate_one(c, m, cause) != 0)
			return -1;
	}
	return 0;
}

int
migrate_run(PGconn *c, char **cause)
{
	char	*ignore;
	int	 rc;

	PQclear(PQexec(c, "SET client_min_messages = warning"));
	if (pg_exec_blocking(c, MIGRATE_LOCK, 0, NULL, NULL, cause) != 0)
		return -1;
	rc = migrate_all(c, cause);
	if (pg_exec_blocking(c, MIGRATE_UNLOCK, 0, NULL, NULL, &ignore) != 0)
		free(ignore);
	return rc;
}
