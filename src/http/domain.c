/*
 * domain.c: a pool domain's routes and request context, the domain
 * prefix rule, and the helpers the hosted UI (ui/) and the OAuth2
 * endpoints (oauth/) share.
 *
 * Every request of a pool domain gets a struct domain_req as its ctx.
 * A body over max_form_bytes (413) or an address out of its allowance
 * (429) is refused first, as the error page for a person and as RFC
 * 6749's JSON error on the OAuth2 endpoints. Parameters are decoded
 * once, strictly: a parameter given twice or a
 * malformed pair refuses the request (RFC 6749 §3.1). Cookies are set
 * Secure, HttpOnly and SameSite=Lax, scoped to the domain's path when
 * the domain is reached by path on the API host.
 *
 * A domain prefix is Cognito's pattern (one DNS label of [a-z0-9-], not
 * starting or ending with '-'), without Cognito's reserved words, and
 * none of the API host's own top-level paths: the router takes the
 * first path segment for a prefix by this same rule, so a prefix that
 * CreateUserPoolDomain accepts is always reachable by path, and a path
 * of the API host is never taken for a domain.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "conf.h"
#include "http/cors.h"
#include "http/domain.h"
#include "http/ratelimit.h"
#include "http/request.h"
#include "oauth/oauth.h"
#include "ui/branding.h"
#include "ui/pages.h"
#include "ui/render.h"
#include "ui/signup.h"
#include "util.h"

#define DOMAIN_PARAMS_MAX	64
#define DOMAIN_COOKIE_MAX	4096
#define DOMAIN_PREFIX_MAX	63

struct domain_path {
	int		 methods;
	const char	*path;
	void		(*fn)(struct domain_req *);
};

static void	domain_options(struct domain_req *);

static const struct domain_path domain_routes[] = {
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/oauth2/authorize",
	  authorize_get },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/authorize", authorize_get },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/oauth2/idpresponse",
	  idpresponse_get },
	{ EVHTTP_REQ_POST, "/saml2/idpresponse", saml2_idpresponse_post },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/saml2/metadata",
	  saml2_metadata_get },
	{ EVHTTP_REQ_GET, "/saml2/logout", saml2_logout_get },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/login", pages_login_get },
	{ EVHTTP_REQ_POST, "/login", pages_login_post },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/signup", signup_get },
	{ EVHTTP_REQ_POST, "/signup", signup_post },
	/* GET only: following a link confirms; a HEAD probe must not. */
	{ EVHTTP_REQ_GET, "/confirmUser", signup_confirm_get },
	{ EVHTTP_REQ_POST, "/confirmUser", signup_confirm_post },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/forgotPassword",
	  signup_forgot_get },
	{ EVHTTP_REQ_POST, "/forgotPassword", signup_forgot_post },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/confirmForgotPassword",
	  signup_reset_get },
	{ EVHTTP_REQ_POST, "/confirmForgotPassword", signup_reset_post },
	{ EVHTTP_REQ_POST, "/oauth2/token", token_post },
	{ EVHTTP_REQ_OPTIONS, "/oauth2/token", domain_options },
	{ EVHTTP_REQ_POST, "/oauth2/revoke", revoke_post },
	{ EVHTTP_REQ_OPTIONS, "/oauth2/revoke", domain_options },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/oauth2/userInfo",
	  userinfo_handle },
	{ EVHTTP_REQ_OPTIONS, "/oauth2/userInfo", domain_options },
	{ EVHTTP_REQ_GET, "/logout", logout_get },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ui/custom.css", branding_css },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ui/logo", branding_logo },
};

/* Words Cognito refuses anywhere in a prefix. */
static const char *const domain_reserved_words[] = {
	"aws", "amazon", "cognito", NULL
};

/* The API host's own top-level paths, now and planned (DESIGN.md). */
static const char *const domain_reserved_names[] = {
	"console", "health", "static", "oauth2", "saml2", "login", "logout",
	"signup", "well-known", "api", "admin", "assets", NULL
};

int
domain_label_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > DOMAIN_PREFIX_MAX || s[0] == '-' ||
	    s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

