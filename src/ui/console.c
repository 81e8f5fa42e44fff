/*
 * console.c: the admin console's request cycle (see console.h). Every
 * path under /console on the API host comes here from the router. The
 * form (POST body) or query is parsed, the session cookie's digest is
 * looked up and renewed (db/console.c: 8 hours idle end a session), and
 * the request goes to a page of the family tables: without a session
 * only the sign-in pages (console_auth.c) answer, any other GET is sent
 * to the sign-in form and any other POST is refused. Every POST carries
 * the CSRF token in a field "csrf": with a session it is a digest of the
 * session's secret (so it needs no storage and dies with the session),
 * before sign-in a random value double-submitted in a cookie. Both
 * cookies are Secure, HttpOnly and SameSite=Strict, with path /console.
 *
 * Operations run through api_op_run: the JSON API's own shapes,
 * handlers and messages, without the wire. While one runs, the api call
 * owns the request's handler state and the console_req rides along as
 * the sink's argument; it comes back as the request's state when the
 * operation ends. Operations that change something are written to the
 * audit log with their outcome.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "api/api.h"
#include "conf.h"
#include "core/codes.h"
#include "db/console.h"
#include "db/pg.h"
#include "http/domain.h"
#include "http/request.h"
#include "log.h"
#include "ui/console.h"
#include "ui/console_int.h"
#include "ui/console_sections.h"
#include "ui/template.h"
#include "util.h"

#define CONSOLE_BASE		"/console"
#define CONSOLE_CSS		"/static/console.css"
#define CONSOLE_MAX_ARGS	8
#define CONSOLE_CSP							\
	"default-src 'self'; style-src 'self' 'unsafe-inline'; "	\
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; " \
	"form-action 'self'"

struct console_req {
	struct req		*r;
	char			*args[CONSOLE_MAX_ARGS];
	int			 nargs;
	json_t			*params;	/* name: [values] */
	char			*user;		/* signed in */
	int			 mfa_pending;
	char			*digest;	/* the session's */
	char			*csrf;
	void			*data;
	void			(*data_free)(void *);
	/* the operation in flight */
	char			*op;
	char			*target;
	console_ok_fn		 ok;
	console_fail_fn		 fail;
};

/* The family tables; a new family adds its table here. */
static const struct console_page *const console_tables[] = {
	console_home_pages,
	console_auth_pages,
	console_settings_pages,
	console_audit_pages,
	console_wizard_pages,
	console_pool_pages,
	console_client_pages,
	console_user_pages,
	console_section_pages,
};

/* Operations that change nothing (not audited), by name prefix. */
static const char *const console_reads[] = {
	"Describe", "List", "Get", "AdminGet", "AdminList",
};

/* The input members that name an operation's target, in this order. */
static const char *const console_targets[] = {
	"UserPoolId", "ClientId", "Username", "GroupName", "Domain",
	"PoolName", "ClientName", "ProviderName", "Identifier",
	"ResourceArn",
};

static struct tmpl_set	*console_set;
static char		*console_css;
static size_t		 console_css_len;

int
console_init(char **cause)
{
	char	*dir, *css;
	int	 rc;

	dir = xasprintf("%s/templates/console", conf->ui_dir);
	console_set = tmpl_set_load_dir(dir, cause);
	free(dir);
	if (console_set == NULL)
		return -1;
	css = xasprintf("%s/static/console.css", conf->ui_dir);
	rc = read_file(css, &console_css, &console_css_len, cause);
	free(css);
	return rc;
}

void
console_free(void)
{
	tmpl_set_free(console_set);
	console_set = NULL;
	free(console_css);
	console_css = NULL;
}

static void
console_req_free(void *p)
{
	struct console_req	*cr = p;
	int			 i;

	if (cr == NULL)
		return;
	for (i = 0; i < cr->nargs; i++)
		free(cr->args[i]);
	json_decref(cr->params);
	free(cr->user);
	free(cr->digest);
	free(cr->csrf);
	free(cr->op);
	free(cr->target);
	if (cr->data_free != NULL)
		cr->data_free(cr->data);
	free(cr);
}

/* --- The request ---------------------------------------------------------- */

struct req *
console_http(struct console_req *cr)
{
	return cr->r;
}

