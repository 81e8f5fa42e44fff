/*
 * console_clients.c: the console's pool sections about applications
 * (console_client_pages): App clients (the list, Add an app client, a
 * client's page with its auth flows, token lifetimes, attribute
 * permissions and deletion), App client settings (identity providers,
 * callback and sign-out URLs, OAuth flows and scopes of every client),
 * Domain name (availability, the prefix domain, a custom domain with its
 * certificate), UI customization (CSS and logo with a preview of the
 * hosted sign-in page), Resource servers and their scopes, Identity
 * providers and their Attribute mapping. Wording: console.md.
 *
 * Every page is a view: a row of reads (Cognito operations run through
 * console_op: DescribeUserPool, ListUserPoolClients, ...) whose answers
 * are kept by name, then a build that turns them into the template's
 * context. A form posts to its page's path; the handler runs the
 * operation that changes something (for UpdateUserPoolClient, which
 * replaces the whole client, after DescribeUserPoolClient: the members
 * the form does not show are sent back as they were) and answers with
 * a redirect to the page (Post/Redirect/Get). When the operation fails,
 * the same view is shown again with the exception's message beside the
 * field its text names (a table per form) and the values as typed, so
 * nothing is checked here that the operation does not check itself.
 * One read is not an operation: the stored logo's bytes (db/ui.c's, as
 * ui/branding.c serves them), which GetUICustomization does not return
 * but SetUICustomization must be given again to keep the logo.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <jansson.h>

#include "crypto/b64.h"
#include "db/pg.h"
#include "db/ui.h"
#include "http/request.h"
#include "oauth/discovery.h"
#include "ui/console.h"
#include "util.h"

#define CC_PAGE_MAX	60	/* ListUserPoolClients, ListIdentityProviders */
#define CC_RS_PAGE_MAX	50	/* ListResourceServers */
#define CC_PAGES	20	/* pages of a list read for one view */
#define CC_CLIENTS	(CC_PAGES * CC_PAGE_MAX) /* clients described */
#define CC_ROWS_EMPTY	3	/* empty rows for new scopes and mappings */
#define CC_ROWS_MAX	100	/* rows of a posted table read */

struct cc;

/* The input of a read (NULL: skip it; for a list, no more pages). */
typedef json_t	*(*cc_in_fn)(struct console_req *, struct cc *, size_t);

struct cc_load {
	const char	*op;
	const char	*key;		/* of the answer in cc.got */
	cc_in_fn	 in;
	size_t		 each;		/* answers appended, at most this many */
};

struct cc_view {
	const char		*tmpl;
	const char		*title;
	const char		*nav;		/* its key in pool_nav */
	const struct cc_load	*loads;
	void			(*build)(struct cc *, json_t *);
};

/* Where an exception's message goes: the first field whose word it has. */
struct cc_field {
	const char	*word;
	const char	*field;
};

/* One choice of a group of checkboxes: value sent, label shown. */
struct cc_choice {
	const char	*value;
	const char	*label;
};

/* A page's state across its operations. */
struct cc {
	struct console_req	*cr;
	const struct cc_view	*view;
	const struct cc_load	*load;		/* the read in flight */
	size_t			 idx;
	json_t			*got;		/* answers by load key */
	json_t			*typed;		/* the form as posted */
	char			*target;	/* the item the form edits */
	const struct cc_field	*fields;
	const char		*field_hint;	/* when no word matches */
	const char		*field;		/* the error's field */
	char			*error;
	char			*status;	/* a notice (availability) */
	const char		*back;		/* redirect after success */
	void			(*reshow)(struct cc *);	/* after a failure */
};

static void	cc_next(struct cc *);

/* --- Page state and reads --- */

static void
cc_free(void *p)
{
	struct cc	*st = p;

	json_decref(st->got);
	json_decref(st->typed);
	free(st->target);
	free(st->error);
	free(st->status);
	free(st);
}

static struct cc *
cc_state(struct console_req *cr)
{
	struct cc	*st = console_data(cr);

	if (st != NULL)
		return st;
	st = xcalloc(1, sizeof *st);
	st->cr = cr;
	st->got = json_object();
	console_set_data(cr, st, cc_free);
	return st;
}

static const char *
cc_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *
cc_pool_id(struct cc *st)
{
	return console_arg(st->cr, 0);
}

/* Run a view's reads, then render it. */
static void
cc_show(struct cc *st, const struct cc_view *view)
{
	st->view = view;
	st->load = view->loads;
	st->idx = 0;
	cc_next(st);
}

static void
cc_loaded(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);
	json_t		*list;

	if (st->load->each) {
		if ((list = json_object_get(st->got, st->load->key)) == NULL) {
			list = json_array();
			json_object_set_new(st->got, st->load->key, list);
		}
		json_array_append(list, answer);
		st->idx++;
	} else {
		json_object_set(st->got, st->load->key, answer);
		st->load++;
		st->idx = 0;
	}
	cc_next(st);
}

static void
cc_load_failed(struct console_req *cr, const char *message)
{
	console_fail_page(cr, 404, message);
}

/* The pool's name and id for the heading and pool_nav. */
static json_t *
cc_pool_ctx(struct cc *st)
{
	json_t	*up = json_object_get(json_object_get(st->got, "pool"),
		    "UserPool");

	return json_pack("{s:s, s:O?}", "id", cc_pool_id(st), "name",
	    json_object_get(up, "Name"));
}

static void
cc_render(struct cc *st)
{
	json_t	*ctx = json_object();

	json_object_set_new(ctx, "pool", cc_pool_ctx(st));
	json_object_set_new(ctx, "title", json_string(st->view->title));
	json_object_set_new(ctx, "nav", json_pack("{s:b}", st->view->nav,
	    1));
	if (st->error != NULL && st->field != NULL)
		json_object_set_new(ctx, "errors", json_pack("{s:s}",
		    st->field, st->error));
	else if (st->error != NULL)
		json_object_set_new(ctx, "error", json_string(st->error));
	if (st->status != NULL)
		json_object_set_new(ctx, "status", json_string(st->status));
	st->view->build(st, ctx);
	console_render(st->cr, st->error != NULL ? 400 : 200, st->view->tmpl,
	    ctx);
}

static void
cc_next(struct cc *st)
{
	json_t	*in;

	for (; st->load->op != NULL; st->load++, st->idx = 0) {
		if (st->load->each > 0 && st->idx >= st->load->each)
			continue;
		if ((in = st->load->in(st->cr, st, st->idx)) != NULL) {
			console_op(st->cr, st->load->op, in, cc_loaded,
			    cc_load_failed);
			return;
		}
		if (st->load->each &&
		    json_object_get(st->got, st->load->key) == NULL)
			json_object_set_new(st->got, st->load->key,
			    json_array());
	}
	cc_render(st);
}

/* --- Inputs of the reads --- */

static json_t *
cc_in_pool(struct console_req *cr, struct cc *st, size_t i)
{
	(void)cr;
	(void)i;
	return json_pack("{s:s}", "UserPoolId", cc_pool_id(st));
}

/*
 * The next page of a list read with (key, max): none after a page
 * without NextToken.
 */
static json_t *
cc_in_page(struct cc *st, const char *key, size_t i, int max)
{
	json_t	*pages = json_object_get(st->got, key), *tok = NULL;

	if (i > 0) {
		tok = json_object_get(json_array_get(pages, i - 1),
		    "NextToken");
		if (!json_is_string(tok))
			return NULL;
	}
	return json_pack("{s:s, s:i, s:O*}", "UserPoolId", cc_pool_id(st),
	    "MaxResults", max, "NextToken", tok);
}

static json_t *
cc_in_clients(struct console_req *cr, struct cc *st, size_t i)
{
	(void)cr;
	return cc_in_page(st, "clients", i, CC_PAGE_MAX);
}

static json_t *
cc_in_idps(struct console_req *cr, struct cc *st, size_t i)
{
	(void)cr;
	return cc_in_page(st, "idps", i, CC_PAGE_MAX);
}

static json_t *
cc_in_servers(struct console_req *cr, struct cc *st, size_t i)
{
	(void)cr;
	return cc_in_page(st, "servers", i, CC_RS_PAGE_MAX);
}

static json_t *
cc_in_client(struct console_req *cr, struct cc *st, size_t i)
{
	(void)i;
	return json_pack("{s:s, s:s}", "UserPoolId", cc_pool_id(st),
	    "ClientId", console_arg(cr, 1));
}

/* The items of every page of a list: ("clients", "UserPoolClients"). */
static json_t *
cc_items(struct cc *st, const char *key, const char *member)
{
	json_t	*all = json_array(), *page;
	size_t	 i;

	json_array_foreach(json_object_get(st->got, key), i, page)
		json_array_extend(all, json_object_get(page, member));
	return all;
}

