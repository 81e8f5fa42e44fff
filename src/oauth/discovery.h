/*
 * discovery.h: the issuer documents of a pool, served on the API host:
 * /<poolId>/.well-known/jwks.json and
 * /<poolId>/.well-known/openid-configuration.
 */
#ifndef DISCOVERY_H
#define DISCOVERY_H

struct req;

void	discovery_jwks(struct req *, const char *);
void	discovery_openid(struct req *, const char *);

#endif
