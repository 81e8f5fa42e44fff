/*
 * ratelimit.h: a token bucket per client address, per worker, for what
 * anyone may call without a key (see ratelimit.c).
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>

struct req;

/* Take a token for this address: 0, or -1 when it has none left. */
int	ratelimit_take(const char *);
/*
 * A pool-domain request: 0 to go on, or -1 when its address is out of
 * tokens (pages count; the OAuth2 endpoints and assets do not); the
 * caller answers.
 */
int	ratelimit_page(struct req *);
/* Buckets held now. */
size_t	ratelimit_size(void);

#endif
