/*
 * pools.c: pools, clients and domains created (see pools.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "core/pools.h"
#include "core/task.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "db/pg.h"
#include "db/pools.h"
#include "log.h"
#include "util.h"

#define POOLS_ID_SUFFIX		9	/* <region>_<9 alphanumerics> */
#define POOLS_CLIENT_ID_LEN	26
#define POOLS_SECRET_LEN	52

/* Compact JSON text of v ("[]" for NULL), malloc'd. */
static char *
pools_text(json_t *v)
{
	char	*s;

	if (v == NULL)
		return xstrdup("[]");
	if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		fatalx("pools_text: json_dumps");
	return s;
}

/* --- A pool ------------------------------------------------------------ */

struct pools_job {
	char			*id;
	char			*name;
	char			*config;
	char			*mfa;
	char			*tags;
	char			*trigger_secret;	/* sealed */
	pools_created_fn	 cb;
	/* keys[0] signs ID tokens, keys[1] access tokens */
	struct pool_key		 keys[DB_POOLS_NKEYS];
	char			*sealed[DB_POOLS_NKEYS];
	char			*jwk[DB_POOLS_NKEYS];
	char			*cause;
	/* pools_create_with: the client and domain made with the pool */
	pools_with_fn		 with_cb;
	char			 client_id[POOLS_CLIENT_ID_LEN + 1];
	char			*client_sealed;
	char			*client_name;
	char			*client_text[4]; /* config, scopes, read, write */
	char			*domain;
	char			*domain_config;
};

static void
pools_job_free(void *p)
{
	struct pools_job	*j = p;
	size_t			 i;

	free(j->id);
	free(j->name);
	free(j->config);
	free(j->mfa);
	free(j->tags);
	free(j->trigger_secret);
	free(j->cause);
	free(j->client_sealed);
	free(j->client_name);
	for (i = 0; i < nitems(j->client_text); i++)
		free(j->client_text[i]);
	free(j->domain);
	free(j->domain_config);
	for (i = 0; i < DB_POOLS_NKEYS; i++) {
		keys_free(&j->keys[i]);
		free(j->sealed[i]);
		free(j->jwk[i]);
	}
	free(j);
}

/* On a worker thread: the ID and access token signing keys. */
static void
pools_keys(struct task *t)
{
	struct pools_job	*j = t->data;
	size_t			 i;

	for (i = 0; i < DB_POOLS_NKEYS; i++) {
		if (keys_generate(&j->keys[i], &j->cause) != 0)
			return;
		j->sealed[i] = keys_seal(j->keys[i].private_pem,
		    strlen(j->keys[i].private_pem));
		j->jwk[i] = pools_text(j->keys[i].jwk);
	}
}

static int	pools_client_refused(struct task *, const PGresult *,
		    const char *, struct pools_client *);
static void	pools_domain_failed(struct task *, struct pg_reply *,
		    const char *);
static int	pools_domain_refused(struct task *, const PGresult *,
		    const char *);

/* pools_create_with: the client and the domain in the pool's batch. */
static void
pools_with_add(struct pg_batch *b, struct pools_job *j)
{
	struct db_client_new	 c;

	memset(&c, 0, sizeof c);
	c.pool_id = j->id;
	c.id = j->client_id;
	c.name = j->client_name;
	c.config = j->client_text[0];
	c.custom_scopes = j->client_text[1];
	c.read_attrs = j->client_text[2];
	c.write_attrs = j->client_text[3];
	c.sealed = j->client_sealed;
	db_pools_insert_client(b, &c);
	db_pools_insert_domain(b, j->id, j->domain, "prefix",
	    j->domain_config);
	db_pools_guard_made(b, j->id, j->client_id, j->domain);
}

/* A refusal of the client or the domain rolled the pool back too. */
static void
pools_with_inserted(struct task *t, struct pg_reply *reply)
{
	struct pools_job	*j = t->data;
	struct pools_client	 c;
	const char		*state = reply->sqlstate;

	if (!reply->ok && (state == NULL ||
	    strcmp(state, DB_POOLS_STATE_GUARD) != 0)) {
		if (reply->constraint != NULL &&
		    strncmp(reply->constraint, "domains", 7) == 0)
			pools_domain_failed(t, reply, j->id);
		else
			task_fail_db(t, reply);
		return;
	}
	c.id = j->client_id;
	c.sealed = j->client_sealed;
	if (reply->nres < 3 || reply->res[1] == NULL ||
	    reply->res[2] == NULL)
		task_fail_db(t, reply);
	else if (pools_client_refused(t, reply->res[1], j->id, &c) != 0 ||
	    pools_domain_refused(t, reply->res[2], j->id) != 0)
		return;
	else if (!reply->ok)
		task_fail_db(t, reply);
	else
		j->with_cb(t, reply->res[0], &c);
}

static void
pools_inserted(struct task *t, struct pg_reply *reply)
{
	struct pools_job	*j = t->data;

	if (j->with_cb != NULL) {
		pools_with_inserted(t, reply);
		return;
	}
	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	j->cb(t, reply->res[0]);
}

