/*
 * router.c: the first stop of every request. It applies the limits that
 * need the whole header block, decides whether the request is for the
 * API host or a pool domain (by Host <prefix>.<auth_domain>, or by the
 * first path segment, which is a domain prefix when it has no '_' and a
 * pool id when it has one), and picks the handler from a table. It
 * refuses a body framed both by Content-Length and Transfer-Encoding
 * (400, closed); a pool domain's own limits (a body over max_form_bytes,
 * the per-address allowance) are domain.c's, which answers them as pages.
 * The admin console is /console on the API host, or, with console_listen,
 * only on that listener, which serves nothing else.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api/api.h"
#include "conf.h"
#include "db/pg.h"
#include "http/cors.h"
#include "http/domain.h"
#include "http/request.h"
#include "http/router.h"
#include "log.h"
#include "oauth/discovery.h"
#include "ui/branding.h"
#include "ui/console.h"
#include "util.h"

typedef void	(*route_fn)(struct req *, const char *);

/*
 * A route: method mask, a path with at most one '*' segment or ending
 * in "**" (any rest, the console's pages), handler.
 */
struct route {
	int		 methods;
	const char	*path;
	route_fn	 fn;
};

static void	route_api(struct req *, const char *);
static void	route_options(struct req *, const char *);
static void	route_health(struct req *, const char *);
static void	route_domain(struct req *, const char *);
static void	route_console(struct req *, const char *);

static const struct route api_routes[] = {
	{ EVHTTP_REQ_POST, "/", route_api },
	{ EVHTTP_REQ_OPTIONS, "/", route_options },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/health", route_health },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/*/.well-known/jwks.json",
	  discovery_jwks },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD,
	  "/*/.well-known/openid-configuration", discovery_openid },
	{ EVHTTP_REQ_OPTIONS, "/*/.well-known/jwks.json", route_options },
	{ EVHTTP_REQ_OPTIONS, "/*/.well-known/openid-configuration",
	  route_options },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST, "/console",
	  route_console },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST, "/console/**",
	  route_console },
};

/* The console listener's routes (console_listen). */
static const struct route console_routes[] = {
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST, "/console",
	  route_console },
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST, "/console/**",
	  route_console },
};

/* Match path against pattern; *star gets the '*' segment (malloc'd). */
static int
route_match(const char *pattern, const char *path, char **star)
{
	const char	*s = strchr(pattern, '*'), *end;
	size_t		 pre;

	if (s != NULL && strcmp(s, "**") == 0)
		return strncmp(pattern, path, s - pattern) == 0;
	if (s == NULL)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(s - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return 0;
	end = strchr(path + pre, '/');
	if (end == NULL || end == path + pre || strcmp(end, s + 1) != 0)
		return 0;
	*star = xstrndup(path + pre, end - (path + pre));
	return 1;
}

static void
route_table(struct req *r, const struct route *routes, size_t n)
{
	char	*star;
	size_t	 i;
	int	 path_known = 0;

	for (i = 0; i < n; i++) {
		star = NULL;
		if (!route_match(routes[i].path, r->path, &star))
			continue;
		path_known = 1;
		if ((routes[i].methods & r->method) == 0) {
			free(star);
			continue;
		}
		routes[i].fn(r, star);
		free(star);
		return;
	}
	if (path_known) {
		req_add_header(r, "Allow", "GET, POST, OPTIONS");
		req_reply_text(r, 405, "Method Not Allowed\n");
	} else
		req_reply_text(r, 404, "Not Found\n");
}

static void
route_api(struct req *r, const char *unused)
{
	cors_add(r);
	api_handle(r);
}

static void
route_options(struct req *r, const char *unused)
{
	cors_preflight(r);
}

static void
route_health_done(struct pg_reply *reply, void *arg)
{
	struct req	*r = arg;

	if (req_release(r) != 0)
		return;
	if (reply->ok)
		req_reply_text(r, 200, "ok\n");
	else
		req_reply_text(r, 503, "database unavailable\n");
}

static void
route_health(struct req *r, const char *unused)
{
	req_hold(r);
	pg_query(route_health_done, r, "SELECT 1", 0);
}

/*
 * The admin console (ui/console.c), under /console; only on the console
 * listener when there is one (console_listen).
 */
static void
route_console(struct req *r, const char *unused)
{
	if (*conf->console_listen != '\0' && !r->console_listener)
		req_reply_text(r, 404, "Not Found\n");
	else
		console_handle(r);
}

/* The hosted UI and OAuth2 endpoints of a pool domain. */
static void
route_domain(struct req *r, const char *unused)
{
	domain_route(r);
}

/*
 * A body framed two ways (Content-Length and Transfer-Encoding), or by
 * a coding evhttp does not decode, is how requests are smuggled past a
 * proxy that reads the other framing: refuse it, and close.
 */
static int
route_framing_bad(struct req *r)
{
	const char	*te = req_header(r, "Transfer-Encoding");

	if (te == NULL)
		return 0;
	return req_header(r, "Content-Length") != NULL ||
	    strcasecmp(te, "chunked") != 0;
}

/* Sum of header name and value bytes, for the 431 limit. */
static size_t
route_header_bytes(struct req *r)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(r->ev);
	struct evkeyval		*kv;
	size_t			 n = 0;

	TAILQ_FOREACH(kv, h, next)
		n += strlen(kv->key) + strlen(kv->value) + 4;
	return n;
}

