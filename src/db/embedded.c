/*
 * embedded.c: run a private PostgreSQL cluster under the state directory
 * when no database_url is configured.
 *
 * The cluster listens on a Unix socket only, in a directory of mode 0700
 * owned by the cluster's user, with trust authentication: only that user
 * and root can reach it. initdb refuses to run as root, so when started
 * as root the server programs run as the `postgres` user. A cluster that
 * is already running (another instance, or the server while an admin
 * command runs) is used as it is and left running.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/embedded.h"
#include "db/pg.h"
#include "log.h"
#include "util.h"

#define EMBEDDED_DB	"userpoold"

static struct {
	char	*bindir;
	char	*data;
	int	 started;
} emb;

/* The highest /usr/lib/postgresql/<N>/bin that has initdb. */
static char *
embedded_find_bindir(void)
{
	DIR		*d;
	struct dirent	*e;
	char		*best = NULL, *path;
	long		 best_v = -1, v;

	if ((d = opendir("/usr/lib/postgresql")) == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		v = strtol(e->d_name, NULL, 10);
		if (v <= best_v)
			continue;
		path = xasprintf("/usr/lib/postgresql/%s/bin", e->d_name);
		if (access(path, X_OK) == 0) {
			char	*initdb = xasprintf("%s/initdb", path);

			if (access(initdb, X_OK) == 0) {
				free(best);
				best = path;
				path = NULL;
				best_v = v;
			}
			free(initdb);
		}
		free(path);
	}
	closedir(d);
	return best;
}

/* Drop to the postgres user in a child process when we are root. */
static void
embedded_become_owner(void)
{
	struct passwd	*pw;

	if (geteuid() != 0)
		return;
	if ((pw = getpwnam("postgres")) == NULL) {
		fprintf(stderr, "no postgres user\n");
		_exit(127);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		_exit(127);
}

/* Point the child's output at stderr, or at /dev/null when quiet. */
static void
embedded_child_output(int quiet)
{
	int	fd;

	if (!quiet) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		return;
	}
	if ((fd = open("/dev/null", O_WRONLY)) == -1)
		return;
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* Run a program of the PostgreSQL bindir; returns its exit status. */
static int
embedded_run(const char *prog, char *const args[], int quiet)
{
	pid_t	 pid;
	int	 status;
	char	*path = xasprintf("%s/%s", emb.bindir, prog);

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		embedded_child_output(quiet);
		embedded_become_owner();
		execv(path, args);
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		_exit(127);
	}
	free(path);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* mkdir -m mode, owned by the cluster user when we are root. */
static int
embedded_mkdir(const char *path, mode_t mode, char **cause)
{
	struct passwd	*pw;

	if (mkdir(path, mode) != 0 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (geteuid() == 0) {
		if ((pw = getpwnam("postgres")) == NULL) {
			*cause = xstrdup("the postgres user does not exist");
			return -1;
		}
		if (chown(path, pw->pw_uid, pw->pw_gid) != 0) {
			*cause = xasprintf("chown %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
embedded_initdb(char **cause)
{
	char	*args[] = { "initdb", "-A", "trust", "-U", "postgres", "-E",
		    "UTF8", "--no-locale", "-D", emb.data, NULL };

	log_info("creating the embedded PostgreSQL cluster in %s", emb.data);
	if (embedded_run("initdb", args, 0) != 0) {
		*cause = xstrdup("initdb failed");
		return -1;
	}
	return 0;
}

static int
embedded_running(void)
{
	char	*args[] = { "pg_ctl", "status", "-D", emb.data, NULL };

	return embedded_run("pg_ctl", args, 1) == 0;
}

static int
embedded_pg_ctl_start(const char *dir, const char *sock, char **cause)
{
	char	*opts, *logf;
	int	 rc;

	opts = xasprintf("-c listen_addresses='' -c unix_socket_directories="
	    "'%s' -c unix_socket_permissions=0700 -c max_connections=200",
	    sock);
	logf = xasprintf("%s/postgresql.log", dir);
	{
		char	*args[] = { "pg_ctl", "start", "-w", "-t", "60", "-s",
			    "-D", emb.data, "-l", logf, "-o", opts, NULL };

		rc = embedded_run("pg_ctl", args, 0);
	}
	free(opts);
	if (rc != 0) {
		*cause = xasprintf("pg_ctl start failed; see %s", logf);
		free(logf);
		return -1;
	}
	free(logf);
	emb.started = 1;
	return 0;
}

/* Create the application database if it is missing. */
static int
embedded_create_db(const char *sock, char **cause)
{
	PGconn		*c;
	PGresult	*r;
	char		*ci;
	int		 rc = 0, exists;

	ci = xasprintf("host=%s dbname=postgres user=postgres", sock);
	c = pg_connect_blocking(ci, cause);
	free(ci);
	if (c == NULL)
		return -1;
	if (pg_exec_blocking(c, "SELECT 1 FROM pg_database WHERE datname = "
	    "'" EMBEDDED_DB "'", 0, NULL, &r, cause) != 0) {
		PQfinish(c);
		return -1;
	}
	exists = PQntuples(r) > 0;
	PQclear(r);
	if (!exists)
		rc = pg_exec_blocking(c, "CREATE DATABASE " EMBEDDED_DB, 0,
		    NULL, NULL, cause);
	PQfinish(c);
	return rc;
}

static int
embedded_prepare_dirs(const char *dir, const char *sock, char **cause)
{
	if (embedded_mkdir(dir, 0700, cause) != 0 ||
	    embedded_mkdir(sock, 0700, cause) != 0)
		return -1;
	if (access(emb.data, F_OK) != 0 &&
	    embedded_mkdir(emb.data, 0700, cause) != 0)
		return -1;
	return 0;
}

int
embedded_start(const char *state_dir, const char *bindir, char **conninfo,
    char **cause)
{
	char	*dir, *sock, *version;
	int	 rc = -1;

	emb.bindir = *bindir != '\0' ? xstrdup(bindir) : embedded_find_bindir();
	if (emb.bindir == NULL) {
		*cause = xstrdup("no PostgreSQL server programs found (install "
		    "postgresql or set pg_bindir or database_url)");
		return -1;
	}
	dir = xasprintf("%s/pg", state_dir);
	sock = xasprintf("%s/run", dir);
	emb.data = xasprintf("%s/data", dir);
	version = xasprintf("%s/PG_VERSION", emb.data);
	if (embedded_prepare_dirs(dir, sock, cause) != 0)
		goto out;
	if (access(version, F_OK) != 0 && embedded_initdb(cause) != 0)
		goto out;
	if (!embedded_running() &&
	    embedded_pg_ctl_start(dir, sock, cause) != 0)
		goto out;
	if (embedded_create_db(sock, cause) != 0)
		goto out;
	*conninfo = xasprintf("host=%s dbname=" EMBEDDED_DB " user=postgres",
	    sock);
	rc = 0;
out:
	free(version);
	free(sock);
	free(dir);
	return rc;
}

void
embedded_stop(void)
{
	char	*args[] = { "pg_ctl", "stop", "-m", "fast", "-w", "-s", "-D",
		    emb.data, NULL };

	if (!emb.started)
		return;
	log_info("stopping the embedded PostgreSQL cluster");
	if (embedded_run("pg_ctl", args, 0) != 0)
		log_warn("pg_ctl stop failed");
	emb.started = 0;
}
