/*
 * tls.c: HTTPS for evhttp with mbedTLS 2.28, behind the small interface
 * of tls.h.
 *
 * libevent 2.1 has no mbedTLS bufferevent, so every accepted connection
 * gets a bufferevent_filter (the "top", which evhttp reads and writes
 * plaintext on) stacked on a socket bufferevent (the "under", which
 * carries ciphertext). mbedTLS's BIO callbacks read from the under's
 * input evbuffer and append to its output evbuffer: sending never
 * blocks, and receiving says WANT_READ when the evbuffer is empty. The
 * input filter drives the handshake, then decrypts everything it can;
 * the output filter encrypts what evhttp queued.
 *
 * libevent 2.1.12 needs four workarounds here, each found and verified
 * in a prototype (dependencies.md 3.2) and each covered by a test in
 * tests/integration/test_tls.py:
 *
 * 1. The filter only encrypts output that is added while EV_WRITE is
 *    enabled, and evhttp enables EV_WRITE after queueing a reply. We
 *    watch the top output evbuffer ourselves and, when data arrives
 *    while EV_WRITE is off, activate the connection's "pump" event,
 *    which flushes the filter from the next loop iteration.
 * 2. evbuffer_defer_callbacks() looks like a simpler fix for 1 but
 *    crashes when evhttp frees the connection from the deferred
 *    callback; we do not use it.
 * 3. The filter ignores BEV_ERROR from the input filter, so a failed
 *    handshake would stay open until the idle timeout. We write the
 *    queued alert straight to the socket and raise a deferred error
 *    event (deferred, because evhttp frees the connection from it).
 * 4. evhttp closes the socket as soon as it is told the top output was
 *    written, while the ciphertext may still sit in the under's output:
 *    replies with "Connection: close", HTTP/1.0 replies and evhttp's own
 *    error pages (400, 413) were lost. Three measures:
 *    - evhttp is told a reply was written only once its ciphertext has
 *      left for the kernel: the output filter never reports the top
 *      drained itself (it would run evhttp's write callback at once);
 *      the pump runs that callback when the under's output is empty, so
 *      evhttp closes a "Connection: close" or HTTP/1.0 connection only
 *      then (it no longer needs to be told every request is keep-alive);
 *    - the close callback that tls_request_begin() sets sends
 *      close_notify.
 *
 * A struct tls_conn is owned by the filter bufferevent: it is freed by
 * the filter's free callback and nowhere else. Configurations (the
 * mbedTLS config with its certificate and key) are reference-counted so
 * that a reload serves new connections with the new certificate while
 * old connections keep the one they started with.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include "crypto/random.h"
#include "http/conn.h"
#include "http/tls.h"
#include "log.h"
#include "util.h"

/* Session tickets live 12 hours; mbedTLS rotates the key every 12 h. */
#define TLS_TICKET_LIFETIME	(12 * 3600)
/* Plaintext decrypted per mbedtls_ssl_read() call (one full record). */
#define TLS_READ_CHUNK		16384
/* Plaintext handed to one mbedtls_ssl_write() call. */
#define TLS_WRITE_CHUNK		16384
/*
 * Ciphertext queued for the socket before the output filter pauses.
 * Bounds memory per connection for large replies, and keeps evhttp's
 * write timeout running until the reply has nearly left.
 */
#define TLS_OUT_HIGH		(256 * 1024)
#define TLS_OUT_LOW		(64 * 1024)
/* Buckets of the bufferevent -> connection lookup. */
#define TLS_CONN_BUCKETS	1024
/* Self-signed certificates are valid this long. */
#define TLS_SELF_DAYS		3652

enum tls_state {
	TLS_HANDSHAKE,		/* waiting for the handshake to finish */
	TLS_OPEN,		/* application data flows */
	TLS_CLOSED,		/* close_notify sent; nothing more flows */
	TLS_FAILED,		/* fatal error; the connection is closing */
};

/* One loaded certificate and key, shared by the connections using it. */
struct tls_conf {
	struct tls_server	*ts;
	int			 refs;
	mbedtls_ssl_config	 ssl;
	mbedtls_x509_crt	 crt;
	mbedtls_pk_context	 key;
};

