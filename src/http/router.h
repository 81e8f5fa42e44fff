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
int	router_pool_domain(const char *, const char *, const char *, char **,
	    char **);

#endif
