/*
 * fed_signin.c: a test driver of core/federation.c against a real
 * PostgreSQL, for tests/integration/test_fed_signin.py until a hosted
 * federation flow can drive it over the wire. It is a program of its
 * own, never part of the daemon: it links the daemon's library, opens
 * the database a test daemon uses, runs N federated sign-ins of one
 * identity at once on its own event loop, and prints one JSON line per
 * sign-in.
 *
 *	fed_signin DATABASE_URL POOL_ID IDENTITY_JSON [N]
 *
 * IDENTITY_JSON is {"provider_name", "provider_type" (OIDC, SAML,
 * Google...), "issuer", "subject", "claims", "mapping"}. A line is
 * {"ok": true, "sub", "username", "status", "enabled", "created",
 * "linked", "attributes"} or {"ok": false, "kind", "message"}.
 *
 * With FED_SIGNIN_STATE_DIR and FED_SIGNIN_PUBLIC_URL (the daemon's
 * state directory, for its master key, and public_url), one sign-in
 * also gets the tokens core/tokens.c issues for the outcome's user, as
 * a sign-in flow hands it over, for the app client FED_SIGNIN_CLIENT: the
 * line has "tokens", the AuthenticationResult.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "conf.h"
#include "core/federation.h"
#include "core/task.h"
#include "core/tokens.h"
#include "crypto/keys.h"
#include "crypto/workers.h"
#include "db/pg.h"
#include "log.h"
#include "util.h"

#define FED_SIGNIN_MAX		64
#define FED_SIGNIN_TIMEOUT	20	/* seconds, per database call */

struct run {
	struct task	 task;
	struct task	 tokens;	/* issuing for the outcome's user */
	const char	*pool_id;
	json_t		*line;
};

static struct event_base	*base;
static int			 pending;
static int			 with_tokens;

static void
fed_signin_done(void)
{
	if (--pending == 0)
		event_base_loopexit(base, NULL);
}

static void
fed_signin_issued(struct task *t, json_t *result)
{
	struct run	*r = t->owner;

	json_object_set_new(r->line, "tokens", result);
	task_ok(t);
}

static void
fed_signin_tokens_end(struct task *t, const struct core_err *err)
{
	struct run	*r = t->owner;

	if (err != NULL)
		json_object_set_new(r->line, "tokens_error",
		    json_string(err->message));
	fed_signin_done();
}

/* The tokens of the signed-in user, as a flow issues them. */
static void
fed_signin_issue(struct run *r, const char *pool_id,
    const struct fed_outcome *o)
{
	struct tokens_grant	 g;
	const char		*client = getenv("FED_SIGNIN_CLIENT");
	static json_t		*client_config;

	if (client_config == NULL)
		client_config = json_object();
	memset(&g, 0, sizeof g);
	g.pool_id = pool_id;
	g.client_id = client != NULL ? client : "fedsignin";
	g.client_config = client_config;
	g.user = &o->user;
	g.auth_time = o->auth_time;
	task_init(&r->tokens, "fed_signin", "tokens", NULL, NULL,
	    fed_signin_tokens_end, r);
	tokens_issue(&r->tokens, &g, fed_signin_issued);
}

static void
fed_signin_end(struct task *t, const struct core_err *err)
{
	struct run			*r = t->owner;
	const struct fed_outcome	*o;

	if (err != NULL)
		r->line = json_pack("{s:b, s:s, s:s}", "ok", 0, "kind",
		    core_err_name(err->kind), "message", err->message);
	else {
		o = federation_outcome(t);
		r->line = json_pack("{s:b, s:s, s:s, s:s, s:b, s:b, s:b, s:O}",
		    "ok", 1, "sub", o->user.sub, "username", o->user.username,
		    "status", o->user.status, "enabled", o->user.enabled,
		    "created", o->created, "linked", o->linked, "attributes",
		    o->user.attributes);
		if (with_tokens) {
			fed_signin_issue(r, r->pool_id, o);
			return;
		}
	}
	fed_signin_done();
}

static int
fed_signin_identity(json_t *j, struct fed_identity *id)
{
	memset(id, 0, sizeof *id);
	id->provider_name = json_string_value(json_object_get(j,
	    "provider_name"));
	id->issuer = json_string_value(json_object_get(j, "issuer"));
	id->subject = json_string_value(json_object_get(j, "subject"));
	id->claims = json_object_get(j, "claims");
	id->mapping = json_object_get(j, "mapping");
	return federation_type_of(json_string_value(json_object_get(j,
	    "provider_type")), &id->provider_type);
}

/* The daemon's configuration and master key, for issuing tokens. */
static int
fed_signin_keys(void)
{
	const char	*dir = getenv("FED_SIGNIN_STATE_DIR");
	const char	*url = getenv("FED_SIGNIN_PUBLIC_URL");
	char		*cause = NULL;

	conf = conf_new();
	if (dir == NULL || url == NULL)
		return conf_finish(conf, &cause);
	if (conf_set(conf, "state_dir", dir, &cause) != 0 ||
	    conf_set(conf, "public_url", url, &cause) != 0 ||
	    conf_finish(conf, &cause) != 0 ||
	    keys_master_load(conf->master_key_file, 0, &cause) != 0) {
		fprintf(stderr, "fed_signin: %s\n", cause);
		free(cause);
		return -1;
	}
	with_tokens = 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct fed_identity	 id;
	struct run		*runs;
	json_t			*j;
	char			*text;
	int			 i, n = argc > 4 ? atoi(argv[4]) : 1;

	if (argc < 4 || n < 1 || n > FED_SIGNIN_MAX) {
		fprintf(stderr, "usage: fed_signin DATABASE_URL POOL_ID "
		    "IDENTITY_JSON [N]\n");
		return 2;
	}
	log_init(NULL);
	if ((j = json_loads(argv[3], 0, NULL)) == NULL ||
	    fed_signin_identity(j, &id) != 0) {
		fprintf(stderr, "fed_signin: bad identity\n");
		return 2;
	}
	if (fed_signin_keys() != 0)
		return 1;
	base = event_base_new();
	task_loop(base);
	tokens_init(base);
	if (pg_init(base, argv[1], n, FED_SIGNIN_TIMEOUT, 2 * n) != 0 ||
	    workers_init(base, 1, 2 * n) != 0)
		return 1;
	runs = xcalloc(n, sizeof *runs);
	pending = n;
	for (i = 0; i < n; i++) {
		runs[i].pool_id = argv[2];
		task_init(&runs[i].task, "fed_signin", "federation", NULL, NULL,
		    fed_signin_end, &runs[i]);
		federation_sign_in(&runs[i].task, argv[2], &id);
	}
	if (pending > 0)
		event_base_dispatch(base);
	for (i = 0; i < n; i++) {
		text = json_dumps(runs[i].line, JSON_COMPACT);
		printf("%s\n", text);
		free(text);
		json_decref(runs[i].line);
		task_clear(&runs[i].tokens);
		task_clear(&runs[i].task);
	}
	free(runs);
	json_decref(j);
	workers_shutdown();
	pg_shutdown();
	event_base_free(base);
	return 0;
}
