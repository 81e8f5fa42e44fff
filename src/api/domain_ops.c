/*
 * domain_ops.c: the domains under which a pool's hosted UI and OAuth2
 * endpoints are served (CreateUserPoolDomain, DescribeUserPoolDomain,
 * UpdateUserPoolDomain, DeleteUserPoolDomain).
 *
 * A prefix domain is served as <prefix>.<auth_domain> and, always, by
 * path as <public_url>/<prefix>/; a custom domain is any host name the
 * operator points at us. The router tells a prefix from a pool id by
 * the '_' that only pool ids contain, and from its own top-level paths
 * by name, so prefixes with '_' are impossible by pattern and the route
 * names are reserved here. A pool has at most one domain of each kind
 * and a domain belongs to one pool: the schema says so (primary key and
 * unique (pool_id, kind)); the statement that inserts (db/pools.c, run
 * by core/pools.c, which the demo pool's domain also uses) also reports
 * which rule a request breaks, and a race that the statement cannot see
 * ends in the same messages through the constraint names. The other
 * statements are db/domains.c's.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/domain_ops.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "conf.h"
#include "core/pools.h"
#include "core/task.h"
#include "http/domain.h"
#include "db/domains.h"
#include "db/pg.h"
#include "util.h"

#define DOMAIN_NAME_MAX		253
#define DOMAIN_PATTERN		DOMAIN_PREFIX_PATTERN_TEXT

/* --- Input shapes --- */

static int	domain_check_chars(const char *);

/*
 * The model's pattern is that of a prefix; custom domains are host
 * names, so the shape admits host name characters and the handlers
 * apply the exact rule of each kind.
 */
static const struct shape s_domain = { .kind = SHAPE_STRING, .min = 1,
	.max = DOMAIN_NAME_MAX, .has_min = 1, .has_max = 1,
	.check = domain_check_chars, .pattern = DOMAIN_PATTERN };
static const struct shape s_arn = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .check = shape_check_arn,
	.pattern = "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:"
	    "[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?" };