/* DescribeUserPoolClient of every client, one after the other. */
static json_t *
cc_in_each_client(struct console_req *cr, struct cc *st, size_t i)
{
	json_t	*all = cc_items(st, "clients", "UserPoolClients");
	json_t	*c = json_array_get(all, i), *in = NULL;

	(void)cr;
	if (c != NULL)
		in = json_pack("{s:s, s:O}", "UserPoolId", cc_pool_id(st),
		    "ClientId", json_object_get(c, "ClientId"));
	json_decref(all);
	return in;
}

/* --- Forms --- */

/* A field as posted, trimmed of nothing: what was typed is kept. */
static const char *
cc_param(struct cc *st, const char *name)
{
	const char	*v = console_param(st->cr, name);

	return v != NULL ? v : "";
}

/* The value of a field: as typed when the form comes back, else stored. */
static const char *
cc_val(struct cc *st, const char *target, const char *name,
    const char *stored)
{
	const char	*v;

	if (st->typed == NULL || (target != NULL && (st->target == NULL ||
	    strcmp(target, st->target) != 0)))
		return stored != NULL ? stored : "";
	v = json_string_value(json_object_get(st->typed, name));
	return v != NULL ? v : "";
}

/* The same for a group of checkboxes: the values checked (borrowed). */
static json_t *
cc_vals(struct cc *st, const char *target, const char *name, json_t *stored)
{
	if (st->typed == NULL || (target != NULL && (st->target == NULL ||
	    strcmp(target, st->target) != 0)))
		return stored;
	return json_object_get(st->typed, name);
}

/* Keep the posted fields (names, with [] for groups) for a re-render. */
static void
cc_keep(struct cc *st, const char *const *names)
{
	size_t		 n;
	char		*plain;

	json_decref(st->typed);
	st->typed = json_object();
	for (; *names != NULL; names++) {
		n = strlen(*names);
		if (n > 2 && strcmp(*names + n - 2, "[]") == 0) {
			plain = xstrndup(*names, n - 2);
			json_object_set(st->typed, plain,
			    console_params(st->cr, plain));
			free(plain);
		} else
			json_object_set_new(st->typed, *names,
			    json_string(cc_param(st, *names)));
	}
}

static int
cc_has_word(const char *s, const char *word)
{
	size_t	n = strlen(word);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, word, n) == 0)
			return 1;
	return 0;
}

/* The operation failed: the same view again, the message by its field. */
static void
cc_failed(struct console_req *cr, const char *message)
{
	struct cc		*st = console_data(cr);
	const struct cc_field	*f;

	free(st->error);
	st->error = xstrdup(message);
	st->field = st->field_hint;
	for (f = st->fields; f != NULL && f->word != NULL; f++) {
		if (cc_has_word(message, f->word)) {
			st->field = f->field;
			break;
		}
	}
	json_decref(st->got);
	st->got = json_object();
	if (st->reshow != NULL)
		st->reshow(st);
	else
		cc_show(st, st->view);
}

static void
cc_done(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);

	(void)answer;
	console_redirect(cr, "/pools/%s/%s", cc_pool_id(st), st->back);
}

/*
 * Run a change; on success back to the page at back (under the pool),
 * on failure the view again with the message.
 */
static void
cc_change(struct cc *st, const char *op, json_t *in, const char *back)
{
	st->back = back;
	console_op(st->cr, op, in, cc_done, cc_failed);
}

/* An integer field: a number as such, anything else as text for the
 * operation's own message; NULL when empty (the operation's default). */
static json_t *
cc_int(const char *s)
{
	char		*end;
	long long	 n;

	if (*s == '\0')
		return NULL;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || !(isdigit((unsigned char)*s) ||
	    *s == '-'))
		return json_string(s);
	return json_integer(n);
}

/* Checkboxes: [{value, label, id, checked}] of a table of choices. */
static json_t *
cc_choices(const struct cc_choice *c, size_t n, const char *id,
    json_t *checked)
{
	json_t	*out = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s+, s:b}",
		    "value", c[i].value, "label", c[i].label, "id", id,
		    c[i].value, "checked", json_is_array(checked) &&
		    strarray_has(checked, c[i].value)));
	return out;
}

/* Checkboxes named by their values. */
static json_t *
cc_choices_of(json_t *values, const char *id, json_t *checked, int all)
{
	json_t	*out = json_array(), *v;
	size_t	 i;

	json_array_foreach(values, i, v)
		json_array_append_new(out, json_pack("{s:O, s:O, s:o, s:b}",
		    "value", v, "label", v, "id", json_sprintf("%s%zu", id, i),
		    "checked", all || (json_is_array(checked) &&
		    strarray_has(checked, json_string_value(v)))));
	return out;
}

/* "a, b" from an array of strings. */
static char *
cc_join(json_t *list)
{
	json_t	*v;
	size_t	 i;
	char	*out = xstrdup(""), *s;

	json_array_foreach(list, i, v) {
		s = xasprintf("%s%s%s", out, i > 0 ? ", " : "",
		    json_string_value(v));
		free(out);
		out = s;
	}
	return out;
}

/* The non-empty items of a comma separated field, trimmed. */
static json_t *
cc_split(const char *s)
{
	json_t		*out = json_array();
	const char	*e;
	size_t		 n;

	while (*s != '\0') {
		while (isspace((unsigned char)*s) || *s == ',')
			s++;
		if (*s == '\0')
			break;
		e = s + strcspn(s, ",");
		n = (size_t)(e - s);
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		json_array_append_new(out, json_stringn(s, n));
		s = e;
	}
	return out;
}

/* Set a list member only when it has items (empty: the default). */
static void
cc_set_list(json_t *in, const char *name, json_t *list)
{
	if (json_is_array(list) && json_array_size(list) > 0)
		json_object_set(in, name, list);
	else
		json_object_del(in, name);
	json_decref(list);
}

/*
 * The errors of one item of a page of several forms (a client, a
 * resource server): always an object, so that the page's own errors
 * never show inside an item's form.
 */
static json_t *
cc_item_errors(struct cc *st, const char *item)
{
	if (st->error == NULL || st->target == NULL ||
	    strcmp(st->target, item) != 0)
		return json_object();
	return json_pack("{s:s}", st->field != NULL ? st->field : "general",
	    st->error);
}

/* --- App clients --- */

/* UpdateUserPoolClient's members: the rest of a description is not. */
static const char *const cc_client_members[] = {
	"ClientName", "RefreshTokenValidity", "AccessTokenValidity",
	"IdTokenValidity", "TokenValidityUnits", "ReadAttributes",
	"WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders",
	"CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
	"AllowedOAuthFlows", "AllowedOAuthScopes",
	"AllowedOAuthFlowsUserPoolClient", "AnalyticsConfiguration",
	"PreventUserExistenceErrors", "EnableTokenRevocation",
	"EnablePropagateAdditionalUserContextData", "AuthSessionValidity",
	"RefreshTokenRotation", NULL
};

/* The whole of a client for UpdateUserPoolClient, from its description. */
static json_t *
cc_client_update_in(struct cc *st, json_t *described)
{
	json_t			*c = json_object_get(described,
				    "UserPoolClient"), *v;
	json_t			*in;
	const char *const	*m;

	in = json_pack("{s:s, s:O}", "UserPoolId", cc_pool_id(st),
	    "ClientId", json_object_get(c, "ClientId"));
	for (m = cc_client_members; *m != NULL; m++)
		if ((v = json_object_get(c, *m)) != NULL)
			json_object_set(in, *m, v);
	return in;
}

static const struct cc_choice cc_new_flows[] = {
	{ "ADMIN_NO_SRP_AUTH", "Enable sign-in API for server-based "
	    "authentication (ADMIN_NO_SRP_AUTH)" },
	{ "CUSTOM_AUTH_FLOW_ONLY", "Only allow Custom Authentication "
	    "(CUSTOM_AUTH_FLOW_ONLY)" },
	{ "USER_PASSWORD_AUTH", "Enable username-password (non-SRP) flow "
	    "for app-based authentication (USER_PASSWORD_AUTH)" },
};

