/*
 * worker.c: the life of a worker process. It builds its event loop, its
 * PostgreSQL connections, crypto threads and HTTP servers, then runs
 * until SIGTERM, when it stops accepting, lets requests in progress
 * finish (bounded), and tears everything down in reverse order.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "conf.h"
#include "core/task.h"
#include "core/tokens.h"
#include "crypto/password.h"
#include "crypto/workers.h"
#include "db/pg.h"
#include "db/sweep.h"
#include "demo.h"
#include "fed/fetch_pool.h"
#include "http/request.h"
#include "http/server.h"
#include "http/tls.h"
#include "log.h"
#include "notify/notify.h"
#include "ui/console.h"
#include "ui/render.h"
#include "util.h"
#include "worker.h"

#define WORKER_DRAIN_MS	10000

static struct {
	struct event_base	*base;
	struct tls_server	*tls;
	struct event		*sigterm, *sighup, *drain;
	int64_t			 drain_until;
} w;

static void
worker_drain(evutil_socket_t fd, short what, void *arg)
{
	if (req_count() == 0 || now_ms() >= w.drain_until)
		event_base_loopexit(w.base, NULL);
}

static void
worker_on_sigterm(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	tv = { 0, 50000 };

	if (w.drain != NULL)
		return;
	log_info("stopping: finishing requests in progress");
	server_stop_accepting();
	w.drain_until = now_ms() + WORKER_DRAIN_MS;
	w.drain = event_new(w.base, -1, EV_PERSIST, worker_drain, NULL);
	event_add(w.drain, &tv);
}

static void
worker_on_sighup(evutil_socket_t fd, short what, void *arg)
{
	char	*cause;

	if (w.tls == NULL)
		return;
	if (tls_server_reload(w.tls, &cause) != 0) {
		log_error("certificate reload failed: %s", cause);
		free(cause);
	} else
		log_info("certificate reloaded");
}

static int
worker_setup(const struct worker_args *args)
{
	char	*cause, *templates;

	if (evthread_use_pthreads() != 0 ||
	    (w.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	/* libcurl's global set-up must run before any thread starts. */
	if (notify_global_init() != 0)
		fatalx("cannot initialise libcurl");
	password_set_cost(conf->scrypt_log2_n, conf->scrypt_r, conf->scrypt_p);
	if (args->https_fd != -1 && (w.tls = tls_server_new(
	    conf->tls_cert_file, conf->tls_key_file, &cause)) == NULL)
		fatalx("%s", cause);
	if (pg_init(w.base, args->conninfo, conf->pg_connections,
	    conf->db_timeout, conf->queue_limit) != 0)
		fatalx("database setup failed");
	if (workers_init(w.base, conf->crypto_threads, conf->queue_limit) != 0)
		fatalx("cannot start crypto threads");
	if (notify_init(w.base) != 0)
		fatalx("cannot start message delivery");
	if (fetch_pool_init(w.base) != 0)
		fatalx("cannot start the fetch threads");
	tokens_init(w.base);
	task_loop(w.base);
	templates = xasprintf("%s/templates", conf->ui_dir);
	if (render_init(templates, &cause) != 0)
		fatalx("hosted UI templates in %s: %s", templates, cause);
	free(templates);
	if (console_init(&cause) != 0)
		fatalx("console templates in %s: %s", conf->ui_dir, cause);
	req_deadline_init(w.base, conf->request_timeout);
	if (server_start(w.base, args->https_fd, args->http_fd,
	    args->console_fd, w.tls) != 0)
		fatalx("cannot start the HTTP server");
	w.sigterm = evsignal_new(w.base, SIGTERM, worker_on_sigterm, NULL);
	w.sighup = evsignal_new(w.base, SIGHUP, worker_on_sighup, NULL);
	event_add(w.sigterm, NULL);
	event_add(w.sighup, NULL);
	return 0;
}

static void
worker_teardown(void)
{
	sweep_stop();
	render_free();
	console_free();
	/* The fetch threads' curl handles go before curl's global state. */
	fetch_pool_shutdown();
	notify_shutdown();
	workers_shutdown();
	pg_shutdown();
	server_stop();
	if (w.drain != NULL)
		event_free(w.drain);
	event_free(w.sigterm);
	event_free(w.sighup);
	if (w.tls != NULL)
		tls_server_free(w.tls);
	event_base_free(w.base);
	libevent_global_shutdown();
}

int
worker_main(const struct worker_args *args)
{
	char	role[32];

	snprintf(role, sizeof role, "worker%d", args->index);
	log_set_role(xstrdup(role));
	signal(SIGINT, SIG_IGN);
	if (worker_setup(args) != 0)
		return 1;
	if (args->demo && args->index == 0)
		demo_start(w.base);
	if (args->index == 0 && sweep_start(w.base) != 0)
		fatalx("cannot start the sweep timer");
	event_base_dispatch(w.base);
	worker_teardown();
	log_info("stopped");
	return 0;
}
