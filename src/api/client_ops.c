/*
 * client_ops.c: app clients of a user pool (CreateUserPoolClient,
 * DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient,
 * ListUserPoolClients).
 *
 * A client's settings are kept whole as the UserPoolClientType members
 * in clients.config, with Cognito's defaults filled in when they are
 * written, so Describe returns exactly what was stored and the token and
 * OAuth code read one document. Create and Update run the same list of
 * rules over the input (each rule checks one concern and writes its
 * members into the new configuration); Update is a full replacement, as
 * on Cognito: what the request leaves out goes back to its default,
 * except the name and the secret. What needs the database (the pool,
 * the custom scopes of resource servers, custom attributes of the
 * schema, the identity providers of SupportedIdentityProviders) is
 * checked by the same statement that writes, so a client is
 * never stored against a scope or attribute that is gone. Create's
 * rules are also client_ops_config (the demo pool's client); the id,
 * the secret and the insert are core/pools.c's (statement in
 * db/pools.c); the other statements are db/clients.c's.
 *
 * The client secret is sealed under the master key at rest and opened
 * only to answer Create, Describe and Update.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/client_ops.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/tokens.h"
#include "crypto/keys.h"
#include "core/pools.h"
#include "core/task.h"
#include "db/clients.h"
#include "db/pg.h"
#include "util.h"

#define CLIENT_PAGE_MAX		60
#define CLIENT_CUSTOM_PREFIX	"custom:"

/* --- Input shapes (from the service model) --- */

static const char *const client_auth_flows[] = {
	"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
	"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH",
	"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
	"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH", NULL
};
static const char *const client_time_units[] = {
	"seconds", "minutes", "hours", "days", NULL
};
static const char *const client_oauth_flows[] = {
	"code", "implicit", "client_credentials", NULL
};
static const char *const client_existence_errors[] = {
	"LEGACY", "ENABLED", NULL
};
static const char *const client_features[] = { "ENABLED", "DISABLED", NULL };

static const struct shape s_name = { .kind = SHAPE_STRING, .min = 1,
	.max = 128, .has_min = 1, .has_max = 1,
	.check = shape_check_pool_name, .pattern = "[\\w\\s+=,.@-]+" };
static const struct shape s_bool = { .kind = SHAPE_BOOL };
static const struct shape s_string = { .kind = SHAPE_STRING };
static const struct shape s_refresh = { .kind = SHAPE_INT, .min = 0,
	.max = 315360000, .has_min = 1, .has_max = 1 };
static const struct shape s_validity = { .kind = SHAPE_INT, .min = 1,
	.max = 86400, .has_min = 1, .has_max = 1 };
static const struct shape s_unit = { .kind = SHAPE_STRING,
	.enums = client_time_units };
