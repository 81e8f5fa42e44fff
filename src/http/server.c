/*
 * server.c: listeners and evhttp instances of a worker. One evhttp
 * serves the HTTPS listener through the TLS glue, another the optional
 * plain-HTTP listener, a third the optional console listener
 * (console_listen, whose requests the router gives to the console
 * alone); all hand every request to the router, and all
 * make their connections through conn.c (max_connections, the header
 * and body deadlines). The limits evhttp enforces itself (body size,
 * header size, idle time) are set here; the finer ones (431 for headers,
 * the forms' body size, JSON depth, queues) live with the code that
 * meets them.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>

#include "conf.h"
#include "http/conn.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls.h"
#include "log.h"
#include "util.h"

/* evhttp itself cuts headers off here; smaller excess gets our 431. */
#define SERVER_HARD_HEADER_FACTOR	4

static struct evhttp			*https_http, *plain_http, *console_http;
static struct evhttp_bound_socket	*https_bound, *plain_bound,
					*console_bound;

static struct evhttp *
server_http_new(struct event_base *base, int fd, struct tls_server *tls,
    struct evhttp_bound_socket **bound, void (*cb)(struct evhttp_request *,
    void *))
{
	struct evhttp	*h;

	if ((h = evhttp_new(base)) == NULL)
		fatalx("evhttp_new");
	evhttp_set_max_body_size(h, conf->max_body_bytes);
	evhttp_set_max_headers_size(h, (ev_ssize_t)conf->max_header_bytes *
	    SERVER_HARD_HEADER_FACTOR);
	evhttp_set_timeout(h, conf->idle_timeout);
	/* Read the rest of an oversized body so the 413 is not a reset. */
	evhttp_set_flags(h, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE);
	evhttp_set_default_content_type(h, "text/plain; charset=utf-8");
	evhttp_set_gencb(h, cb, NULL);
	conn_attach(h, tls);
	if ((*bound = evhttp_accept_socket_with_handle(h, fd)) == NULL)
		fatalx("evhttp_accept_socket");
	return h;
}

int
server_start(struct event_base *base, int https_fd, int http_fd,
    int console_fd, struct tls_server *tls)
{
	conn_init(base);
	if (https_fd != -1)
		https_http = server_http_new(base, dup(https_fd), tls,
		    &https_bound, router_handle);
	if (http_fd != -1)
		plain_http = server_http_new(base, dup(http_fd), NULL,
		    &plain_bound, router_handle);
	if (console_fd != -1)
		console_http = server_http_new(base, dup(console_fd), tls,
		    &console_bound, router_handle_console);
	return 0;
}

/* Stop accepting; connections already open are served to the end. */
void
server_stop_accepting(void)
{
	if (https_bound != NULL)
		evhttp_del_accept_socket(https_http, https_bound);
	if (plain_bound != NULL)
		evhttp_del_accept_socket(plain_http, plain_bound);
	if (console_bound != NULL)
		evhttp_del_accept_socket(console_http, console_bound);
	https_bound = plain_bound = console_bound = NULL;
}

void
server_stop(void)
{
	if (https_http != NULL)
		evhttp_free(https_http);
	if (plain_http != NULL)
		evhttp_free(plain_http);
	if (console_http != NULL)
		evhttp_free(console_http);
	https_http = plain_http = console_http = NULL;
	conn_shutdown();
}

/* Split "host:port" or "[v6]:port". */
static int
server_split(const char *spec, char **host, char **port)
{
	const char	*colon = strrchr(spec, ':');

	if (colon == NULL)
		return -1;
	if (spec[0] == '[' && colon > spec && colon[-1] == ']')
		*host = xstrndup(spec + 1, colon - spec - 2);
	else
		*host = xstrndup(spec, colon - spec);
	*port = xstrdup(colon + 1);
	return 0;
}

static int
server_bind_one(struct addrinfo *ai)
{
	int	fd, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 1024) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
server_listen(const char *spec, char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	char		*host, *port;
	int		 fd = -1, rc;

	if (server_split(spec, &host, &port) != 0) {
		*cause = xasprintf("%s: expected host:port", spec);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(*host != '\0' ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		*cause = xasprintf("%s: %s", spec, gai_strerror(rc));
		goto out;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = server_bind_one(ai);
	freeaddrinfo(res);
	if (fd == -1)
		*cause = xasprintf("cannot listen on %s: %s", spec,
		    strerror(errno));
out:
	free(host);
	free(port);
	return fd;
}