const char *
console_arg(struct console_req *cr, int i)
{
	return i >= 0 && i < cr->nargs ? cr->args[i] : NULL;
}

const char *
console_param(struct console_req *cr, const char *name)
{
	return json_string_value(json_array_get(json_object_get(cr->params,
	    name), 0));
}

json_t *
console_params(struct console_req *cr, const char *name)
{
	json_t	*a = json_object_get(cr->params, name);

	if (a == NULL) {
		a = json_array();
		json_object_set_new(cr->params, name, a);
	}
	return a;
}

void *
console_data(struct console_req *cr)
{
	return cr->data;
}

void
console_set_data(struct console_req *cr, void *data, void (*fn)(void *))
{
	if (cr->data_free != NULL)
		cr->data_free(cr->data);
	cr->data = data;
	cr->data_free = fn;
}

const char *
console_user(struct console_req *cr)
{
	return cr->mfa_pending ? NULL : cr->user;
}

const char *
console_session_user(struct console_req *cr)
{
	return cr->user;
}

const char *
console_session_digest(struct console_req *cr)
{
	return cr->digest;
}

const char *
console_client(struct console_req *cr)
{
	return req_client_addr(cr->r);
}

/*
 * Decode one form component: '+' is a space (HTML forms), %XX a byte;
 * NULL when it decodes to a NUL byte.
 */
static char *
console_decode(const char *s, size_t len)
{
	char	*raw = xstrndup(s, len), *out;
	size_t	 n;

	out = evhttp_uridecode(raw, 1, &n);
	free(raw);
	if (out != NULL && strlen(out) != n) {
		free(out);
		out = NULL;
	}
	return out;
}

int
console_form_parse(json_t *into, const char *text, int *n)
{
	const char	*p, *end, *eq;
	char		*k, *v;
	json_t		*a, *js;

	for (p = text; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "&");
		if (end == p)
			continue;
		if (++*n > CONSOLE_PARAMS_MAX)
			return -1;
		eq = memchr(p, '=', end - p);
		k = console_decode(p, (eq != NULL ? eq : end) - p);
		v = eq != NULL ? console_decode(eq + 1, end - eq - 1) :
		    xstrdup("");
		/* json_string is NULL for text that is not UTF-8. */
		js = v != NULL ? json_string(v) : NULL;
		a = k != NULL && js != NULL ? json_object_get(into, k) : NULL;
		if (a == NULL && js != NULL && k != NULL && json_object_set_new(
		    into, k, a = json_array()) != 0)
			a = NULL;
		free(k);
		wipe_free(v);
		if (a == NULL) {
			json_decref(js);
			return -1;
		}
		json_array_append_new(a, js);
	}
	return 0;
}

/* The form's fields (POST), then the query's where the form lacks them. */
static int
console_fields(struct console_req *cr)
{
	json_t		*q = json_object(), *v;
	const char	*k;
	int		 n = 0, rc = 0;

	cr->params = json_object();
	if (cr->r->method == EVHTTP_REQ_POST)
		rc = console_form_parse(cr->params, (const char *)cr->r->body,
		    &n);
	if (rc == 0)
		rc = console_form_parse(q, cr->r->query, &n);
	json_object_foreach(q, k, v)
		if (json_object_get(cr->params, k) == NULL)
			json_object_set(cr->params, k, v);
	json_decref(q);
	return rc;
}

/* --- Answers -------------------------------------------------------------- */

static void
console_headers(struct req *r)
{
	req_add_header(r, "Cache-Control", "no-store");
	req_add_header(r, "Content-Security-Policy", CONSOLE_CSP);
	req_add_header(r, "X-Frame-Options", "DENY");
	req_add_header(r, "X-Content-Type-Options", "nosniff");
	req_add_header(r, "Referrer-Policy", "same-origin");
}

