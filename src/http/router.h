/*
 * router.h: pick a handler by host kind, method and path. The API host
 * serves the JSON API, the issuer documents and /health; a pool domain
 * (by Host <prefix>.<auth_domain>, or by path /<prefix>/...) serves the
 * hosted UI and OAuth2 endpoints.
 */
#ifndef ROUTER_H
#define ROUTER_H

struct evhttp_request;

void	router_handle(struct evhttp_request *, void *);
/* The console listener's (console_listen): the console alone. */
void	router_handle_console(struct evhttp_request *, void *);
/*
 * Is the request (Host, path) for a pool domain, given auth_domain and
 * public_url? Then the domain (a prefix or a custom domain) and the path
 * below it (both malloc'd).
 */
int	router_pool_domain(const char *, const char *, const char *,
	    const char *, char **, char **);

#endif
