/*
 * addr.h: client addresses: the TCP peer, or X-Forwarded-For when the
 * peer is a trusted proxy; and the key a rate limit counts them by.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>

struct addr_set;

/* Parse trusted_proxies ("a.b.c.d, net/bits, ..."); NULL with *cause. */
struct addr_set	*addr_set_parse(const char *, char **);
void		 addr_set_free(struct addr_set *);
/*
 * The client of a request from peer carrying X-Forwarded-For xff (NULL
 * when absent), written to out in canonical form.
 */
void		 addr_client(const struct addr_set *, const char *peer,
		    const char *xff, char *out, size_t len);
/* The rate-limit key of an address: IPv4 whole, IPv6 by its /64. */
void		 addr_key(const char *, char *, size_t);

#endif
