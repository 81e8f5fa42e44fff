/*
 * oauth.c: a pool domain's routes, and the helpers its handlers share.
 *
 * Every request of a pool domain gets a struct oauth_req as its ctx.
 * Parameters are decoded once, strictly: a parameter given twice or a
 * malformed pair refuses the request (RFC 6749 §3.1). Cookies are set
 * Secure, HttpOnly and SameSite=Lax, scoped to the domain's path when
 * the domain is reached by path on the API host.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api/api.h"
#include "http/cors.h"
#include "http/request.h"
#include "oauth/oauth.h"
#include "ui/branding.h"
#include "ui/pages.h"
#include "ui/signup.h"
#include "util.h"

#define OAUTH_PARAMS_MAX	64
#define OAUTH_COOKIE_MAX	4096

struct oauth_route {
	int		 methods;
	const char	*path;
	void		(*fn)(struct oauth_req *);
};

static void	oauth_options(struct oauth_req *);

static const struct oauth_route oauth_routes[] = {
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/oauth2/authorize",
	  authorize_get },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/authorize", authorize_get },
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
	{ EVHTTP_REQ_OPTIONS, "/oauth2/token", oauth_options },
	{ EVHTTP_REQ_POST, "/oauth2/revoke", revoke_post },
	{ EVHTTP_REQ_OPTIONS, "/oauth2/revoke", oauth_options },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_POST, "/oauth2/userInfo",
	  userinfo_handle },
	{ EVHTTP_REQ_OPTIONS, "/oauth2/userInfo", oauth_options },
	{ EVHTTP_REQ_GET, "/logout", logout_get },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ui/custom.css", branding_css },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ui/logo", branding_logo },
};

static void
oauth_req_free(void *p)
{
	struct oauth_req	*o = p;

	json_decref(o->query);
	json_decref(o->form);
	free(o->base);
	free(o->pool_id);
	json_decref(o->client);
	free(o->sub);
	free(o->username);
	free(o->csrf);
	if (o->page_free != NULL)
		o->page_free(o->page);
	free(o);
}

static void
oauth_options(struct oauth_req *o)
{
	cors_preflight(o->r);
}

json_t *
oauth_params(const char *text)
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
		if (++n > OAUTH_PARAMS_MAX ||
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
oauth_param(struct oauth_req *o, const char *name)
{
	const char	*v = api_str(o->form, name);

	return v != NULL ? v : api_str(o->query, name);
}

/* Unreadable parameters: RFC 6749's answer on the API, a page on pages. */
static void
oauth_malformed(struct oauth_req *o)
{
	static const char	 msg[] = "The request is malformed: a "
				    "parameter is repeated or cannot be read.";

	if (strncmp(o->r->domain_path, "/oauth2/", 8) == 0 &&
	    strcmp(o->r->domain_path, "/oauth2/authorize") != 0) {
		cors_add(o->r);
		oauth_reply_error(o, 400, "invalid_request", msg);
	} else
		pages_error(o, 400, msg);
}

void
oauth_route(struct req *r)
{
	struct oauth_req	*o = xcalloc(1, sizeof *o);
	size_t			 i;
	int			 known = 0;

	o->r = r;
	req_set_ctx(r, o, oauth_req_free);
	/* Reached as /<prefix>/...: the prefix is the base of every link. */
	o->base = strlen(r->path) > strlen(r->domain_path) ?
	    xasprintf("/%s", r->domain_prefix) : xstrdup("");
	o->query = oauth_params(r->query);
	if (r->method == EVHTTP_REQ_POST)
		o->form = oauth_params((const char *)r->body);
	for (i = 0; i < nitems(oauth_routes); i++) {
		if (strcmp(oauth_routes[i].path, r->domain_path) != 0)
			continue;
		known = 1;
		if ((oauth_routes[i].methods & r->method) == 0)
			continue;
		if (o->query == NULL || (r->method == EVHTTP_REQ_POST &&
		    o->form == NULL)) {
			oauth_malformed(o);
			return;
		}
		oauth_routes[i].fn(o);
		return;
	}
	if (known) {
		req_add_header(r, "Allow", "GET, POST, OPTIONS");
		req_reply_text(r, 405, "Method Not Allowed\n");
	} else
		pages_error(o, 404, "There is no such page.");
}

/* --- Invoking operations --------------------------------------------- */

struct oauth_call {
	struct oauth_req	*o;
	oauth_done_fn		 done;
};

static void
oauth_invoked(int status, json_t *out, void *arg)
{
	struct oauth_call	*c = arg;
	struct oauth_req	*o = c->o;
	oauth_done_fn		 done = c->done;

	free(c);
	if (req_release(o->r) == 0)
		done(o, status, out);
	json_decref(out);
}

void
oauth_invoke(struct oauth_req *o, const char *op, json_t *in,
    oauth_done_fn done)
{
	struct oauth_call	*c = xcalloc(1, sizeof *c);

	c->o = o;
	c->done = done;
	req_hold(o->r);
	api_invoke(op, in, oauth_invoked, c);
}

const char *
oauth_error_type(json_t *out)
{
	const char	*t = api_str(out, "__type");

	return t != NULL ? t : "";
}

/* --- Answers ------------------------------------------------------------ */

void
oauth_reply_json(struct oauth_req *o, int status, json_t *body)
{
	char	*text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (text == NULL)
		fatalx("json_dumps");
	req_add_header(o->r, "Cache-Control", "no-store");
	req_add_header(o->r, "Pragma", "no-cache");
	req_reply(o->r, status, "application/json", text, strlen(text));
	free(text);
}

void
oauth_reply_error(struct oauth_req *o, int status, const char *error,
    const char *desc)
{
	json_t	*body = json_pack("{s:s}", "error", error);

	if (desc != NULL)
		json_object_set_new(body, "error_description",
		    json_string(desc));
	oauth_reply_json(o, status, body);
}

void
oauth_redirect(struct oauth_req *o, const char *url)
{
	req_add_header(o->r, "Location", url);
	req_add_header(o->r, "Cache-Control", "no-store");
	req_reply(o->r, 302, "text/plain", NULL, 0);
}

char *
oauth_url_with(const char *url, json_t *pairs, int fragment)
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
oauth_base(struct oauth_req *o)
{
	return o->base;
}

char *
oauth_cookie(struct oauth_req *o, const char *name)
{
	return oauth_cookie_find(req_header(o->r, "Cookie"), name);
}

char *
oauth_cookie_find(const char *h, const char *name)
{
	const char	*p, *end;
	size_t		 n = strlen(name);

	if (h == NULL || strlen(h) > OAUTH_COOKIE_MAX)
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
oauth_set_cookie(struct oauth_req *o, const char *name, const char *value,
    int max_age)
{
	char	*c;

	c = xasprintf("%s=%s; Path=%s/; Max-Age=%d; Secure; HttpOnly; "
	    "SameSite=Lax", name, value, o->base, max_age);
	req_add_header(o->r, "Set-Cookie", c);
	free(c);
}