static const struct shape_member s_units_members[] = {
	{ "AccessToken", &s_unit, 0 },
	{ "IdToken", &s_unit, 0 },
	{ "RefreshToken", &s_unit, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_units = { .kind = SHAPE_STRUCT,
	.members = s_units_members };
static const struct shape s_attr = SHAPE_STR(1, 2048);
static const struct shape s_attrs = { .kind = SHAPE_LIST, .item = &s_attr };
static const struct shape s_flow = { .kind = SHAPE_STRING,
	.enums = client_auth_flows };
static const struct shape s_flows = { .kind = SHAPE_LIST, .item = &s_flow };
static const struct shape s_idp = { .kind = SHAPE_STRING, .min = 1,
	.max = 32, .has_min = 1, .has_max = 1, .check = shape_check_name,
	.pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+" };
static const struct shape s_idps = { .kind = SHAPE_LIST, .item = &s_idp };
static const struct shape s_url = { .kind = SHAPE_STRING, .min = 1,
	.max = 1024, .has_min = 1, .has_max = 1, .check = shape_check_name,
	.pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+" };
static const struct shape s_urls = { .kind = SHAPE_LIST, .min = 0,
	.max = 100, .has_min = 1, .has_max = 1, .item = &s_url };
static const struct shape s_oflow = { .kind = SHAPE_STRING,
	.enums = client_oauth_flows };
static const struct shape s_oflows = { .kind = SHAPE_LIST, .min = 0,
	.max = 3, .has_min = 1, .has_max = 1, .item = &s_oflow };
static const struct shape s_scope = { .kind = SHAPE_STRING, .min = 1,
	.max = 256, .has_min = 1, .has_max = 1, .check = ops_check_scope,
	.pattern = "[\\x21\\x23-\\x5B\\x5D-\\x7E]+" };
static const struct shape s_scopes = { .kind = SHAPE_LIST, .max = 50,
	.has_max = 1, .item = &s_scope };
static const struct shape s_hex = { .kind = SHAPE_STRING,
	.check = ops_check_hex, .pattern = "^[0-9a-fA-F]+$" };
static const struct shape s_arn = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .check = shape_check_arn,
	.pattern = "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:"
	    "[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?" };
static const struct shape_member s_analytics_members[] = {
	{ "ApplicationId", &s_hex, 0 },
	{ "ApplicationArn", &s_arn, 0 },
	{ "RoleArn", &s_arn, 0 },
	{ "ExternalId", &s_string, 0 },
	{ "UserDataShared", &s_bool, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_analytics = { .kind = SHAPE_STRUCT,
	.members = s_analytics_members };
static const struct shape s_existence = { .kind = SHAPE_STRING,
	.enums = client_existence_errors };
static const struct shape s_session = { .kind = SHAPE_INT, .min = 3,
	.max = 15, .has_min = 1, .has_max = 1 };
static const struct shape s_feature = { .kind = SHAPE_STRING,
	.enums = client_features };
static const struct shape s_grace = { .kind = SHAPE_INT, .min = 0,
	.max = 60, .has_min = 1, .has_max = 1 };
static const struct shape_member s_rotation_members[] = {
	{ "Feature", &s_feature, 1 },
	{ "RetryGracePeriodSeconds", &s_grace, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_rotation = { .kind = SHAPE_STRUCT,
	.members = s_rotation_members };
static const struct shape s_limit = { .kind = SHAPE_INT, .min = 1,
	.max = CLIENT_PAGE_MAX, .has_min = 1, .has_max = 1 };

/* The settings Create and Update share. */
#define CLIENT_SETTINGS							\
	{ "RefreshTokenValidity", &s_refresh, 0 },			\
	{ "AccessTokenValidity", &s_validity, 0 },			\
	{ "IdTokenValidity", &s_validity, 0 },				\
	{ "TokenValidityUnits", &s_units, 0 },				\
	{ "ReadAttributes", &s_attrs, 0 },				\
	{ "WriteAttributes", &s_attrs, 0 },				\
	{ "ExplicitAuthFlows", &s_flows, 0 },				\
	{ "SupportedIdentityProviders", &s_idps, 0 },			\
	{ "CallbackURLs", &s_urls, 0 },					\
	{ "LogoutURLs", &s_urls, 0 },					\
	{ "DefaultRedirectURI", &s_url, 0 },				\
	{ "AllowedOAuthFlows", &s_oflows, 0 },				\
	{ "AllowedOAuthScopes", &s_scopes, 0 },				\
	{ "AllowedOAuthFlowsUserPoolClient", &s_bool, 0 },		\
	{ "AnalyticsConfiguration", &s_analytics, 0 },			\
	{ "PreventUserExistenceErrors", &s_existence, 0 },		\
	{ "EnableTokenRevocation", &s_bool, 0 },			\
	{ "EnablePropagateAdditionalUserContextData", &s_bool, 0 },	\
	{ "AuthSessionValidity", &s_session, 0 },			\
	{ "RefreshTokenRotation", &s_rotation, 0 }

static const struct shape_member s_create_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ClientName", &s_name, 1 },
	{ "GenerateSecret", &s_bool, 0 },
	CLIENT_SETTINGS,
	{ NULL, NULL, 0 }
};
static const struct shape s_create = { .kind = SHAPE_STRUCT,
	.members = s_create_members };

static const struct shape_member s_update_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ClientId", &ops_shape_client_id, 1 },
	{ "ClientName", &s_name, 0 },
	CLIENT_SETTINGS,
	{ NULL, NULL, 0 }
};
static const struct shape s_update = { .kind = SHAPE_STRUCT,
	.members = s_update_members };

static const struct shape_member s_ref_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ClientId", &ops_shape_client_id, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_ref = { .kind = SHAPE_STRUCT,
	.members = s_ref_members };

static const struct shape_member s_list_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "MaxResults", &s_limit, 0 },
	{ "NextToken", &ops_shape_next_token, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_list = { .kind = SHAPE_STRUCT,
	.members = s_list_members };

/* --- Building a configuration from the input --- */

/*
 * One Create or Update in progress: the input, the configuration being
 * built, what only the database can check, and the first error.
 */
struct client_build {
	json_t		*in;
	json_t		*cfg;
	json_t		*custom_scopes;	/* "<identifier>/<scope>" */
	int		 secret;	/* Create: a secret will exist */
	int		 need_secret;	/* client_credentials asks for one */
	const char	*err_type;
	char		*err_msg;
};

typedef int	(*client_rule)(struct client_build *);

static int
client_err(struct client_build *b, const char *type, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	b->err_type = type;
	b->err_msg = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* A non-empty array member of the input, or NULL. */
static json_t *
client_nonempty(json_t *in, const char *name)
{
	json_t	*v = json_object_get(in, name);

	return json_is_array(v) && json_array_size(v) > 0 ? v : NULL;
}

/*
 * Members copied as given, with the default a missing (or empty list)
 * member takes; a NULL default leaves it out of the configuration, as
 * Describe on Cognito leaves out what was never set.
 */
static const struct client_member {
	const char	*name;
	const char	*dflt;		/* JSON text */
} client_members[] = {
	{ "ExplicitAuthFlows", "[\"ALLOW_REFRESH_TOKEN_AUTH\", "
	    "\"ALLOW_USER_SRP_AUTH\", \"ALLOW_CUSTOM_AUTH\"]" },
	{ "ReadAttributes", NULL },
	{ "WriteAttributes", NULL },
	{ "SupportedIdentityProviders", NULL },
	{ "CallbackURLs", NULL },
	{ "LogoutURLs", NULL },
	{ "DefaultRedirectURI", NULL },
	{ "AllowedOAuthFlows", NULL },
	{ "AllowedOAuthScopes", NULL },
	{ "AllowedOAuthFlowsUserPoolClient", "false" },
	{ "AnalyticsConfiguration", NULL },
	{ "PreventUserExistenceErrors", "\"LEGACY\"" },
	{ "EnableTokenRevocation", "true" },
	{ "EnablePropagateAdditionalUserContextData", "false" },
	{ "AuthSessionValidity", "3" },
	{ "RefreshTokenRotation", NULL },
};

static int
client_rule_members(struct client_build *b)
{
	const struct client_member	*m;
	json_t				*v;
	size_t				 i;

	for (i = 0; i < nitems(client_members); i++) {
		m = &client_members[i];
		v = json_object_get(b->in, m->name);
		if (v != NULL && !json_is_null(v) &&
		    !(json_is_array(v) && json_array_size(v) == 0))
			json_object_set(b->cfg, m->name, v);
		else if (m->dflt != NULL)
			json_object_set_new(b->cfg, m->name,
			    json_loads(m->dflt, JSON_DECODE_ANY, NULL));
	}
	return 0;
}

/* Legacy names (without ALLOW_) predate the ALLOW_ set; never both. */
static int
client_rule_auth_flows(struct client_build *b)
{
	json_t	*flows = client_nonempty(b->in, "ExplicitAuthFlows"), *v;
	size_t	 i;
	int	 legacy = 0, modern = 0;

	json_array_foreach(flows, i, v) {
		if (strncmp(json_string_value(v), "ALLOW_", 6) == 0)
			modern = 1;
		else
			legacy = 1;
	}
	if (legacy && modern)
		return client_err(b, "InvalidParameterException",
		    "ExplicitAuthFlows cannot mix the legacy values "
		    "ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and "
		    "USER_PASSWORD_AUTH with ALLOW_ values.");
	return 0;
}

/*
 * Token lifetimes. A value given without a unit counts in the API's
 * default unit (hours for access and ID tokens, days for refresh
 * tokens); a client that sets nothing gets 60 minutes, 60 minutes and
 * 30 days, reported in those units, as Cognito reports them. The range
 * applies to the lifetime the value and unit make together.
 */
static const struct client_validity {
	const char	*token;		/* TokenValidityUnits member */
	const char	*member;
	const char	*unit;		/* of a value given without one */
	long long	 dflt;		/* when no value is given, ... */
	const char	*dflt_unit;	/* ... in this unit */
	long long	 min, max;	/* seconds */
	const char	*range;
} client_validities[] = {
	{ "AccessToken", "AccessTokenValidity", "hours", 60, "minutes",
	  5 * 60, 86400, "between 5 minutes and 1 day" },
	{ "IdToken", "IdTokenValidity", "hours", 60, "minutes",
	  5 * 60, 86400, "between 5 minutes and 1 day" },
	{ "RefreshToken", "RefreshTokenValidity", "days", 30, "days",
	  60 * 60, 3650LL * 86400, "between 60 minutes and 10 years" },
};

static int
client_validity_one(struct client_build *b, const struct client_validity *e,
    json_t *units)
{
	json_t		*v = json_object_get(b->in, e->member);
	const char	*unit = json_string_value(json_object_get(
			    json_object_get(b->in, "TokenValidityUnits"),
			    e->token));
	long long	 dflt_s = e->dflt * tokens_unit_seconds(e->dflt_unit);
	long long	 n;

	if (json_is_integer(v)) {
		if (unit == NULL)
			unit = e->unit;
		n = json_integer_value(v);
		if (n == 0)	/* Cognito's "0 means the default" */
			n = dflt_s / tokens_unit_seconds(unit);
	} else if (unit != NULL) {
		n = dflt_s / tokens_unit_seconds(unit);
		if (n < 1)
			n = 1;
	} else {
		n = e->dflt;
		unit = e->dflt_unit;
	}
	if (n * tokens_unit_seconds(unit) < e->min ||
	    n * tokens_unit_seconds(unit) > e->max)
		return client_err(b, "InvalidParameterException",
		    "%s must be %s; %lld %s is out of range.", e->member,
		    e->range, n, unit);
	json_object_set_new(b->cfg, e->member, json_integer(n));
	json_object_set_new(units, e->token, json_string(unit));
	return 0;
}

static int
client_rule_validity(struct client_build *b)
{
	json_t	*units = json_object();
	size_t	 i;

	for (i = 0; i < nitems(client_validities); i++) {
		if (client_validity_one(b, &client_validities[i], units) != 0) {
			json_decref(units);
			return -1;
		}
	}
	json_object_set_new(b->cfg, "TokenValidityUnits", units);
	return 0;
}

static int
client_check_urls(struct client_build *b, const char *member)
{
	json_t		*v;
	const char	*why;
	size_t		 i;

	json_array_foreach(json_object_get(b->in, member), i, v) {
		if (ops_check_redirect_url(json_string_value(v), &why) != 0)
			return client_err(b, "InvalidParameterException",
			    "Invalid URL in %s: %s %s.", member,
			    json_string_value(v), why);
	}
	return 0;
}

static int
client_rule_urls(struct client_build *b)
{
	const char	*dflt = api_str(b->in, "DefaultRedirectURI");
	json_t		*cb = json_object_get(b->in, "CallbackURLs");

	if (client_check_urls(b, "CallbackURLs") != 0 ||
	    client_check_urls(b, "LogoutURLs") != 0)
		return -1;
	if (dflt != NULL && (!json_is_array(cb) || !strarray_has(cb, dflt)))
		return client_err(b, "InvalidParameterException",
		    "DefaultRedirectURI %s must be one of the CallbackURLs.",
		    dflt);
	return 0;
}

/*
 * OAuth settings take effect only on a client that allows OAuth flows;
 * client_credentials is a machine-to-machine grant, so it stands alone
 * and authenticates with a secret.
 */
static int
client_rule_oauth(struct client_build *b)
{
	json_t	*flows = client_nonempty(b->in, "AllowedOAuthFlows");
	json_t	*scopes = client_nonempty(b->in, "AllowedOAuthScopes");
	int	 enabled;

	enabled = api_bool(b->in, "AllowedOAuthFlowsUserPoolClient", 0);
	if (!enabled && (flows != NULL || scopes != NULL))
		return client_err(b, "InvalidOAuthFlowException",
		    "AllowedOAuthFlows and AllowedOAuthScopes need "
		    "AllowedOAuthFlowsUserPoolClient set to true.");
	if (enabled && flows == NULL)
		return client_err(b, "InvalidOAuthFlowException",
		    "AllowedOAuthFlows is required when "
		    "AllowedOAuthFlowsUserPoolClient is true.");
	if (flows == NULL || !strarray_has(flows, "client_credentials"))
		return 0;
	if (json_array_size(flows) > 1)
		return client_err(b, "InvalidOAuthFlowException",
		    "client_credentials flow can not be selected along with "
		    "code flow or implicit flow.");
	b->need_secret = 1;
	if (!b->secret)
		return client_err(b, "InvalidOAuthFlowException",
		    "client_credentials flow can not be selected if client "
		    "does not have a client secret.");
	return 0;
}

static const char *const client_std_scopes[] = {
	"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin",
	NULL
};

static int
client_is_std_scope(const char *s)
{
	size_t	i;

	for (i = 0; client_std_scopes[i] != NULL; i++)
		if (strcmp(client_std_scopes[i], s) == 0)
			return 1;
	return 0;
}

/*
 * Standard scopes are known here; "<identifier>/<name>" scopes are left
 * for the database to find among the pool's resource servers. The
 * client_credentials grant issues access tokens for resource servers
 * only, so it takes custom scopes alone.
 */
static int
client_rule_scopes(struct client_build *b)
{
	json_t		*v, *flows;
	const char	*s;
	size_t		 i;

	flows = json_object_get(b->in, "AllowedOAuthFlows");
	json_array_foreach(json_object_get(b->in, "AllowedOAuthScopes"), i,
	    v) {
		s = json_string_value(v);
		if (client_is_std_scope(s)) {
			if (json_is_array(flows) &&
			    strarray_has(flows, "client_credentials"))
				return client_err(b,
				    "InvalidOAuthFlowException",
				    "client_credentials flow can only be used "
				    "with custom scopes, not %s.", s);
			continue;
		}
		if (strchr(s, '/') == NULL || s[strlen(s) - 1] == '/')
			return client_err(b, "ScopeDoesNotExistException",
			    "Invalid scope requested: %s", s);
		json_array_append(b->custom_scopes, v);
	}
	return 0;
}

/* Standard attributes; all of them but sub may be written. */
static const char *const client_std_attrs[] = {
	"sub", "address", "birthdate", "email", "email_verified",
	"family_name", "gender", "given_name", "locale", "middle_name",
	"name", "nickname", "phone_number", "phone_number_verified",
	"picture", "preferred_username", "profile", "updated_at", "website",
	"zoneinfo", "identities", NULL
};

static int
client_attr_known(const char *a)
{
	size_t	i, n = strlen(CLIENT_CUSTOM_PREFIX);

	if (strncmp(a, CLIENT_CUSTOM_PREFIX, n) == 0)
		return a[n] != '\0';
	for (i = 0; client_std_attrs[i] != NULL; i++)
		if (strcmp(client_std_attrs[i], a) == 0)
			return 1;
	return 0;
}

static int
client_check_attrs(struct client_build *b, const char *member, int write)
{
	json_t		*v;
	const char	*a;
	const char	*what = write ? "write" : "read";
	size_t		 i;

	json_array_foreach(json_object_get(b->in, member), i, v) {
		a = json_string_value(v);
		if (!client_attr_known(a))
			return client_err(b, "InvalidParameterException",
			    "Invalid %s attributes specified: %s is not an "
			    "attribute of the user pool.", what, a);
		if (write && strcmp(a, "sub") == 0)
			return client_err(b, "InvalidParameterException",
			    "Invalid write attributes specified: %s is not "
			    "mutable.", a);
	}
	return 0;
}

static int
client_rule_attrs(struct client_build *b)
{
	if (client_check_attrs(b, "ReadAttributes", 0) != 0 ||
	    client_check_attrs(b, "WriteAttributes", 1) != 0)
		return -1;
	return 0;
}

static const client_rule client_rules[] = {
	client_rule_members,
	client_rule_auth_flows,
	client_rule_validity,
	client_rule_urls,
	client_rule_oauth,
	client_rule_scopes,
	client_rule_attrs,
};

/* Run every rule over b->in; -1 at the first error (b->err_*). */
static int
client_build_rules(struct client_build *b)
{
	size_t	i;

	b->cfg = json_object();
	b->custom_scopes = json_array();
	for (i = 0; i < nitems(client_rules); i++)
		if (client_rules[i](b) != 0)
			return -1;
	return 0;
}

/* Run every rule over the call's input; -1 after answering the error. */
static int
client_build_run(struct api_call *call, struct client_build *b)
{
	b->in = call->in;
	if (client_build_rules(b) == 0)
		return 0;
	api_fail(call, b->err_type, "%s", b->err_msg);
	return -1;
}

static void
client_build_clear(struct client_build *b)
{
	json_decref(b->cfg);
	json_decref(b->custom_scopes);
	free(b->err_msg);
}

int
client_ops_config(json_t *in, json_t **cfg, json_t **scopes,
    const char **etype, char **msg)
{
	struct client_build	b = { 0 };
	int			rc = -1;

	b.in = in;
	b.secret = json_is_true(json_object_get(in, "GenerateSecret"));
	*cfg = *scopes = NULL;
	*msg = NULL;
	if (client_build_rules(&b) == 0) {
		*cfg = json_incref(b.cfg);
		*scopes = json_incref(b.custom_scopes);
		rc = 0;
	} else {
		*etype = b.err_type;
		*msg = b.err_msg;
		b.err_msg = NULL;
	}
	client_build_clear(&b);
	return rc;
}

/* --- The checks only the database can make --- */

/* JSON text of a list member of the input, "[]" when absent. */
static char *
client_param_list(json_t *in, const char *name)
{
	json_t	*v = json_object_get(in, name);

	if (!json_is_array(v))
		return xstrdup("[]");
	return ops_json_text(v);
}

/*
 * Answer the database's findings common to Create and Update; 0 when
 * the row was written.
 */
static int
client_db_verdict(struct api_call *call, const PGresult *r)
{
	const char	*bad_scope = pg_val(r, 0, DB_CLIENTS_UPDATE_BAD_SCOPE);
	const char	*bad_attr = pg_val(r, 0, DB_CLIENTS_UPDATE_BAD_ATTR);

	if (pg_rows(r) == 0) {
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
		return -1;
	}
	if (bad_scope != NULL) {
		api_fail(call, "ScopeDoesNotExistException",
		    "Invalid scope requested: %s", bad_scope);
		return -1;
	}
	if (bad_attr != NULL && bad_attr[0] == 'u') {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "attributes specified: %s is not an attribute of the user "
		    "pool.", bad_attr + 1);
		return -1;
	}
	if (bad_attr != NULL) {
		api_fail(call, "InvalidParameterException", "Invalid write "
		    "attributes specified: %s is not mutable.", bad_attr + 1);
		return -1;
	}
	if (pg_val(r, 0, DB_CLIENTS_UPDATE_BAD_IDP) != NULL) {
		api_fail(call, "InvalidParameterException", "The provider %s "
		    "does not exist for User Pool %s",
		    pg_val(r, 0, DB_CLIENTS_UPDATE_BAD_IDP),
		    api_str(call->in, "UserPoolId"));
		return -1;
	}
	return 0;
}

/* --- Output --- */

/*
 * UserPoolClientType from the stored parts; the sealed secret (or NULL)
 * is opened here and the plain copy wiped.
 */
static json_t *
client_output(const char *pool_id, const char *client_id, const char *name,
    const char *sealed, json_t *cfg, const char *created,
    const char *modified)
{
	json_t		*out;
	unsigned char	*secret;
	size_t		 len;

	out = json_pack("{s:s, s:s, s:s}", "UserPoolId", pool_id,
	    "ClientName", name, "ClientId", client_id);
	if (sealed != NULL && keys_open(sealed, &secret, &len) == 0) {
		json_object_set_new(out, "ClientSecret",
		    json_stringn((const char *)secret, len));
		wipe(secret, len);
		free(secret);
	}
	json_object_set_new(out, "LastModifiedDate", api_time(modified));
	json_object_set_new(out, "CreationDate", api_time(created));
	json_object_update(out, cfg);
	return json_pack("{s:o}", "UserPoolClient", out);
}

/* --- CreateUserPoolClient --- */

static void
client_cfg_free(void *p)
{
	json_decref(p);
}

/* A list member of the input, or NULL ([]). */
static json_t *
client_attrs(json_t *in, const char *name)
{
	json_t	*v = json_object_get(in, name);

	return json_is_array(v) ? v : NULL;
}

static void
client_created(struct task *t, const struct pools_client *c)
{
	struct api_call	*call = t->owner;

	api_ok(call, client_output(api_str(call->in, "UserPoolId"), c->id,
	    api_str(call->in, "ClientName"), c->sealed, call->data,
	    c->created, c->modified));
}

/* The configuration built here, the client made by core/pools.c. */
static void
client_create(struct api_call *call)
{
	struct client_build	 b = { 0 };
	struct pools_client_new	 n;

	b.secret = api_bool(call->in, "GenerateSecret", 0);
	if (client_build_run(call, &b) != 0) {
		client_build_clear(&b);
		return;
	}
	api_set_data(call, json_incref(b.cfg), client_cfg_free);
	memset(&n, 0, sizeof n);
	n.pool_id = api_str(call->in, "UserPoolId");
	n.name = api_str(call->in, "ClientName");
	n.config = b.cfg;
	n.custom_scopes = b.custom_scopes;
	n.read_attrs = client_attrs(call->in, "ReadAttributes");
	n.write_attrs = client_attrs(call->in, "WriteAttributes");
	n.secret = b.secret;
	pools_create_client(&call->task, &n, client_created);
	client_build_clear(&b);
}

/* --- UpdateUserPoolClient --- */

static void
client_update_done(struct api_call *call, struct pg_reply *reply)
{
	json_t		*cfg = call->data;
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) > 0 && pg_val(r, 0, DB_CLIENTS_UPDATE_HAS_SECRET) ==
	    NULL) {
		ops_fail_no_client(call, api_str(call->in, "ClientId"));
		return;
	}
	if (client_db_verdict(call, r) != 0)
		return;
	if (pg_val(r, 0, DB_CLIENTS_UPDATE_NAME) == NULL) {
		api_fail(call, "InvalidOAuthFlowException",
		    "client_credentials flow can not be selected if client "
		    "does not have a client secret.");
		return;
	}
	api_ok(call, client_output(api_str(call->in, "UserPoolId"),
	    api_str(call->in, "ClientId"),
	    pg_val(r, 0, DB_CLIENTS_UPDATE_NAME),
	    pg_val(r, 0, DB_CLIENTS_UPDATE_SECRET), cfg,
	    pg_val(r, 0, DB_CLIENTS_UPDATE_CREATED),
	    pg_val(r, 0, DB_CLIENTS_UPDATE_MODIFIED)));
}

/*
 * Whether the client has a secret is known only to the database, so
 * the secret rule of client_credentials is checked there ($8).
 */
static void
client_update(struct api_call *call)
{
	struct client_build	 b = { 0 };
	struct pg_batch		*batch;
	char			*cfg, *scopes, *rd, *wr;

	b.secret = 1;
	if (client_build_run(call, &b) != 0) {
		client_build_clear(&b);
		return;
	}
	api_set_data(call, json_incref(b.cfg), client_cfg_free);
	cfg = ops_json_text(b.cfg);
	scopes = ops_json_text(b.custom_scopes);
	rd = client_param_list(call->in, "ReadAttributes");
	wr = client_param_list(call->in, "WriteAttributes");
	batch = pg_batch_new();
	db_clients_update(batch, &(struct db_clients_update){
	    .pool_id = api_str(call->in, "UserPoolId"),
	    .id = api_str(call->in, "ClientId"),
	    .name = api_str(call->in, "ClientName"), .config = cfg,
	    .custom_scopes = scopes, .read_attrs = rd, .write_attrs = wr,
	    .need_secret = b.need_secret ? "true" : "false" });
	free(cfg);
	free(scopes);
	free(rd);
	free(wr);
	client_build_clear(&b);
	api_query(call, batch, client_update_done);
}

/* --- DescribeUserPoolClient --- */

static void
client_describe_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*cfg;

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	if (pg_val(r, 0, DB_CLIENTS_DESCRIBE_NAME) == NULL) {
		ops_fail_no_client(call, api_str(call->in, "ClientId"));
		return;
	}
	if ((cfg = json_loads(pg_val(r, 0, DB_CLIENTS_DESCRIBE_CONFIG), 0,
	    NULL)) == NULL)
		cfg = json_object();
	api_ok(call, client_output(api_str(call->in, "UserPoolId"),
	    api_str(call->in, "ClientId"),
	    pg_val(r, 0, DB_CLIENTS_DESCRIBE_NAME),
	    pg_val(r, 0, DB_CLIENTS_DESCRIBE_SECRET), cfg,
	    pg_val(r, 0, DB_CLIENTS_DESCRIBE_CREATED),
	    pg_val(r, 0, DB_CLIENTS_DESCRIBE_MODIFIED)));
	json_decref(cfg);
}

static void
client_describe(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_clients_describe(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "ClientId"));
	api_query(call, batch, client_describe_done);
}