static const struct cc_choice cc_all_flows[] = {
	{ "ALLOW_ADMIN_USER_PASSWORD_AUTH", "Sign-in API for server-based "
	    "authentication (ALLOW_ADMIN_USER_PASSWORD_AUTH)" },
	{ "ALLOW_CUSTOM_AUTH", "Custom authentication with Lambda triggers "
	    "(ALLOW_CUSTOM_AUTH)" },
	{ "ALLOW_USER_PASSWORD_AUTH", "Username-password (non-SRP) "
	    "authentication (ALLOW_USER_PASSWORD_AUTH)" },
	{ "ALLOW_USER_SRP_AUTH", "Secure remote password (SRP) "
	    "authentication (ALLOW_USER_SRP_AUTH)" },
	{ "ALLOW_REFRESH_TOKEN_AUTH", "Refresh token based authentication "
	    "(ALLOW_REFRESH_TOKEN_AUTH)" },
	{ "ALLOW_USER_AUTH", "Choice-based sign-in (ALLOW_USER_AUTH)" },
	{ "ADMIN_NO_SRP_AUTH", "Enable sign-in API for server-based "
	    "authentication (ADMIN_NO_SRP_AUTH)" },
	{ "CUSTOM_AUTH_FLOW_ONLY", "Only allow Custom Authentication "
	    "(CUSTOM_AUTH_FLOW_ONLY)" },
	{ "USER_PASSWORD_AUTH", "Enable username-password (non-SRP) flow "
	    "for app-based authentication (USER_PASSWORD_AUTH)" },
};

static const struct cc_field cc_client_fields[] = {
	{ "clientname", "name" },
	{ "refreshtoken", "refresh" },
	{ "accesstoken", "access" },
	{ "idtoken", "idtoken" },
	{ "authflow", "flows" },
	{ "read attributes", "read" },
	{ "write attributes", "write" },
	{ "attribute", "read" },
	{ NULL, NULL }
};

static const struct cc_load cc_list_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "ListUserPoolClients", "clients", cc_in_clients, CC_PAGES },
	{ NULL, NULL, NULL, 0 }
};

static void
cc_clients_build(struct cc *st, json_t *ctx)
{
	json_t	*all = cc_items(st, "clients", "UserPoolClients"), *c, *out;
	size_t	 i;

	out = json_array();
	json_array_foreach(all, i, c)
		json_array_append_new(out, json_pack("{s:O, s:O}", "id",
		    json_object_get(c, "ClientId"), "name",
		    json_object_get(c, "ClientName")));
	json_decref(all);
	json_object_set_new(ctx, "clients", out);
	json_object_set_new(ctx, "has_clients", json_boolean(
	    json_array_size(out) > 0));
}

static const struct cc_view cc_clients_view = {
	"clients", "App clients", "clients", cc_list_loads, cc_clients_build
};

static void
cc_clients(struct console_req *cr)
{
	cc_show(cc_state(cr), &cc_clients_view);
}

static const struct cc_load cc_pool_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ NULL, NULL, NULL, 0 }
};

static void
cc_new_build(struct cc *st, json_t *ctx)
{
	json_t	*flows = cc_vals(st, NULL, "flow", NULL);

	json_object_set_new(ctx, "form", json_pack("{s:s, s:s, s:b}",
	    "name", cc_val(st, NULL, "name", ""),
	    "refresh", cc_val(st, NULL, "refresh", "30"),
	    "secret", st->typed == NULL ||
	    strcmp(cc_val(st, NULL, "secret", ""), "on") == 0));
	json_object_set_new(ctx, "flows", cc_choices(cc_new_flows,
	    nitems(cc_new_flows), "flow-", flows));
}

static const struct cc_view cc_new_view = {
	"client_new", "Add an app client", "clients", cc_pool_loads,
	cc_new_build
};

static void
cc_created(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);

	console_redirect(cr, "/pools/%s/clients/%s", cc_pool_id(st),
	    json_string_value(json_object_get(json_object_get(answer,
	    "UserPoolClient"), "ClientId")));
}

static void
cc_client_new(struct console_req *cr)
{
	static const char *const	 names[] = { "name", "refresh",
					    "secret", "flow[]", NULL };
	struct cc			*st = cc_state(cr);
	json_t				*in, *refresh;

	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		cc_show(st, &cc_new_view);
		return;
	}
	cc_keep(st, names);
	st->view = &cc_new_view;
	st->fields = cc_client_fields;
	in = json_pack("{s:s, s:s, s:b}", "UserPoolId", cc_pool_id(st),
	    "ClientName", cc_param(st, "name"), "GenerateSecret",
	    strcmp(cc_param(st, "secret"), "on") == 0);
	if ((refresh = cc_int(cc_param(st, "refresh"))) != NULL) {
		if (json_is_string(refresh))
			st->field_hint = "refresh";
		json_object_set_new(in, "RefreshTokenValidity", refresh);
		json_object_set_new(in, "TokenValidityUnits", json_pack(
		    "{s:s}", "RefreshToken", "days"));
	}
	cc_set_list(in, "ExplicitAuthFlows", json_copy(console_params(cr,
	    "flow")));
	console_op(cr, "CreateUserPoolClient", in, cc_created, cc_failed);
}

static const struct cc_load cc_client_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "DescribeUserPoolClient", "client", cc_in_client, 0 },
	{ NULL, NULL, NULL, 0 }
};

static const char *const cc_units[] = { "seconds", "minutes", "hours",
	"days", NULL };

/* A token lifetime's value and unit fields, as typed or stored. */
static json_t *
cc_validity(struct cc *st, json_t *c, const char *field, const char *member,
    const char *token)
{
	json_t		*units = json_array(), *v;
	const char	*unit;
	char		*stored = NULL;
	size_t		 i;

	if ((v = json_object_get(c, member)) != NULL)
		stored = xasprintf("%lld", (long long)json_integer_value(v));
	unit = json_string_value(json_object_get(json_object_get(c,
	    "TokenValidityUnits"), token));
	if (st->typed != NULL)
		unit = json_string_value(json_object_get(st->typed,
		    strcmp(field, "refresh") == 0 ? "refresh_unit" :
		    strcmp(field, "access") == 0 ? "access_unit" :
		    "idtoken_unit"));
	for (i = 0; cc_units[i] != NULL; i++)
		json_array_append_new(units, json_pack("{s:s, s:b}", "value",
		    cc_units[i], "selected", unit != NULL &&
		    strcmp(unit, cc_units[i]) == 0));
	v = json_pack("{s:s, s:o}", "value", cc_val(st, NULL, field, stored),
	    "units", units);
	free(stored);
	return v;
}

/* The pool's attribute names; for writing, all but sub. */
static json_t *
cc_attr_names(struct cc *st, int write)
{
	json_t		*schema, *a, *out = json_array();
	const char	*name;
	size_t		 i;

	schema = json_object_get(json_object_get(json_object_get(st->got,
	    "pool"), "UserPool"), "SchemaAttributes");
	json_array_foreach(schema, i, a) {
		name = json_string_value(json_object_get(a, "Name"));
		if (name != NULL && !(write && strcmp(name, "sub") == 0))
			json_array_append_new(out, json_string(name));
	}
	return out;
}

static void
cc_client_build(struct cc *st, json_t *ctx)
{
	json_t	*c = json_object_get(json_object_get(st->got, "client"),
		    "UserPoolClient");
	json_t	*read = json_object_get(c, "ReadAttributes");
	json_t	*write = json_object_get(c, "WriteAttributes");
	json_t	*names;

	json_object_set_new(ctx, "client", json_pack("{s:O, s:s, s:O?, "
	    "s:o, s:o, s:o}", "id", json_object_get(c, "ClientId"),
	    "name", cc_val(st, NULL, "name", json_string_value(
	    json_object_get(c, "ClientName"))),
	    "secret", json_object_get(c, "ClientSecret"),
	    "refresh", cc_validity(st, c, "refresh", "RefreshTokenValidity",
	    "RefreshToken"),
	    "access", cc_validity(st, c, "access", "AccessTokenValidity",
	    "AccessToken"),
	    "idtoken", cc_validity(st, c, "idtoken", "IdTokenValidity",
	    "IdToken")));
	json_object_set_new(ctx, "flows", cc_choices(cc_all_flows,
	    nitems(cc_all_flows), "flow-", cc_vals(st, NULL, "flow",
	    json_object_get(c, "ExplicitAuthFlows"))));
	names = cc_attr_names(st, 0);
	json_object_set_new(ctx, "read", cc_choices_of(names, "read-",
	    cc_vals(st, NULL, "read", read), st->typed == NULL &&
	    read == NULL));
	json_decref(names);
	names = cc_attr_names(st, 1);
	json_object_set_new(ctx, "write", cc_choices_of(names, "write-",
	    cc_vals(st, NULL, "write", write), st->typed == NULL &&
	    write == NULL));
	json_decref(names);
}

static const struct cc_view cc_client_view = {
	"client", "App client", "clients", cc_client_loads, cc_client_build
};

