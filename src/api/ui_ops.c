/*
 * ui_ops.c: the classic hosted UI's customization (SetUICustomization,
 * GetUICustomization): a CSS text and a logo, for the whole pool (the
 * row with client_id '', reported as ClientId "ALL") or for one app
 * client, which then wins over the pool's.
 *
 * Set replaces both parts: what the request leaves out is removed. The
 * CSS must pass core/css.c's check of Cognito's classes and properties.
 * The logo is served later at ImageUrl by the hosted UI; only PNG and JPEG
 * of at most 100 KB are kept, recognised by their magic bytes, so the
 * bytes we serve as an image are an image.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "conf.h"
#include "core/css.h"
#include "crypto/b64.h"
#include "db/pg.h"
#include "util.h"

#define UI_CSS_MAX	131072
#define UI_IMAGE_MAX	(100 * 1024)
#define UI_ALL		"ALL"

/* --- Input shapes (from the service model) --- */

static const struct shape s_css = { .kind = SHAPE_STRING };
static const struct shape s_image = { .kind = SHAPE_BLOB, .max = UI_IMAGE_MAX,
	.has_max = 1 };

static const struct shape_member s_set_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ClientId", &ops_shape_client_id, 0 },
	{ "CSS", &s_css, 0 },
	{ "ImageFile", &s_image, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_set = { .kind = SHAPE_STRUCT,
	.members = s_set_members };

static const struct shape_member s_get_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ClientId", &ops_shape_client_id, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_get = { .kind = SHAPE_STRUCT,
	.members = s_get_members };

/* --- Helpers --- */

/* The stored client_id: '' for the pool-wide customization. */
static const char *
ui_client_key(struct api_call *call)
{
	const char	*id = api_str(call->in, "ClientId");

	return id == NULL || strcmp(id, UI_ALL) == 0 ? "" : id;
}

/*
 * The CSS is served to the hosted pages as their stylesheet: it must
 * pass core/css.c's check (Cognito's *-customizable classes and their
 * properties only; no '<', at-rule, url(), other function, string or
 * escape), so it can neither leave CSS nor fetch anything.
 */
static int
ui_css_check(struct api_call *call, const char *css)
{
	char	why[CSS_WHY_MAX];

	if (strlen(css) > UI_CSS_MAX)
		snprintf(why, sizeof why, "CSS must be at most 131072 bytes.");
	else if (css_check(css, strlen(css), why) == 0)
		return 0;
	api_fail(call, "InvalidParameterException", "%s", why);
	return -1;
}

static const struct {
	const unsigned char	*magic;
	size_t			 len;
} ui_image_types[] = {
	{ (const unsigned char *)"\x89PNG\r\n\x1a\n", 8 },
	{ (const unsigned char *)"\xff\xd8\xff", 3 },
};

/*
 * The image as canonical base64 for the database, or NULL after
 * answering InvalidParameterException.
 */
static char *
ui_image_param(struct api_call *call, const char *b64)
{
	unsigned char	*buf;
	size_t		 len, i;
	char		*out = NULL;

	if (b64_decode(b64, &buf, &len) != 0) {
		api_fail(call, "InvalidParameterException",
		    "ImageFile is not valid base64.");
		return NULL;
	}
	for (i = 0; i < nitems(ui_image_types); i++)
		if (len >= ui_image_types[i].len && memcmp(buf,
		    ui_image_types[i].magic, ui_image_types[i].len) == 0)
			out = b64_encode(buf, len);
	free(buf);
	if (out == NULL)
		api_fail(call, "InvalidParameterException",
		    "ImageFile must be a PNG or JPEG image.");
	return out;
}

/*
 * UICustomizationType from the columns (client_id, css, has image,
 * created, modified, css version) starting at column c of row 0.
 */
