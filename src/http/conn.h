/*
 * conn.h: a worker's HTTP connections beside evhttp: max_connections at
 * accept, and the deadlines of a request's headers and body (slowloris).
 * See conn.c.
 */
#ifndef CONN_H
#define CONN_H

struct bufferevent;
struct event_base;
struct evhttp;
struct evhttp_request;
struct tls_server;

void	conn_init(struct event_base *);
void	conn_shutdown(void);
/* Make the connections of this evhttp ours (TLS ones when ts is set). */
void	conn_attach(struct evhttp *, struct tls_server *);
/* tls.c: a connection's bufferevent is being freed. */
void	conn_closed(struct bufferevent *);
/* The router: a whole request has arrived on its connection. */
void	conn_request_read(struct evhttp_request *);
/* Connections open now. */
long	conn_count(void);

#endif