/*
 * Attribute permissions: every attribute checked is the same as none
 * named (a client reads and writes all by default), so it is sent as
 * none and the client keeps following the pool's schema.
 */
static void
cc_set_attrs(struct cc *st, json_t *in, const char *member,
    const char *field, int write)
{
	json_t	*names = cc_attr_names(st, write);
	json_t	*checked = console_params(st->cr, field), *v;
	size_t	 i, have = 0;

	json_array_foreach(names, i, v)
		have += strarray_has(checked, json_string_value(v));
	json_decref(names);
	if (have == i && have == json_array_size(checked))
		json_object_del(in, member);
	else
		json_object_set(in, member, checked);
}

static void
cc_units_set(json_t *in, const char *token, const char *unit)
{
	json_t	*units = json_object_get(in, "TokenValidityUnits");

	if (units == NULL) {
		units = json_object();
		json_object_set_new(in, "TokenValidityUnits", units);
	}
	if (*unit != '\0')
		json_object_set_new(units, token, json_string(unit));
	else
		json_object_del(units, token);
}

/* One token lifetime posted: the value (or none: the default), its unit. */
static void
cc_validity_set(struct cc *st, json_t *in, const char *field,
    const char *member, const char *token)
{
	char	*unit = xasprintf("%s_unit", field);
	json_t	*v = cc_int(cc_param(st, field));

	if (v == NULL)
		json_object_del(in, member);
	else {
		if (json_is_string(v))
			st->field_hint = field;
		json_object_set_new(in, member, v);
	}
	cc_units_set(in, token, cc_param(st, unit));
	free(unit);
}

static void
cc_client_saved(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);

	(void)answer;
	console_redirect(cr, "/pools/%s/clients/%s?saved=1", cc_pool_id(st),
	    console_arg(cr, 1));
}

/* DescribeUserPool and the client read: the form applied, then sent. */
static void
cc_client_described(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);
	json_t		*in;

	if (json_object_get(st->got, "pool") == NULL) {
		json_object_set(st->got, "pool", answer);
		console_op(cr, "DescribeUserPoolClient", cc_in_client(cr, st,
		    0), cc_client_described, cc_load_failed);
		return;
	}
	in = cc_client_update_in(st, answer);
	json_object_set_new(in, "ClientName", json_string(cc_param(st,
	    "name")));
	cc_validity_set(st, in, "refresh", "RefreshTokenValidity",
	    "RefreshToken");
	cc_validity_set(st, in, "access", "AccessTokenValidity",
	    "AccessToken");
	cc_validity_set(st, in, "idtoken", "IdTokenValidity", "IdToken");
	cc_set_list(in, "ExplicitAuthFlows", json_copy(console_params(cr,
	    "flow")));
	cc_set_attrs(st, in, "ReadAttributes", "read", 0);
	cc_set_attrs(st, in, "WriteAttributes", "write", 1);
	console_op(cr, "UpdateUserPoolClient", in, cc_client_saved,
	    cc_failed);
}

static void
cc_client(struct console_req *cr)
{
	static const char *const	 names[] = { "name", "refresh",
					    "refresh_unit", "access",
					    "access_unit", "idtoken",
					    "idtoken_unit", "flow[]", "read[]",
					    "write[]", NULL };
	struct cc			*st = cc_state(cr);

	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		if (console_param(cr, "saved") != NULL)
			st->status = xstrdup("Your changes have been saved.");
		cc_show(st, &cc_client_view);
		return;
	}
	cc_keep(st, names);
	st->view = &cc_client_view;
	st->fields = cc_client_fields;
	console_op(cr, "DescribeUserPool", cc_in_pool(cr, st, 0),
	    cc_client_described, cc_load_failed);
}

static void
cc_client_delete(struct console_req *cr)
{
	struct cc	*st = cc_state(cr);

	st->view = &cc_client_view;
	cc_change(st, "DeleteUserPoolClient", cc_in_client(cr, st, 0),
	    "clients");
}

/* --- App client settings --- */

static const struct cc_choice cc_oauth_flows[] = {
	{ "code", "Authorization code grant" },
	{ "implicit", "Implicit grant" },
	{ "client_credentials", "Client credentials" },
};

static const char *const cc_std_scopes[] = { "phone", "email", "openid",
	"aws.cognito.signin.user.admin", "profile", NULL };

static const struct cc_field cc_settings_fields[] = {
	{ "CallbackURLs", "callback" },
	{ "DefaultRedirectURI", "callback" },
	{ "LogoutURLs", "logout" },
	{ "callbackURLs", "callback" },
	{ "logoutURLs", "logout" },
	{ "OAuthFlows", "flows" },
	{ "client_credentials", "flows" },
	{ "scope", "scopes" },
	{ "provider", "idps" },
	{ NULL, NULL }
};

static const struct cc_load cc_settings_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "ListUserPoolClients", "clients", cc_in_clients, CC_PAGES },
	{ "DescribeUserPoolClient", "described", cc_in_each_client,
	    CC_CLIENTS },
	{ "ListIdentityProviders", "idps", cc_in_idps, CC_PAGES },
	{ "ListResourceServers", "servers", cc_in_servers, CC_PAGES },
	{ NULL, NULL, NULL, 0 }
};

/* Cognito User Pool, then each configured provider by name. */
static json_t *
cc_idp_names(struct cc *st, json_t **labels)
{
	json_t	*all = cc_items(st, "idps", "Providers"), *p, *out;
	size_t	 i;

	out = json_pack("[s]", "COGNITO");
	*labels = json_pack("[s]", "Cognito User Pool");
	json_array_foreach(all, i, p) {
		json_array_append(out, json_object_get(p, "ProviderName"));
		json_array_append(*labels, json_object_get(p,
		    "ProviderName"));
	}
	json_decref(all);
	return out;
}

/* The standard scopes, then every resource server's custom scopes. */
static json_t *
cc_scope_names(struct cc *st)
{
	json_t		*all = cc_items(st, "servers", "ResourceServers");
	json_t		*out = json_array(), *rs, *sc;
	size_t		 i, j;

	for (i = 0; cc_std_scopes[i] != NULL; i++)
		json_array_append_new(out, json_string(cc_std_scopes[i]));
	json_array_foreach(all, i, rs)
		json_array_foreach(json_object_get(rs, "Scopes"), j, sc)
			json_array_append_new(out, json_sprintf("%s/%s",
			    json_string_value(json_object_get(rs,
			    "Identifier")), json_string_value(
			    json_object_get(sc, "ScopeName"))));
	json_decref(all);
	return out;
}

/* Checkboxes of values with their own labels. */
static json_t *
cc_labelled(json_t *values, json_t *labels, const char *id, json_t *checked)
{
	json_t	*out = cc_choices_of(values, id, checked, 0), *o;
	size_t	 i;

	json_array_foreach(out, i, o)
		json_object_set(o, "label", json_array_get(labels, i));
	return out;
}

static json_t *
cc_settings_one(struct cc *st, json_t *c, json_t *idps, json_t *idp_labels,
    json_t *scopes)
{
	const char	*id = json_string_value(json_object_get(c,
			    "ClientId"));
	char		*cb = cc_join(json_object_get(c, "CallbackURLs"));
	char		*lo = cc_join(json_object_get(c, "LogoutURLs"));
	char		*pre = xasprintf("%s-", id);
	json_t		*o;

	o = json_pack("{s:s, s:O, s:s, s:s}", "id", id, "name",
	    json_object_get(c, "ClientName"), "callback",
	    cc_val(st, id, "callback", cb), "logout",
	    cc_val(st, id, "logout", lo));
	json_object_set_new(o, "idps", cc_labelled(idps, idp_labels, pre,
	    cc_vals(st, id, "idp", json_object_get(c,
	    "SupportedIdentityProviders"))));
	json_object_set_new(o, "flows", cc_choices(cc_oauth_flows,
	    nitems(cc_oauth_flows), pre, cc_vals(st, id, "flow",
	    json_object_get(c, "AllowedOAuthFlows"))));
	json_object_set_new(o, "scopes", cc_labelled(scopes, scopes, pre,
	    cc_vals(st, id, "scope", json_object_get(c,
	    "AllowedOAuthScopes"))));
	json_object_set_new(o, "errors", cc_item_errors(st, id));
	free(cb);
	free(lo);
	free(pre);
	return o;
}