/* A pool-domain prefix by CreateUserPoolDomain's rule (no '_'). */
static int
route_is_prefix(const char *s, size_t len)
{
	return domain_prefix_check(s, len, NULL) == DOMAIN_PREFIX_OK;
}

/* <prefix>.<auth_domain> in the Host header? */
static int
route_host_domain(const char *host, const char *path, const char *auth,
    char **prefix, char **rest)
{
	size_t	hl = strlen(host), dl = strlen(auth);

	if (dl == 0 || hl <= dl + 1 || host[hl - dl - 1] != '.' ||
	    strcmp(host + hl - dl, auth) != 0 ||
	    !route_is_prefix(host, hl - dl - 1))
		return 0;
	*prefix = xstrndup(host, hl - dl - 1);
	*rest = xstrdup(path);
	return 1;
}

/* /<prefix>/... on the API host (reserved names are no prefixes). */
static int
route_path_domain(const char *path, char **prefix, char **rest)
{
	const char	*seg, *end;
	size_t		 len;

	if (path[0] != '/')
		return 0;
	seg = path + 1;
	end = strchr(seg, '/');
	len = end != NULL ? (size_t)(end - seg) : strlen(seg);
	if (!route_is_prefix(seg, len))
		return 0;
	*prefix = xstrndup(seg, len);
	*rest = xstrdup(end != NULL ? end : "/");
	return 1;
}

/* Does the path name one of the API host's routes? */
static int
route_known(const char *path)
{
	char	*star;
	size_t	 i;

	for (i = 0; i < nitems(api_routes); i++) {
		star = NULL;
		if (route_match(api_routes[i].path, path, &star)) {
			free(star);
			return 1;
		}
	}
	return 0;
}

/*
 * A pool's custom domain? A Host that is a DNS name (a dot, not an
 * address) other than public_url's, for a path that is none of the API
 * host's: the domains table says whose it is when the page is asked for.
 */
static int
route_custom_domain(const char *host, const char *path,
    const char *public_url)
{
	const char	*pub = strstr(public_url, "://");
	size_t		 n;

	if (strchr(host, '.') == NULL || strchr(host, ':') != NULL ||
	    strspn(host, "0123456789.") == strlen(host) || route_known(path))
		return 0;
	pub = pub != NULL ? pub + 3 : public_url;
	n = strcspn(pub, ":/");
	return strlen(host) != n || strncasecmp(host, pub, n) != 0;
}

/*
 * Is this request for a pool domain? Then *prefix is the domain prefix
 * and *rest the path below the domain (both malloc'd).
 */
int
router_pool_domain(const char *host, const char *path, const char *auth,
    const char *public_url, char **prefix, char **rest)
{
	if (route_host_domain(host, path, auth, prefix, rest))
		return 1;
	if (route_custom_domain(host, path, public_url)) {
		*prefix = xstrdup(host);
		*rest = xstrdup(path);
		return 1;
	}
	return route_path_domain(path, prefix, rest);
}

/* The limits of the whole header block: 0, or -1 once answered. */
static int
route_limits(struct req *r)
{
	if (route_framing_bad(r)) {
		req_add_header(r, "Connection", "close");
		req_reply_text(r, 400, "Bad Request: Transfer-Encoding with "
		    "Content-Length, or other than chunked\n");
		return -1;
	}
	if (route_header_bytes(r) > (size_t)conf->max_header_bytes) {
		req_reply_text(r, 431, "Request Header Fields Too Large\n");
		return -1;
	}
	return 0;
}

void
router_handle_console(struct evhttp_request *ev, void *arg)
{
	struct req	*r = req_new(ev);

	if (route_limits(r) != 0)
		return;
	r->host_kind = HOST_API;
	r->console_listener = 1;
	if (strcmp(r->path, "/console") == 0 ||
	    strncmp(r->path, "/console/", 9) == 0)
		route_table(r, console_routes, nitems(console_routes));
	else
		req_reply_text(r, 404, "Not Found\n");
}

void
router_handle(struct evhttp_request *ev, void *arg)
{
	struct req	*r = req_new(ev);

	if (route_limits(r) != 0)
		return;
	if (router_pool_domain(r->host, r->path, conf->auth_domain,
	    conf->public_url, &r->domain_prefix, &r->domain_path)) {
		r->host_kind = HOST_POOL_DOMAIN;
		route_domain(r, NULL);
		return;
	}
	r->host_kind = HOST_API;
	if ((r->method & (EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)) != 0 &&
	    branding_api_logo(r))
		return;
	route_table(r, api_routes, nitems(api_routes));
}