/* --- DeleteUserPoolClient --- */

static void
client_fail_missing(struct api_call *call)
{
	ops_fail_no_client(call, api_str(call->in, "ClientId"));
}

static void
client_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (ops_pool_changed(call, reply, client_fail_missing))
		api_ok(call, NULL);
}

/* The client and its UI customization go in one statement. */
static void
client_delete(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_clients_delete(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "ClientId"));
	api_query(call, batch, client_delete_done);
}

/* --- ListUserPoolClients --- */

static void
client_list_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*items, *out;
	int		 i, n, max;

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	n = pg_rows(r);
	max = (int)api_int(call->in, "MaxResults", CLIENT_PAGE_MAX);
	items = json_array();
	for (i = 0; i < n && i < max && pg_val(r, i, DB_CLIENTS_LIST_ID) !=
	    NULL; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s}",
		    "ClientId", pg_val(r, i, DB_CLIENTS_LIST_ID),
		    "UserPoolId", pg_val(r, i, DB_CLIENTS_LIST_POOL),
		    "ClientName", pg_val(r, i, DB_CLIENTS_LIST_NAME)));
	out = json_pack("{s:o}", "UserPoolClients", items);
	if (n > max)
		ops_page_next(out, "NextToken", pg_val(r, max - 1,
		    DB_CLIENTS_LIST_CREATED), pg_val(r, max - 1,
		    DB_CLIENTS_LIST_ID));
	api_ok(call, out);
}

