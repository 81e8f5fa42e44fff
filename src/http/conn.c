/*
 * conn.c: the connections of a worker's listeners, seen from beside
 * evhttp: how many are open (max_connections, enforced at accept) and
 * how long a request may take to arrive (the slowloris deadlines).
 *
 * evhttp 2.1 has no hook when it accepts or frees a connection and none
 * when a request's headers are complete; what it offers is the bevcb,
 * which makes each new connection's bufferevent. So every connection
 * gets its bufferevent here (plain, or TLS through tls.c), and with it
 * an entry in a table:
 *
 * - Counting. Over max_connections the new connection is closed at
 *   once: its bufferevent gets a deferred EOF, which evhttp handles as
 *   a client that went away before its first request. Established
 *   connections are not touched. A TLS entry leaves the table when
 *   tls.c frees its bufferevent (conn_closed()); a plain one holds a
 *   reference on its bufferevent, and the janitor (one timer, every
 *   second, and before any refusal) drops the entries whose bufferevent
 *   evhttp has freed (it clears the callbacks) together with the
 *   reference.
 * - Deadlines. A callback on the connection's (plaintext) input buffer
 *   sees each byte arrive: the first byte of a request starts the header
 *   phase, a blank line ends it and starts the body phase, and the
 *   complete request (conn_request_read(), from the router) ends both.
 *   The janitor cuts a connection still in the header phase after
 *   header_timeout seconds or in the body phase after body_timeout, as
 *   evhttp cuts an idle one: a deferred timeout event, no reply. A new
 *   connection starts in the header phase, so a TLS handshake counts
 *   against header_timeout too. Between requests evhttp's idle_timeout
 *   applies, and once a request is read, request_timeout.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "conf.h"
#include "http/conn.h"
#include "http/tls.h"
#include "log.h"
#include "util.h"

#define CONN_BUCKETS		1024
#define CONN_JANITOR_MS		1000
/* Bytes of a request looked at per input callback (iovecs). */
#define CONN_PEEK_VECS		8

enum conn_phase {
	CONN_HEADERS,	/* a request has begun: headers within the limit */
	CONN_BODY,	/* headers complete: the body within the limit */
	CONN_IDLE,	/* between requests, or a request being handled */
};

struct conn {
	LIST_ENTRY(conn)	 bucket;
	TAILQ_ENTRY(conn)	 all;
	struct bufferevent	*bev;
	int			 owned;	/* we hold a reference (plain) */
	enum conn_phase		 phase;
	int64_t			 since_ms;
	int			 at_line_start;
};

LIST_HEAD(conn_bucket, conn);
TAILQ_HEAD(conn_list, conn);

static struct conn_bucket	 conn_buckets[CONN_BUCKETS];
static struct conn_list		 conn_all =
				    TAILQ_HEAD_INITIALIZER(conn_all);
static long			 conn_n;
static struct event		*conn_janitor;
static int64_t			 conn_refused_logged_ms;

static struct conn_bucket *
conn_bucket_of(const struct bufferevent *bev)
{
	return &conn_buckets[ptr_bucket(bev, CONN_BUCKETS)];
}

static struct conn *
conn_find(const struct bufferevent *bev)
{
	struct conn	*c;

	if (bev == NULL)
		return NULL;
	LIST_FOREACH(c, conn_bucket_of(bev), bucket)
		if (c->bev == bev)
			return c;
	return NULL;
}

static void	conn_input_cb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);

/* Remove an entry; drop our reference on a plain bufferevent. */
static void
conn_remove(struct conn *c)
{
	LIST_REMOVE(c, bucket);
	TAILQ_REMOVE(&conn_all, c, all);
	conn_n--;
	if (c->owned) {
		evbuffer_remove_cb(bufferevent_get_input(c->bev),
		    conn_input_cb, c);
		bufferevent_decref(c->bev);
	}
	free(c);
}

/* Has evhttp freed this bufferevent (it clears the callbacks)? */
static int
conn_released(struct conn *c)
{
	bufferevent_event_cb	eventcb;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return eventcb == NULL;
}

