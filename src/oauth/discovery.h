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
/*
 * The base URL (malloc'd) of a pool's hosted UI and OAuth2 endpoints:
 * https://<custom> for a custom domain, else of the prefix domain
 * (<prefix>.<auth_domain>, or <public_url>/<prefix> without one); NULL
 * when both are NULL.
 */
char	*discovery_domain_base(const char *, const char *);

#endif
