/*
 * device_ops.c: the devices a user's apps remember. ConfirmDevice,
 * GetDevice, ListDevices, ForgetDevice and UpdateDeviceStatus act for
 * the user an access token names; AdminGetDevice, AdminListDevices,
 * AdminForgetDevice and AdminUpdateDeviceStatus (SigV4) for the user a
 * Username (or sign-in alias) names.
 *
 * A device row (table devices) is made, unconfirmed, when a sign-in
 * hands out NewDeviceMetadata; ConfirmDevice stores the client's device
 * SRP verifier and salt (as lowercase hex of the bytes it sent in
 * base64, the form the device SRP reads; the verifier sealed under the
 * master key like users' verifiers) and marks it confirmed, once.
 * Until then the device is tracked by no one: only confirmed devices are
 * listed, read or have their status changed, while ForgetDevice drops
 * either kind. Every statement names the device by pool, owner and key
 * together, so a device of another user or pool is "not found", just as
 * one that never existed: its existence is not revealed. The message
 * mentions the device, which is how Cognito's clients tell a forgotten
 * device (retry the sign-in without it) from other missing resources.
 *
 * Lists page by keyset over (created_at, device_key), so a page never
 * repeats or skips a device when others are confirmed or forgotten
 * meanwhile; created_at travels in the token as PostgreSQL prints a
 * double precision, which reads back as the same value.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/tokens.h"
#include "crypto/b64.h"
#include "crypto/password.h"
#include "db/devices.h"
#include "db/pg.h"
#include "db/refresh_tokens.h"
#include "db/users.h"
#include "util.h"

#define DEV_PAGE_MAX		60
/* The most bytes a device verifier or salt may have. */
#define DEV_SECRET_MAX		512

#define DEV_MSG_MISSING		"Device does not exist."
#define DEV_MSG_EXISTS		"Device key already exists."

/* --- Input shapes (from the service model) --- */

static int dev_check_key(const char *);
static int dev_check_token(const char *);

static const char *const dev_statuses[] = {
	"remembered", "not_remembered", NULL
};

static const struct shape s_token = { .kind = SHAPE_STRING,
	.check = dev_check_token, .pattern = "[A-Za-z0-9-_=.]+",
	.sensitive = 1 };
static const struct shape s_key = { .kind = SHAPE_STRING, .min = 1,
	.max = 55, .has_min = 1, .has_max = 1, .check = dev_check_key,
	.pattern = "[\\w-]+_[0-9a-f-]+" };
static const struct shape s_name = SHAPE_STR(1, 1024);
static const struct shape s_string = { .kind = SHAPE_STRING };
static const struct shape s_secret = { .kind = SHAPE_STRING,
	.sensitive = 1 };
static const struct shape s_status = { .kind = SHAPE_STRING,
	.enums = dev_statuses };
static const struct shape s_limit = { .kind = SHAPE_INT, .min = 0,
	.max = DEV_PAGE_MAX, .has_min = 1, .has_max = 1 };