struct tls_server {
	int			 refs;	/* owner and each tls_conf */
	char			*cert_path;
	char			*key_path;
	struct tls_conf		*conf;	/* for new connections */
	mbedtls_ssl_ticket_context ticket;
};

struct tls_conn {
	LIST_ENTRY(tls_conn)	 entry;
	struct tls_conf		*conf;
	mbedtls_ssl_context	 ssl;
	struct bufferevent	*top;	/* plaintext, evhttp's */
	struct bufferevent	*under;	/* ciphertext, the socket */
	struct event		*pump;
	int			 pump_pending;
	int			 wrote;	/* evhttp awaits a reply's end */
	int			 nodelay_done;
	enum tls_state		 state;
};

LIST_HEAD(tls_conn_list, tls_conn);

static struct tls_conn_list	 tls_conns[TLS_CONN_BUCKETS];
static long			 tls_nconns;

/* Both, so that curl --http1.0 (which offers only http/1.0) works. */
static const char	*tls_alpn[] = { "http/1.1", "http/1.0", NULL };

/*
 * Key exchange on X25519 first: mbedTLS picks in its own order and its
 * default list starts at secp521r1, three times slower.
 */
static const mbedtls_ecp_group_id tls_curves[] = {
	MBEDTLS_ECP_DP_CURVE25519,
	MBEDTLS_ECP_DP_SECP256R1,
	MBEDTLS_ECP_DP_SECP384R1,
	MBEDTLS_ECP_DP_NONE
};

/*
 * Forward secrecy and AEAD only. ChaCha20 first: in mbedTLS 2.28 it is
 * faster than AES-GCM even with AES-NI.
 */
static const int tls_suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	0
};

static char *
tls_strerror(int err)
{
	char	buf[160];

	mbedtls_strerror(err, buf, sizeof buf);
	return xstrdup(buf);
}

static char *
tls_cause(const char *what, const char *path, int err)
{
	char	*e, *cause;

	e = tls_strerror(err);
	cause = xasprintf("%s %s: %s", what, path, e);
	free(e);
	return cause;
}

static void
tls_server_unref(struct tls_server *ts)
{
	if (--ts->refs > 0)
		return;
	mbedtls_ssl_ticket_free(&ts->ticket);
	free(ts->cert_path);
	free(ts->key_path);
	free(ts);
}

static void
tls_conf_unref(struct tls_conf *tc)
{
	if (tc == NULL || --tc->refs > 0)
		return;
	mbedtls_ssl_config_free(&tc->ssl);
	mbedtls_x509_crt_free(&tc->crt);
	mbedtls_pk_free(&tc->key);	/* zeroises the private key */
	tls_server_unref(tc->ts);
	free(tc);
}