static const struct shape_member s_custom_members[] = {
	{ "CertificateArn", &s_arn, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_custom = { .kind = SHAPE_STRUCT,
	.members = s_custom_members };
static const struct shape s_version = { .kind = SHAPE_INT, .min = 1,
	.max = 2, .has_min = 1, .has_max = 1 };

static const struct shape_member s_change_members[] = {
	{ "Domain", &s_domain, 1 },
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "CustomDomainConfig", &s_custom, 0 },
	{ "ManagedLoginVersion", &s_version, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_change = { .kind = SHAPE_STRUCT,
	.members = s_change_members };

static const struct shape_member s_describe_members[] = {
	{ "Domain", &s_domain, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_describe = { .kind = SHAPE_STRUCT,
	.members = s_describe_members };

static const struct shape_member s_delete_members[] = {
	{ "Domain", &s_domain, 1 },
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_delete = { .kind = SHAPE_STRUCT,
	.members = s_delete_members };

/* --- Names --- */

static int
domain_check_chars(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!isascii((unsigned char)*s) ||
		    (!isalnum((unsigned char)*s) && *s != '-' && *s != '.'))
			return -1;
	return 0;
}

/*
 * NULL when the prefix may be used, else why not: the rule is the
 * router's too (http/domain.c), so every prefix made here is reachable.
 */
static char *
domain_prefix_refused(const char *d)
{
	const char	*word = NULL;

	switch (domain_prefix_check(d, strlen(d), &word)) {
	case DOMAIN_PREFIX_OK:
		return NULL;
	case DOMAIN_PREFIX_WORD:
		return xasprintf("Domain cannot contain reserved word: %s",
		    word);
	case DOMAIN_PREFIX_RESERVED:
		return xasprintf("Domain %s is reserved.", d);
	case DOMAIN_PREFIX_PATTERN:
	default:
		return xasprintf("1 validation error detected: Value '%s' at "
		    "'domain' failed to satisfy constraint: Member must "
		    "satisfy regular expression pattern: %s", d,
		    DOMAIN_PATTERN);
	}
}

/* d equals parent or is a name under it. */
static int
domain_within(const char *d, const char *parent)
{
	size_t	dl = strlen(d), pl = strlen(parent);

	if (pl == 0 || dl < pl || strcasecmp(d + dl - pl, parent) != 0)
		return 0;
	return dl == pl || d[dl - pl - 1] == '.';
}

/*
 * NULL when the lowercased host name d may be a custom domain. Names
 * under auth_domain and the API host itself are ours: the router
 * resolves them first, so a pool claiming one would either never be
 * reached or shadow another pool's prefix domain.
 */
static char *
domain_custom_refused(const char *d)
{
	const char	*p, *dot;
	char		*host;
	int		 ours, labels = 0;

	for (p = d; ; p = dot + 1) {
		dot = strchr(p, '.');
		if (!domain_label_ok(p, dot != NULL ? (size_t)(dot - p) :
		    strlen(p)))
			return xasprintf("%s is not a valid domain name.", d);
		labels++;
		if (dot == NULL)
			break;
	}
	if (labels < 2)
		return xasprintf("A custom domain must be a fully qualified "
		    "domain name; %s is not.", d);
	host = ops_public_host();
	ours = domain_within(d, conf->auth_domain) || strcmp(d, host) == 0;
	free(host);
	if (ours)
		return xasprintf("Domain %s is served by this service "
		    "itself and cannot be a custom domain.", d);
	return NULL;
}

static char *
domain_lower(const char *s)
{
	char	*d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Where a domain is served: the host CloudFront would be on Cognito. */
static char *
domain_served_host(const char *domain, const char *kind)
{
	if (strcmp(kind, "prefix") == 0 && *conf->auth_domain != '\0')
		return xasprintf("%s.%s", domain, conf->auth_domain);
	return ops_public_host();
}

/* {CloudFrontDomain (custom domains), ManagedLoginVersion}. */
static json_t *
domain_change_output(const char *domain, const char *kind, json_t *cfg)
{
	json_t	*out = json_object();
	char	*host;

	if (strcmp(kind, "custom") == 0) {
		host = domain_served_host(domain, kind);
		json_object_set_new(out, "CloudFrontDomain", json_string(host));
		free(host);
	}
	json_object_set_new(out, "ManagedLoginVersion", json_integer(
	    json_integer_value(json_object_get(cfg, "ManagedLoginVersion"))));
	return out;
}

/* --- CreateUserPoolDomain --- */

struct domain_create {
	char	*domain;
	json_t	*cfg;
};

static void
domain_create_free(void *p)
{
	struct domain_create	*c = p;

	free(c->domain);
	json_decref(c->cfg);
	free(c);
}

static const char *
domain_kind(struct api_call *call)
{
	return json_object_get(call->in, "CustomDomainConfig") != NULL ?
	    "custom" : "prefix";
}

static void
domain_created(struct task *t)
{
	struct api_call		*call = t->owner;
	struct domain_create	*c = call->data;

	api_ok(call, domain_change_output(c->domain, domain_kind(call),
	    c->cfg));
}

json_t *
domain_ops_config(json_t *in)
{
	json_t	*cfg, *custom, *v;
	char	 version[32];

	v = json_object_get(in, "ManagedLoginVersion");
	snprintf(version, sizeof version, "%lld", (long long)now_s());
	cfg = json_pack("{s:I, s:s}", "ManagedLoginVersion",
	    json_is_integer(v) ? json_integer_value(v) : 1, "Version",
	    version);
	if ((custom = json_object_get(in, "CustomDomainConfig")) != NULL)
		json_object_set_new(cfg, "CustomDomainConfig", json_pack(
		    "{s:s}", "CertificateArn", api_str(custom,
		    "CertificateArn")));
	return cfg;
}

/* The name checked and the settings built here; core/pools.c stores. */
static void
domain_create(struct api_call *call)
{
	struct domain_create	*c;
	const char		*kind = domain_kind(call);
	char			*why;

	c = xcalloc(1, sizeof *c);
	c->domain = domain_lower(api_str(call->in, "Domain"));
	api_set_data(call, c, domain_create_free);
	why = strcmp(kind, "prefix") == 0 ?
	    domain_prefix_refused(api_str(call->in, "Domain")) :
	    domain_custom_refused(c->domain);
	if (why != NULL) {
		api_fail(call, "InvalidParameterException", "%s", why);
		free(why);
		return;
	}
	c->cfg = domain_ops_config(call->in);
	pools_create_domain(&call->task, api_str(call->in, "UserPoolId"),
	    c->domain, kind, c->cfg, domain_created);
}

/* --- DescribeUserPoolDomain --- */

static json_t *
domain_description(const char *domain, const char *pool_id,
    const char *kind, json_t *cfg)
{
	json_t		*d, *custom;
	const char	*version = json_string_value(json_object_get(cfg,
			    "Version"));
	char		*host = domain_served_host(domain, kind);

	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "UserPoolId", pool_id,
	    "AWSAccountId", conf->account_id, "Domain", domain,
	    "CloudFrontDistribution", host, "Version",
	    version != NULL ? version : "1", "Status", "ACTIVE");
	free(host);
	if ((custom = json_object_get(cfg, "CustomDomainConfig")) != NULL)
		json_object_set(d, "CustomDomainConfig", custom);
	json_object_set_new(d, "ManagedLoginVersion", json_integer(
	    json_integer_value(json_object_get(cfg, "ManagedLoginVersion"))));
	return d;
}

static void
domain_describe_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*cfg, *d;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0) {
		/* Cognito answers an unknown domain with an empty object. */
		api_ok(call, json_pack("{s:{}}", "DomainDescription"));
		return;
	}
	cfg = json_loads(pg_val(r, 0, DB_DOMAINS_CONFIG), 0, NULL);
	d = domain_description(pg_val(r, 0, DB_DOMAINS_DOMAIN),
	    pg_val(r, 0, DB_DOMAINS_POOL), pg_val(r, 0, DB_DOMAINS_KIND),
	    cfg);
	json_decref(cfg);
	api_ok(call, json_pack("{s:o}", "DomainDescription", d));
}

static void
domain_describe(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_domains_describe(batch, api_str(call->in, "Domain"));
	api_query(call, batch, domain_describe_done);
}

/* --- UpdateUserPoolDomain --- */

static void
domain_update_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*cfg;
	char		*domain;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_val(r, 0, DB_DOMAINS_UPDATE_KIND) == NULL) {
		api_fail(call, "InvalidParameterException",
		    "No such domain or user pool exists.");
		return;
	}
	if (pg_val(r, 0, DB_DOMAINS_UPDATE_CONFIG) == NULL) {
		api_fail(call, "InvalidParameterException",
		    "CustomDomainConfig applies only to custom domains; %s is "
		    "a prefix domain.", api_str(call->in, "Domain"));
		return;
	}
	cfg = json_loads(pg_val(r, 0, DB_DOMAINS_UPDATE_CONFIG), 0, NULL);
	domain = domain_lower(api_str(call->in, "Domain"));
	api_ok(call, domain_change_output(domain, pg_val(r, 0,
	    DB_DOMAINS_UPDATE_KIND), cfg));
	free(domain);
	json_decref(cfg);
}

/* Merges the given settings; a new Version marks the change. */
static void
domain_update(struct api_call *call)
{
	struct pg_batch	*batch;
	json_t		*patch, *custom, *v;
	char		*text, version[32];

	snprintf(version, sizeof version, "%lld", (long long)now_s());
	patch = json_pack("{s:s}", "Version", version);
	if ((v = json_object_get(call->in, "ManagedLoginVersion")) != NULL)
		json_object_set(patch, "ManagedLoginVersion", v);
	if ((custom = json_object_get(call->in, "CustomDomainConfig")) != NULL)
		json_object_set_new(patch, "CustomDomainConfig", json_pack(
		    "{s:s}", "CertificateArn", api_str(custom,
		    "CertificateArn")));
	text = ops_json_text(patch);
	json_decref(patch);
	batch = pg_batch_new();
	db_domains_update(batch, api_str(call->in, "Domain"),
	    api_str(call->in, "UserPoolId"), text,
	    custom != NULL ? "true" : "false");
	free(text);
	api_query(call, batch, domain_update_done);
}

/* --- DeleteUserPoolDomain --- */

static void
domain_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (pg_rows(reply->res[0]) == 0)
		api_fail(call, "InvalidParameterException",
		    "No such domain or user pool exists.");
	else
		api_ok(call, NULL);
}

static void
domain_delete(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_domains_delete(batch, api_str(call->in, "Domain"),
	    api_str(call->in, "UserPoolId"));
	api_query(call, batch, domain_delete_done);
}

const struct api_op domain_ops[] = {
	{ "CreateUserPoolDomain", domain_create, API_SIGNED, &s_change },
	{ "DescribeUserPoolDomain", domain_describe, API_SIGNED, &s_describe },
	{ "UpdateUserPoolDomain", domain_update, API_SIGNED, &s_change },
	{ "DeleteUserPoolDomain", domain_delete, API_SIGNED, &s_delete },
	{ NULL, NULL, 0, NULL }
};