static const struct shape_member s_verifier_members[] = {
	{ "PasswordVerifier", &s_secret, 0 },
	{ "Salt", &s_string, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_verifier = { .kind = SHAPE_STRUCT,
	.members = s_verifier_members };

/*
 * The model leaves AccessToken optional on GetDevice and ForgetDevice;
 * without one there is no user, so it is required everywhere here.
 */
static const struct shape_member s_confirm_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "DeviceKey", &s_key, 1 },
	{ "DeviceSecretVerifierConfig", &s_verifier, 0 },
	{ "DeviceName", &s_name, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_confirm = { .kind = SHAPE_STRUCT,
	.members = s_confirm_members };

static const struct shape_member s_ref_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "DeviceKey", &s_key, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_ref = { .kind = SHAPE_STRUCT,
	.members = s_ref_members };

static const struct shape_member s_list_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "Limit", &s_limit, 0 },
	{ "PaginationToken", &ops_shape_next_token, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_list = { .kind = SHAPE_STRUCT,
	.members = s_list_members };

static const struct shape_member s_status_members[] = {
	{ "AccessToken", &s_token, 1 },
	{ "DeviceKey", &s_key, 1 },
	{ "DeviceRememberedStatus", &s_status, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_update = { .kind = SHAPE_STRUCT,
	.members = s_status_members };

static const struct shape_member s_admin_ref_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "DeviceKey", &s_key, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_admin_ref = { .kind = SHAPE_STRUCT,
	.members = s_admin_ref_members };

static const struct shape_member s_admin_list_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "Limit", &s_limit, 0 },
	{ "PaginationToken", &ops_shape_next_token, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_admin_list = { .kind = SHAPE_STRUCT,
	.members = s_admin_list_members };

static const struct shape_member s_admin_update_members[] = {
	OPS_ADMIN_USER_MEMBERS,
	{ "DeviceKey", &s_key, 1 },
	{ "DeviceRememberedStatus", &s_status, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_admin_update = { .kind = SHAPE_STRUCT,
	.members = s_admin_update_members };

static int
dev_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * [\w-]+_[0-9a-f-]+ as a whole: the tail holds no '_', so the last '_'
 * is the separator.
 */
static int
dev_check_key(const char *s)
{
	const char	*sep = strrchr(s, '_'), *p;

	if (sep == NULL || sep == s || sep[1] == '\0')
		return -1;
	for (p = s; p < sep; p++)
		if (!dev_word(*p))
			return -1;
	for (p = sep + 1; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		    *p == '-'))
			return -1;
	return 0;
}

/* [A-Za-z0-9-_=.]+ */
static int
dev_check_token(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!dev_word(*s) && *s != '=' && *s != '.')
			return -1;
	return 0;
}

/* --- The user an operation acts for --- */

/*
 * The state of a call: whose devices (pool and sub, from the access
 * token or the Username), the step to run once that is known, and
 * ConfirmDevice's verifier and salt as hex.
 */
struct dev {
	char	*pool_id;
	char	*sub;
	int	 on_prompt;	/* DeviceOnlyRememberedOnUserPrompt */
	api_fn	 next;
	char	*verifier;
	char	*salt;
};

static void
dev_free(void *p)
{
	struct dev	*d = p;

	if (d == NULL)
		return;
	free(d->pool_id);
	free(d->sub);
	wipe_free(d->verifier);
	free(d->salt);
	free(d);
}

static struct dev *
dev_new(struct api_call *call, api_fn next)
{
	struct dev	*d = xcalloc(1, sizeof *d);

	d->next = next;
	api_set_data(call, d, dev_free);
	return d;
}

static int
dev_on_prompt(json_t *pool_config)
{
	return json_is_true(json_object_get(json_object_get(pool_config,
	    "DeviceConfiguration"), "DeviceOnlyRememberedOnUserPrompt"));
}

static void
dev_checked(struct task *task, struct tokens_access *a)
{
	struct api_call	*call = task->owner;
	struct dev	*d = call->data;

	d->pool_id = xstrdup(a->pool_id);
	d->sub = xstrdup(a->user.sub);
	d->on_prompt = dev_on_prompt(a->pool_config);
	d->next(call);
}

/* Check the access token, then run the call's next step for its user. */
static void
dev_authenticate(struct api_call *call)
{
	tokens_check_access(&call->task, api_str(call->in, "AccessToken"),
	    dev_checked);
}

static void
dev_public(struct api_call *call, api_fn next)
{
	dev_new(call, next);
	dev_authenticate(call);
}

static void
dev_user_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct dev	*d = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		ops_fail_no_user(call);
		return;
	}
	d->sub = xstrdup(pg_val(reply->res[0], 0, DB_USERS_SUB));
	d->next(call);
}

/* The pool's rules say what the Username means; find that user. */
static void
dev_pool_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct dev	*d = call->data;
	struct ops_pool	 p;
	struct pg_batch	*b;

	if (ops_pool_read(call, reply, &p) != 0)
		return;
	d->pool_id = xstrdup(api_str(call->in, "UserPoolId"));
	d->on_prompt = dev_on_prompt(p.config);
	b = pg_batch_new();
	db_users_sub_by_name(b, d->pool_id, p.key);
	ops_pool_clear(&p);
	api_query(call, b, dev_user_loaded);
}

/* Find the pool and the user Username names, then run next. */
static void
dev_admin(struct api_call *call, api_fn next)
{
	dev_new(call, next);
	ops_pool_query(call, dev_pool_loaded);
}

/* --- Answers --- */

static void
dev_fail_missing(struct api_call *call)
{
	api_fail(call, "ResourceNotFoundException", DEV_MSG_MISSING);
}

static void
dev_attr(json_t *list, const char *name, const char *value)
{
	if (value != NULL)
		json_array_append_new(list, json_pack("{s:s, s:s}", "Name",
		    name, "Value", value));
}

/* The DeviceType of a row of db/devices.h's DB_DEVICES_COL_* columns. */
static json_t *
dev_describe(const PGresult *r, int row)
{
	json_t	*attrs = json_array();

	dev_attr(attrs, "device_status", "valid");
	dev_attr(attrs, "device_name", pg_val(r, row, DB_DEVICES_COL_NAME));
	dev_attr(attrs, "last_ip_used", pg_val(r, row,
	    DB_DEVICES_COL_LAST_IP));
	dev_attr(attrs, "dev:device_remembered_status", ops_true(r, row,
	    DB_DEVICES_COL_REMEMBERED) ? "remembered" : "not_remembered");
	return json_pack("{s:s, s:o, s:o, s:o, s:o}",
	    "DeviceKey", pg_val(r, row, DB_DEVICES_COL_KEY),
	    "DeviceAttributes", attrs,
	    "DeviceCreateDate", api_time(pg_val(r, row,
	    DB_DEVICES_COL_CREATED)),
	    "DeviceLastModifiedDate", api_time(pg_val(r, row,
	    DB_DEVICES_COL_MODIFIED)),
	    "DeviceLastAuthenticatedDate", api_time(pg_val(r, row,
	    DB_DEVICES_COL_LAST_AUTH)));
}

/* Answer {} when the write touched the device, else "not found". */
static void
dev_written(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (pg_rows(reply->res[reply->nres - 1]) == 0)
		dev_fail_missing(call);
	else
		api_ok(call, NULL);
}

/* --- ConfirmDevice --- */

/*
 * A DeviceSecretVerifierConfig member: base64 of 1 to DEV_SECRET_MAX
 * bytes, not all zero (a zero verifier would make every device proof
 * succeed), into lowercase hex. -1 after answering.
 */
static int
dev_secret_param(struct api_call *call, const char *member, char **hex)
{
	json_t		*cfg = json_object_get(call->in,
			    "DeviceSecretVerifierConfig");
	const char	*v = api_str(cfg, member);
	unsigned char	*buf = NULL;
	size_t		 len = 0, i;
	int		 zero = 1;

	if (v != NULL && b64_decode(v, &buf, &len) == 0)
		for (i = 0; i < len; i++)
			zero &= buf[i] == 0;
	if (buf == NULL || len == 0 || len > DEV_SECRET_MAX || zero) {
		if (buf != NULL) {
			wipe(buf, len);
			free(buf);
		}
		api_fail(call, "InvalidParameterException", "Invalid "
		    "DeviceSecretVerifierConfig: %s must be the base64 of 1 "
		    "to %d bytes.", member, DEV_SECRET_MAX);
		return -1;
	}
	*hex = xmalloc(2 * len + 1);
	hex_encode(buf, len, *hex);
	wipe(buf, len);
	free(buf);
	return 0;
}

static void
dev_confirm_done(struct api_call *call, struct pg_reply *reply)
{
	struct dev	*d = call->data;
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (!ops_true(r, 0, DB_DEVICES_CONFIRM_EXISTS))
		dev_fail_missing(call);
	else if (ops_count(r, 0, DB_DEVICES_CONFIRM_UPDATED) == 0)
		api_fail(call, "DeviceKeyExistsException", DEV_MSG_EXISTS);
	else
		api_ok(call, json_pack("{s:b}", "UserConfirmationNecessary",
		    d->on_prompt));
}

/*
 * Confirm the token's own unconfirmed device (db_devices_confirm tells
 * a device that is not there, or not the user's, from one confirmed
 * already).
 */
static void
dev_confirm_checked(struct api_call *call)
{
	struct dev	*d = call->data;
	struct pg_batch	*b = pg_batch_new();
	const char	*ip = req_client_addr(call->req);
	char		*sealed = password_verifier_seal(d->verifier);

	if (ip != NULL && (strcmp(ip, "-") == 0 ||
	    strcmp(ip, "internal") == 0))
		ip = NULL;
	db_devices_confirm(b, &(struct db_devices_confirm){
	    .pool_id = d->pool_id, .sub = d->sub,
	    .key = api_str(call->in, "DeviceKey"), .verifier = sealed,
	    .salt = d->salt, .name = api_str(call->in, "DeviceName"),
	    .remembered = d->on_prompt ? "false" : "true", .ip = ip });
	free(sealed);
	api_query(call, b, dev_confirm_done);
}

static void
dev_confirm(struct api_call *call)
{
	struct dev	*d = dev_new(call, dev_confirm_checked);

	if (dev_secret_param(call, "PasswordVerifier", &d->verifier) != 0 ||
	    dev_secret_param(call, "Salt", &d->salt) != 0)
		return;
	dev_authenticate(call);
}

/* --- GetDevice, AdminGetDevice --- */

static void
dev_get_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (pg_rows(reply->res[0]) == 0)
		dev_fail_missing(call);
	else
		api_ok(call, json_pack("{s:o}", "Device",
		    dev_describe(reply->res[0], 0)));
}

