/*
 * console_pool.c: the console's pool page, /console/pools/<id> (and its
 * General settings, /console/pools/<id>/general): the pool's name as
 * heading, its Pool Id and Pool ARN (data-field pool-id, pool-arn), the
 * pool's left navigation (the pool_nav partial) and the General settings
 * summary, from DescribeUserPool and ListUserPoolClients run through
 * console_op like any API call.
 *
 * The summary rows (Pool name, Required attributes, Alias attributes, ...
 * Triggers, in console.md's words) are built here from a UserPoolType or
 * from a CreateUserPool input alike, so the classic wizard's Review shows
 * before creation exactly what this page shows after it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <event2/http.h>

#include "ui/console.h"
#include "ui/console_pool.h"
#include "util.h"

#define POOL_PAGE_CLIENTS	60	/* ListUserPoolClients MaxResults */

/* Text of one summary row, NULL when nothing is set. */
typedef char	*(*pool_row_fn)(json_t *, json_t *);

/* a, b, c of the strings of array a (NULL when empty). */
static char *
pool_join(json_t *a)
{
	json_t	*v;
	size_t	 i;
	char	*s = NULL, *t;

	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			continue;
		t = s == NULL ? xstrdup(json_string_value(v)) :
		    xasprintf("%s, %s", s, json_string_value(v));
		free(s);
		s = t;
	}
	return s;
}

static char *
pool_row_name(json_t *p, json_t *clients)
{
	json_t	*n = json_object_get(p, "Name");

	(void)clients;
	if (n == NULL)
		n = json_object_get(p, "PoolName");
	return json_is_string(n) && json_string_length(n) > 0 ?
	    xstrdup(json_string_value(n)) : NULL;
}

/*
 * The required attributes of SchemaAttributes or of Schema, without sub,
 * which every pool requires (no one chose it).
 */
static char *
pool_row_required(json_t *p, json_t *clients)
{
	json_t	*attrs = json_object_get(p, "SchemaAttributes");
	json_t	*a, *names;
	json_t	*sub = json_string("sub");
	size_t	 i;
	char	*s;

	(void)clients;
	if (attrs == NULL)
		attrs = json_object_get(p, "Schema");
	names = json_array();
	json_array_foreach(attrs, i, a)
		if (json_is_true(json_object_get(a, "Required")) &&
		    !json_equal(json_object_get(a, "Name"), sub))
			json_array_append(names, json_object_get(a, "Name"));
	s = pool_join(names);
	json_decref(names);
	json_decref(sub);
	return s;
}

static char *
pool_row_alias(json_t *p, json_t *clients)
{
	(void)clients;
	return pool_join(json_object_get(p, "AliasAttributes"));
}

static char *
pool_row_username(json_t *p, json_t *clients)
{
	(void)clients;
	return pool_join(json_object_get(p, "UsernameAttributes"));
}

static json_t *
pool_password(json_t *p)
{
	return json_object_get(json_object_get(p, "Policies"),
	    "PasswordPolicy");
}

