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
 * The steps run on one task of the daemon's own (no request, no guard).
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
#include "demo.h"
#include "log.h"
#include "util.h"

#define DEMO_POOL	"my-users-pool"
#define DEMO_DOMAIN	"notes-app"

/* The demo's one task and what its steps keep. */
static struct {
	struct task	 task;
	char		*pool_id;
	json_t		*config;
	json_t		*mfa;
	json_t		*tags;
} demo;

static void
demo_clear(void)
{
	free(demo.pool_id);
	json_decref(demo.config);
	json_decref(demo.mfa);
	json_decref(demo.tags);
	demo.pool_id = NULL;
	demo.config = demo.mfa = demo.tags = NULL;
}

/* A step failed (the task's name says which). */
static void
demo_end(struct task *t, const struct core_err *err)
{
	if (err != NULL)
		log_error("demo: %s failed: %s", t->name, err->message);
	demo_clear();
	task_clear(t);
}

static void
demo_domain_done(struct task *t)
{
	log_info("demo: pool %s (%s) is ready; hosted UI domain %s",
	    DEMO_POOL, demo.pool_id, DEMO_DOMAIN);
	task_ok(t);
}

static void
demo_client_done(struct task *t, const struct pools_client *c)
{
	json_t	*in, *cfg;

	log_info("demo: app client %s", c->id);
	t->name = "CreateUserPoolDomain";
	in = json_pack("{s:s, s:s}", "UserPoolId", demo.pool_id, "Domain",
	    DEMO_DOMAIN);
	cfg = domain_ops_config(in);
	pools_create_domain(t, demo.pool_id, DEMO_DOMAIN, "prefix", cfg,
	    demo_domain_done);
	json_decref(cfg);
	json_decref(in);
}

static void
demo_pool_done(struct task *t, const PGresult *r)
{
	struct pools_client_new	 n;
	json_t			*in, *cfg, *scopes;
	const char		*etype;
	char			*msg;

	demo.pool_id = xstrdup(pg_val(r, 0, 0));
	t->name = "CreateUserPoolClient";
	in = json_pack("{s:s, s:s, s:b, s:[s]}", "UserPoolId", demo.pool_id,
	    "ClientName", "notes-app-web", "GenerateSecret", 0,
	    "ExplicitAuthFlows", "ADMIN_NO_SRP_AUTH");
	if (client_ops_config(in, &cfg, &scopes, &etype, &msg) != 0) {
		task_fail(t, CORE_ERR_INVALID, "%s: %s", etype, msg);
		free(msg);
		json_decref(in);
		return;
	}
	memset(&n, 0, sizeof n);
	n.pool_id = demo.pool_id;
	n.name = "notes-app-web";
	n.config = cfg;
	n.custom_scopes = scopes;
	pools_create_client(t, &n, demo_client_done);
	json_decref(cfg);
	json_decref(scopes);
	json_decref(in);
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

static void
demo_create(void)
{
	struct pools_new	 n;
	json_t			*in = demo_pool_input();
	char			*msg;

	task_init(&demo.task, "demo", "CreateUserPool", NULL, NULL, demo_end,
	    NULL);
	if (pool_ops_config_new(in, &demo.config, &demo.mfa, &msg) != 0) {
		task_fail(&demo.task, CORE_ERR_INVALID, "%s", msg);
		free(msg);
		json_decref(in);
		return;
	}
	demo.tags = json_object();
	n.name = DEMO_POOL;
	n.config = demo.config;
	n.mfa = demo.mfa;
	n.tags = demo.tags;
	pools_create(&demo.task, &n, demo_pool_done);
	json_decref(in);
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
		    pg_val(reply->res[0], 0, 0));
		return;
	}
	demo_create();
}

void
demo_start(struct event_base *base)
{
	pg_query(demo_checked, NULL, "SELECT id FROM pools WHERE name = $1 "
	    "ORDER BY created_at LIMIT 1", 1, DEMO_POOL);
}
