/*
 * render.c: the hosted UI's pages as HTTP answers, for the sign-in pages
 * (ui/) and the OAuth2 endpoints (oauth/) alike: the templates of
 * templates/ (loaded once at start), rendered with a context that always
 * has base (the domain's path: links are relative to it), the pool's and
 * client's names and logo once the client is known, and the CSRF token;
 * sent with headers that keep the page out of caches and frames. An
 * error is the "error" page with a message a person understands.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http/domain.h"
#include "http/request.h"
#include "log.h"
#include "ui/render.h"
#include "ui/template.h"
#include "util.h"

#define RENDER_CSP							\
	"default-src 'self'; style-src 'self' 'unsafe-inline'; "	\
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"

static struct tmpl_set	*render_set;

int
render_init(const char *dir, char **cause)
{
	render_set = tmpl_set_load_dir(dir, cause);
	return render_set != NULL ? 0 : -1;
}

void
render_free(void)
{
	tmpl_set_free(render_set);
	render_set = NULL;
}

void
render_page(struct domain_req *o, int status, const char *name, json_t *ctx)
{
	const struct tmpl	*t;
	char			*html, *cause = NULL;
	size_t			 len;

	json_object_set_new(ctx, "base", json_string(domain_base(o)));
	if (json_object_get(ctx, "title") == NULL)
		json_object_set_new(ctx, "title", json_string(strcmp(name,
		    "error") == 0 ? "Error" : "Sign in"));
	if (o->client != NULL) {
		json_object_set(ctx, "pool_name",
		    json_object_get(o->client, "PoolName"));
		json_object_set(ctx, "client_name",
		    json_object_get(o->client, "ClientName"));
		json_object_set(ctx, "has_logo",
		    json_object_get(o->client, "HasLogo"));
	}
	if (o->csrf != NULL)
		json_object_set_new(ctx, "csrf", json_string(o->csrf));
	if (domain_param(o, "client_id") != NULL)
		json_object_set_new(ctx, "client_id",
		    json_string(domain_param(o, "client_id")));
	if (render_set == NULL || (t = tmpl_set_get(render_set, name)) == NULL ||
	    (html = tmpl_render(render_set, t, ctx, &len, &cause)) == NULL) {
		log_error("%s: page %s: %s", o->r->id, name,
		    cause != NULL ? cause : "no such template");
		free(cause);
		json_decref(ctx);
		req_reply_text(o->r, 500, "The page could not be shown.\n");
		return;
	}
	json_decref(ctx);
	req_add_header(o->r, "Cache-Control", "no-store");
	req_add_header(o->r, "Content-Security-Policy", RENDER_CSP);
	req_add_header(o->r, "X-Frame-Options", "DENY");
	req_add_header(o->r, "X-Content-Type-Options", "nosniff");
	req_add_header(o->r, "Referrer-Policy", "no-referrer");
	req_reply(o->r, status, "text/html; charset=utf-8", html, len);
	free(html);
}

void
render_error(struct domain_req *o, int status, const char *message)
{
	render_page(o, status, "error", json_pack("{s:s}", "message",
	    message));
}