/* Set the protocol policy of a server configuration. */
static int
tls_conf_policy(struct tls_conf *tc)
{
	mbedtls_ssl_config	*c = &tc->ssl;
	int			 r;

	r = mbedtls_ssl_config_defaults(c, MBEDTLS_SSL_IS_SERVER,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (r != 0)
		return r;
	mbedtls_ssl_conf_rng(c, random_mbedtls, NULL);
	mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3,
	    MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_curves(c, tls_curves);
	mbedtls_ssl_conf_ciphersuites(c, tls_suites);
	mbedtls_ssl_conf_renegotiation(c, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	if ((r = mbedtls_ssl_conf_alpn_protocols(c, tls_alpn)) != 0)
		return r;
	mbedtls_ssl_conf_session_tickets_cb(c, mbedtls_ssl_ticket_write,
	    mbedtls_ssl_ticket_parse, &tc->ts->ticket);
	return mbedtls_ssl_conf_own_cert(c, &tc->crt, &tc->key);
}

/* Load the server's certificate and key into a new configuration. */
static struct tls_conf *
tls_conf_new(struct tls_server *ts, char **cause)
{
	struct tls_conf	*tc;
	int		 r;

	tc = xcalloc(1, sizeof *tc);
	tc->refs = 1;
	tc->ts = ts;
	ts->refs++;
	mbedtls_ssl_config_init(&tc->ssl);
	mbedtls_x509_crt_init(&tc->crt);
	mbedtls_pk_init(&tc->key);

	if ((r = mbedtls_x509_crt_parse_file(&tc->crt, ts->cert_path)) != 0) {
		*cause = tls_cause("certificate", ts->cert_path, r);
		goto fail;
	}
	if ((r = mbedtls_pk_parse_keyfile(&tc->key, ts->key_path,
	    NULL)) != 0) {
		*cause = tls_cause("key", ts->key_path, r);
		goto fail;
	}
	if ((r = mbedtls_pk_check_pair(&tc->crt.pk, &tc->key)) != 0) {
		*cause = tls_cause("key does not match certificate",
		    ts->cert_path, r);
		goto fail;
	}
	if ((r = tls_conf_policy(tc)) != 0) {
		*cause = tls_cause("configuration for", ts->cert_path, r);
		goto fail;
	}
	return tc;

fail:
	tls_conf_unref(tc);
	return NULL;
}

struct tls_server *
tls_server_new(const char *cert_path, const char *key_path, char **cause)
{
	struct tls_server	*ts;
	char			*e;
	int			 r;

	ts = xcalloc(1, sizeof *ts);
	ts->refs = 1;
	ts->cert_path = xstrdup(cert_path);
	ts->key_path = xstrdup(key_path);
	mbedtls_ssl_ticket_init(&ts->ticket);
	r = mbedtls_ssl_ticket_setup(&ts->ticket, random_mbedtls, NULL,
	    MBEDTLS_CIPHER_AES_256_GCM, TLS_TICKET_LIFETIME);
	if (r != 0) {
		e = tls_strerror(r);
		*cause = xasprintf("session ticket setup: %s", e);
		free(e);
		tls_server_unref(ts);
		return NULL;
	}
	if ((ts->conf = tls_conf_new(ts, cause)) == NULL) {
		tls_server_unref(ts);
		return NULL;
	}
	return ts;
}

int
tls_server_reload(struct tls_server *ts, char **cause)
{
	struct tls_conf	*tc;

	if ((tc = tls_conf_new(ts, cause)) == NULL)
		return -1;
	tls_conf_unref(ts->conf);
	ts->conf = tc;
	log_info("tls: reloaded %s", ts->cert_path);
	return 0;
}

/*
 * Drop the owner's reference. Connections still open keep the
 * configuration and the ticket keys alive until they close; but the
 * evhttp must not accept new connections after this (free it first).
 */
void
tls_server_free(struct tls_server *ts)
{
	struct tls_conf	*tc;

	if (ts == NULL)
		return;
	tc = ts->conf;
	ts->conf = NULL;
	tls_conf_unref(tc);
	tls_server_unref(ts);
}

long
tls_open_connections(void)
{
	return tls_nconns;
}

static struct tls_conn_list *
tls_conn_bucket(const struct bufferevent *bev)
{
	return &tls_conns[ptr_bucket(bev, TLS_CONN_BUCKETS)];
}

/* Find the TLS connection whose top bufferevent this is, or NULL. */
static struct tls_conn *
tls_conn_find(const struct bufferevent *bev)
{
	struct tls_conn	*conn;

	if (bev == NULL)
		return NULL;
	LIST_FOREACH(conn, tls_conn_bucket(bev), entry) {
		if (conn->top == bev)
			return conn;
	}
	return NULL;
}

/* Describe the peer for log lines. */
static void
tls_conn_peer(struct tls_conn *conn, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 host[INET6_ADDRSTRLEN];
	evutil_socket_t		 fd;
	int			 port;

	fd = bufferevent_getfd(conn->under);
	if (fd == -1 || getpeername(fd, (struct sockaddr *)&ss, &sl) != 0) {
		strlcpy(buf, "-", len);
		return;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		port = ntohs(s6->sin6_port);
	} else if (ss.ss_family == AF_INET) {
		struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
	} else {
		strlcpy(buf, "-", len);
		return;
	}
	snprintf(buf, len, "%s:%d", host, port);
}

/*
 * Write the ciphertext queued in the under's output straight to the
 * socket, as far as the kernel takes it without blocking. The socket
 * bufferevent freezes the front of its output buffer, so it must be
 * thawed or evbuffer_write() silently writes nothing.
 */
static void
tls_conn_flush_fd(struct tls_conn *conn)
{
	struct evbuffer	*out = bufferevent_get_output(conn->under);
	evutil_socket_t	 fd = bufferevent_getfd(conn->under);

	if (fd == -1)
		return;
	evbuffer_unfreeze(out, 1);
	while (evbuffer_get_length(out) > 0 && evbuffer_write(out, fd) > 0)
		continue;
	evbuffer_freeze(out, 1);
}

/*
 * Give up on a connection after a fatal TLS error (pitfall 3). The alert
 * mbedTLS queued goes out now, and evhttp learns of the error from a
 * deferred event: it frees the connection there, which it must not do
 * while the filter is running.
 */
static void
tls_conn_fail(struct tls_conn *conn, int err)
{
	char	 peer[INET6_ADDRSTRLEN + 8], *e;
	int	 local;

	local = err == MBEDTLS_ERR_SSL_ALLOC_FAILED ||
	    err == MBEDTLS_ERR_SSL_INTERNAL_ERROR ||
	    err == MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	tls_conn_peer(conn, peer, sizeof peer);
	e = tls_strerror(err);
	if (local)
		log_warn("tls: %s: %s", peer, e);
	else if (conn->state == TLS_HANDSHAKE)
		log_debug("tls: handshake with %s failed: %s", peer, e);
	else
		log_debug("tls: connection with %s failed: %s", peer, e);
	free(e);

	conn->state = TLS_FAILED;
	tls_conn_flush_fd(conn);
	bufferevent_trigger_event(conn->top, BEV_EVENT_ERROR |
	    BEV_EVENT_READING, BEV_TRIG_DEFER_CALLBACKS);
}

/* mbedTLS BIO: queue ciphertext for the socket; never blocks. */
static int
tls_bio_send(void *arg, const unsigned char *buf, size_t len)
{
	struct tls_conn	*conn = arg;

	if (len > INT_MAX)
		len = INT_MAX;
	if (evbuffer_add(bufferevent_get_output(conn->under), buf, len) != 0)
		return MBEDTLS_ERR_SSL_ALLOC_FAILED;
	return (int)len;
}

/* mbedTLS BIO: take ciphertext the socket has read, if any. */
static int
tls_bio_recv(void *arg, unsigned char *buf, size_t len)
{
	struct tls_conn	*conn = arg;
	int		 n;

	if (len > INT_MAX)
		len = INT_MAX;
	n = evbuffer_remove(bufferevent_get_input(conn->under), buf, len);
	if (n <= 0)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return n;
}

/* Disable Nagle once the socket is known: replies go out in one flight. */
static void
tls_conn_nodelay(struct tls_conn *conn)
{
	evutil_socket_t	fd;
	int		one = 1;

	if (conn->nodelay_done)
		return;
	conn->nodelay_done = 1;
	if ((fd = bufferevent_getfd(conn->under)) == -1)
		return;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
		log_debug("tls: TCP_NODELAY: %s", strerror(errno));
}

/* Advance the handshake; 0 when done, 1 for more input, -1 on error. */
static int
tls_conn_handshake(struct tls_conn *conn)
{
	int	r;

	r = mbedtls_ssl_handshake(&conn->ssl);
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
		return 1;
	if (r != 0) {
		tls_conn_fail(conn, r);
		return -1;
	}
	conn->state = TLS_OPEN;
	log_debug("tls: handshake done: %s %s",
	    mbedtls_ssl_get_version(&conn->ssl),
	    mbedtls_ssl_get_ciphersuite(&conn->ssl));
	return 0;
}

/*
 * Decrypt everything available into dst. It must drain the under's
 * input whatever the filter's limit says: bytes left there, or in
 * mbedTLS's record buffer, would never wake the filter again.
 */
static enum bufferevent_filter_result
tls_conn_read(struct tls_conn *conn, struct evbuffer *dst)
{
	struct evbuffer_iovec	v;
	int			r, got = 0;

	for (;;) {
		if (evbuffer_reserve_space(dst, TLS_READ_CHUNK, &v, 1) < 1)
			fatalx("evbuffer_reserve_space");
		r = mbedtls_ssl_read(&conn->ssl, v.iov_base, v.iov_len);
		if (r > 0) {
			v.iov_len = (size_t)r;
			evbuffer_commit_space(dst, &v, 1);
			got = 1;
			continue;
		}
		if (r == MBEDTLS_ERR_SSL_WANT_READ ||
		    r == MBEDTLS_ERR_SSL_WANT_WRITE)
			break;
		if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
			/* Answer in kind; TCP EOF or the timeout follows. */
			(void)mbedtls_ssl_close_notify(&conn->ssl);
			conn->state = TLS_CLOSED;
			break;
		}
		tls_conn_fail(conn, r);
		return BEV_ERROR;
	}
	return got ? BEV_OK : BEV_NEED_MORE;
}

/* Filter: ciphertext from the socket to plaintext for evhttp. */
static enum bufferevent_filter_result
tls_filter_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct tls_conn	*conn = arg;
	int		 r;

	switch (conn->state) {
	case TLS_HANDSHAKE:
		tls_conn_nodelay(conn);
		if ((r = tls_conn_handshake(conn)) != 0)
			return r > 0 ? BEV_NEED_MORE : BEV_ERROR;
		/* The request may have come with the last handshake flight. */
		/* FALLTHROUGH */
	case TLS_OPEN:
		return tls_conn_read(conn, dst);
	case TLS_CLOSED:
		evbuffer_drain(src, evbuffer_get_length(src));
		return BEV_NEED_MORE;
	case TLS_FAILED:
	default:
		evbuffer_drain(src, evbuffer_get_length(src));
		return BEV_ERROR;
	}
}

