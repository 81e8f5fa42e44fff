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
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "core/federation.h"
#include "core/task.h"
#include "db/pg.h"
#include "log.h"
#include "util.h"

#define FED_SIGNIN_MAX		64
#define FED_SIGNIN_TIMEOUT	20	/* seconds, per database call */

struct run {
	struct task	 task;
	json_t		*line;
};

static struct event_base	*base;
static int			 pending;

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
	}
	if (--pending == 0)
		event_base_loopexit(base, NULL);
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
	base = event_base_new();
	task_loop(base);
	if (pg_init(base, argv[1], n, FED_SIGNIN_TIMEOUT, 2 * n) != 0)
		return 1;
	runs = xcalloc(n, sizeof *runs);
	pending = n;
	for (i = 0; i < n; i++) {
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
		task_clear(&runs[i].task);
	}
	free(runs);
	json_decref(j);
	pg_shutdown();
	event_base_free(base);
	return 0;
}