/* A creation time as the database printed it. */
static int
client_is_number(const char *s)
{
	char	*end;

	if (s == NULL || *s == '\0')
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

/*
 * Pages in creation order, keyed by (created_at, id); one row more than
 * the page tells whether another page follows.
 */
static void
client_list(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*after_t, *after_id, limit[16];

	if (ops_page_after(call, &after_t, &after_id) != 0)
		return;
	if (after_t != NULL && !client_is_number(after_t)) {
		free(after_t);
		free(after_id);
		api_fail(call, "InvalidParameterException",
		    "Invalid NextToken.");
		return;
	}
	snprintf(limit, sizeof limit, "%d", (int)api_int(call->in,
	    "MaxResults", CLIENT_PAGE_MAX) + 1);
	batch = pg_batch_new();
	db_clients_list(batch, api_str(call->in, "UserPoolId"), after_t,
	    after_id, limit);
	free(after_t);
	free(after_id);
	api_query(call, batch, client_list_done);
}

const struct api_op client_ops[] = {
	{ "CreateUserPoolClient", client_create, API_SIGNED, &s_create },
	{ "DescribeUserPoolClient", client_describe, API_SIGNED, &s_ref },
	{ "UpdateUserPoolClient", client_update, API_SIGNED, &s_update },
	{ "DeleteUserPoolClient", client_delete, API_SIGNED, &s_ref },
	{ "ListUserPoolClients", client_list, API_SIGNED, &s_list },
	{ NULL, NULL, 0, NULL }
};