/*
 * Filter: plaintext from evhttp to ciphertext for the socket, at most
 * about `limit' bytes (the room under TLS_OUT_HIGH). Small chunks, such
 * as header lines, are coalesced so that they share a record.
 *
 * It answers BEV_OK only when it stopped with plaintext left: BEV_OK
 * with the top output empty makes the filter call evhttp's write
 * callback at once, and evhttp would then close a "Connection: close"
 * socket with the ciphertext still queued (pitfall 4). That callback
 * comes from tls_pump_cb() instead, once the ciphertext has gone.
 */
static enum bufferevent_filter_result
tls_filter_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct tls_conn	*conn = arg;
	unsigned char	*p;
	size_t		 len, done = 0, queued;
	int		 r;

	if (conn->state == TLS_HANDSHAKE)
		return BEV_NEED_MORE;
	if (conn->state != TLS_OPEN) {
		evbuffer_drain(src, evbuffer_get_length(src));
		return conn->state == TLS_FAILED ? BEV_ERROR : BEV_NEED_MORE;
	}
	if (limit < 0) {
		queued = evbuffer_get_length(dst);
		limit = queued < TLS_OUT_HIGH ? TLS_OUT_HIGH - queued : 1;
	}
	while ((len = evbuffer_get_length(src)) > 0 && done < (size_t)limit) {
		if (len > TLS_WRITE_CHUNK)
			len = TLS_WRITE_CHUNK;
		if ((p = evbuffer_pullup(src, (ev_ssize_t)len)) == NULL)
			fatalx("evbuffer_pullup");
		r = mbedtls_ssl_write(&conn->ssl, p, len);
		if (r < 0) {
			/* WANT_WRITE cannot happen: the BIO never blocks. */
			tls_conn_fail(conn, r);
			return BEV_ERROR;
		}
		evbuffer_drain(src, (size_t)r);
		done += (size_t)r;
	}
	if (done > 0)
		conn->wrote = 1;
	if (done > 0 && evbuffer_get_length(src) > 0)
		return BEV_OK;
	return BEV_NEED_MORE;
}