static void
dev_get_found(struct api_call *call)
{
	struct dev	*d = call->data;
	struct pg_batch	*b = pg_batch_new();

	db_devices_get(b, d->pool_id, d->sub, api_str(call->in, "DeviceKey"));
	api_query(call, b, dev_get_done);
}

static void
dev_get(struct api_call *call)
{
	dev_public(call, dev_get_found);
}

static void
dev_admin_get(struct api_call *call)
{
	dev_admin(call, dev_get_found);
}

/* --- ListDevices, AdminListDevices --- */

static int
dev_limit(struct api_call *call)
{
	long long	n = api_int(call->in, "Limit", 0);

	return n > 0 && n <= DEV_PAGE_MAX ? (int)n : DEV_PAGE_MAX;
}

static void
dev_list_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*items, *out;
	int		 i, n, max = dev_limit(call);

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	n = pg_rows(r);
	items = json_array();
	for (i = 0; i < n && i < max; i++)
		json_array_append_new(items, dev_describe(r, i));
	out = json_pack("{s:o}", "Devices", items);
	if (n > max)
		ops_page_next(out, "PaginationToken", pg_val(r, max - 1,
		    DB_DEVICES_COL_CREATED), pg_val(r, max - 1,
		    DB_DEVICES_COL_KEY));
	api_ok(call, out);
}

