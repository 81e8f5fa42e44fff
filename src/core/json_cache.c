/*
 * json_cache.c: a direct-mapped table of parsed configuration JSON,
 * indexed by a hash of the key and checked by the whole key and either
 * the whole text or a version the database gives (a row's xmin, which
 * changes with every update of the row).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_cache.h"
#include "util.h"

#define JSON_CACHE_SLOTS	256	/* a power of two */

struct json_cache_entry {
	char	*key;
	char	*text;		/* or the version, for versioned entries */
	size_t	 len;
	json_t	*value;
};

static pthread_mutex_t		json_cache_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct json_cache_entry	json_cache[JSON_CACHE_SLOTS];

/* FNV-1a of the key: where it lives in the table. */
static size_t
json_cache_slot(const char *key)
{
	uint32_t	h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h & (JSON_CACHE_SLOTS - 1);
}

static void
json_cache_entry_clear(struct json_cache_entry *e)
{
	free(e->key);
	free(e->text);
	json_decref(e->value);
	memset(e, 0, sizeof *e);
}

/* The cached value of key when its text is still text, referenced. */
static json_t *
json_cache_find(struct json_cache_entry *e, const char *key,
    const char *text, size_t len)
{
	json_t	*v = NULL;

	pthread_mutex_lock(&json_cache_mtx);
	if (e->key != NULL && strcmp(e->key, key) == 0 && e->len == len &&
	    memcmp(e->text, text, len) == 0)
		v = json_incref(e->value);
	pthread_mutex_unlock(&json_cache_mtx);
	return v;
}

json_t *
json_cache_load(const char *what, const char *id, const char *text)
{
	struct json_cache_entry	*e;
	json_t			*v;
	char			*key;
	size_t			 len;

	if (text == NULL)
		return NULL;
	len = strlen(text);
	key = xasprintf("%s%s", what, id);
	e = &json_cache[json_cache_slot(key)];
	if ((v = json_cache_find(e, key, text, len)) != NULL ||
	    (v = json_loadb(text, len, 0, NULL)) == NULL) {
		free(key);
		return v;
	}
	pthread_mutex_lock(&json_cache_mtx);
	json_cache_entry_clear(e);
	e->key = key;
	e->text = xstrdup(text);
	e->len = len;
	e->value = json_incref(v);
	pthread_mutex_unlock(&json_cache_mtx);
	return v;
}

json_t *
json_cache_peek(const char *what, const char *id, char **version)
{
	struct json_cache_entry	*e;
	json_t			*v = NULL;
	char			*key = xasprintf("v:%s%s", what, id);

	*version = NULL;
	e = &json_cache[json_cache_slot(key)];
	pthread_mutex_lock(&json_cache_mtx);
	if (e->key != NULL && strcmp(e->key, key) == 0) {
		v = json_incref(e->value);
		*version = xstrdup(e->text);
	}
	pthread_mutex_unlock(&json_cache_mtx);
	free(key);
	return v;
}

json_t *
json_cache_store(const char *what, const char *id, const char *version,
    const char *text)
{
	struct json_cache_entry	*e;
	json_t			*v;
	char			*key;

	if (text == NULL || version == NULL ||
	    (v = json_loads(text, 0, NULL)) == NULL)
		return NULL;
	key = xasprintf("v:%s%s", what, id);
	e = &json_cache[json_cache_slot(key)];
	pthread_mutex_lock(&json_cache_mtx);
	json_cache_entry_clear(e);
	e->key = key;
	e->text = xstrdup(version);
	e->len = strlen(version);
	e->value = json_incref(v);
	pthread_mutex_unlock(&json_cache_mtx);
	return v;
}

void
json_cache_clear(void)
{
	size_t	i;

	pthread_mutex_lock(&json_cache_mtx);
	for (i = 0; i < JSON_CACHE_SLOTS; i++)
		json_cache_entry_clear(&json_cache[i]);
	pthread_mutex_unlock(&json_cache_mtx);
}