/*
 * Schedule the pump, holding the bufferevent until it has run. Not once
 * evhttp has freed the bufferevent (its callbacks are gone then, while
 * the filter's finalizer has yet to run): a reference taken then would
 * free it twice.
 */
static void
tls_conn_pump(struct tls_conn *conn)
{
	bufferevent_event_cb	eventcb;

	if (conn->pump_pending)
		return;
	bufferevent_getcb(conn->top, NULL, NULL, &eventcb, NULL);
	if (eventcb == NULL)
		return;
	conn->pump_pending = 1;
	bufferevent_incref(conn->top);
	event_active(conn->pump, EV_TIMEOUT, 1);
}

/*
 * The pump, run from the loop, outside any bufferevent callback:
 * - encrypt output evhttp queued before enabling EV_WRITE (pitfall 1);
 * - once a reply's ciphertext has all left, run evhttp's write callback,
 *   which may free the connection (pitfall 4).
 * The reference taken in tls_conn_pump() keeps the bufferevent, and so
 * this connection, alive meanwhile; dropping it may free both, so it
 * comes last.
 */
static void
tls_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tls_conn		*conn = arg;
	struct bufferevent	*top = conn->top;
	struct evbuffer		*out = bufferevent_get_output(top);

	conn->pump_pending = 0;
	if (conn->state == TLS_OPEN && evbuffer_get_length(out) > 0)
		bufferevent_flush(top, EV_WRITE, BEV_NORMAL);
	if (conn->state == TLS_OPEN && conn->wrote &&
	    evbuffer_get_length(out) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(conn->under)) == 0) {
		conn->wrote = 0;
		bufferevent_trigger(top, EV_WRITE, 0);
	}
	bufferevent_decref(top);
}

