/*
 * demo.c: create the getting-started example once: pool my-users-pool
 * (sign-in with email, email required and auto-verified, passwords of at
 * least 8 characters with every character class), an app client without
 * a secret that allows ADMIN_NO_SRP_AUTH, and the domain notes-app.
 * Each step's input is what the same AWS CLI command would send; it is
 * built into a configuration by the API's own rules (pool_ops_config_new,
 * client_ops_config, domain_ops_config) and stored by core/pools.c, as
 * CreateUserPool, CreateUserPoolClient and CreateUserPoolDomain do, so
 * the demo is exactly what a user would get by running those commands.
 * The pool, the client and the domain are stored in one transaction
 * (pools_create_with), so a failure (the domain taken, the database
 * gone) leaves nothing and the next start makes the demo anew. It runs
 * on one task of the daemon's own (no request, no guard).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/client_ops.h"
#include "api/domain_ops.h"
#include "api/pool_ops.h"
#include "conf.h"
#include "core/pools.h"
#include "core/task.h"
#include "db/pg.h"
#include "db/pools.h"
#include "demo.h"
#include "hooks/triggers.h"
#include "log.h"
#include "util.h"

#define DEMO_POOL	"my-users-pool"
#define DEMO_DOMAIN	"notes-app"

/* The demo's one task and what its steps keep. */
static struct {
	struct task	 task;
	json_t		*config;
	json_t		*mfa;
	json_t		*tags;
	json_t		*client;
	json_t		*scopes;
	json_t		*domain;
	char		*sealed;	/* the trigger signing secret */
} demo;

static void
demo_clear(void)
{
	json_decref(demo.config);
	json_decref(demo.mfa);
	json_decref(demo.tags);
	json_decref(demo.client);
	json_decref(demo.scopes);
	json_decref(demo.domain);
	demo.config = demo.mfa = demo.tags = NULL;
	demo.client = demo.scopes = demo.domain = NULL;
	free(demo.sealed);
	demo.sealed = NULL;
}

/* Nothing was made when it failed: the next start tries again. */
static void
demo_end(struct task *t, const struct core_err *err)
{
	if (err != NULL)
		log_error("demo: %s failed (nothing was made): %s", t->name,
		    err->message);
	demo_clear();
	task_clear(t);
}

static void
demo_made(struct task *t, const PGresult *r, const struct pools_client *c)
{
	log_info("demo: app client %s", c->id);
	log_info("demo: pool %s (%s) is ready; hosted UI domain %s",
	    DEMO_POOL, pg_val(r, 0, 0), DEMO_DOMAIN);
	task_ok(t);
}

static json_t *
demo_pool_input(void)
{
	return json_pack("{s:s, s:{s:{s:i, s:b, s:b, s:b, s:b, s:i}}, "
	    "s:[s], s:[s], s:[{s:s, s:s, s:b, s:b}], s:{s:b}, "
	    "s:{s:s}, s:{s:[{s:i, s:s}]}}",
	    "PoolName", DEMO_POOL,
	    "Policies", "PasswordPolicy", "MinimumLength", 8,
	    "RequireUppercase", 1, "RequireLowercase", 1, "RequireNumbers", 1,
	    "RequireSymbols", 1, "TemporaryPasswordValidityDays", 7,
	    "UsernameAttributes", "email",
	    "AutoVerifiedAttributes", "email",
	    "Schema", "Name", "email", "AttributeDataType", "String",
	    "Required", 1, "Mutable", 1,
	    "UsernameConfiguration", "CaseSensitive", 0,
	    "VerificationMessageTemplate", "DefaultEmailOption",
	    "CONFIRM_WITH_CODE",
	    "AccountRecoverySetting", "RecoveryMechanisms", "Priority", 1,
	    "Name", "verified_email");
}

/* The client's input to CreateUserPoolClient, built; -1 when refused. */
static int
demo_client_input(struct pools_client_new *n)
{
	json_t		*in;
	const char	*etype;
	char		*msg;
	int		 rc;

	in = json_pack("{s:s, s:b, s:[s]}", "ClientName", "notes-app-web",
	    "GenerateSecret", 0, "ExplicitAuthFlows", "ADMIN_NO_SRP_AUTH");
	memset(n, 0, sizeof *n);
	n->name = "notes-app-web";
	rc = client_ops_config(in, &demo.client, &demo.scopes, &etype, &msg);
	json_decref(in);
	if (rc != 0) {
		task_fail(&demo.task, CORE_ERR_INVALID, "%s: %s", etype, msg);
		free(msg);
		return -1;
	}
	n->config = demo.client;
	n->custom_scopes = demo.scopes;
	return 0;
}

static void
demo_create(void)
{
	struct pools_new	 n = { 0 };
	struct pools_client_new	 cn;
	json_t			*in = demo_pool_input(), *din;
	char			*msg;

	task_init(&demo.task, "demo", "CreateUserPool", NULL, NULL, demo_end,
	    NULL);
	if (pool_ops_config_new(in, &demo.config, &demo.mfa, &msg) != 0) {
		task_fail(&demo.task, CORE_ERR_INVALID, "%s", msg);
		free(msg);
		json_decref(in);
		return;
	}
	json_decref(in);
	if (demo_client_input(&cn) != 0)
		return;
	din = json_pack("{s:s}", "Domain", DEMO_DOMAIN);
	demo.domain = domain_ops_config(din);
	json_decref(din);
	demo.tags = json_object();
	n.name = DEMO_POOL;
	n.config = demo.config;
	n.mfa = demo.mfa;
	n.tags = demo.tags;
	/* Its plain text is shown to no one: RotateTriggerSigningSecret. */
	wipe_free(triggers_secret_new(&demo.sealed));
	n.trigger_secret = demo.sealed;
	pools_create_with(&demo.task, &n, &cn, DEMO_DOMAIN, demo.domain,
	    demo_made);
}

static void
demo_checked(struct pg_reply *reply, void *arg)
{
	if (!reply->ok) {
		log_error("demo: cannot check for the demo pool: %s",
		    reply->error);
		return;
	}
	if (pg_rows(reply->res[0]) > 0) {
		log_info("demo: pool %s exists as %s", DEMO_POOL,
		    pg_val(reply->res[0], 0, DB_POOLS_ID));
		return;
	}
	demo_create();
}

void
demo_start(struct event_base *base)
{
	struct pg_batch	*b = pg_batch_new();

	db_pools_by_name(b, DEMO_POOL);
	pg_submit(b, demo_checked, NULL);
}
