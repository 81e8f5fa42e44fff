/*
 * embedded.h: the private PostgreSQL cluster used when no database_url
 * is configured: <state_dir>/pg/data, a Unix socket in <state_dir>/pg/run,
 * no TCP listener.
 */
#ifndef EMBEDDED_H
#define EMBEDDED_H

#include "util.h"

/* Create (first run) and start the cluster; *conninfo is malloc'd. */
int	embedded_start(const char *, const char *, char **, char **)
	    MUST_CHECK;
/* Stop the cluster if this process started it. */
void	embedded_stop(void);

#endif