static void
conn_phase(struct conn *c, enum conn_phase phase)
{
	c->phase = phase;
	c->since_ms = now_ms();
	c->at_line_start = 0;
}

/*
 * Look at bytes that just arrived: a blank line (LF or CRLF after a line
 * end) ends the header block.
 */
static void
conn_scan(struct conn *c, struct evbuffer *buf, size_t added)
{
	struct evbuffer_iovec	v[CONN_PEEK_VECS];
	struct evbuffer_ptr	p;
	const unsigned char	*s;
	size_t			 len = evbuffer_get_length(buf), i;
	int			 n, k;

	if (added > len ||
	    evbuffer_ptr_set(buf, &p, len - added, EVBUFFER_PTR_SET) != 0)
		return;
	n = evbuffer_peek(buf, (ev_ssize_t)added, &p, v, CONN_PEEK_VECS);
	for (k = 0; k < n && k < CONN_PEEK_VECS; k++) {
		s = v[k].iov_base;
		for (i = 0; i < v[k].iov_len; i++) {
			if (s[i] == '\n') {
				if (c->at_line_start) {
					conn_phase(c, CONN_BODY);
					return;
				}
				c->at_line_start = 1;
			} else if (s[i] != '\r')
				c->at_line_start = 0;
		}
	}
}

/* The connection's input buffer: bytes arrived (or were consumed). */
static void
conn_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn	*c = arg;

	if (info->n_added == 0)
		return;
	if (c->phase == CONN_IDLE)
		conn_phase(c, CONN_HEADERS);
	if (c->phase == CONN_HEADERS)
		conn_scan(c, buf, info->n_added);
}

static void
conn_add(struct bufferevent *bev, int owned)
{
	struct conn	*c = xcalloc(1, sizeof *c);

	c->bev = bev;
	c->owned = owned;
	conn_phase(c, CONN_HEADERS);
	if (owned)
		bufferevent_incref(bev);
	if (evbuffer_add_cb(bufferevent_get_input(bev), conn_input_cb,
	    c) == NULL)
		fatalx("evbuffer_add_cb");
	LIST_INSERT_HEAD(conn_bucket_of(bev), c, bucket);
	TAILQ_INSERT_TAIL(&conn_all, c, all);
	conn_n++;
}

/* "address:port" of the connection's peer, for log lines. */
static void
conn_peer(struct conn *c, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 host[INET6_ADDRSTRLEN] = "-";
	evutil_socket_t		 fd = bufferevent_getfd(c->bev);
	int			 port = 0;

	if (fd != -1 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
			port = ntohs(s6->sin6_port);
		} else if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
			port = ntohs(s4->sin_port);
		}
	}
	snprintf(buf, len, "%s:%d", host, port);
}

/* Past its phase's deadline? Then cut it the way evhttp cuts idlers. */
static void
conn_check_deadline(struct conn *c, int64_t now)
{
	char	peer[INET6_ADDRSTRLEN + 8];
	int64_t	limit;

	if (c->phase == CONN_IDLE)
		return;
	limit = (int64_t)(c->phase == CONN_HEADERS ? conf->header_timeout :
	    conf->body_timeout) * 1000;
	if (now - c->since_ms < limit)
		return;
	conn_peer(c, peer, sizeof peer);
	log_info("conn: %s: request %s not complete within %d s; closed",
	    peer, c->phase == CONN_HEADERS ? "headers" : "body",
	    (int)(limit / 1000));
	c->phase = CONN_IDLE;
	bufferevent_trigger_event(c->bev, BEV_EVENT_READING |
	    BEV_EVENT_TIMEOUT, BEV_TRIG_DEFER_CALLBACKS);
}

/* Drop the entries of freed connections; cut the overdue ones. */
static void
conn_sweep(int deadlines)
{
	struct conn	*c, *next;
	int64_t		 now = now_ms();

	for (c = TAILQ_FIRST(&conn_all); c != NULL; c = next) {
		next = TAILQ_NEXT(c, all);
		if (conn_released(c)) {
			if (c->owned)
				conn_remove(c);
			continue;
		}
		if (deadlines)
			conn_check_deadline(c, now);
	}
}