static void
cc_settings_build(struct cc *st, json_t *ctx)
{
	json_t	*labels, *idps = cc_idp_names(st, &labels);
	json_t	*scopes = cc_scope_names(st), *out = json_array(), *d;
	size_t	 i;
	int	 shown = 0;

	json_array_foreach(json_object_get(st->got, "described"), i, d) {
		d = json_object_get(d, "UserPoolClient");
		json_array_append_new(out, cc_settings_one(st, d, idps,
		    labels, scopes));
		if (st->target != NULL && strcmp(st->target,
		    cc_str(d, "ClientId")) == 0)
			shown = 1;
	}
	json_object_del(ctx, "errors");
	if (st->error != NULL && !shown)
		json_object_set_new(ctx, "error", json_string(st->error));
	json_object_set_new(ctx, "clients", out);
	json_object_set_new(ctx, "has_clients", json_boolean(
	    json_array_size(out) > 0));
	json_decref(idps);
	json_decref(labels);
	json_decref(scopes);
}

static const struct cc_view cc_settings_view = {
	"app_client_settings", "App client settings",
	"client_settings", cc_settings_loads,
	cc_settings_build
};

/*
 * The client as described with this form's members replaced: OAuth is
 * on when a flow is checked, and a default redirect URI no longer among
 * the callback URLs goes with them.
 */
static void
cc_settings_described(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);
	json_t		*in = cc_client_update_in(st, answer), *cb, *flows;
	const char	*dflt;

	cb = cc_split(cc_param(st, "callback"));
	dflt = json_string_value(json_object_get(in, "DefaultRedirectURI"));
	if (dflt != NULL && !strarray_has(cb, dflt))
		json_object_del(in, "DefaultRedirectURI");
	cc_set_list(in, "CallbackURLs", cb);
	cc_set_list(in, "LogoutURLs", cc_split(cc_param(st, "logout")));
	cc_set_list(in, "SupportedIdentityProviders", json_copy(
	    console_params(cr, "idp")));
	flows = console_params(cr, "flow");
	json_object_set_new(in, "AllowedOAuthFlowsUserPoolClient",
	    json_boolean(json_array_size(flows) > 0));
	cc_set_list(in, "AllowedOAuthFlows", json_copy(flows));
	cc_set_list(in, "AllowedOAuthScopes", json_copy(console_params(cr,
	    "scope")));
	cc_change(st, "UpdateUserPoolClient", in, "client-settings");
}

static void
cc_settings(struct console_req *cr)
{
	static const char *const	 names[] = { "callback", "logout",
					    "idp[]", "flow[]", "scope[]",
					    NULL };
	struct cc			*st = cc_state(cr);
	const char			*id = console_param(cr, "client_id");

	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		cc_show(st, &cc_settings_view);
		return;
	}
	cc_keep(st, names);
	st->target = xstrdup(id != NULL ? id : "");
	st->view = &cc_settings_view;
	st->fields = cc_settings_fields;
	console_op(cr, "DescribeUserPoolClient", json_pack("{s:s, s:s}",
	    "UserPoolId", cc_pool_id(st), "ClientId", st->target),
	    cc_settings_described, cc_failed);
}

/* --- Domain name --- */

static json_t *
cc_in_custom_domain(struct console_req *cr, struct cc *st, size_t i)
{
	json_t	*d = json_object_get(json_object_get(json_object_get(st->got,
		    "pool"), "UserPool"), "CustomDomain");

	(void)cr;
	(void)i;
	return json_is_string(d) ? json_pack("{s:O}", "Domain", d) : NULL;
}

static const struct cc_load cc_domain_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "DescribeUserPoolDomain", "custom", cc_in_custom_domain, 0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct cc_field cc_domain_fields[] = {
	{ "certificate", "certificate" },
	{ NULL, NULL }
};

static json_t *
cc_domain_one(const char *prefix, const char *custom)
{
	char	*url = discovery_domain_base(prefix, custom);
	json_t	*o;

	o = json_pack("{s:s, s:s}", "domain", prefix != NULL ? prefix :
	    custom, "url", url);
	free(url);
	return o;
}

static void
cc_domain_build(struct cc *st, json_t *ctx)
{
	json_t		*up = json_object_get(json_object_get(st->got, "pool"),
			    "UserPool");
	json_t		*d = json_object_get(json_object_get(st->got,
			    "custom"), "DomainDescription"), *o;
	const char	*prefix = cc_str(up, "Domain");
	const char	*custom = cc_str(up, "CustomDomain");

	if (prefix != NULL)
		json_object_set_new(ctx, "domain", cc_domain_one(prefix,
		    NULL));
	if (custom != NULL) {
		o = cc_domain_one(NULL, custom);
		json_object_set(o, "certificate", json_object_get(
		    json_object_get(d, "CustomDomainConfig"),
		    "CertificateArn"));
		json_object_set_new(ctx, "custom", o);
	}
	json_object_set_new(ctx, "form", json_pack("{s:s, s:s, s:s}",
	    "prefix", cc_val(st, NULL, "prefix", ""),
	    "custom", cc_val(st, NULL, "custom", ""),
	    "certificate", cc_val(st, NULL, "certificate", "")));
}

static const struct cc_view cc_domain_view = {
	"domain", "Domain name", "domain", cc_domain_loads, cc_domain_build
};

/* Cognito answers a domain nobody has with an empty description. */
static void
cc_domain_checked(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);
	json_t		*d = json_object_get(answer, "DomainDescription");

	st->status = xstrdup(json_object_get(d, "Domain") != NULL ?
	    "This domain is not available" : "This domain is available");
	cc_show(st, &cc_domain_view);
}

static void
cc_domain_check(struct cc *st)
{
	st->field_hint = "prefix";
	console_op(st->cr, "DescribeUserPoolDomain", json_pack("{s:s}",
	    "Domain", cc_param(st, "prefix")), cc_domain_checked, cc_failed);
}

static void
cc_domain_save(struct cc *st)
{
	st->field_hint = "prefix";
	cc_change(st, "CreateUserPoolDomain", json_pack("{s:s, s:s}",
	    "UserPoolId", cc_pool_id(st), "Domain", cc_param(st, "prefix")),
	    "domain");
}

static void
cc_domain_custom(struct cc *st)
{
	st->field_hint = "custom";
	cc_change(st, "CreateUserPoolDomain", json_pack("{s:s, s:s, "
	    "s:{s:s}}", "UserPoolId", cc_pool_id(st), "Domain",
	    cc_param(st, "custom"), "CustomDomainConfig", "CertificateArn",
	    cc_param(st, "certificate")), "domain");
}

static void
cc_domain_certificate(struct cc *st)
{
	st->field_hint = "certificate";
	cc_change(st, "UpdateUserPoolDomain", json_pack("{s:s, s:s, "
	    "s:{s:s}}", "UserPoolId", cc_pool_id(st), "Domain",
	    cc_param(st, "domain"), "CustomDomainConfig", "CertificateArn",
	    cc_param(st, "certificate")), "domain");
}

static void
cc_domain_delete(struct cc *st)
{
	cc_change(st, "DeleteUserPoolDomain", json_pack("{s:s, s:s}",
	    "UserPoolId", cc_pool_id(st), "Domain", cc_param(st, "domain")),
	    "domain");
}

/* The buttons of a page's forms, by the value of their field "action". */
struct cc_action {
	const char	*name;
	void		(*fn)(struct cc *);
};

static void
cc_act(struct cc *st, const struct cc_action *a)
{
	const char	*name = cc_param(st, "action");

	for (; a->name != NULL; a++) {
		if (strcmp(a->name, name) == 0) {
			a->fn(st);
			return;
		}
	}
	console_fail_page(st->cr, 400, "Unknown action.");
}

static const struct cc_action cc_domain_actions[] = {
	{ "check", cc_domain_check },
	{ "save", cc_domain_save },
	{ "custom", cc_domain_custom },
	{ "certificate", cc_domain_certificate },
	{ "delete", cc_domain_delete },
	{ NULL, NULL }
};

static void
cc_domain(struct console_req *cr)
{
	static const char *const	 names[] = { "prefix", "custom",
					    "certificate", NULL };
	struct cc			*st = cc_state(cr);

	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		cc_show(st, &cc_domain_view);
		return;
	}
	cc_keep(st, names);
	st->view = &cc_domain_view;
	st->fields = cc_domain_fields;
	cc_act(st, cc_domain_actions);
}

/* --- Resource servers --- */

static const struct cc_load cc_rs_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "ListResourceServers", "servers", cc_in_servers, CC_PAGES },
	{ NULL, NULL, NULL, 0 }
};

static const struct cc_field cc_rs_fields[] = {
	{ "at 'identifier'", "identifier" },
	{ "at 'name'", "name" },
	{ "scope", "scopes" },
	{ "identifier", "identifier" },
	{ NULL, NULL }
};

