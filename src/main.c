/*
 * main.c: the command line. `userpoold [options]` runs the server;
 * `userpoold migrate` applies migrations; `userpoold admin-key ...`
 * manages access keys of the admin JSON API; `userpoold
 * console-password` makes a new password for the admin console (into
 * <state_dir>/console-password, and printed); `-n` checks the
 * configuration. Options are -c FILE, --<key>=<value> for any
 * configuration key, --demo, -n and --print-config-example.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "db/admin_keys.h"
#include "http/server.h"
#include "log.h"
#include "setup.h"
#include "supervisor.h"
#include "util.h"
#include "worker.h"

extern char	**environ;

struct options {
	const char	 *file;
	int		  check_only;
	int		  demo;
	int		  example;
	int		  nargs;
	char		**args;		/* subcommand and its arguments */
	int		  nsets;
	char		**sets;		/* --key=value, in order */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: userpoold [-n] [-c file] [--key=value ...] [--demo]\n"
	    "       userpoold [-c file] [--key=value ...] migrate\n"
	    "       userpoold [-c file] [--key=value ...] admin-key "
	    "create [description] | list | delete ID\n"
	    "       userpoold [-c file] [--key=value ...] console-password\n"
	    "       userpoold --print-config-example\n");
	exit(2);
}

static void
options_parse(int argc, char **argv, struct options *o)
{
	int	i;

	memset(o, 0, sizeof *o);
	o->args = xcalloc(argc, sizeof *o->args);
	o->sets = xcalloc(argc, sizeof *o->sets);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			o->file = argv[++i];
		else if (strcmp(argv[i], "-n") == 0)
			o->check_only = 1;
		else if (strcmp(argv[i], "--demo") == 0)
			o->demo = 1;
		else if (strcmp(argv[i], "--print-config-example") == 0)
			o->example = 1;
		else if (strcmp(argv[i], "-f") == 0)
			continue;	/* always in the foreground */
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			usage();
		else if (strncmp(argv[i], "--", 2) == 0)
			o->sets[o->nsets++] = argv[i] + 2;
		else if (argv[i][0] == '-')
			usage();
		else
			o->args[o->nargs++] = argv[i];
	}
}

/* Defaults, then the file, the environment, the command line. */
static int
options_configure(const struct options *o, char **cause)
{
	char	*key, *eq;
	int	 i, rc;

	conf = conf_new();
	if (o->file != NULL && conf_load_file(conf, o->file, cause) != 0)
		return -1;
	if (conf_load_env(conf, environ, cause) != 0)
		return -1;
	for (i = 0; i < o->nsets; i++) {
		if ((eq = strchr(o->sets[i], '=')) == NULL) {
			*cause = xasprintf("--%s: expected --key=value",
			    o->sets[i]);
			return -1;
		}
		key = xstrndup(o->sets[i], eq - o->sets[i]);
		rc = conf_set(conf, key, eq + 1, cause);
		free(key);
		if (rc != 0)
			return -1;
	}
	return conf_finish(conf, cause);
}

static int
cmd_admin_key(PGconn *c, int nargs, char **args, char **cause)
{
	char	*id, *secret;

	if (nargs >= 1 && strcmp(args[0], "create") == 0 && nargs <= 2) {
		if (admin_keys_create(c, nargs == 2 ? args[1] : "", &id,
		    &secret, cause) != 0)
			return -1;
		printf("aws_access_key_id = %s\naws_secret_access_key = %s\n",
		    id, secret);
		free(id);
		wipe_free(secret);
		return 0;
	}
	if (nargs == 1 && strcmp(args[0], "list") == 0)
		return admin_keys_list(c, stdout, cause);
	if (nargs == 2 && strcmp(args[0], "delete") == 0)
		return admin_keys_delete(c, args[1], cause);
	usage();
}

/* Open the listeners in the parent so every worker shares them. */
static void
main_listen(struct worker_args *base)
{
	char	*cause;

	base->https_fd = base->http_fd = base->console_fd = -1;
	if (*conf->listen_https != '\0' &&
	    (base->https_fd = server_listen(conf->listen_https, &cause)) == -1)
		fatalx("%s", cause);
	if (*conf->listen_http != '\0' &&
	    (base->http_fd = server_listen(conf->listen_http, &cause)) == -1)
		fatalx("%s", cause);
	if (*conf->console_listen != '\0' && (base->console_fd =
	    server_listen(conf->console_listen, &cause)) == -1)
		fatalx("%s", cause);
}

static int
main_serve(const char *conninfo, int demo)
{
	struct worker_args	 base, *args;
	int			 i, rc;

	main_listen(&base);
	args = xcalloc(conf->workers, sizeof *args);
	for (i = 0; i < conf->workers; i++) {
		args[i] = base;
		args[i].index = i;
		args[i].conninfo = conninfo;
		args[i].demo = demo;
	}
	log_info("serving %s (%d workers); issuer of pool P: %s/P",
	    conf->public_url, conf->workers, conf->public_url);
	rc = supervisor_run(conf->workers, args);
	free(args);
	return rc;
}

/* Run a subcommand or the server once the database is reachable. */
static int
main_run(const struct options *o, char **cause)
{
	PGconn	*c;
	char	*conninfo = NULL;
	int	 rc = -1;

	if (setup_state_dir(cause) != 0 || setup_master_key(cause) != 0)
		return -1;
	if ((c = setup_database(&conninfo, cause)) == NULL)
		goto out;
	if (o->nargs > 0 && strcmp(o->args[0], "migrate") == 0)
		rc = 0;
	else if (o->nargs > 0 && strcmp(o->args[0], "admin-key") == 0)
		rc = cmd_admin_key(c, o->nargs - 1, o->args + 1, cause);
	else if (o->nargs == 1 && strcmp(o->args[0], "console-password") == 0)
		rc = setup_console_password(c, 1, cause);
	else if (o->nargs > 0)
		usage();
	else if (setup_first_admin_key(c, cause) == 0 &&
	    setup_console_password(c, 0, cause) == 0 &&
	    setup_tls(cause) == 0) {
		PQfinish(c);
		c = NULL;
		rc = main_serve(conninfo, o->demo);
	}
	if (c != NULL)
		PQfinish(c);
out:
	wipe_free(conninfo);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options	 o;
	char		*cause = NULL;
	int		 rc = 0;

	log_init(NULL);
	log_route_libraries();
	signal(SIGPIPE, SIG_IGN);
	options_parse(argc, argv, &o);
	if (o.example)
		conf_help(stdout);
	else if (options_configure(&o, &cause) != 0) {
		fprintf(stderr, "userpoold: %s\n", cause);
		rc = -1;
	} else if (o.check_only)
		printf("configuration OK\n");
	else {
		log_set_level(log_parse_level(conf->log_level));
		log_set_role("main");
		if ((rc = main_run(&o, &cause)) != 0)
			log_error("%s", cause);
		setup_teardown();
	}
	free(cause);
	free(o.args);
	free(o.sets);
	conf_free(conf);
	return rc == 0 ? 0 : 1;
}