static void
conn_janitor_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_sweep(1);
}

void
conn_init(struct event_base *base)
{
	struct timeval	tv = { CONN_JANITOR_MS / 1000, 0 };

	conn_janitor = event_new(base, -1, EV_PERSIST, conn_janitor_cb, NULL);
	if (conn_janitor == NULL || event_add(conn_janitor, &tv) != 0)
		fatalx("conn: janitor");
}

/* After the evhttps are freed: release every entry. */
void
conn_shutdown(void)
{
	struct conn	*c;

	while ((c = TAILQ_FIRST(&conn_all)) != NULL) {
		if (!c->owned)
			evbuffer_remove_cb(bufferevent_get_input(c->bev),
			    conn_input_cb, c);
		conn_remove(c);
	}
	if (conn_janitor != NULL)
		event_free(conn_janitor);
	conn_janitor = NULL;
}

/* Stands in until evhttp sets its own callbacks; never runs. */
static void
conn_refused_eventcb(struct bufferevent *bev, short what, void *arg)
{
	bufferevent_free(bev);
}

/*
 * A bufferevent that makes evhttp drop the connection at once. A
 * bufferevent without an event callback ignores triggers, so one stands
 * in; the deferred event runs the callback set by then, evhttp's.
 */
static struct bufferevent *
conn_refuse(struct event_base *base)
{
	struct bufferevent	*bev;
	int64_t			 now = now_ms();

	if (now - conn_refused_logged_ms >= 1000) {
		log_warn("conn: %d connections open (max_connections); "
		    "refusing new ones", conf->max_connections);
		conn_refused_logged_ms = now;
	}
	if ((bev = bufferevent_socket_new(base, -1, 0)) == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(bev, NULL, NULL, conn_refused_eventcb, NULL);
	bufferevent_trigger_event(bev, BEV_EVENT_READING | BEV_EVENT_EOF,
	    BEV_TRIG_DEFER_CALLBACKS);
	return bev;
}

/* evhttp's bevcb: the bufferevent of each accepted connection. */
static struct bufferevent *
conn_bevcb(struct event_base *base, void *arg)
{
	struct tls_server	*ts = arg;
	struct bufferevent	*bev;

	if (conn_n >= conf->max_connections)
		conn_sweep(0);
	if (conn_n >= conf->max_connections)
		return conn_refuse(base);
	if (ts != NULL) {
		bev = tls_bufferevent_new(ts, base);
		conn_add(bev, 0);
	} else {
		/*
		 * The socket closes with the bufferevent, not when evhttp
		 * lets go of it: our reference keeps the bufferevent, and
		 * its read event, alive until the janitor drops it, and a
		 * socket evhttp closed meanwhile could be reused by the next
		 * connection, whose bytes the stale event would then steal.
		 */
		if ((bev = bufferevent_socket_new(base, -1,
		    BEV_OPT_CLOSE_ON_FREE)) == NULL)
			fatalx("bufferevent_socket_new");
		conn_add(bev, 1);
	}
	return bev;
}

void
conn_attach(struct evhttp *http, struct tls_server *ts)
{
	evhttp_set_bevcb(http, conn_bevcb, ts);
}

/* tls.c frees a connection's bufferevent. */
void
conn_closed(struct bufferevent *bev)
{
	struct conn	*c = conn_find(bev);

	if (c != NULL && !c->owned)
		conn_remove(c);
}

/* The router has a whole request: its deadlines end here. */
void
conn_request_read(struct evhttp_request *ev)
{
	struct evhttp_connection	*evcon;
	struct conn			*c;

	if ((evcon = evhttp_request_get_connection(ev)) == NULL)
		return;
	if ((c = conn_find(evhttp_connection_get_bufferevent(evcon))) != NULL)
		conn_phase(c, CONN_IDLE);
}

long
conn_count(void)
{
	return conn_n;
}
