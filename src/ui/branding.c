/*
 * branding.c: a pool's (or one app client's) hosted-UI customization,
 * served for the pages: the CSS at <base>/ui/custom.css?client_id=C and
 * the logo at <base>/ui/logo?client_id=C on the pool's domain, and the
 * logo at the ImageUrl GetUICustomization reports on the API host
 * (<public_url>/<pool>/ui/<client or ALL>/logo). A client's own
 * customization wins over the pool's. The CSS was checked against
 * Cognito's allowed classes when it was set and the logo is a PNG or
 * JPEG by its magic bytes (ui_ops.c), and both are served with nosniff
 * as what they are, so neither can become script. The statements are
 * db/ui.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/pg.h"
#include "db/ui.h"
#include "http/request.h"
#include "http/domain.h"
#include "ui/branding.h"
#include "util.h"

struct branding_wait {
	struct req	*r;
	int		 logo;
};

/* Add the statement reading the customization of (domain or pool, client). */
typedef void	(*branding_sql_fn)(struct pg_batch *, const char *,
		    const char *);

static void
branding_reply(struct req *r, int logo, const PGresult *res)
{
	const unsigned char	*img;
	size_t			 len;

	req_add_header(r, "Cache-Control", "public, max-age=300");
	req_add_header(r, "X-Content-Type-Options", "nosniff");
	if (!logo) {
		len = pg_rows(res) == 1 && pg_val(res, 0, DB_UI_SERVE_CSS) !=
		    NULL ? strlen(pg_val(res, 0, DB_UI_SERVE_CSS)) : 0;
		req_reply(r, 200, "text/css; charset=utf-8", len > 0 ?
		    pg_val(res, 0, DB_UI_SERVE_CSS) : "", len);
		return;
	}
	if (pg_rows(res) != 1 || pg_val(res, 0, DB_UI_SERVE_IMAGE) == NULL) {
		req_reply_text(r, 404, "No logo.\n");
		return;
	}
	img = PQunescapeBytea((const unsigned char *)pg_val(res, 0,
	    DB_UI_SERVE_IMAGE), &len);
	if (img == NULL) {
		req_reply_text(r, 503, "The logo could not be read.\n");
		return;
	}
	req_reply(r, 200, len > 2 && img[0] == 0xff && img[1] == 0xd8 ?
	    "image/jpeg" : "image/png", img, len);
	PQfreemem((void *)img);
}

static void
branding_loaded(struct pg_reply *reply, void *arg)
{
	struct branding_wait	*w = arg;
	struct req		*r = w->r;
	int			 logo = w->logo;

	free(w);
	if (req_release(r) != 0)
		return;
	if (!reply->ok)
		req_reply_text(r, 503, "database unavailable\n");
	else
		branding_reply(r, logo, reply->res[0]);
}

static void
branding_load(struct req *r, int logo, branding_sql_fn sql, const char *key,
    const char *client)
{
	struct branding_wait	*w = xcalloc(1, sizeof *w);
	struct pg_batch		*b = pg_batch_new();

	w->r = r;
	w->logo = logo;
	req_hold(r);
	sql(b, key, client != NULL ? client : "");
	pg_submit(b, branding_loaded, w);
}

static void
branding_domain(struct domain_req *o, int logo)
{
	branding_load(o->r, logo, db_ui_of_domain, o->r->domain_prefix,
	    domain_param(o, "client_id"));
}

void
branding_css(struct domain_req *o)
{
	branding_domain(o, 0);
}

void
branding_logo(struct domain_req *o)
{
	branding_domain(o, 1);
}

int
branding_api_logo(struct req *r)
{
	char	 pool[64], client[140];
	int	 n = 0;

	if (sscanf(r->path, "/%63[A-Za-z0-9_-]/ui/%139[A-Za-z0-9]/logo%n",
	    pool, client, &n) != 2 || r->path[n] != '\0')
		return 0;
	branding_load(r, 1, db_ui_of_pool, pool, strcmp(client, "ALL") == 0 ?
	    "" : client);
	return 1;
}
