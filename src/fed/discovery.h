/*
 * discovery.h: JSON documents of identity providers (OIDC discovery
 * documents, JWKS) fetched through fed/fetch.c and kept in a cache of
 * this worker process, keyed by URL.
 *
 * A cached document lives as long as its Cache-Control max-age says,
 * held between DISCOVERY_TTL_MIN and DISCOVERY_TTL_MAX seconds
 * (DISCOVERY_TTL_DEFAULT without one). A JWT whose kid is not in the
 * cached JWKS asks for DISCOVERY_REFRESH, which fetches again at most
 * once per idp_keys_refresh_min seconds (configuration; its default
 * DISCOVERY_REFRESH_MIN) for a URL (a forged kid cannot make us hammer
 * the provider); the admin API asks for DISCOVERY_FRESH,
 * which always fetches. Only the loop thread touches the cache.
 */
#ifndef FED_DISCOVERY_H
#define FED_DISCOVERY_H

#include <stdint.h>

#include <jansson.h>

struct task;

#define DISCOVERY_TTL_MIN	60
#define DISCOVERY_TTL_MAX	86400
#define DISCOVERY_TTL_DEFAULT	3600
#define DISCOVERY_REFRESH_MIN	30
#define DISCOVERY_CACHE_MAX	128

enum discovery_mode {
	DISCOVERY_CACHED,	/* the cached copy while it is fresh */
	DISCOVERY_REFRESH,	/* again, unless fetched very recently */
	DISCOVERY_FRESH,	/* again, always */
};

/*
 * doc is borrowed (incref it to keep it), NULL on failure with why a
 * short reason; t is NULL when the task's owner went meanwhile (then
 * free arg only).
 */
typedef void	(*discovery_fn)(struct task *, json_t *, const char *, void *);

/*
 * The JSON object at url, to done (perhaps before this returns, from
 * the cache). A stale copy stands in when a refresh fails, except for
 * DISCOVERY_FRESH.
 */
void	discovery_get(struct task *, const char *, enum discovery_mode,
	    discovery_fn, void *);
/* The well-known discovery URL of an issuer, malloc'd. */
char	*discovery_url(const char *);
/* Seconds to keep a document with this Cache-Control (NULL: none). */
long	 discovery_max_age(const char *);
/*
 * 1 when a copy fetched at fetched, fresh until expires, answers a
 * request of mode at now (seconds) without fetching.
 */
int	 discovery_use_cached(enum discovery_mode, int64_t, int64_t, int64_t);
/* Forget every cached document (tests). */
void	 discovery_flush(void);

#endif
