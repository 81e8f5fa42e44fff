/*
 * setup.h: start-up steps that run before any worker exists, blocking:
 * the state directory, master key, TLS certificate, database (embedded
 * or configured), migrations and the first admin key.
 */
#ifndef SETUP_H
#define SETUP_H

#include <libpq-fe.h>

#include "util.h"

int	 setup_state_dir(char **) MUST_CHECK;
int	 setup_master_key(char **) MUST_CHECK;
int	 setup_tls(char **) MUST_CHECK;
/* Start or reach the database and migrate it; *conninfo malloc'd. */
PGconn	*setup_database(char **, char **);
int	 setup_first_admin_key(PGconn *, char **) MUST_CHECK;
void	 setup_teardown(void);

#endif