/* Scope rows: the given ones, then empty ones for new scopes. */
static json_t *
cc_scope_rows(json_t *names, json_t *descs, const char *id)
{
	json_t	*rows = json_array();
	size_t	 i, n = json_array_size(names);

	for (i = 0; i < n + CC_ROWS_EMPTY; i++)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:o, s:i}",
		    "name", i < n ? json_string_value(json_array_get(names,
		    i)) : "", "description", i < n ? json_string_value(
		    json_array_get(descs, i)) : "", "id", json_sprintf("%s%zu",
		    id, i), "n", (int)i + 1));
	return rows;
}

static json_t *
cc_rs_one(struct cc *st, json_t *rs, size_t i)
{
	const char	*ident = json_string_value(json_object_get(rs,
			    "Identifier"));
	json_t		*names = json_array(), *descs = json_array(), *sc, *o;
	char		*id = xasprintf("rs%zu-", i);
	size_t		 j;

	if (st->typed != NULL && st->target != NULL &&
	    strcmp(st->target, ident) == 0) {
		json_array_extend(names, json_object_get(st->typed,
		    "scope_name"));
		json_array_extend(descs, json_object_get(st->typed,
		    "scope_description"));
	} else {
		json_array_foreach(json_object_get(rs, "Scopes"), j, sc) {
			json_array_append(names, json_object_get(sc,
			    "ScopeName"));
			json_array_append(descs, json_object_get(sc,
			    "ScopeDescription"));
		}
	}
	o = json_pack("{s:s, s:s, s:s, s:o}", "identifier", ident, "id", id,
	    "name", cc_val(st, ident, "name", json_string_value(
	    json_object_get(rs, "Name"))), "scopes",
	    cc_scope_rows(names, descs, id));
	json_object_set_new(o, "errors", cc_item_errors(st, ident));
	json_decref(names);
	json_decref(descs);
	free(id);
	return o;
}

static void
cc_rs_build(struct cc *st, json_t *ctx)
{
	json_t	*all = cc_items(st, "servers", "ResourceServers"), *rs, *out;
	json_t	*names = NULL, *descs = NULL;
	size_t	 i;

	out = json_array();
	json_array_foreach(all, i, rs)
		json_array_append_new(out, cc_rs_one(st, rs, i));
	json_decref(all);
	json_object_set_new(ctx, "servers", out);
	if (st->target != NULL) {	/* an existing server's form */
		json_object_del(ctx, "errors");
		json_object_del(ctx, "error");
	} else if (st->typed != NULL) {
		names = json_object_get(st->typed, "scope_name");
		descs = json_object_get(st->typed, "scope_description");
	}
	json_object_set_new(ctx, "form", json_pack("{s:s, s:s, s:o}",
	    "name", cc_val(st, NULL, "name", ""), "identifier",
	    cc_val(st, NULL, "identifier", ""), "scopes",
	    cc_scope_rows(names, descs, "new-")));
}

static const struct cc_view cc_rs_view = {
	"resource_servers", "Resource servers",
	"resource_servers", cc_rs_loads, cc_rs_build
};

/* The scope rows posted, those with a name. */
static json_t *
cc_rs_scopes(struct cc *st)
{
	json_t		*names = console_params(st->cr, "scope_name");
	json_t		*descs = console_params(st->cr, "scope_description");
	json_t		*out = json_array(), *v;
	const char	*d;
	size_t		 i;

	json_array_foreach(names, i, v) {
		if (i >= CC_ROWS_MAX || *json_string_value(v) == '\0')
			continue;
		d = json_string_value(json_array_get(descs, i));
		json_array_append_new(out, json_pack("{s:O, s:s}",
		    "ScopeName", v, "ScopeDescription", d != NULL ? d : ""));
	}
	return out;
}

static void
cc_rs_write(struct cc *st, const char *op, const char *identifier)
{
	cc_change(st, op, json_pack("{s:s, s:s, s:s, s:o}", "UserPoolId",
	    cc_pool_id(st), "Identifier", identifier, "Name",
	    cc_param(st, "name"), "Scopes", cc_rs_scopes(st)),
	    "resource-servers");
}

static void
cc_rs_create(struct cc *st)
{
	cc_rs_write(st, "CreateResourceServer", cc_param(st, "identifier"));
}

static void
cc_rs_save(struct cc *st)
{
	st->target = xstrdup(cc_param(st, "identifier"));
	cc_rs_write(st, "UpdateResourceServer", st->target);
}

static void
cc_rs_delete(struct cc *st)
{
	st->target = xstrdup(cc_param(st, "identifier"));
	cc_change(st, "DeleteResourceServer", json_pack("{s:s, s:s}",
	    "UserPoolId", cc_pool_id(st), "Identifier", st->target),
	    "resource-servers");
}

static const struct cc_action cc_rs_actions[] = {
	{ "create", cc_rs_create },
	{ "save", cc_rs_save },
	{ "delete", cc_rs_delete },
	{ NULL, NULL }
};

static void
cc_rs(struct console_req *cr)
{
	static const char *const	 names[] = { "name", "identifier",
					    "scope_name[]",
					    "scope_description[]", NULL };
	struct cc			*st = cc_state(cr);

	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		cc_show(st, &cc_rs_view);
		return;
	}
	cc_keep(st, names);
	st->view = &cc_rs_view;
	st->fields = cc_rs_fields;
	cc_act(st, cc_rs_actions);
}

/* --- Identity providers --- */

/* A provider's name as a query value. */
static json_t *
cc_query_value(json_t *name)
{
	char	*q = evhttp_encode_uri(json_string_value(name) != NULL ?
		    json_string_value(name) : "");
	json_t	*v = json_string(q);

	free(q);
	return v;
}

/* The providers for a page: [{name, type, q (the name as a query)}]. */
static json_t *
cc_providers(struct cc *st)
{
	json_t	*all = cc_items(st, "idps", "Providers"), *p, *out;
	size_t	 i;

	out = json_array();
	json_array_foreach(all, i, p)
		json_array_append_new(out, json_pack("{s:O, s:O, s:o}", "name",
		    json_object_get(p, "ProviderName"), "type",
		    json_object_get(p, "ProviderType"), "q", cc_query_value(
		    json_object_get(p, "ProviderName"))));
	json_decref(all);
	return out;
}

enum {
	CC_OIDC = 1 << 0, CC_SAML = 1 << 1, CC_GOOGLE = 1 << 2,
	CC_FACEBOOK = 1 << 3, CC_AMAZON = 1 << 4, CC_APPLE = 1 << 5,
	CC_SOCIAL = CC_GOOGLE | CC_FACEBOOK | CC_AMAZON | CC_APPLE
};

static const struct cc_idp_type {
	const char	*type;
	const char	*label;
	int		 bit;
} cc_idp_types[] = {
	{ "OIDC", "OpenID Connect (OIDC)", CC_OIDC },
	{ "SAML", "SAML", CC_SAML },
	{ "Google", "Google", CC_GOOGLE },
	{ "Facebook", "Facebook", CC_FACEBOOK },
	{ "LoginWithAmazon", "Login with Amazon", CC_AMAZON },
	{ "SignInWithApple", "Sign in with Apple", CC_APPLE },
};

/* The provider details fields and the types that take them. */
static const struct cc_detail {
	const char	*key;
	int		 types;
} cc_idp_details[] = {
	{ "client_id", CC_OIDC | CC_SOCIAL },
	{ "client_secret", CC_OIDC | CC_GOOGLE | CC_FACEBOOK | CC_AMAZON },
	{ "authorize_scopes", CC_OIDC | CC_SOCIAL },
	{ "oidc_issuer", CC_OIDC },
	{ "attributes_request_method", CC_OIDC },
	{ "authorize_url", CC_OIDC | CC_SOCIAL },
	{ "token_url", CC_OIDC | CC_SOCIAL },
	{ "attributes_url", CC_OIDC | CC_SOCIAL },
	{ "jwks_uri", CC_OIDC | CC_GOOGLE | CC_AMAZON | CC_APPLE },
	{ "team_id", CC_APPLE },
	{ "key_id", CC_APPLE },
	{ "private_key", CC_APPLE },
	{ "MetadataURL", CC_SAML },
	{ "MetadataFile", CC_SAML },
	{ "IDPSignout", CC_SAML },
};

static const struct cc_load cc_idp_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "ListIdentityProviders", "idps", cc_in_idps, CC_PAGES },
	{ NULL, NULL, NULL, 0 }
};

static const struct cc_field cc_idp_fields[] = {
	{ "providerName", "name" },
	{ "provider name", "name" },
	{ "already exists", "name" },
	{ "cannot be of type", "name" },
	{ "identifier", "identifiers" },
	{ "metadata", "metadata" },
	{ "client_id", "details" },
	{ NULL, NULL }
};