void
console_render(struct console_req *cr, int status, const char *name,
    json_t *ctx)
{
	const struct tmpl	*t;
	char			*html, *cause = NULL;
	size_t			 len;

	if (ctx == NULL)
		ctx = json_object();
	json_object_set_new(ctx, "base", json_string(CONSOLE_BASE));
	if (cr->csrf != NULL)
		json_object_set_new(ctx, "csrf", json_string(cr->csrf));
	if (console_user(cr) != NULL)
		json_object_set_new(ctx, "user", json_string(cr->user));
	if (console_set == NULL ||
	    (t = tmpl_set_get(console_set, name)) == NULL ||
	    (html = tmpl_render(console_set, t, ctx, &len, &cause)) == NULL) {
		log_error("%s: console page %s: %s", cr->r->id, name,
		    cause != NULL ? cause : "no such template");
		free(cause);
		json_decref(ctx);
		req_reply_text(cr->r, 500, "The page could not be shown.\n");
		return;
	}
	json_decref(ctx);
	console_headers(cr->r);
	req_reply(cr->r, status, "text/html; charset=utf-8", html, len);
	free(html);
}

void
console_redirect(struct console_req *cr, const char *fmt, ...)
{
	va_list	 ap;
	char	*path, *loc;

	va_start(ap, fmt);
	path = xvasprintf(fmt, ap);
	va_end(ap);
	loc = xasprintf("%s%s", CONSOLE_BASE, path);
	req_add_header(cr->r, "Location", loc);
	req_add_header(cr->r, "Cache-Control", "no-store");
	req_reply_text(cr->r, 303, "See Other\n");
	free(loc);
	free(path);
}

void
console_fail_page(struct console_req *cr, int status, const char *msg)
{
	console_render(cr, status, "message", json_pack("{s:s, s:s}",
	    "title", status >= 500 ? "Something went wrong" : "Not possible",
	    "message", msg));
}

/* --- Sessions and the audit log ------------------------------------------ */

/* The CSRF token of a session: a digest of its secret, as hex. */
static char *
console_csrf_of(const char *secret)
{
	char	d[CODES_DIGEST_HEX];

	codes_digest_hex("console-csrf", secret, d);
	return xstrdup(d + 2);
}

static void
console_cookie(struct console_req *cr, const char *name, const char *value,
    int forget)
{
	char	*c;

	c = xasprintf("%s=%s; Path=%s; %sSecure; HttpOnly; SameSite=Strict",
	    name, value, CONSOLE_BASE, forget ? "Max-Age=0; " : "");
	req_add_header(cr->r, "Set-Cookie", c);
	free(c);
}

void
console_session_cookie(struct console_req *cr, char **digest)
{
	char	*secret = codes_new_secret(CONSOLE_SECRET_BYTES);

	*digest = xmalloc(CODES_DIGEST_HEX);
	codes_digest_hex("console-session", secret, *digest);
	console_cookie(cr, CONSOLE_COOKIE, secret, 0);
	free(cr->csrf);
	cr->csrf = console_csrf_of(secret);
	wipe_free(secret);
}

void
console_session_forget(struct console_req *cr)
{
	console_cookie(cr, CONSOLE_COOKIE, "", 1);
}

static void
console_audit_done(struct pg_reply *reply, void *arg)
{
	if (!reply->ok)
		log_error("console audit log: %s", reply->error);
}

void
console_audit(struct console_req *cr, const char *op, const char *target,
    const char *outcome)
{
	struct pg_batch	*b = pg_batch_new();

	db_console_audit_add(b, cr->user != NULL ? cr->user : "",
	    console_client(cr), op, target != NULL ? target : "", outcome);
	pg_submit(b, console_audit_done, NULL);
}