/*
 * The position a page starts after, from PaginationToken: the creation
 * time (a finite number) and key of the previous page's last device.
 * -1 after answering.
 */
static int
dev_page_after(struct api_call *call, char **at, char **key)
{
	const char	*tok = api_str(call->in, "PaginationToken");
	char		*end;
	double		 v;

	*at = *key = NULL;
	if (tok == NULL)
		return 0;
	if (ops_token_parse(tok, at, key) == 0) {
		v = strtod(*at, &end);
		if (end != *at && *end == '\0' && isfinite(v))
			return 0;
		free(*at);
		free(*key);
		*at = *key = NULL;
	}
	api_fail(call, "InvalidParameterException",
	    "Invalid pagination token.");
	return -1;
}

/* One row more than the page tells whether another follows. */
static void
dev_list_found(struct api_call *call)
{
	struct dev	*d = call->data;
	struct pg_batch	*b;
	char		*at, *key, limit[16];

	if (dev_page_after(call, &at, &key) != 0)
		return;
	snprintf(limit, sizeof limit, "%d", dev_limit(call) + 1);
	b = pg_batch_new();
	db_devices_list(b, d->pool_id, d->sub, at, key, limit);
	free(at);
	free(key);
	api_query(call, b, dev_list_done);
}

static void
dev_list(struct api_call *call)
{
	dev_public(call, dev_list_found);
}

static void
dev_admin_list(struct api_call *call)
{
	dev_admin(call, dev_list_found);
}

/* --- ForgetDevice, AdminForgetDevice --- */

static void
dev_forget_found(struct api_call *call)
{
	struct dev	*d = call->data;
	struct pg_batch	*b = pg_batch_new();

	/*
	 * The device's refresh tokens end (as on Cognito, its access tokens
	 * live out their hour, so an app that forgets its own device is not
	 * signed out on the spot).
	 */
	db_refresh_tokens_end_device(b, d->pool_id, d->sub,
	    api_str(call->in, "DeviceKey"));
	db_devices_delete(b, d->pool_id, d->sub,
	    api_str(call->in, "DeviceKey"));
	api_query(call, b, dev_written);
}

static void
dev_forget(struct api_call *call)
{
	dev_public(call, dev_forget_found);
}

static void
dev_admin_forget(struct api_call *call)
{
	dev_admin(call, dev_forget_found);
}

/* --- UpdateDeviceStatus, AdminUpdateDeviceStatus --- */

/* Without DeviceRememberedStatus the status stays as it is. */
static void
dev_update_found(struct api_call *call)
{
	struct dev	*d = call->data;
	struct pg_batch	*b = pg_batch_new();
	const char	*status = api_str(call->in, "DeviceRememberedStatus");

	db_devices_set_status(b, d->pool_id, d->sub,
	    api_str(call->in, "DeviceKey"), status);
	api_query(call, b, dev_written);
}

static void
dev_update(struct api_call *call)
{
	dev_public(call, dev_update_found);
}

static void
dev_admin_update(struct api_call *call)
{
	dev_admin(call, dev_update_found);
}

const struct api_op device_ops[] = {
	{ "ConfirmDevice", dev_confirm, API_PUBLIC, &s_confirm },
	{ "GetDevice", dev_get, API_PUBLIC, &s_ref },
	{ "ListDevices", dev_list, API_PUBLIC, &s_list },
	{ "ForgetDevice", dev_forget, API_PUBLIC, &s_ref },
	{ "UpdateDeviceStatus", dev_update, API_PUBLIC, &s_update },
	{ "AdminGetDevice", dev_admin_get, API_SIGNED, &s_admin_ref },
	{ "AdminListDevices", dev_admin_list, API_SIGNED, &s_admin_list },
	{ "AdminForgetDevice", dev_admin_forget, API_SIGNED, &s_admin_ref },
	{ "AdminUpdateDeviceStatus", dev_admin_update, API_SIGNED,
	    &s_admin_update },
	{ NULL, NULL, 0, NULL }
};
