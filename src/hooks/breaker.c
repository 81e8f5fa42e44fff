/*
 * breaker.c: circuit breakers of trigger URLs (see breaker.h).
 *
 * A small table of the URLs recently called, on the loop thread only.
 * A closed circuit that had no failure needs no entry; when the table
 * is full, the entry used least recently gives its place, preferring
 * a closed one, so the table stays bounded whatever the pools name.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "hooks/breaker.h"
#include "log.h"
#include "util.h"

#define BREAKER_SLOTS	64

struct breaker {
	char	*url;		/* NULL: a free slot */
	int	 failures;	/* in a row */
	int	 open;		/* refusing calls until until */
	int	 probing;	/* the one half-open call is in flight */
	time_t	 until;
	time_t	 used;
};

static struct breaker	breakers[BREAKER_SLOTS];

static time_t
breaker_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static struct breaker *
breaker_find(const char *url)
{
	size_t	i;

	for (i = 0; i < nitems(breakers); i++)
		if (breakers[i].url != NULL &&
		    strcmp(breakers[i].url, url) == 0)
			return &breakers[i];
	return NULL;
}

/* A slot for url: a free one, else the least recently used closed one. */
static struct breaker *
breaker_add(const char *url)
{
	struct breaker	*b, *victim = NULL;
	size_t		 i;

	for (i = 0; i < nitems(breakers); i++) {
		b = &breakers[i];
		if (b->url == NULL) {
			victim = b;
			break;
		}
		if (victim == NULL || (victim->open && !b->open) ||
		    (victim->open == b->open && b->used < victim->used))
			victim = b;
	}
	free(victim->url);
	memset(victim, 0, sizeof *victim);
	victim->url = xstrdup(url);
	return victim;
}

int
breaker_allow(const char *url)
{
	struct breaker	*b = breaker_find(url);
	time_t		 now = breaker_now();

	if (b == NULL)
		return 1;
	b->used = now;
	if (!b->open)
		return 1;
	if (now < b->until || b->probing)
		return 0;
	b->probing = 1;
	return 1;
}

void
breaker_record(const char *url, int ok)
{
	struct breaker	*b = breaker_find(url);
	time_t		 now = breaker_now();

	if (ok) {
		if (b != NULL && b->open)
			log_info("trigger %s answers again: circuit closed",
			    url);
		if (b != NULL)
			b->failures = b->open = b->probing = 0;
		return;
	}
	if (b == NULL)
		b = breaker_add(url);
	b->used = now;
	b->failures++;
	if (b->probing || (!b->open &&
	    b->failures >= conf->trigger_breaker_failures)) {
		log_warn("trigger %s failed %d times in a row: circuit open "
		    "for %d s", url, b->failures,
		    conf->trigger_breaker_seconds);
		b->open = 1;
		b->until = now + conf->trigger_breaker_seconds;
	}
	b->probing = 0;
}

void
breaker_cancel(const char *url)
{
	struct breaker	*b = breaker_find(url);

	if (b != NULL)
		b->probing = 0;
}

void
breaker_reset(void)
{
	size_t	i;

	for (i = 0; i < nitems(breakers); i++) {
		free(breakers[i].url);
		memset(&breakers[i], 0, sizeof breakers[i]);
	}
}