static json_t *
ui_output(struct api_call *call, const PGresult *r, int c)
{
	const char	*pool = api_str(call->in, "UserPoolId");
	const char	*client = pg_val(r, 0, c);
	const char	*css = pg_val(r, 0, c + 1);
	json_t		*u;
	char		*url;

	if (client == NULL)
		client = *ui_client_key(call) != '\0' ? ui_client_key(call) :
		    UI_ALL;
	else if (*client == '\0')
		client = UI_ALL;
	u = json_pack("{s:s, s:s}", "UserPoolId", pool, "ClientId", client);
	if (pg_val(r, 0, c) == NULL)
		return json_pack("{s:o}", "UICustomization", u);
	if (ops_true(r, 0, c + 2)) {
		url = xasprintf("%s/%s/ui/%s/logo", conf->public_url, pool,
		    client);
		json_object_set_new(u, "ImageUrl", json_string(url));
		free(url);
	}
	if (css != NULL)
		json_object_set_new(u, "CSS", json_string(css));
	json_object_set_new(u, "CSSVersion", json_string(pg_val(r, 0, c + 5)));
	json_object_set_new(u, "LastModifiedDate", api_time(pg_val(r, 0,
	    c + 4)));
	json_object_set_new(u, "CreationDate", api_time(pg_val(r, 0, c + 3)));
	return json_pack("{s:o}", "UICustomization", u);
}

static int
ui_answer_missing(struct api_call *call, const PGresult *r)
{
	if (pg_rows(r) == 0) {
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
		return 1;
	}
	if (!ops_true(r, 0, 0)) {
		ops_fail_no_client(call, api_str(call->in, "ClientId"));
		return 1;
	}
	return 0;
}

/* --- SetUICustomization --- */

static void
ui_set_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (!ui_answer_missing(call, reply->res[0]))
		api_ok(call, ui_output(call, reply->res[0], 1));
}

static void
ui_set(struct api_call *call)
{
	struct pg_batch	*batch;
	const char	*css = api_str(call->in, "CSS");
	const char	*image = api_str(call->in, "ImageFile");
	char		*img = NULL;

	if (css != NULL && ui_css_check(call, css) != 0)
		return;
	if (image != NULL && (img = ui_image_param(call, image)) == NULL)
		return;
	batch = pg_batch_new();
	pg_batch_add(batch, "WITH chk AS (SELECT p.id AS pool_id, "
	    "  ($2::text = '' OR EXISTS (SELECT 1 FROM clients c "
	    "    WHERE c.pool_id = p.id AND c.id = $2::text)) AS client_ok "
	    "  FROM pools p WHERE p.id = $1::text), "
	    "up AS (INSERT INTO ui_customizations (pool_id, client_id, css, "
	    "    image) "
	    "  SELECT pool_id, $2::text, $3::text, decode($4::text, 'base64') "
	    "  FROM chk WHERE client_ok "
	    "  ON CONFLICT (pool_id, client_id) DO UPDATE SET "
	    "    css = EXCLUDED.css, image = EXCLUDED.image, "
	    "    modified_at = extract(epoch FROM clock_timestamp()) "
	    "  RETURNING client_id, css, image IS NOT NULL AS has_image, "
	    "    created_at, modified_at, "
	    "    ((modified_at * 1000)::bigint)::text AS version) "
	    "SELECT chk.client_ok, up.* FROM chk LEFT JOIN up ON true", 4,
	    api_str(call->in, "UserPoolId"), ui_client_key(call), css, img);
	free(img);
	api_query(call, batch, ui_set_done);
}

/* --- GetUICustomization --- */

static void
ui_get_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (!ui_answer_missing(call, reply->res[0]))
		api_ok(call, ui_output(call, reply->res[0], 1));
}

/* The client's own customization if it has one, else the pool's. */
static void
ui_get(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	pg_batch_add(batch, "SELECT ($2::text = '' OR EXISTS (SELECT 1 "
	    "  FROM clients c WHERE c.pool_id = p.id AND c.id = $2::text)), "
	    "  u.client_id, u.css, u.image IS NOT NULL, u.created_at, "
	    "  u.modified_at, ((u.modified_at * 1000)::bigint)::text "
	    "FROM pools p LEFT JOIN LATERAL (SELECT * FROM ui_customizations "
	    "  WHERE pool_id = p.id AND client_id IN ($2::text, '') "
	    "  ORDER BY client_id DESC LIMIT 1) AS u ON true "
	    "WHERE p.id = $1::text", 2, api_str(call->in, "UserPoolId"),
	    ui_client_key(call));
	api_query(call, batch, ui_get_done);
}

const struct api_op ui_ops[] = {
	{ "SetUICustomization", ui_set, API_SIGNED, &s_set },
	{ "GetUICustomization", ui_get, API_SIGNED, &s_get },
	{ NULL, NULL, 0, NULL }
};
