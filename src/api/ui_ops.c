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
 * bytes we serve as an image are an image. The statements are
 * db/ui.c's.
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
#include "db/ui.h"
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
 * UICustomizationType from the customization's columns (db/ui.h)
 * starting at column c of row 0.
 */
static json_t *
ui_output(struct api_call *call, const PGresult *r, int c)
{
	const char	*pool = api_str(call->in, "UserPoolId");
	const char	*client = pg_val(r, 0, c + DB_UI_CLIENT);
	const char	*css = pg_val(r, 0, c + DB_UI_CSS);
	json_t		*u;
	char		*url;

	if (client == NULL)
		client = *ui_client_key(call) != '\0' ? ui_client_key(call) :
		    UI_ALL;
	else if (*client == '\0')
		client = UI_ALL;
	u = json_pack("{s:s, s:s}", "UserPoolId", pool, "ClientId", client);
	if (pg_val(r, 0, c + DB_UI_CLIENT) == NULL)
		return json_pack("{s:o}", "UICustomization", u);
	if (ops_true(r, 0, c + DB_UI_HAS_IMAGE)) {
		url = xasprintf("%s/%s/ui/%s/logo", conf->public_url, pool,
		    client);
		json_object_set_new(u, "ImageUrl", json_string(url));
		free(url);
	}
	if (css != NULL)
		json_object_set_new(u, "CSS", json_string(css));
	json_object_set_new(u, "CSSVersion", json_string(pg_val(r, 0,
	    c + DB_UI_VERSION)));
	json_object_set_new(u, "LastModifiedDate", api_time(pg_val(r, 0,
	    c + DB_UI_MODIFIED)));
	json_object_set_new(u, "CreationDate", api_time(pg_val(r, 0,
	    c + DB_UI_CREATED)));
	return json_pack("{s:o}", "UICustomization", u);
}

static int
ui_answer_missing(struct api_call *call, const PGresult *r)
{
	if (pg_rows(r) == 0) {
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
		return 1;
	}
	if (!ops_true(r, 0, DB_UI_CLIENT_OK)) {
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
		api_ok(call, ui_output(call, reply->res[0], DB_UI_CUSTOM));
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
	db_ui_set(batch, api_str(call->in, "UserPoolId"), ui_client_key(call),
	    css, img);
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
		api_ok(call, ui_output(call, reply->res[0], DB_UI_CUSTOM));
}

/* The client's own customization if it has one, else the pool's. */
static void
ui_get(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_ui_get(batch, api_str(call->in, "UserPoolId"), ui_client_key(call));
	api_query(call, batch, ui_get_done);
}

const struct api_op ui_ops[] = {
	{ "SetUICustomization", ui_set, API_SIGNED, &s_set },
	{ "GetUICustomization", ui_get, API_SIGNED, &s_get },
	{ NULL, NULL, 0, NULL }
};