static char *
pool_row_minlen(json_t *p, json_t *clients)
{
	json_t	*v = json_object_get(pool_password(p), "MinimumLength");

	(void)clients;
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* The character classes of a password policy, in the console's order. */
static const struct {
	const char	*member;
	const char	*text;
} pool_classes[] = {
	{ "RequireUppercase", "uppercase letters" },
	{ "RequireLowercase", "lowercase letters" },
	{ "RequireSymbols", "special characters" },
	{ "RequireNumbers", "numbers" },
};

static char *
pool_row_policy(json_t *p, json_t *clients)
{
	json_t	*pp = pool_password(p), *names = json_array();
	size_t	 i;
	char	*s;

	(void)clients;
	for (i = 0; i < nitems(pool_classes); i++)
		if (json_is_true(json_object_get(pp, pool_classes[i].member)))
			json_array_append_new(names,
			    json_string(pool_classes[i].text));
	s = pool_join(names);
	json_decref(names);
	return s != NULL ? s : xstrdup("none");
}

static char *
pool_row_signup(json_t *p, json_t *clients)
{
	json_t	*c = json_object_get(p, "AdminCreateUserConfig");

	(void)clients;
	return xstrdup(json_is_true(json_object_get(c,
	    "AllowAdminCreateUserOnly")) ? "Only administrators can create "
	    "users" : "Users can sign themselves up");
}

static char *
pool_row_mfa(json_t *p, json_t *clients)
{
	const char	*m = json_string_value(json_object_get(p,
			    "MfaConfiguration"));

	(void)clients;
	if (m != NULL && strcmp(m, "ON") == 0)
		return xstrdup("Required");
	if (m != NULL && strcmp(m, "OPTIONAL") == 0)
		return xstrdup("Optional");
	return NULL;
}

static char *
pool_row_verify(json_t *p, json_t *clients)
{
	json_t	*v = json_object_get(p, "AutoVerifiedAttributes");
	int	 email = strarray_has(v, "email");
	int	 phone = strarray_has(v, "phone_number");

	(void)clients;
	if (email && phone)
		return xstrdup("Email or phone number");
	if (email || phone)
		return xstrdup(email ? "Email" : "Phone number");
	return xstrdup("No verification");
}

static char *
pool_row_tags(json_t *p, json_t *clients)
{
	json_t		*tags = json_object_get(p, "UserPoolTags"), *v;
	const char	*k;
	char		*s = NULL, *t;

	(void)clients;
	json_object_foreach(tags, k, v) {
		t = xasprintf("%s%s%s=%s", s != NULL ? s : "",
		    s != NULL ? ", " : "", k, json_is_string(v) ?
		    json_string_value(v) : "");
		free(s);
		s = t;
	}
	return s;
}

static char *
pool_row_clients(json_t *p, json_t *clients)
{
	(void)p;
	return pool_join(clients);
}

static char *
pool_row_triggers(json_t *p, json_t *clients)
{
	json_t		*lc = json_object_get(p, "LambdaConfig"), *v;
	json_t		*names = json_array();
	const char	*k;
	char		*s;

	(void)clients;
	json_object_foreach(lc, k, v)
		if (json_is_string(v) || json_is_object(v))
			json_array_append_new(names, json_string(k));
	s = pool_join(names);
	json_decref(names);
	return s;
}

/* The rows, in console.md's order; empty: the words when unset. */
static const struct {
	const char	*label;
	pool_row_fn	 fn;
	const char	*empty;
	const char	*step;
} pool_rows[] = {
	{ "Pool name", pool_row_name, "none", "name" },
	{ "Required attributes", pool_row_required, "none", "attributes" },
	{ "Alias attributes", pool_row_alias, "Choose alias attributes...",
	  "attributes" },
	{ "Username attributes", pool_row_username,
	  "Choose username attributes...", "attributes" },
	{ "Minimum password length", pool_row_minlen, "none", "policies" },
	{ "Password policy", pool_row_policy, NULL, NULL },
	{ "User sign ups allowed?", pool_row_signup, NULL, NULL },
	{ "MFA", pool_row_mfa, "Enable MFA...", "mfa" },
	{ "Verifications", pool_row_verify, NULL, NULL },
	{ "Tags", pool_row_tags, "Choose tags for your user pool", "tags" },
	{ "App clients", pool_row_clients, "Add app client...", "clients" },
	{ "Triggers", pool_row_triggers, "Add triggers...", "triggers" },
};

json_t *
console_pool_summary(json_t *p, json_t *clients)
{
	json_t	*rows = json_array(), *row;
	size_t	 i;
	char	*v;

	for (i = 0; i < nitems(pool_rows); i++) {
		row = json_pack("{s:s}", "label", pool_rows[i].label);
		if ((v = pool_rows[i].fn(p, clients)) != NULL) {
			json_object_set_new(row, "value", json_string(v));
			free(v);
		} else {
			json_object_set_new(row, "empty",
			    json_string(pool_rows[i].empty));
			json_object_set_new(row, "step",
			    json_string(pool_rows[i].step));
		}
		json_array_append_new(rows, row);
	}
	return rows;
}

/* --- The pool page ---------------------------------------------------- */

/* The page's state between DescribeUserPool and ListUserPoolClients. */
struct pool_page {
	json_t	*pool;
};

static void
pool_page_free(void *p)
{
	struct pool_page	*pp = p;

	json_decref(pp->pool);
	free(pp);
}

static void
pool_page_failed(struct console_req *cr, const char *msg)
{
	console_fail_page(cr, 404, msg);
}

static void
pool_page_clients(struct console_req *cr, json_t *out)
{
	struct pool_page	*pp = console_data(cr);
	json_t			*names = json_array(), *c, *ctx, *pool;
	const char		*domain;
	size_t			 i;

	json_array_foreach(json_object_get(out, "UserPoolClients"), i, c)
		json_array_append(names, json_object_get(c, "ClientName"));
	pool = json_pack("{s:O, s:O, s:O, s:O}", "id",
	    json_object_get(pp->pool, "Id"), "name",
	    json_object_get(pp->pool, "Name"), "arn",
	    json_object_get(pp->pool, "Arn"), "users",
	    json_object_get(pp->pool, "EstimatedNumberOfUsers"));
	domain = json_string_value(json_object_get(pp->pool, "Domain"));
	if (domain != NULL)
		json_object_set_new(pool, "domain", json_string(domain));
	ctx = json_pack("{s:O, s:o, s:o, s:{s:b}}", "title",
	    json_object_get(pp->pool, "Name"), "pool", pool, "rows",
	    console_pool_summary(pp->pool, names), "nav", "general", 1);
	json_decref(names);
	console_render(cr, 200, "pool", ctx);
}

static void
pool_page_described(struct console_req *cr, json_t *out)
{
	struct pool_page	*pp = xcalloc(1, sizeof *pp);
	json_t			*pool = json_object_get(out, "UserPool");

	pp->pool = json_incref(pool);
	console_set_data(cr, pp, pool_page_free);
	console_op(cr, "ListUserPoolClients", json_pack("{s:O, s:i}",
	    "UserPoolId", json_object_get(pool, "Id"), "MaxResults",
	    POOL_PAGE_CLIENTS), pool_page_clients, pool_page_failed);
}

/* GET /console/pools/<id>[/general]: the pool and its General settings. */
static void
pool_page(struct console_req *cr)
{
	console_op(cr, "DescribeUserPool", json_pack("{s:s}", "UserPoolId",
	    console_arg(cr, 0)), pool_page_described, pool_page_failed);
}

const struct console_page console_pool_pages[] = {
	{ EVHTTP_REQ_GET, "/pools/*", pool_page },
	{ EVHTTP_REQ_GET, "/pools/*/general", pool_page },
	{ 0, NULL, NULL }
};