/* A pre-session CSRF value from its cookie, or a new one set. */
static void
console_pre_csrf(struct console_req *cr)
{
	char	*v = domain_cookie_find(req_header(cr->r, "Cookie"),
	    CONSOLE_PRE_COOKIE);

	if (v != NULL && strlen(v) >= 32 && strspn(v, "ABCDEFGHIJKLMNOPQRST"
	    "UVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(v)) {
		cr->csrf = v;
		return;
	}
	free(v);
	cr->csrf = codes_new_secret(24);
	console_cookie(cr, CONSOLE_PRE_COOKIE, cr->csrf, 0);
}

/* --- Routing -------------------------------------------------------------- */

/* Match path against pattern, '*' one segment each (into cr->args). */
static int
console_match(struct console_req *cr, const char *pattern, const char *path)
{
	const char	*p = pattern, *s = path;
	size_t		 n;

	cr->nargs = 0;
	while (*p != '\0' && *s != '\0') {
		if (*p == '*') {
			n = strcspn(s, "/");
			if (n == 0 || cr->nargs == CONSOLE_MAX_ARGS)
				break;
			cr->args[cr->nargs++] = xstrndup(s, n);
			p++;
			s += n;
		} else if (*p++ != *s++)
			break;
	}
	if (*p == '\0' && *s == '\0')
		return 1;
	while (cr->nargs > 0)
		free(cr->args[--cr->nargs]);
	return 0;
}

static int
console_method_ok(const struct console_page *pg, int method)
{
	if (method == EVHTTP_REQ_HEAD)
		method = EVHTTP_REQ_GET;
	return (pg->methods & method) != 0;
}

/* Run the page of table for the path: 0, or -1 when none has it. */
static int
console_find(struct console_req *cr, const struct console_page *table,
    const char *path, int *known)
{
	const struct console_page	*pg;

	for (pg = table; pg->path != NULL; pg++) {
		if (!console_match(cr, pg->path, path))
			continue;
		*known = 1;
		if (console_method_ok(pg, cr->r->method)) {
			pg->fn(cr);
			return 0;
		}
		while (cr->nargs > 0)
			free(cr->args[--cr->nargs]);
	}
	return -1;
}

static int
console_csrf_ok(struct console_req *cr)
{
	const char	*given = console_param(cr, "csrf");

	if (cr->r->method != EVHTTP_REQ_POST)
		return 1;
	return given != NULL && cr->csrf != NULL &&
	    codes_equal_str(given, cr->csrf);
}

static void
console_dispatch_public(struct console_req *cr, const char *path)
{
	int	known = 0;

	if (!console_csrf_ok(cr)) {
		console_auth_form(cr, 403, "The form has expired. Sign in "
		    "again.");
		return;
	}
	if (console_find(cr, console_public_pages, path, &known) == 0)
		return;
	if (cr->mfa_pending)
		console_auth_totp_form(cr, 200, NULL);
	else if (cr->r->method == EVHTTP_REQ_POST)
		console_fail_page(cr, 403, "Sign in to the console first.");
	else if (strcmp(path, "/") == 0)
		console_auth_form(cr, 200, NULL);
	else
		console_redirect(cr, "/");
}

static void
console_dispatch(struct console_req *cr, const char *path)
{
	size_t	i;
	int	known = 0;

	if (console_user(cr) == NULL) {
		console_dispatch_public(cr, path);
		return;
	}
	if (!console_csrf_ok(cr)) {
		console_fail_page(cr, 403, "The form has expired. Go back, "
		    "reload the page and try again.");
		return;
	}
	for (i = 0; i < nitems(console_tables); i++)
		if (console_find(cr, console_tables[i], path, &known) == 0)
			return;
	if (known) {
		req_add_header(cr->r, "Allow", "GET, POST");
		console_fail_page(cr, 405, "This page does not take that "
		    "method.");
	} else
		console_fail_page(cr, 404, "There is no such page in the "
		    "console.");
}

static void
console_session_done(struct pg_reply *reply, void *arg)
{
	struct console_req	*cr = arg;
	const PGresult		*res;

	if (req_release(cr->r) != 0)
		return;
	if (!reply->ok) {
		log_error("%s: console session: %s", cr->r->id, reply->error);
		console_fail_page(cr, 503, "The database is not available. "
		    "Try again later.");
		return;
	}
	res = reply->res[0];
	if (pg_rows(res) == 1) {
		cr->user = xstrdup(pg_val(res, 0, 0));
		cr->mfa_pending = strcmp(pg_val(res, 0, 1), "t") == 0;
	} else {
		free(cr->digest);
		cr->digest = NULL;
		free(cr->csrf);
		cr->csrf = NULL;
		console_session_forget(cr);
		console_pre_csrf(cr);
	}
	console_dispatch(cr, cr->r->path + strlen(CONSOLE_BASE));
}

/* Look the session of the cookie up, then dispatch. */
static void
console_session(struct console_req *cr)
{
	char		*secret;
	struct pg_batch	*b;

	secret = domain_cookie_find(req_header(cr->r, "Cookie"),
	    CONSOLE_COOKIE);
	if (secret == NULL || *secret == '\0') {
		free(secret);
		console_pre_csrf(cr);
		console_dispatch(cr, cr->r->path + strlen(CONSOLE_BASE));
		return;
	}
	cr->digest = xmalloc(CODES_DIGEST_HEX);
	codes_digest_hex("console-session", secret, cr->digest);
	cr->csrf = console_csrf_of(secret);
	wipe_free(secret);
	b = pg_batch_new();
	db_console_session_touch(b, cr->digest, CONSOLE_IDLE);
	req_hold(cr->r);
	pg_submit(b, console_session_done, cr);
}

static void
console_static_css(struct req *r)
{
	req_add_header(r, "Cache-Control", "no-cache");
	req_add_header(r, "X-Content-Type-Options", "nosniff");
	req_reply(r, 200, "text/css; charset=utf-8", console_css,
	    console_css_len);
}

void
console_handle(struct req *r)
{
	struct console_req	*cr;
	const char		*path = r->path + strlen(CONSOLE_BASE);

	if (strcmp(conf->console, "on") != 0) {
		req_reply_text(r, 404, "Not Found\n");
		return;
	}
	if (*path == '\0') {
		req_add_header(r, "Location", CONSOLE_BASE "/");
		req_reply_text(r, 301, "Moved Permanently\n");
		return;
	}
	if (strcmp(path, CONSOLE_CSS) == 0 && r->method != EVHTTP_REQ_POST) {
		console_static_css(r);
		return;
	}
	cr = xcalloc(1, sizeof *cr);
	cr->r = r;
	req_set_ctx(r, cr, console_req_free);
	if (console_fields(cr) != 0) {
		console_fail_page(cr, 400, "The form could not be read.");
		return;
	}
	console_session(cr);
}

/* --- Operations ----------------------------------------------------------- */

static int
console_mutating(const char *op)
{
	size_t	i;

	for (i = 0; i < nitems(console_reads); i++)
		if (strncmp(op, console_reads[i], strlen(console_reads[i])) == 0)
			return 0;
	return 1;
}

/* What an input names, for the audit log: "UserPoolId=... ...". */
static char *
console_target_of(json_t *in)
{
	const char	*v;
	char		*s = xstrdup(""), *t;
	size_t		 i;

	for (i = 0; i < nitems(console_targets); i++) {
		if ((v = json_string_value(json_object_get(in,
		    console_targets[i]))) == NULL)
			continue;
		t = xasprintf("%s%s%s=%s", s, *s != '\0' ? " " : "",
		    console_targets[i], v);
		free(s);
		s = t;
	}
	return s;
}

/* The operation's end: the console_req is the request's state again. */
static struct console_req *
console_op_back(struct req *r, void *arg, const char *outcome)
{
	struct console_req	*cr = arg;

	req_set_ctx(r, cr, console_req_free);
	if (console_mutating(cr->op))
		console_audit(cr, cr->op, cr->target, outcome);
	return cr;
}

static void
console_sink_ok(struct req *r, void *arg, json_t *out)
{
	struct console_req	*cr = console_op_back(r, arg, "ok");

	cr->ok(cr, out);
}

static void
console_sink_fail(struct req *r, void *arg, const char *type,
    const char *msg)
{
	struct console_req	*cr = console_op_back(r, arg, type);

	log_info("%s: console %s: %s", r->id, cr->op, type);
	if (cr->fail != NULL)
		cr->fail(cr, msg);
	else
		console_fail_page(cr, 400, msg);
}

static const struct api_sink	console_sink = {
	console_sink_ok, console_sink_fail, console_req_free,
};

void
console_op(struct console_req *cr, const char *name, json_t *in,
    console_ok_fn ok, console_fail_fn fail)
{
	if (in == NULL)
		in = json_object();
	free(cr->op);
	cr->op = xstrdup(name);
	free(cr->target);
	cr->target = console_target_of(in);
	cr->ok = ok;
	cr->fail = fail;
	req_set_ctx(cr->r, NULL, NULL);
	api_op_run(cr->r, name, in, &console_sink, cr);
}