/* Back on the loop: store the pool with its keys. */
static void
pools_insert(struct task *t)
{
	struct pools_job	*j = t->data;
	struct db_pool_new	 n;
	struct pg_batch		*b;
	size_t			 i;

	if (j->cause != NULL) {
		log_error("%s: %s: %s", t->id, t->name, j->cause);
		task_fail(t, CORE_ERR_INTERNAL, "The signing keys of the user "
		    "pool could not be made; try again.");
		return;
	}
	memset(&n, 0, sizeof n);
	n.id = j->id;
	n.name = j->name;
	n.config = j->config;
	n.tags = j->tags;
	n.mfa = j->mfa;
	n.trigger_secret = j->trigger_secret;
	for (i = 0; i < DB_POOLS_NKEYS; i++) {
		n.keys[i].kid = j->keys[i].kid;
		n.keys[i].sealed = j->sealed[i];
		n.keys[i].public_pem = j->keys[i].public_pem;
		n.keys[i].jwk = j->jwk[i];
	}
	b = pg_batch_new();
	db_pools_insert(b, &n);
	if (j->with_cb != NULL)
		pools_with_add(b, j);
	task_query(t, b, pools_inserted);
}

static struct pools_job *
pools_job_new(const struct pools_new *p)
{
	struct pools_job	*j = xcalloc(1, sizeof *j);
	char			 suffix[POOLS_ID_SUFFIX + 1];

	random_string(suffix, POOLS_ID_SUFFIX, RANDOM_ALNUM);
	j->id = xasprintf("%s_%s", conf->region, suffix);
	j->name = xstrdup(p->name);
	j->config = pools_text(p->config);
	j->mfa = pools_text(p->mfa);
	j->tags = pools_text(p->tags);
	if (p->trigger_secret != NULL)
		j->trigger_secret = xstrdup(p->trigger_secret);
	return j;
}

void
pools_create(struct task *t, const struct pools_new *p, pools_created_fn cb)
{
	struct pools_job	*j = pools_job_new(p);

	j->cb = cb;
	task_set_data(t, j, pools_job_free);
	task_work(t, pools_keys, pools_insert);
}

/* A new client's id, and its secret sealed (NULL without one). */
static char *
pools_client_id(char id[POOLS_CLIENT_ID_LEN + 1], int secret)
{
	char	 plain[POOLS_SECRET_LEN + 1], *sealed;

	random_string(id, POOLS_CLIENT_ID_LEN, RANDOM_LOWER);
	if (!secret)
		return NULL;
	random_string(plain, POOLS_SECRET_LEN, RANDOM_LOWER);
	sealed = keys_seal(plain, POOLS_SECRET_LEN);
	wipe(plain, sizeof plain);
	return sealed;
}

void
pools_create_with(struct task *t, const struct pools_new *p,
    const struct pools_client_new *c, const char *domain, json_t *dcfg,
    pools_with_fn cb)
{
	struct pools_job	*j = pools_job_new(p);

	j->with_cb = cb;
	j->client_sealed = pools_client_id(j->client_id, c->secret);
	j->client_name = xstrdup(c->name);
	j->client_text[0] = pools_text(c->config);
	j->client_text[1] = pools_text(c->custom_scopes);
	j->client_text[2] = pools_text(c->read_attrs);
	j->client_text[3] = pools_text(c->write_attrs);
	j->domain = xstrdup(domain);
	j->domain_config = pools_text(dcfg);
	task_set_data(t, j, pools_job_free);
	task_work(t, pools_keys, pools_insert);
}

/* --- An app client ------------------------------------------------------ */

struct pools_client_job {
	char		 id[POOLS_CLIENT_ID_LEN + 1];
	char		*pool_id;
	char		*sealed;
	pools_client_fn	 cb;
};

static void
pools_client_job_free(void *p)
{
	struct pools_client_job	*j = p;

	free(j->pool_id);
	free(j->sealed);
	free(j);
}

/*
 * 0 when the client row r (db_pools_insert_client) says it was
 * inserted: c gets its dates; else the task ended with why not.
 */
static int
pools_client_refused(struct task *t, const PGresult *r, const char *pool_id,
    struct pools_client *c)
{
	const char	*bad_scope, *bad_attr;

