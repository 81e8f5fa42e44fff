/*
 * tls.h: TLS for the HTTP server, behind a small interface: the server
 * asks tls for a bufferevent per new connection and calls
 * tls_request_begin() on every request; it never knows whether a
 * connection is encrypted otherwise. mbedTLS 2.28, TLS 1.2 minimum.
 */
#ifndef TLS_H
#define TLS_H

#include "util.h"

struct bufferevent;
struct event_base;
struct evhttp;
struct evhttp_request;
struct tls_server;

/* Load certificate and key; NULL with *cause on failure. */
struct tls_server	*tls_server_new(const char *, const char *, char **);
/* Re-read certificate and key (SIGHUP); the old ones stay on failure. */
int			 tls_server_reload(struct tls_server *, char **)
			    MUST_CHECK;
void			 tls_server_free(struct tls_server *);
/* The bufferevent of a new TLS connection (for evhttp's bevcb). */
struct bufferevent	*tls_bufferevent_new(struct tls_server *,
			    struct event_base *);
/* Per-request fix-ups the TLS glue needs (see tls.c). */
void			 tls_request_begin(struct evhttp_request *);
/* Connections currently open (for limits and leak tests). */
long			 tls_open_connections(void);

/*
 * Create a self-signed ECDSA P-256 certificate whose subjectAltName
 * covers localhost, 127.0.0.1, ::1 and, when auth_domain is not empty,
 * auth_domain and *.auth_domain. Writes PEM files (key mode 0600).
 */
int	 tls_make_self_signed(const char *, const char *, const char *,
	    char **) MUST_CHECK;

#endif
