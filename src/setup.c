/*
 * setup.c: everything a first run in an empty state directory creates,
 * and what every start checks: the state directory (mode 0711 so the
 * embedded PostgreSQL's user can reach its own subdirectory, nothing
 * else readable), the master key, a self-signed certificate when the
 * default certificate paths are empty, the database and its migrations
 * (then SRP verifiers stored in plain sealed), an admin access key
 * written as an AWS credentials file, and the admin console's password
 * written to <state_dir>/console-password (mode 0600), its hash in the
 * database.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "db/admin_keys.h"
#include "db/console.h"
#include "db/embedded.h"
#include "db/migrate.h"
#include "db/pg.h"
#include "db/verifiers.h"
#include "http/tls.h"
#include "log.h"
#include "setup.h"
#include "util.h"

static int
setup_mkdirs(const char *path, mode_t mode, char **cause)
{
	char	*p = xstrdup(path), *s;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, mode) != 0) {
		if (errno != EEXIST)
			goto fail;
	} else if (chmod(p, mode) != 0)
		goto fail;
	free(p);
	return 0;
fail:
	*cause = xasprintf("%s: %s", p, strerror(errno));
	free(p);
	return -1;
}

int
setup_state_dir(char **cause)
{
	return setup_mkdirs(conf->state_dir, 0711, cause);
}

int
setup_master_key(char **cause)
{
	return keys_master_load(conf->master_key_file, 1, cause);
}

/* Create a self-signed certificate when the default files are absent. */
int
setup_tls(char **cause)
{
	char	*dir;
	int	 rc;

	if (*conf->listen_https == '\0')
		return 0;
	if (access(conf->tls_cert_file, R_OK) == 0 &&
	    access(conf->tls_key_file, R_OK) == 0)
		return 0;
	dir = conf_path(conf, "tls");
	rc = setup_mkdirs(dir, 0700, cause);
	free(dir);
	if (rc != 0)
		return -1;
	log_info("creating a self-signed certificate in %s",
	    conf->tls_cert_file);
	return tls_make_self_signed(conf->tls_cert_file, conf->tls_key_file,
	    conf->auth_domain, cause);
}

PGconn *
setup_database(char **conninfo, char **cause)
{
	PGconn	*c;

	if (*conf->database_url != '\0')
		*conninfo = xstrdup(conf->database_url);
	else if (embedded_start(conf->state_dir, conf->pg_bindir, conninfo,
	    cause) != 0)
		return NULL;
	if ((c = pg_connect_blocking(*conninfo, cause)) == NULL)
		return NULL;
	if (migrate_run(c, cause) != 0 || verifiers_seal_all(c, cause) != 0) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* The first start creates an admin key and the credentials file. */
int
setup_first_admin_key(PGconn *c, char **cause)
{
	char	*id, *secret, *path;
	int	 n, rc;

	if (admin_keys_count(c, &n, cause) != 0)
		return -1;
	if (n > 0)
		return 0;
	if (admin_keys_create(c, "created on first run", &id, &secret,
	    cause) != 0)
		return -1;
	path = conf_path(conf, "aws-credentials");
	rc = admin_keys_write_credentials(path, id, secret, conf->region,
	    cause);
	if (rc == 0)
		log_info("admin access key %s written to %s", id, path);
	free(path);
	free(id);
	wipe_free(secret);
	return rc;
}

#define SETUP_CONSOLE_USER	"admin"
#define SETUP_CONSOLE_CHARS	24	/* about 143 bits */

/*
 * The console's password. On a first start the account is made and
 * the password logged once with its file's path; when the account is
 * there already nothing changes, nothing is logged. A reset (the
 * command) replaces it, clears the lockout and ends every session.
 */
int
setup_console_password(PGconn *c, int reset, char **cause)
{
	char	 pw[SETUP_CONSOLE_CHARS + 2], *hash, *path;
	int	 created = 1, rc;

	if (!reset && strcmp(conf->console, "on") != 0)
		return 0;
	password_set_cost(conf->scrypt_log2_n, conf->scrypt_r, conf->scrypt_p);
	random_string(pw, SETUP_CONSOLE_CHARS, RANDOM_ALNUM);
	if ((hash = password_hash(pw)) == NULL) {
		*cause = xstrdup("cannot hash the console password");
		return -1;
	}
	if (reset)
		rc = db_console_password_reset(c, SETUP_CONSOLE_USER, hash,
		    cause);
	else
		rc = db_console_account_create(c, SETUP_CONSOLE_USER, hash,
		    &created, cause);
	free(hash);
	if (rc != 0 || !created) {
		wipe(pw, sizeof pw);
		return rc;
	}
	path = conf_path(conf, "console-password");
	pw[SETUP_CONSOLE_CHARS] = '\n';
	pw[SETUP_CONSOLE_CHARS + 1] = '\0';
	rc = write_file_atomic(path, pw, strlen(pw), 0600, cause);
	pw[SETUP_CONSOLE_CHARS] = '\0';
	if (rc == 0 && chmod(path, 0600) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && reset)
		printf("console password of %s written to %s: %s\n"
		    "its TOTP is off, its lockout cleared and its sessions "
		    "ended\n", SETUP_CONSOLE_USER, path, pw);
	else if (rc == 0)
		log_info("console password of %s, shown this once: %s (in %s)",
		    SETUP_CONSOLE_USER, pw, path);
	wipe(pw, sizeof pw);
	free(path);
	return rc;
}

void
setup_teardown(void)
{
	embedded_stop();
	keys_master_clear();
}