enum domain_prefix_verdict
domain_prefix_check(const char *s, size_t len, const char **word)
{
	const char	*w;
	size_t		 i, wl;

	if (!domain_label_ok(s, len))
		return DOMAIN_PREFIX_PATTERN;
	for (i = 0; (w = domain_reserved_words[i]) != NULL; i++) {
		wl = strlen(w);
		if (memmem(s, len, w, wl) != NULL) {
			if (word != NULL)
				*word = w;
			return DOMAIN_PREFIX_WORD;
		}
	}
	for (i = 0; (w = domain_reserved_names[i]) != NULL; i++)
		if (strlen(w) == len && memcmp(s, w, len) == 0)
			return DOMAIN_PREFIX_RESERVED;
	return DOMAIN_PREFIX_OK;
}

static void
domain_req_free(void *p)
{
	struct domain_req	*o = p;

	json_decref(o->query);
	json_decref(o->form);
	free(o->base);
	free(o->pool_id);
	json_decref(o->client);
	task_clear(&o->task);
	grants_client_clear(&o->grant);
	sessions_user_clear(&o->who);
	if (o->secret != NULL)
		wipe_free(o->secret);
	json_decref(o->result);
	free(o->sub);
	free(o->username);
	free(o->csrf);
	free(o->fed_provider);
	if (o->page_free != NULL)
		o->page_free(o->page);
	if (o->fed_free != NULL)
		o->fed_free(o->fed);
	free(o);
}

static void
domain_options(struct domain_req *o)
{
	cors_preflight(o->r);
}

json_t *
domain_params(const char *text)
{
	struct evkeyvalq	 q;
	struct evkeyval		*kv;
	json_t			*out = json_object();
	size_t			 n = 0;

	if (req_parse_form(text, &q) != 0) {
		json_decref(out);
		return NULL;
	}
	TAILQ_FOREACH(kv, &q, next) {
		if (++n > DOMAIN_PARAMS_MAX ||
		    json_object_get(out, kv->key) != NULL ||
		    json_object_set_new(out, kv->key,
		    json_string(kv->value)) != 0) {
			json_decref(out);
			out = NULL;
			break;
		}
	}
	evhttp_clear_headers(&q);
	return out;
}

const char *
domain_param(struct domain_req *o, const char *name)
{
	const char	*v = json_string_value(json_object_get(o->form, name));

	return v != NULL ? v :
	    json_string_value(json_object_get(o->query, name));
}

int
domain_param_ok(const char *v, size_t min)
{
	size_t	n = 0;

	if (v == NULL)
		return 1;
	for (; *v != '\0'; v++)
		if (((unsigned char)*v & 0xc0) != 0x80)	/* a character */
			n++;
	return n >= min && n <= DOMAIN_PARAM_MAX;
}

/*
 * A request refused before its route: RFC 6749's JSON answer on the
 * OAuth2 endpoints (API callers), the error page (with the pool's
 * branding) for a person.
 */
static void
domain_refuse(struct domain_req *o, int status, const char *msg)
{
	if (strncmp(o->r->domain_path, "/oauth2/", 8) == 0 &&
	    strcmp(o->r->domain_path, "/oauth2/authorize") != 0) {
		cors_add(o->r);
		oauth_reply_error(o, status, "invalid_request", msg);
	} else
		render_error(o, status, msg);
}

/*
 * A body over max_form_bytes (413), or an address out of its allowance
 * (429, see ratelimit.c): 1 after answering. A SAML Response may hold
 * 100,000 characters at Cognito, more than a page's form: its ACS takes
 * up to max_body_bytes.
 */
static int
domain_over_limits(struct domain_req *o)
{
	size_t	max = strcmp(o->r->domain_path, "/saml2/idpresponse") == 0 ?
		    (size_t)conf->max_body_bytes : (size_t)conf->max_form_bytes;

	if (o->r->body_len > max) {
		domain_refuse(o, 413, "That was too much: the form sent more "
		    "than this page accepts. Go back and try again with less "
		    "text.");
		return 1;
	}
	if (ratelimit_page(o->r) != 0) {
		req_add_header(o->r, "Retry-After", "5");
		domain_refuse(o, 429, "Too many requests came from your "
		    "network in a short time. Wait a few seconds, then try "
		    "again.");
		return 1;
	}
	return 0;
}

