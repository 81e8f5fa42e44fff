/*
 * setup.h: start-up steps that run before any worker exists, blocking:
 * the state directory, master key, TLS certificate, database (embedded
 * or configured), migrations, the first admin key and the console's
 * password.
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
/*
 * The console account's password: made on the first start (reset 0)
 * or anew (reset 1, `userpoold console-password`), written to
 * <state_dir>/console-password (mode 0600) and, on the first start,
 * logged once with that path.
 */
int	 setup_console_password(PGconn *, int, char **) MUST_CHECK;
void	 setup_teardown(void);

#endif