	if (pg_rows(r) == 0) {
		task_fail(t, CORE_ERR_NO_RESOURCE,
		    "User pool %s does not exist.", pool_id);
		return -1;
	}
	bad_scope = pg_val(r, 0, 1);
	bad_attr = pg_val(r, 0, 2);
	if (bad_scope != NULL)
		task_fail(t, CORE_ERR_BAD_SCOPE, "Invalid scope requested: "
		    "%s", bad_scope);
	else if (bad_attr != NULL && bad_attr[0] == 'u')
		task_fail(t, CORE_ERR_INVALID, "Invalid attributes "
		    "specified: %s is not an attribute of the user pool.",
		    bad_attr + 1);
	else if (bad_attr != NULL)
		task_fail(t, CORE_ERR_INVALID, "Invalid write attributes "
		    "specified: %s is not mutable.", bad_attr + 1);
	else if (pg_val(r, 0, 5) != NULL)
		task_fail(t, CORE_ERR_INVALID, "The provider %s does not "
		    "exist for User Pool %s", pg_val(r, 0, 5), pool_id);
	else if (pg_val(r, 0, 3) == NULL)
		task_fail(t, CORE_ERR_LIMIT, "A user pool can have at most "
		    "%d app clients.", DB_POOLS_MAX_CLIENTS);
	else {
		c->created = pg_val(r, 0, 3);
		c->modified = pg_val(r, 0, 4);
		return 0;
	}
	return -1;
}

static void
pools_client_inserted(struct task *t, struct pg_reply *reply)
{
	struct pools_client_job	*j = t->data;
	struct pools_client	 c;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	c.id = j->id;
	c.sealed = j->sealed;
	if (pools_client_refused(t, reply->res[0], j->pool_id, &c) == 0)
		j->cb(t, &c);
}

void
pools_create_client(struct task *t, const struct pools_client_new *p,
    pools_client_fn cb)
{
	struct pools_client_job	*j = xcalloc(1, sizeof *j);
	struct db_client_new	 n;
	struct pg_batch		*b;
	char			*cfg, *scopes, *rd, *wr;

	j->sealed = pools_client_id(j->id, p->secret);
	j->pool_id = xstrdup(p->pool_id);
	j->cb = cb;
	task_set_data(t, j, pools_client_job_free);
	memset(&n, 0, sizeof n);
	n.pool_id = p->pool_id;
	n.id = j->id;
	n.name = p->name;
	n.config = cfg = pools_text(p->config);
	n.custom_scopes = scopes = pools_text(p->custom_scopes);
	n.read_attrs = rd = pools_text(p->read_attrs);
	n.write_attrs = wr = pools_text(p->write_attrs);
	n.sealed = j->sealed;
	b = pg_batch_new();
	db_pools_insert_client(b, &n);
	free(cfg);
	free(scopes);
	free(rd);
	free(wr);
	task_query(t, b, pools_client_inserted);
}

/* --- A domain ------------------------------------------------------------ */

struct pools_domain_job {
	char	*pool_id;
	void	(*cb)(struct task *);
};

static void
pools_domain_job_free(void *p)
{
	struct pools_domain_job	*j = p;

	free(j->pool_id);
	free(j);
}

/* The two conflicts: the pool has a domain, or the domain a pool. */
static void
pools_domain_taken(struct task *t, const char *pool_id, int pool_has_one)
{
	if (pool_has_one)
		task_fail(t, CORE_ERR_INVALID, "User pool %s already has a "
		    "domain configured.", pool_id);
	else
		task_fail(t, CORE_ERR_INVALID, "Domain already associated "
		    "with another user pool.");
}

/* A failed batch that inserts a domain: its race, else the failure. */
static void
pools_domain_failed(struct task *t, struct pg_reply *reply,
    const char *pool_id)
{
	if (reply->sqlstate != NULL &&
	    strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
		pools_domain_taken(t, pool_id, reply->constraint != NULL &&
		    strcmp(reply->constraint, "domains_pkey") != 0);
	else
		task_fail_db(t, reply);
}

/*
 * 0 when the domain row r (db_pools_insert_domain) says it was
 * inserted, else the task ended with why not.
 */
static int
pools_domain_refused(struct task *t, const PGresult *r, const char *pool_id)
{
	const char	*has_kind = pg_rows(r) > 0 ? pg_val(r, 0, 1) : NULL;

	if (pg_rows(r) == 0)
		task_fail(t, CORE_ERR_NO_RESOURCE,
		    "User pool %s does not exist.", pool_id);
	else if (has_kind != NULL && strcmp(has_kind, "t") == 0)
		pools_domain_taken(t, pool_id, 1);
	else if (pg_val(r, 0, 0) != NULL)
		pools_domain_taken(t, pool_id, 0);
	else
		return 0;
	return -1;
}

static void
pools_domain_inserted(struct task *t, struct pg_reply *reply)
{
	struct pools_domain_job	*j = t->data;

	if (!reply->ok)
		pools_domain_failed(t, reply, j->pool_id);
	else if (pools_domain_refused(t, reply->res[0], j->pool_id) == 0)
		j->cb(t);
}

void
pools_create_domain(struct task *t, const char *pool_id, const char *domain,
    const char *kind, json_t *config, void (*cb)(struct task *))
{
	struct pools_domain_job	*j = xcalloc(1, sizeof *j);
	struct pg_batch		*b = pg_batch_new();
	char			*cfg = pools_text(config);

	j->pool_id = xstrdup(pool_id);
	j->cb = cb;
	task_set_data(t, j, pools_domain_job_free);
	db_pools_insert_domain(b, pool_id, domain, kind, cfg);
	free(cfg);
	task_query(t, b, pools_domain_inserted);
}
