/*
 * discovery.c: a small cache of identity providers' JSON documents
 * (see discovery.h).
 *
 * The cache is a fixed table: a new URL takes a free slot or evicts the
 * entry that expires first. Two requests that miss at once both fetch;
 * the later answer wins, which is harmless for documents that change
 * rarely. Failures are not cached: the next request tries again.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "fed/discovery.h"
#include "fed/fetch.h"
#include "log.h"
#include "util.h"

#define DISCOVERY_WELL_KNOWN	"/.well-known/openid-configuration"

struct discovery_entry {
	char	*url;
	json_t	*doc;
	int64_t	 expires;	/* now_s() */
	int64_t	 fetched;
};

static struct discovery_entry	discovery_cache[DISCOVERY_CACHE_MAX];

struct discovery_req {
	discovery_fn		 done;
	void			*arg;
	enum discovery_mode	 mode;
};

char *
discovery_url(const char *issuer)
{
	size_t	n = strlen(issuer);

	while (n > 0 && issuer[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, issuer, DISCOVERY_WELL_KNOWN);
}

/* The value of directive name in a Cache-Control header, or -1. */
static long
discovery_directive(const char *cc, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = cc;
	char		*end;
	long		 v;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncasecmp(p, name, n) == 0 && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == '=' || p[n] == ' ')) {
			if (p[n] != '=')
				return 0;
			p += n + 1;
			if (*p == '"')
				p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			v = strtol(p, &end, 10);
			return v < 0 ? -1 : v;
		}
		while (*p != '\0' && *p != ',')
			p++;
	}
	return -1;
}

long
discovery_max_age(const char *cc)
{
	long	age;

	if (cc == NULL || *cc == '\0')
		return DISCOVERY_TTL_DEFAULT;
	if (discovery_directive(cc, "no-store") == 0 ||
	    discovery_directive(cc, "no-cache") == 0)
		return DISCOVERY_TTL_MIN;
	if ((age = discovery_directive(cc, "s-maxage")) < 0 &&
	    (age = discovery_directive(cc, "max-age")) < 0)
		return DISCOVERY_TTL_DEFAULT;
	if (age < DISCOVERY_TTL_MIN)
		return DISCOVERY_TTL_MIN;
	return age > DISCOVERY_TTL_MAX ? DISCOVERY_TTL_MAX : age;
}

static struct discovery_entry *
discovery_find(const char *url)
{
	size_t	i;

	for (i = 0; i < nitems(discovery_cache); i++)
		if (discovery_cache[i].url != NULL &&
		    strcmp(discovery_cache[i].url, url) == 0)
			return &discovery_cache[i];
	return NULL;
}

static void
discovery_clear(struct discovery_entry *e)
{
	free(e->url);
	json_decref(e->doc);
	memset(e, 0, sizeof *e);
}

/* The entry for url: its own, a free one, or the first to expire. */
static struct discovery_entry *
discovery_slot(const char *url)
{
	struct discovery_entry	*e, *victim = &discovery_cache[0];
	size_t			 i;

	if ((e = discovery_find(url)) != NULL)
		return e;
	for (i = 0; i < nitems(discovery_cache); i++) {
		e = &discovery_cache[i];
		if (e->url == NULL) {
			victim = e;
			break;
		}
		if (e->expires < victim->expires)
			victim = e;
	}
	discovery_clear(victim);
	victim->url = xstrdup(url);
	return victim;
}

/* The document of a fetch, or NULL with why. */
static json_t *
discovery_parse(struct fetch *f, char **why)
{
	json_t	*doc;

	if (f->error != NULL) {
		*why = xstrdup(f->error);
		return NULL;
	}
	if (f->status != 200) {
		*why = xasprintf("HTTP status %ld", f->status);
		return NULL;
	}
	doc = f->body != NULL ? json_loadb(f->body, f->len, 0, NULL) : NULL;
	if (!json_is_object(doc)) {
		json_decref(doc);
		*why = xstrdup("the answer is not a JSON object");
		return NULL;
	}
	return doc;
}

/* A failed fetch: the stale copy stands in, unless FRESH was asked. */
static json_t *
discovery_stale(const struct discovery_req *q, const char *url,
    const char *why)
{
	struct discovery_entry	*e;

	if (q->mode == DISCOVERY_FRESH || (e = discovery_find(url)) == NULL ||
	    e->doc == NULL)
		return NULL;
	log_warn("discovery: %s: %s (the cached copy stands in)", url, why);
	return e->doc;
}

static void
discovery_fetched(struct task *t, struct fetch *f, void *arg)
{
	struct discovery_req	*q = arg;
	struct discovery_entry	*e;
	json_t			*doc;
	char			*why = NULL;

	if ((doc = discovery_parse(f, &why)) != NULL) {
		e = discovery_slot(f->url);
		json_decref(e->doc);
		e->doc = doc;
		e->fetched = now_s();
		e->expires = e->fetched + discovery_max_age(f->cache_control);
	} else
		doc = discovery_stale(q, f->url, why);
	q->done(t, t != NULL ? doc : NULL, doc != NULL ? NULL : why, q->arg);
	free(why);
	free(q);
}

int
discovery_use_cached(enum discovery_mode mode, int64_t fetched,
    int64_t expires, int64_t now)
{
	switch (mode) {
	case DISCOVERY_CACHED:
		return now < expires;
	case DISCOVERY_REFRESH:
		return now - fetched < (conf != NULL ?
		    conf->idp_keys_refresh_min : DISCOVERY_REFRESH_MIN);
	default:
		return 0;
	}
}

void
discovery_get(struct task *t, const char *url, enum discovery_mode mode,
    discovery_fn done, void *arg)
{
	struct discovery_entry	*e = discovery_find(url);
	struct discovery_req	*q;
	int64_t			 now = now_s();

	if (e != NULL && e->doc != NULL &&
	    discovery_use_cached(mode, e->fetched, e->expires, now)) {
		done(t, e->doc, NULL, arg);
		return;
	}
	q = xcalloc(1, sizeof *q);
	q->done = done;
	q->arg = arg;
	q->mode = mode;
	fetch_start(t, fetch_new(url), discovery_fetched, q);
}

void
discovery_flush(void)
{
	size_t	i;

	for (i = 0; i < nitems(discovery_cache); i++)
		discovery_clear(&discovery_cache[i]);
}