static void
cc_idps_build(struct cc *st, json_t *ctx)
{
	json_t		*out = cc_providers(st), *types = json_array(), *form;
	const char	*type = cc_val(st, NULL, "type", "OIDC");
	size_t		 i;

	json_object_set_new(ctx, "providers", out);
	json_object_set_new(ctx, "has_providers", json_boolean(
	    json_array_size(out) > 0));
	for (i = 0; i < nitems(cc_idp_types); i++)
		json_array_append_new(types, json_pack("{s:s, s:s, s:b}",
		    "value", cc_idp_types[i].type, "label",
		    cc_idp_types[i].label, "selected",
		    strcmp(type, cc_idp_types[i].type) == 0));
	form = json_pack("{s:s, s:s, s:b, s:o}", "name", cc_val(st, NULL,
	    "name", ""), "identifiers", cc_val(st, NULL, "identifiers", ""),
	    "post", strcmp(cc_val(st, NULL, "attributes_request_method",
	    "GET"), "POST") == 0, "types", types);
	for (i = 0; i < nitems(cc_idp_details); i++)
		json_object_set_new(form, cc_idp_details[i].key, json_string(
		    cc_val(st, NULL, cc_idp_details[i].key, "")));
	json_object_set_new(ctx, "form", form);
}

static const struct cc_view cc_idps_view = {
	"identity_providers", "Identity providers",
	"identity_providers", cc_idp_loads,
	cc_idps_build
};

static const struct cc_idp_type *
cc_idp_type(const char *type)
{
	size_t	i;

	for (i = 0; i < nitems(cc_idp_types); i++)
		if (strcmp(cc_idp_types[i].type, type) == 0)
			return &cc_idp_types[i];
	return NULL;
}

/*
 * CreateIdentityProvider with the details the type takes that were
 * filled in. A social provider is named after its type, as Cognito
 * requires, when no name is given.
 */
static void
cc_idp_create(struct cc *st)
{
	const struct cc_idp_type	*t = cc_idp_type(cc_param(st, "type"));
	const char			*name = cc_param(st, "name"), *v;
	json_t				*details = json_object(), *in;
	size_t				 i;

	for (i = 0; t != NULL && i < nitems(cc_idp_details); i++) {
		v = cc_param(st, cc_idp_details[i].key);
		if ((cc_idp_details[i].types & t->bit) && *v != '\0')
			json_object_set_new(details, cc_idp_details[i].key,
			    json_string(v));
	}
	if (*name == '\0' && t != NULL && (t->bit & CC_SOCIAL))
		name = t->type;
	in = json_pack("{s:s, s:s, s:s, s:o}", "UserPoolId", cc_pool_id(st),
	    "ProviderName", name, "ProviderType", cc_param(st, "type"),
	    "ProviderDetails", details);
	cc_set_list(in, "IdpIdentifiers", cc_split(cc_param(st,
	    "identifiers")));
	cc_change(st, "CreateIdentityProvider", in, "identity-providers");
}

static void
cc_idp_delete(struct cc *st)
{
	cc_change(st, "DeleteIdentityProvider", json_pack("{s:s, s:s}",
	    "UserPoolId", cc_pool_id(st), "ProviderName",
	    cc_param(st, "provider")), "identity-providers");
}

static const struct cc_action cc_idp_actions[] = {
	{ "create", cc_idp_create },
	{ "delete", cc_idp_delete },
	{ NULL, NULL }
};

static void
cc_idps(struct console_req *cr)
{
	static const char *const	 names[] = { "type", "name",
					    "identifiers", "client_id",
					    "client_secret", "authorize_scopes",
					    "oidc_issuer",
					    "attributes_request_method",
					    "authorize_url", "token_url",
					    "attributes_url", "jwks_uri",
					    "team_id", "key_id", "private_key",
					    "MetadataURL", "MetadataFile",
					    "IDPSignout", NULL };
	struct cc			*st = cc_state(cr);

	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		cc_show(st, &cc_idps_view);
		return;
	}
	cc_keep(st, names);
	/* Secrets are not sent back into the page. */
	json_object_set_new(st->typed, "client_secret", json_string(""));
	json_object_set_new(st->typed, "private_key", json_string(""));
	st->view = &cc_idps_view;
	st->fields = cc_idp_fields;
	st->field_hint = "details";
	cc_act(st, cc_idp_actions);
}

/* --- Attribute mapping --- */

static json_t *
cc_in_provider(struct console_req *cr, struct cc *st, size_t i)
{
	const char	*p = console_param(cr, "provider");

	(void)i;
	if (p == NULL || *p == '\0')
		return NULL;
	return json_pack("{s:s, s:s}", "UserPoolId", cc_pool_id(st),
	    "ProviderName", p);
}

static const struct cc_load cc_mapping_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "ListIdentityProviders", "idps", cc_in_idps, CC_PAGES },
	{ "DescribeIdentityProvider", "provider", cc_in_provider, 0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct cc_field cc_mapping_fields[] = {
	{ "", "mapping" },
	{ NULL, NULL }
};

/* One row: the pool attribute as a choice, the provider's as text. */
static json_t *
cc_mapping_row(json_t *attrs, const char *pool_attr, const char *idp_attr,
    size_t i)
{
	json_t	*opts = json_array(), *v;
	size_t	 j;

	json_array_foreach(attrs, j, v)
		json_array_append_new(opts, json_pack("{s:O, s:b}", "value", v,
		    "selected", strcmp(pool_attr, json_string_value(v)) == 0));
	return json_pack("{s:i, s:s, s:o}", "n", (int)i + 1, "provider_attr",
	    idp_attr, "options", opts);
}

static void
cc_mapping_build(struct cc *st, json_t *ctx)
{
	json_t		*out = cc_providers(st);
	json_t		*prov = json_object_get(json_object_get(st->got,
			    "provider"), "IdentityProvider");
	json_t		*attrs, *rows, *pa, *ia, *v;
	const char	*key;
	size_t		 i;

	json_object_set_new(ctx, "providers", out);
	json_object_set_new(ctx, "has_providers", json_boolean(
	    json_array_size(out) > 0));
	if (prov == NULL)
		return;
	attrs = cc_attr_names(st, 1);
	json_array_insert_new(attrs, 0, json_string("username"));
	rows = json_array();
	if (st->typed != NULL) {
		pa = json_object_get(st->typed, "pool_attr");
		ia = json_object_get(st->typed, "provider_attr");
		json_array_foreach(pa, i, v)
			if (*json_string_value(v) != '\0')
				json_array_append_new(rows, cc_mapping_row(
				    attrs, json_string_value(v),
				    json_string_value(json_array_get(ia, i)),
				    json_array_size(rows)));
	} else {
		json_object_foreach(json_object_get(prov, "AttributeMapping"),
		    key, v)
			json_array_append_new(rows, cc_mapping_row(attrs, key,
			    json_string_value(v), json_array_size(rows)));
	}
	for (i = 0; i < CC_ROWS_EMPTY; i++)
		json_array_append_new(rows, cc_mapping_row(attrs, "", "",
		    json_array_size(rows)));
	json_decref(attrs);
	json_object_set_new(ctx, "provider", json_pack("{s:O, s:O, s:o}",
	    "name", json_object_get(prov, "ProviderName"), "type",
	    json_object_get(prov, "ProviderType"), "rows", rows));
}

static const struct cc_view cc_mapping_view = {
	"attribute_mapping", "Attribute mapping",
	"attribute_mapping", cc_mapping_loads,
	cc_mapping_build
};

static void
cc_mapping_saved(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);
	char		*q = evhttp_encode_uri(cc_param(st, "provider"));

	(void)answer;
	console_redirect(cr, "/pools/%s/attribute-mapping?provider=%s&"
	    "saved=1", cc_pool_id(st), q);
	free(q);
}

/* The rows with both attributes named make the provider's mapping. */
static void
cc_mapping(struct console_req *cr)
{
	static const char *const	 names[] = { "pool_attr[]",
					    "provider_attr[]", NULL };
	struct cc			*st = cc_state(cr);
	json_t				*pa, *ia, *map, *v;
	const char			*b;
	size_t				 i;

	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		if (console_param(cr, "saved") != NULL)
			st->status = xstrdup("Your changes have been saved.");
		cc_show(st, &cc_mapping_view);
		return;
	}
	cc_keep(st, names);
	st->view = &cc_mapping_view;
	st->fields = cc_mapping_fields;
	pa = console_params(cr, "pool_attr");
	ia = console_params(cr, "provider_attr");
	map = json_object();
	json_array_foreach(pa, i, v) {
		b = json_string_value(json_array_get(ia, i));
		if (i < CC_ROWS_MAX && *json_string_value(v) != '\0' &&
		    b != NULL && *b != '\0')
			json_object_set_new(map, json_string_value(v),
			    json_string(b));
	}
	console_op(cr, "UpdateIdentityProvider", json_pack("{s:s, s:s, s:o}",
	    "UserPoolId", cc_pool_id(st), "ProviderName",
	    cc_param(st, "provider"), "AttributeMapping", map),
	    cc_mapping_saved, cc_failed);
}