void
domain_route(struct req *r)
{
	struct domain_req	*o = xcalloc(1, sizeof *o);
	size_t			 i;
	int			 known = 0;

	o->r = r;
	req_set_ctx(r, o, domain_req_free);
	/* Reached as /<prefix>/...: the prefix is the base of every link. */
	o->base = strlen(r->path) > strlen(r->domain_path) ?
	    xasprintf("/%s", r->domain_prefix) : xstrdup("");
	/* The query names the client whose style the refusals wear. */
	o->query = domain_params(r->query);
	if (domain_over_limits(o))
		return;
	if (r->method == EVHTTP_REQ_POST)
		o->form = domain_params((const char *)r->body);
	for (i = 0; i < nitems(domain_routes); i++) {
		if (strcmp(domain_routes[i].path, r->domain_path) != 0)
			continue;
		known = 1;
		if ((domain_routes[i].methods & r->method) == 0)
			continue;
		if (o->query == NULL || (r->method == EVHTTP_REQ_POST &&
		    o->form == NULL)) {
			domain_refuse(o, 400, "The request is malformed: a "
			    "parameter is repeated or cannot be read.");
			return;
		}
		domain_routes[i].fn(o);
		return;
	}
	if (known) {
		req_add_header(r, "Allow", "GET, POST, OPTIONS");
		req_reply_text(r, 405, "Method Not Allowed\n");
	} else
		render_error(o, 404, "There is no such page.");
}

/* --- Core operations ---------------------------------------------------- */

static void
domain_task_end(struct task *t, const struct core_err *err)
{
	struct domain_req	*o = t->owner;

	o->task_done(o, err);
}

struct task *
domain_task(struct domain_req *o, const char *name, domain_task_fn done)
{
	task_clear(&o->task);
	task_init(&o->task, o->r->id, name, &req_task_guard, o->r,
	    domain_task_end, o);
	o->task_done = done;
	return &o->task;
}

void
domain_redirect(struct domain_req *o, const char *url)
{
	req_add_header(o->r, "Location", url);
	req_add_header(o->r, "Cache-Control", "no-store");
	req_reply(o->r, 302, "text/plain", NULL, 0);
}

char *
domain_url_with(const char *url, json_t *pairs, int fragment)
{
	const char	*k;
	json_t		*v;
	char		*out = xstrdup(url), *enc, *next;
	char		 sep = fragment ? '#' : strchr(url, '?') ? '&' : '?';

	json_object_foreach(pairs, k, v) {
		if (!json_is_string(v))
			continue;
		enc = evhttp_encode_uri(json_string_value(v));
		next = xasprintf("%s%c%s=%s", out, sep, k, enc);
		free(enc);
		free(out);
		out = next;
		sep = '&';
	}
	return out;
}

/* --- Cookies ------------------------------------------------------------- */

const char *
domain_base(struct domain_req *o)
{
	return o->base;
}

char *
domain_cookie(struct domain_req *o, const char *name)
{
	return domain_cookie_find(req_header(o->r, "Cookie"), name);
}

char *
domain_cookie_find(const char *h, const char *name)
{
	const char	*p, *end;
	size_t		 n = strlen(name);

	if (h == NULL || strlen(h) > DOMAIN_COOKIE_MAX)
		return NULL;
	for (p = h; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, ";");
		if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 &&
		    p[n] == '=')
			return xstrndup(p + n + 1, (size_t)(end - p) - n - 1);
	}
	return NULL;
}

void
domain_set_cookie(struct domain_req *o, const char *name, const char *value,
    int max_age)
{
	char	*c;

	c = xasprintf("%s=%s; Path=%s/; Max-Age=%d; Secure; HttpOnly; "
	    "SameSite=Lax", name, value, o->base, max_age);
	req_add_header(o->r, "Set-Cookie", c);
	free(c);
}
