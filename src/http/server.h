/*
 * server.h: the HTTP(S) listeners of one worker. The sockets are created
 * by the supervisor and inherited; every worker accepts on them.
 */
#ifndef SERVER_H
#define SERVER_H

#include "util.h"

struct event_base;
struct tls_server;

/*
 * The HTTPS, plain-HTTP and console listeners (-1: none); the console's
 * speaks TLS when there is a TLS server (listen_https), else plain.
 */
int	server_start(struct event_base *, int, int, int, struct tls_server *)
	    MUST_CHECK;
void	server_stop_accepting(void);
void	server_stop(void);
/* Bind a listening TCP socket for "host:port" (supervisor). */
int	server_listen(const char *, char **) MUST_CHECK;

#endif