/* --- UI customization --- */

/* The customization edited: "ALL" (the pool's) or an app client's. */
static const char *
cc_ui_client(struct cc *st)
{
	const char	*id = console_param(st->cr, "client_id");

	return id != NULL && *id != '\0' ? id : "ALL";
}

static json_t *
cc_in_ui(struct console_req *cr, struct cc *st, size_t i)
{
	(void)cr;
	(void)i;
	return json_pack("{s:s, s:s}", "UserPoolId", cc_pool_id(st),
	    "ClientId", cc_ui_client(st));
}

static const struct cc_load cc_ui_loads[] = {
	{ "DescribeUserPool", "pool", cc_in_pool, 0 },
	{ "ListUserPoolClients", "clients", cc_in_clients, CC_PAGES },
	{ "GetUICustomization", "ui", cc_in_ui, 0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct cc_field cc_ui_fields[] = {
	{ "ImageFile", "image" },
	{ "ClientId", "client" },
	{ "client", "client" },
	{ NULL, NULL }
};

/*
 * The preview is the hosted sign-in page's markup inside the console's
 * page, styled by the CSS (as saved, or as typed for a preview). The
 * CSS goes into a style element unescaped, so only text without '<'
 * (which SetUICustomization refuses too) is put there: it cannot end
 * the element. The logo is shown as a data: URL of the stored bytes.
 */
static void
cc_ui_build(struct cc *st, json_t *ctx)
{
	json_t		*all = cc_items(st, "clients", "UserPoolClients");
	json_t		*u = json_object_get(json_object_get(st->got, "ui"),
			    "UICustomization");
	json_t		*opts = json_array(), *c;
	const char	*sel = cc_ui_client(st), *css, *logo;
	size_t		 i;

	json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value",
	    "ALL", "label", "All app clients", "selected",
	    strcmp(sel, "ALL") == 0));
	json_array_foreach(all, i, c)
		json_array_append_new(opts, json_pack("{s:O, s:O, s:b}",
		    "value", json_object_get(c, "ClientId"), "label",
		    json_object_get(c, "ClientName"), "selected", strcmp(sel,
		    json_string_value(json_object_get(c, "ClientId"))) == 0));
	json_decref(all);
	css = cc_val(st, NULL, "css", json_string_value(json_object_get(u,
	    "CSS")));
	logo = json_string_value(json_object_get(st->got, "logo"));
	json_object_set_new(ctx, "clients", opts);
	json_object_set_new(ctx, "ui", json_pack("{s:s, s:s, s:O?, s:b}",
	    "client_id", sel, "css", css, "image_url",
	    json_object_get(u, "ImageUrl"), "has_image", logo != NULL));
	json_object_set_new(ctx, "preview", json_pack("{s:s?, s:s?}",
	    "css", strchr(css, '<') == NULL ? css : NULL, "logo", logo));
}

static const struct cc_view cc_ui_view = {
	"ui_customization", "UI customization", "ui", cc_ui_loads, cc_ui_build
};

struct cc_logo_wait {
	struct req		*r;
	struct console_req	*cr;
	void			(*then)(struct cc *);
};

/* The logo read: as a data: URL for the preview, base64 to keep it. */
static void
cc_logo_read(struct pg_reply *reply, void *arg)
{
	struct cc_logo_wait	*w = arg;
	struct cc		*st;
	const PGresult		*res;
	unsigned char		*img;
	size_t			 len;
	char			*b64;

	if (req_release(w->r) != 0) {
		free(w);
		return;
	}
	st = console_data(w->cr);
	if (!reply->ok) {
		console_fail_page(w->cr, 503, "The logo could not be read.");
		free(w);
		return;
	}
	res = reply->res[0];
	if (pg_rows(res) == 1 &&
	    pg_val(res, 0, DB_UI_SERVE_IMAGE) != NULL &&
	    (img = PQunescapeBytea((const unsigned char *)pg_val(res, 0,
	    DB_UI_SERVE_IMAGE), &len)) != NULL) {
		b64 = b64_encode(img, len);
		json_object_set_new(st->got, "logo_b64", json_string(b64));
		json_object_set_new(st->got, "logo", json_sprintf(
		    "data:%s;base64,%s", len > 2 && img[0] == 0xff ?
		    "image/jpeg" : "image/png", b64));
		free(b64);
		PQfreemem(img);
	}
	w->then(st);
	free(w);
}

/*
 * The stored logo of the customization edited: SetUICustomization
 * replaces the logo with the one it is given, so keeping it means
 * sending its bytes again, and GetUICustomization gives only its URL.
 */
static void
cc_logo(struct cc *st, void (*then)(struct cc *))
{
	struct cc_logo_wait	*w = xcalloc(1, sizeof *w);
	struct pg_batch		*b = pg_batch_new();
	const char		*client = cc_ui_client(st);

	w->r = console_http(st->cr);
	w->cr = st->cr;
	w->then = then;
	req_hold(w->r);
	db_ui_of_pool(b, cc_pool_id(st), strcmp(client, "ALL") == 0 ? "" :
	    client);
	pg_submit(b, cc_logo_read, w);
}

static void
cc_ui_show(struct cc *st)
{
	cc_show(st, &cc_ui_view);
}

static void
cc_ui_saved(struct console_req *cr, json_t *answer)
{
	struct cc	*st = console_data(cr);

	(void)answer;
	console_redirect(cr, "/pools/%s/ui?client_id=%s&saved=1",
	    cc_pool_id(st), cc_ui_client(st));
}

/* The logo typed (base64), else the stored one when it is kept. */
static void
cc_ui_set(struct cc *st)
{
	const char	*image = cc_param(st, "image");
	const char	*css = cc_param(st, "css");
	json_t		*in;

	if (*image == '\0' && strcmp(cc_param(st, "keep"), "on") == 0)
		image = json_string_value(json_object_get(st->got,
		    "logo_b64"));
	in = json_pack("{s:s, s:s}", "UserPoolId", cc_pool_id(st),
	    "ClientId", cc_ui_client(st));
	if (*css != '\0')
		json_object_set_new(in, "CSS", json_string(css));
	if (image != NULL && *image != '\0')
		json_object_set_new(in, "ImageFile", json_string(image));
	json_object_del(st->got, "logo");
	json_object_del(st->got, "logo_b64");
	st->back = NULL;
	console_op(st->cr, "SetUICustomization", in, cc_ui_saved, cc_failed);
}

static void
cc_ui_get(struct cc *st)
{
	cc_logo(st, cc_ui_show);
}

static void
cc_ui_save(struct cc *st)
{
	cc_logo(st, cc_ui_set);
}

static void
cc_ui_preview(struct cc *st)
{
	st->status = xstrdup("The preview shows the CSS as typed; it is not "
	    "saved yet.");
	cc_ui_get(st);
}

static const struct cc_action cc_ui_actions[] = {
	{ "save", cc_ui_save },
	{ "preview", cc_ui_preview },
	{ NULL, NULL }
};

static void
cc_ui(struct console_req *cr)
{
	static const char *const	 names[] = { "client_id", "css",
					    "image", "keep", NULL };
	struct cc			*st = cc_state(cr);

	st->view = &cc_ui_view;
	st->reshow = cc_ui_get;
	if (console_http(cr)->method != EVHTTP_REQ_POST) {
		if (console_param(cr, "saved") != NULL)
			st->status = xstrdup("Your changes have been saved.");
		cc_ui_get(st);
		return;
	}
	cc_keep(st, names);
	st->fields = cc_ui_fields;
	st->field_hint = "css";
	cc_act(st, cc_ui_actions);
}

const struct console_page console_client_pages[] = {
	{ EVHTTP_REQ_GET, "/pools/*/clients", cc_clients },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/clients/new",
	    cc_client_new },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/clients/*", cc_client },
	{ EVHTTP_REQ_POST, "/pools/*/clients/*/delete", cc_client_delete },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/client-settings",
	    cc_settings },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/domain", cc_domain },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/ui", cc_ui },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/resource-servers",
	    cc_rs },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/identity-providers",
	    cc_idps },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/pools/*/attribute-mapping",
	    cc_mapping },
	{ 0, NULL, NULL }
};
