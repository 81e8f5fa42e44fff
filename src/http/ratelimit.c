/*
 * ratelimit.c: requests per client address, a token bucket each, in
 * the worker's memory. It guards what anyone may call without a key:
 * the JSON API's unsigned operations (sign-up, sign-in, forgot password,
 * ...) and a pool domain's pages. A bucket holds address_burst tokens
 * and gains address_rate a second; a request takes one, and one that
 * finds none is refused (TooManyRequestsException, or domain.c's 429
 * page).
 * Workers do not share buckets, so an address gets its allowance once
 * per worker; the users' own counters (lockout, message caps) live in
 * PostgreSQL.
 *
 * Addresses are keyed by addr_key() (an IPv6 client by its /64). The
 * table is bounded: a bucket idle long enough to be full again is the
 * same as no bucket and is dropped (the least recently used end of a
 * list is looked at on each request), and when the table is full anyway
 * the least recently used bucket goes.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "http/addr.h"
#include "http/ratelimit.h"
#include "http/request.h"
#include "log.h"
#include "util.h"

#define RATELIMIT_BUCKETS	4096
#define RATELIMIT_MAX		16384	/* buckets kept per worker */
#define RATELIMIT_KEY		64

struct ratelimit_entry {
	LIST_ENTRY(ratelimit_entry)	 bucket;
	TAILQ_ENTRY(ratelimit_entry)	 lru;	/* most recent first */
	char				 key[RATELIMIT_KEY];
	double				 tokens;
	int64_t				 at_ms;
};

LIST_HEAD(ratelimit_bucket, ratelimit_entry);
TAILQ_HEAD(ratelimit_lru, ratelimit_entry);

static struct ratelimit_bucket	ratelimit_table[RATELIMIT_BUCKETS];
static struct ratelimit_lru	ratelimit_lru =
				    TAILQ_HEAD_INITIALIZER(ratelimit_lru);
static size_t			ratelimit_n;

/* Paths of a pool domain that are not pages: clients with a secret. */
static const char *const ratelimit_exempt[] = {
	"/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo",
	"/ui/custom.css", "/ui/logo",
};

static struct ratelimit_bucket *
ratelimit_bucket_of(const char *key)
{
	uint32_t	h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return &ratelimit_table[h % RATELIMIT_BUCKETS];
}

static void
ratelimit_drop(struct ratelimit_entry *e)
{
	LIST_REMOVE(e, bucket);
	TAILQ_REMOVE(&ratelimit_lru, e, lru);
	ratelimit_n--;
	free(e);
}

/* Drop buckets that have refilled (or the oldest, when full). */
static void
ratelimit_evict(int64_t now)
{
	struct ratelimit_entry	*e;
	int64_t			 full_ms;

	full_ms = (int64_t)conf->address_burst * 1000 / conf->address_rate + 1;
	while ((e = TAILQ_LAST(&ratelimit_lru, ratelimit_lru)) != NULL &&
	    (now - e->at_ms >= full_ms || ratelimit_n >= RATELIMIT_MAX))
		ratelimit_drop(e);
}

static struct ratelimit_entry *
ratelimit_find(const char *key, int64_t now)
{
	struct ratelimit_bucket	*b = ratelimit_bucket_of(key);
	struct ratelimit_entry	*e;

	LIST_FOREACH(e, b, bucket)
		if (strcmp(e->key, key) == 0)
			return e;
	e = xcalloc(1, sizeof *e);
	strlcpy(e->key, key, sizeof e->key);
	e->tokens = conf->address_burst;
	e->at_ms = now;
	LIST_INSERT_HEAD(b, e, bucket);
	TAILQ_INSERT_HEAD(&ratelimit_lru, e, lru);
	ratelimit_n++;
	return e;
}

int
ratelimit_take(const char *addr)
{
	struct ratelimit_entry	*e;
	char			 key[RATELIMIT_KEY];
	int64_t			 now = now_ms();

	if (conf->address_rate == 0)
		return 0;
	addr_key(addr, key, sizeof key);
	ratelimit_evict(now);
	e = ratelimit_find(key, now);
	e->tokens += (double)(now - e->at_ms) * conf->address_rate / 1000.0;
	if (e->tokens > conf->address_burst)
		e->tokens = conf->address_burst;
	e->at_ms = now;
	TAILQ_REMOVE(&ratelimit_lru, e, lru);
	TAILQ_INSERT_HEAD(&ratelimit_lru, e, lru);
	if (e->tokens < 1.0)
		return -1;
	e->tokens -= 1.0;
	return 0;
}

int
ratelimit_page(struct req *r)
{
	size_t	i;

	for (i = 0; i < nitems(ratelimit_exempt); i++)
		if (strcmp(r->domain_path, ratelimit_exempt[i]) == 0)
			return 0;
	return ratelimit_take(req_client_addr(r));
}

size_t
ratelimit_size(void)
{
	return ratelimit_n;
}
