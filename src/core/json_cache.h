/*
 * json_cache.h: configuration JSON parsed once per process.
 *
 * Every request that signs in or checks an access token reads its pool's
 * and its client's configuration from the database as JSON text, which
 * can be many kilobytes (the pool's schema). The cache keeps the last
 * parsed value of each key with the text it came from; the same text
 * again gives the same value without parsing, and any change of the text
 * (an UpdateUserPool on any process) parses anew. The values are shared:
 * a caller must never modify one.
 */
#ifndef JSON_CACHE_H
#define JSON_CACHE_H

#include <jansson.h>

/* Key prefixes: what the text is the configuration of. */
#define JSON_CACHE_POOL		"pool:"
#define JSON_CACHE_POOL_MFA	"pool-mfa:"
#define JSON_CACHE_CLIENT	"client:"

/*
 * The value of text (a JSON document), the configuration of what (one of
 * the prefixes above) of id: a new reference, or NULL when text is NULL
 * or not JSON.
 */
json_t	*json_cache_load(const char *, const char *, const char *);
/*
 * Versioned entries, for a query that sends the text only when the
 * version it is given is not the row's: the cached value of what/id and
 * its version (malloc'd) in *version, both NULL when there is none; and
 * storing the text of a version (a new reference, or NULL when text is
 * NULL or not JSON). Hold the peeked value until the reply is read: the
 * entry may be replaced meanwhile.
 */
json_t	*json_cache_peek(const char *, const char *, char **);
json_t	*json_cache_store(const char *, const char *, const char *,
	    const char *);
/* Drop every entry (tests, and exit for leak checkers). */
void	 json_cache_clear(void);

#endif
