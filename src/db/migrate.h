/*
 * migrate.h: apply sql/NNN_*.sql migrations (embedded at build time) in
 * order, each in its own transaction, under an advisory lock so several
 * instances starting together are safe.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <libpq-fe.h>

#include "util.h"

struct migration {
	const char	*name;
	const char	*sql;
};

extern const struct migration	migrations[];

int	migrate_run(PGconn *, char **) MUST_CHECK;

#endif
