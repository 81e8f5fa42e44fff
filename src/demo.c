/*
 * demo.c: create the getting-started example once: pool my-users-pool
 * (sign-in with email, email required and auto-verified, passwords of at
 * least 8 characters with every character class), an app client without
 * a secret that allows ADMIN_NO_SRP_AUTH, and the domain notes-app. Each
 * step is an ordinary API operation run by api_invoke(), so the demo is
 * exactly what a user would get by running the same AWS CLI commands.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "conf.h"
#include "db/pg.h"
#include "demo.h"
#include "log.h"
#include "util.h"

#define DEMO_POOL	"my-users-pool"
#define DEMO_DOMAIN	"notes-app"

static char	*demo_pool_id;

static int
demo_failed(int status, json_t *out, const char *step)
{
	char	*text;

	if (status == 200)
		return 0;
	text = json_dumps(out, JSON_COMPACT);
	log_error("demo: %s failed: %s", step, text != NULL ? text : "?");
	free(text);
	return 1;
}

static void
demo_domain_done(int status, json_t *out, void *arg)
{
	if (!demo_failed(status, out, "CreateUserPoolDomain"))
		log_info("demo: pool %s (%s) is ready; hosted UI domain %s",
		    DEMO_POOL, demo_pool_id, DEMO_DOMAIN);
	json_decref(out);
	free(demo_pool_id);
	demo_pool_id = NULL;
}

static void
demo_client_done(int status, json_t *out, void *arg)
{
	if (!demo_failed(status, out, "CreateUserPoolClient")) {
		log_info("demo: app client %s", json_string_value(
		    json_object_get(json_object_get(out, "UserPoolClient"),
		    "ClientId")));
		api_invoke("CreateUserPoolDomain", json_pack("{s:s, s:s}",
		    "UserPoolId", demo_pool_id, "Domain", DEMO_DOMAIN),
		    demo_domain_done, NULL);
	}
	json_decref(out);
}

static void
demo_pool_done(int status, json_t *out, void *arg)
{
	if (!demo_failed(status, out, "CreateUserPool")) {
		demo_pool_id = xstrdup(json_string_value(json_object_get(
		    json_object_get(out, "UserPool"), "Id")));
		api_invoke("CreateUserPoolClient", json_pack(
		    "{s:s, s:s, s:b, s:[s]}", "UserPoolId", demo_pool_id,
		    "ClientName", "notes-app-web", "GenerateSecret", 0,
		    "ExplicitAuthFlows", "ADMIN_NO_SRP_AUTH"),
		    demo_client_done, NULL);
	}
	json_decref(out);
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
	api_invoke("CreateUserPool", demo_pool_input(), demo_pool_done, NULL);
}

void
demo_start(struct event_base *base)
{
	pg_query(demo_checked, NULL, "SELECT id FROM pools WHERE name = $1 "
	    "ORDER BY created_at LIMIT 1", 1, DEMO_POOL);
}
