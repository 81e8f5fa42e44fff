/*
 * admin_keys.c: create, list and delete admin access keys (blocking, for
 * start-up and the command line) and look them up for SigV4 checks
 * (asynchronous, with a short per-process cache so a burst of admin calls
 * costs one query per key and not one per call; a deleted key stops
 * working within the cache lifetime).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/random.h"
#include "db/admin_keys.h"
#include "db/pg.h"
#include "log.h"
#include "util.h"

#define ADMIN_KEY_CACHE		64
#define ADMIN_KEY_TTL_MS	5000	/* a deleted key works 5 s at most */

struct admin_key_entry {
	char	 id[32];
	char	*secret;
	int64_t	 expires_ms;
};

static struct admin_key_entry	cache[ADMIN_KEY_CACHE];

struct admin_key_wait {
	char		*id;
	admin_key_cb	 cb;
	void		*arg;
};

int
admin_keys_create(PGconn *c, const char *description, char **id_out,
    char **secret_out, char **cause)
{
	char		 id[21], secret[41], *sealed;
	const char	*params[3];
	int		 rc;

	memcpy(id, "AKIA", 4);
	random_string(id + 4, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	random_string(secret, 40, RANDOM_ALNUM);
	sealed = keys_seal(secret, strlen(secret));
	params[0] = id;
	params[1] = sealed;
	params[2] = description;
	rc = pg_exec_blocking(c, "INSERT INTO admin_keys (access_key_id, "
	    "secret_sealed, description) VALUES ($1, $2, $3)", 3, params,
	    NULL, cause);
	free(sealed);
	if (rc == 0) {
		*id_out = xstrdup(id);
		*secret_out = xstrdup(secret);
	}
	wipe(secret, sizeof secret);
	return rc;
}

int
admin_keys_list(PGconn *c, FILE *f, char **cause)
{
	PGresult	*r;
	int		 i;

	if (pg_exec_blocking(c, "SELECT access_key_id, description, "
	    "to_char(to_timestamp(created_at) AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM admin_keys "
	    "ORDER BY created_at", 0, NULL, &r, cause) != 0)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		fprintf(f, "%s\t%s\t%s\n", PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 2), PQgetvalue(r, i, 1));
	PQclear(r);
	return 0;
}

int
admin_keys_delete(PGconn *c, const char *id, char **cause)
{
	PGresult	*r;
	const char	*params[1] = { id };
	int		 n;

	if (pg_exec_blocking(c, "DELETE FROM admin_keys WHERE access_key_id "
	    "= $1", 1, params, &r, cause) != 0)
		return -1;
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n == 0) {
		*cause = xasprintf("no access key %s", id);
		return -1;
	}
	return 0;
}

int
admin_keys_count(PGconn *c, int *n, char **cause)
{
	PGresult	*r;

	if (pg_exec_blocking(c, "SELECT count(*) FROM admin_keys", 0, NULL,
	    &r, cause) != 0)
		return -1;
	*n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

/* Write an AWS shared-credentials file (profile default), mode 0600. */
int
admin_keys_write_credentials(const char *path, const char *id,
    const char *secret, const char *region, char **cause)
{
	char	*text;
	int	 rc;

	text = xasprintf("[default]\naws_access_key_id = %s\n"
	    "aws_secret_access_key = %s\nregion = %s\n", id, secret, region);
	rc = write_file_atomic(path, text, strlen(text), 0600, cause);
	wipe_free(text);
	return rc;
}

static struct admin_key_entry *
admin_keys_cached(const char *id)
{
	int64_t	now = now_ms();
	size_t	i;

	for (i = 0; i < ADMIN_KEY_CACHE; i++)
		if (cache[i].secret != NULL && cache[i].expires_ms > now &&
		    strcmp(cache[i].id, id) == 0)
			return &cache[i];
	return NULL;
}

static void
admin_keys_remember(const char *id, const char *secret)
{
	struct admin_key_entry	*e = &cache[0];
	size_t			 i;

	for (i = 1; i < ADMIN_KEY_CACHE; i++)
		if (cache[i].expires_ms < e->expires_ms)
			e = &cache[i];
	wipe_free(e->secret);
	strlcpy(e->id, id, sizeof e->id);
	e->secret = xstrdup(secret);
	e->expires_ms = now_ms() + ADMIN_KEY_TTL_MS;
}

static void
admin_keys_loaded(struct pg_reply *reply, void *arg)
{
	struct admin_key_wait	*w = arg;
	const char		*sealed;
	unsigned char		*secret = NULL;
	size_t			 len;

	if (!reply->ok) {
		w->cb(w->arg, NULL, 0, 1);
		goto out;
	}
	sealed = pg_val(reply->res[0], 0, 0);
	if (sealed == NULL || keys_open(sealed, &secret, &len) != 0) {
		if (sealed != NULL)
			log_error("admin key %s: cannot open its secret", w->id);
		w->cb(w->arg, NULL, 0, sealed != NULL);
		goto out;
	}
	secret = xrealloc(secret, len + 1);
	secret[len] = '\0';
	admin_keys_remember(w->id, (char *)secret);
	w->cb(w->arg, (char *)secret, 1, 0);
	wipe_free((char *)secret);
out:
	free(w->id);
	free(w);
}

void
admin_keys_lookup(const char *id, admin_key_cb cb, void *arg)
{
	struct admin_key_entry	*e;
	struct admin_key_wait	*w;

	if (strlen(id) < sizeof e->id && (e = admin_keys_cached(id)) != NULL) {
		char	*secret = xstrdup(e->secret);

		cb(arg, secret, 1, 0);
		wipe_free(secret);
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->id = xstrdup(id);
	w->cb = cb;
	w->arg = arg;
	pg_query(admin_keys_loaded, w, "SELECT secret_sealed FROM admin_keys "
	    "WHERE access_key_id = $1", 1, id);
}