/* Top output: evhttp added a reply while EV_WRITE is off (pitfall 1). */
static void
tls_top_out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct tls_conn	*conn = arg;

	if (info->n_added > 0 &&
	    !(bufferevent_get_enabled(conn->top) & EV_WRITE))
		tls_conn_pump(conn);
}

/* Under output: the socket took the last queued ciphertext. */
static void
tls_under_out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct tls_conn	*conn = arg;

	if (info->n_deleted > 0 && conn->wrote &&
	    evbuffer_get_length(buf) == 0)
		tls_conn_pump(conn);
}

/* The filter's free callback: the only place a tls_conn is freed. */
static void
tls_conn_free(void *arg)
{
	struct tls_conn	*conn = arg;

	conn_closed(conn->top);
	LIST_REMOVE(conn, entry);
	tls_nconns--;
	event_free(conn->pump);
	mbedtls_ssl_free(&conn->ssl);
	tls_conf_unref(conn->conf);
	free(conn);
}

/* A fresh filter stack for an accepted connection (evhttp's bevcb). */
struct bufferevent *
tls_bufferevent_new(struct tls_server *ts, struct event_base *base)
{
	struct tls_conn		*conn;
	int			 r;

	conn = xcalloc(1, sizeof *conn);
	conn->state = TLS_HANDSHAKE;
	conn->conf = ts->conf;
	conn->conf->refs++;
	mbedtls_ssl_init(&conn->ssl);
	if ((r = mbedtls_ssl_setup(&conn->ssl, &conn->conf->ssl)) != 0)
		fatalx("mbedtls_ssl_setup: %d", r);
	mbedtls_ssl_set_bio(&conn->ssl, conn, tls_bio_send, tls_bio_recv,
	    NULL);

	conn->under = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (conn->under == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setwatermark(conn->under, EV_WRITE, TLS_OUT_LOW,
	    TLS_OUT_HIGH);
	conn->top = bufferevent_filter_new(conn->under, tls_filter_in,
	    tls_filter_out, BEV_OPT_CLOSE_ON_FREE, tls_conn_free, conn);
	if (conn->top == NULL)
		fatalx("bufferevent_filter_new");
	if ((conn->pump = event_new(base, -1, 0, tls_pump_cb, conn)) == NULL)
		fatalx("event_new");
	if (evbuffer_add_cb(bufferevent_get_output(conn->top), tls_top_out_cb,
	    conn) == NULL || evbuffer_add_cb(bufferevent_get_output(
	    conn->under), tls_under_out_cb, conn) == NULL)
		fatalx("evbuffer_add_cb");

	LIST_INSERT_HEAD(tls_conn_bucket(conn->top), conn, entry);
	tls_nconns++;
	return conn->top;
}

/*
 * evhttp is about to close the connection: say close_notify and write
 * it, with anything else still queued, before the socket goes (evhttp
 * shuts it down right after this returns).
 */
static void
tls_closecb(struct evhttp_connection *evcon, void *arg)
{
	struct tls_conn	*conn = arg;

	if (conn->state == TLS_OPEN) {
		(void)mbedtls_ssl_close_notify(&conn->ssl);
		conn->state = TLS_CLOSED;
	}
	tls_conn_flush_fd(conn);
}

/*
 * Per-request set-up; harmless on plain HTTP, where nothing is found.
 * The close callback, which sends close_notify, can only be set here,
 * since evhttp exposes the connection only through its requests.
 */
void
tls_request_begin(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct tls_conn			*conn;

	if ((evcon = evhttp_request_get_connection(req)) == NULL)
		return;
	conn = tls_conn_find(evhttp_connection_get_bufferevent(evcon));
	if (conn == NULL)
		return;
	evhttp_connection_set_closecb(evcon, tls_closecb, conn);
}

/* mkdir -p of the directory holding path, new directories mode 0700. */
static int
tls_make_parent(const char *path, char **cause)
{
	char	*copy, *p;
	int	 r = 0;

	copy = xstrdup(path);
	for (p = copy + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			*cause = xasprintf("%s: %s", copy, strerror(errno));
			r = -1;
			break;
		}
		*p = '/';
	}
	free(copy);
	return r;
}

