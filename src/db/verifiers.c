/*
 * verifiers.c: the start-up step that seals SRP verifiers stored before
 * they were sealed (users.srp_verifier and devices.verifier as plain
 * hex), so after one start of this version no verifier is left readable
 * at rest. Blocking, run after the migrations (never on the event loop).
 * Each column of verifiers_columns is walked once in key order, a batch
 * per transaction; each update applies only if the row still holds the
 * value read, so an instance writing at the same time (or a second one
 * sweeping) loses nothing. A row written plain by an older instance
 * later is still read (crypto/password.c) and sealed at the next start.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/password.h"
#include "db/pg.h"
#include "db/verifiers.h"
#include "log.h"
#include "util.h"

#define VERIFIERS_BATCH	"500"

/* A column of verifiers and the two-column key its rows are walked by. */
struct verifiers_column {
	const char	*what;		/* for the log */
	const char	*select;	/* $1, $2: the last key seen */
	const char	*update;	/* $1, $2: key; $3 read; $4 sealed */
};

#define VERIFIERS_SELECT(key, col, table)				\
	"SELECT pool_id, " key ", " col " FROM " table " WHERE "	\
	"(pool_id, " key ") > ($1, $2) AND " col " IS NOT NULL AND "	\
	"left(" col ", 3) <> '" PASSWORD_SEALED_PREFIX "' ORDER BY "	\
	"pool_id, " key " LIMIT " VERIFIERS_BATCH
#define VERIFIERS_UPDATE(key, col, table)				\
	"UPDATE " table " SET " col " = $4 WHERE pool_id = $1 AND "	\
	key " = $2 AND " col " = $3"

static const struct verifiers_column verifiers_columns[] = {
	{ "SRP verifiers",
	    VERIFIERS_SELECT("username_key", "srp_verifier", "users"),
	    VERIFIERS_UPDATE("username_key", "srp_verifier", "users") },
	{ "device SRP verifiers",
	    VERIFIERS_SELECT("device_key", "verifier", "devices"),
	    VERIFIERS_UPDATE("device_key", "verifier", "devices") },
};

static int
verifiers_seal_row(PGconn *c, const struct verifiers_column *vc,
    const PGresult *r, int i, char **cause)
{
	const char	*params[4];
	char		*plain, *sealed;
	int		 rc;

	/* Not a verifier: left as it is, for the reader to refuse. */
	if ((plain = password_verifier_open(PQgetvalue(r, i, 2))) == NULL)
		return 0;
	sealed = password_verifier_seal(plain);
	wipe_free(plain);
	params[0] = PQgetvalue(r, i, 0);
	params[1] = PQgetvalue(r, i, 1);
	params[2] = PQgetvalue(r, i, 2);
	params[3] = sealed;
	rc = pg_exec_blocking(c, vc->update, 4, params, NULL, cause);
	free(sealed);
	return rc;
}

/* One batch in one transaction; -1 after rolling it back. */
static int
verifiers_seal_batch(PGconn *c, const struct verifiers_column *vc,
    const PGresult *r, char **cause)
{
	char	*ignored = NULL;
	int	 i;

	if (pg_exec_blocking(c, "BEGIN", 0, NULL, NULL, cause) != 0)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		if (verifiers_seal_row(c, vc, r, i, cause) != 0)
			break;
	if (i == PQntuples(r) &&
	    pg_exec_blocking(c, "COMMIT", 0, NULL, NULL, cause) == 0)
		return 0;
	if (pg_exec_blocking(c, "ROLLBACK", 0, NULL, NULL, &ignored) != 0)
		free(ignored);
	return -1;
}

static int
verifiers_seal_column(PGconn *c, const struct verifiers_column *vc,
    char **cause)
{
	PGresult	*r;
	const char	*params[2];
	char		*pool = xstrdup(""), *key = xstrdup("");
	long		 n = 0;
	int		 rows, rc = 0;

	do {
		params[0] = pool;
		params[1] = key;
		if (pg_exec_blocking(c, vc->select, 2, params, &r,
		    cause) != 0) {
			rc = -1;
			break;
		}
		if ((rows = PQntuples(r)) > 0) {
			free(pool);
			free(key);
			pool = xstrdup(PQgetvalue(r, rows - 1, 0));
			key = xstrdup(PQgetvalue(r, rows - 1, 1));
			rc = verifiers_seal_batch(c, vc, r, cause);
			n += rows;
		}
		PQclear(r);
	} while (rows > 0 && rc == 0);
	free(pool);
	free(key);
	if (rc == 0 && n > 0)
		log_info("sealed %ld %s stored in plain", n, vc->what);
	return rc;
}

int
verifiers_seal_all(PGconn *c, char **cause)
{
	size_t	i;

	for (i = 0; i < nitems(verifiers_columns); i++)
		if (verifiers_seal_column(c, &verifiers_columns[i], cause) != 0)
			return -1;
	return 0;
}