/* Prepend one GeneralName (tag [n], implicit) to a DER buffer. */
static int
tls_san_add(unsigned char **p, unsigned char *start, int tag,
    const void *data, size_t len, size_t *total)
{
	int	r, n = 0;

	if ((r = mbedtls_asn1_write_raw_buffer(p, start, data, len)) < 0)
		return r;
	n += r;
	if ((r = mbedtls_asn1_write_len(p, start, (size_t)n)) < 0)
		return r;
	n += r;
	r = mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
	    tag);
	if (r < 0)
		return r;
	*total += (size_t)(n + r);
	return 0;
}

/*
 * Encode the subjectAltName extension value. mbedTLS 2.28 has no setter
 * for it, so it is built with the library's ASN.1 writer, which writes
 * back to front: the last name goes first.
 */
static int
tls_san_der(unsigned char *buf, size_t size, const char *domain,
    unsigned char **out, size_t *outlen)
{
	static const unsigned char	 v4[4] = { 127, 0, 0, 1 };
	static const unsigned char	 v6[16] = { [15] = 1 };
	unsigned char			*p = buf + size;
	char				*wild = NULL;
	size_t				 len = 0;
	int				 r;

	if (domain != NULL && *domain != '\0') {
		wild = xasprintf("*.%s", domain);
		if ((r = tls_san_add(&p, buf, 2, wild, strlen(wild),
		    &len)) != 0 || (r = tls_san_add(&p, buf, 2, domain,
		    strlen(domain), &len)) != 0)
			goto out;
	}
	if ((r = tls_san_add(&p, buf, 7, v6, sizeof v6, &len)) != 0 ||
	    (r = tls_san_add(&p, buf, 7, v4, sizeof v4, &len)) != 0 ||
	    (r = tls_san_add(&p, buf, 2, "localhost", 9, &len)) != 0)
		goto out;
	if ((r = mbedtls_asn1_write_len(&p, buf, len)) < 0)
		goto out;
	len += (size_t)r;
	r = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE);
	if (r < 0)
		goto out;
	len += (size_t)r;
	*out = p;
	*outlen = len;
	r = 0;
out:
	free(wild);
	return r;
}

/* A hostname we are willing to put in a certificate. */
static int
tls_domain_ok(const char *d)
{
	size_t	i, len = strlen(d);

	if (len == 0)
		return 1;
	if (len > 253 || d[0] == '.' || d[0] == '-' || d[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (!((d[i] >= 'a' && d[i] <= 'z') ||
		    (d[i] >= 'A' && d[i] <= 'Z') ||
		    (d[i] >= '0' && d[i] <= '9') || d[i] == '-' || d[i] == '.'))
			return 0;
	}
	return 1;
}

/* Format a validity bound, days from now, as mbedTLS wants it. */
static void
tls_time(char *buf, size_t len, long days)
{
	time_t		t = time(NULL) + (time_t)days * 86400;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%d%H%M%S", &tm);
}

/* A random positive 128-bit serial number. */
static int
tls_serial(mbedtls_mpi *serial)
{
	unsigned char	b[16];

	if (random_mbedtls(NULL, b, sizeof b) != 0)
		return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
	b[0] &= 0x7f;
	b[0] |= 0x40;
	return mbedtls_mpi_read_binary(serial, b, sizeof b);
}

/* Fill in the certificate fields; the key signs its own certificate. */
static int
tls_crt_fields(mbedtls_x509write_cert *crt, mbedtls_pk_context *key,
    mbedtls_mpi *serial, const char *domain)
{
	unsigned char	 san[1024], *der;
	char		 from[16], to[16];
	size_t		 derlen;
	int		 r;

	tls_time(from, sizeof from, -1);
	tls_time(to, sizeof to, TLS_SELF_DAYS);
	mbedtls_x509write_crt_set_version(crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(crt, key);
	mbedtls_x509write_crt_set_issuer_key(crt, key);
	if ((r = tls_serial(serial)) != 0 ||
	    (r = mbedtls_x509write_crt_set_serial(crt, serial)) != 0 ||
	    (r = mbedtls_x509write_crt_set_validity(crt, from, to)) != 0 ||
	    (r = mbedtls_x509write_crt_set_subject_name(crt,
	    "CN=localhost")) != 0 ||
	    (r = mbedtls_x509write_crt_set_issuer_name(crt,
	    "CN=localhost")) != 0 ||
	    (r = mbedtls_x509write_crt_set_basic_constraints(crt, 0,
	    -1)) != 0 ||
	    (r = mbedtls_x509write_crt_set_subject_key_identifier(crt)) != 0 ||
	    (r = mbedtls_x509write_crt_set_authority_key_identifier(
	    crt)) != 0)
		return r;
	if ((r = tls_san_der(san, sizeof san, domain, &der, &derlen)) != 0)
		return r;
	return mbedtls_x509write_crt_set_extension(crt,
	    MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, der, derlen);
}

/* Generate the key pair and write both PEM files (key first). */
static int
tls_write_self_signed(const char *cert_path, const char *key_path,
    const char *domain, char **cause)
{
	mbedtls_pk_context	 key;
	mbedtls_x509write_cert	 crt;
	mbedtls_mpi		 serial;
	unsigned char		*pem;
	const size_t		 pemsize = 8192;
	int			 r, ret = -1;

	pem = xcalloc(1, pemsize);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	if ((r = mbedtls_pk_setup(&key,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0 ||
	    (r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
	    mbedtls_pk_ec(key), random_mbedtls, NULL)) != 0 ||
	    (r = mbedtls_pk_write_key_pem(&key, pem, pemsize)) != 0) {
		*cause = tls_cause("generating key for", key_path, r);
		goto out;
	}
	if (write_file_atomic(key_path, pem, strlen((char *)pem), 0600,
	    cause) != 0)
		goto out;
	wipe(pem, pemsize);
	if ((r = tls_crt_fields(&crt, &key, &serial, domain)) != 0 ||
	    (r = mbedtls_x509write_crt_pem(&crt, pem, pemsize, random_mbedtls,
	    NULL)) != 0) {
		*cause = tls_cause("generating certificate", cert_path, r);
		goto out;
	}
	if (write_file_atomic(cert_path, pem, strlen((char *)pem), 0644,
	    cause) != 0)
		goto out;
	ret = 0;
out:
	wipe(pem, pemsize);
	free(pem);
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	return ret;
}

int
tls_make_self_signed(const char *cert_path, const char *key_path,
    const char *auth_domain, char **cause)
{
	if (auth_domain != NULL && !tls_domain_ok(auth_domain)) {
		*cause = xstrdup("auth_domain is not a valid host name");
		return -1;
	}
	if (tls_make_parent(key_path, cause) != 0 ||
	    tls_make_parent(cert_path, cause) != 0)
		return -1;
	if (tls_write_self_signed(cert_path, key_path, auth_domain,
	    cause) != 0)
		return -1;
	log_info("tls: created a self-signed certificate in %s", cert_path);
	return 0;
}
