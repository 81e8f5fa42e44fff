/*
 * mfa_ops.c: a user's second factors over the JSON API:
 * AssociateSoftwareToken and VerifySoftwareToken (TOTP set-up, with the
 * user's access token or with the Session of an MFA_SETUP challenge),
 * SetUserMFAPreference and AdminSetUserMFAPreference. The input shapes
 * are here; the operations are core/mfa_setup.c's (shared with the
 * hosted UI's set-up page), run on the call's task, their errors
 * mapped by api.c's table.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/mfa_setup.h"
#include "core/task.h"
#include "db/pg.h"
#include "util.h"

/* --- Input shapes (from the service model) --- */

static int	mfa_check_token(const char *);
static int	mfa_check_digits(const char *);

static const struct shape s_token = { .kind = SHAPE_STRING,
	.check = mfa_check_token, .pattern = "[A-Za-z0-9-_=.]+",
	.sensitive = 1 };
static const struct shape s_session = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .sensitive = 1 };
static const struct shape s_user_code = { .kind = SHAPE_STRING, .min = 6,
	.max = 6, .has_min = 1, .has_max = 1, .check = mfa_check_digits,
	.pattern = "[0-9]+", .sensitive = 1 };
static const struct shape s_device_name = SHAPE_STR(0, 131072);
static const struct shape s_bool = { .kind = SHAPE_BOOL };

static const struct shape_member s_factor_members[] = {
	{ "Enabled", &s_bool, 0 },
	{ "PreferredMfa", &s_bool, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_factor = { .kind = SHAPE_STRUCT,
	.members = s_factor_members };
static const struct shape_member s_webauthn_members[] = {
	{ "Enabled", &s_bool, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_webauthn = { .kind = SHAPE_STRUCT,
	.members = s_webauthn_members };

static const struct shape_member s_associate_members[] = {
	{ "AccessToken", &s_token, 0 },
	{ "Session", &s_session, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_associate = { .kind = SHAPE_STRUCT,
	.members = s_associate_members };

static const struct shape_member s_verify_members[] = {
	{ "AccessToken", &s_token, 0 },
	{ "Session", &s_session, 0 },
	{ "UserCode", &s_user_code, 1 },
	{ "FriendlyDeviceName", &s_device_name, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_verify = { .kind = SHAPE_STRUCT,
	.members = s_verify_members };

#define MFA_SETTINGS_MEMBERS						\
	{ "SMSMfaSettings", &s_factor, 0 },				\
	{ "SoftwareTokenMfaSettings", &s_factor, 0 },			\
	{ "EmailMfaSettings", &s_factor, 0 },				\
	{ "WebAuthnMfaSettings", &s_webauthn, 0 }

static const struct shape_member s_pref_members[] = {
	{ "AccessToken", &s_token, 1 },
	MFA_SETTINGS_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_pref = { .kind = SHAPE_STRUCT,
	.members = s_pref_members };

static const struct shape_member s_admin_pref_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Username", &ops_shape_username, 1 },
	MFA_SETTINGS_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_admin_pref = { .kind = SHAPE_STRUCT,
	.members = s_admin_pref_members };

/* [A-Za-z0-9-_=.]+ */
static int
mfa_check_token(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_=.", *s) == NULL)
			return -1;
	return 0;
}

/* [0-9]+ */
static int
mfa_check_digits(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return -1;
	return 0;
}

/* --- The core's operations on the call's task --- */

/* {SecretCode[, Session]} */
static void
mfa_associated(struct task *t, const struct mfa_setup_result *res)
{
	json_t	*out = json_pack("{s:s}", "SecretCode", res->secret);

	if (res->session != NULL)
		json_object_set_new(out, "Session", json_string(res->session));
	api_ok(t->owner, out);
}

/* {Status: SUCCESS[, Session]} */
static void
mfa_verified(struct task *t, const struct mfa_setup_result *res)
{
	json_t	*out = json_pack("{s:s}", "Status", "SUCCESS");

	if (res->session != NULL)
		json_object_set_new(out, "Session", json_string(res->session));
	api_ok(t->owner, out);
}

static void
mfa_preferred(struct task *t, const struct mfa_setup_result *res)
{
	(void)res;
	api_ok(t->owner, NULL);
}

/* The request's AccessToken or Session, code and device name. */
static void
mfa_req(struct api_call *call, struct mfa_setup_req *req)
{
	memset(req, 0, sizeof *req);
	req->access_token = api_str(call->in, "AccessToken");
	req->session = api_str(call->in, "Session");
	req->code = api_str(call->in, "UserCode");
	req->device_name = api_str(call->in, "FriendlyDeviceName");
	req->settings = call->in;
}

static void
mfa_associate(struct api_call *call)
{
	struct mfa_setup_req	req;

	mfa_req(call, &req);
	mfa_setup_associate(&call->task, &req, mfa_associated);
}

static void
mfa_verify(struct api_call *call)
{
	struct mfa_setup_req	req;

	mfa_req(call, &req);
	mfa_setup_verify(&call->task, &req, mfa_verified);
}

static void
mfa_set_preference(struct api_call *call)
{
	struct mfa_setup_req	req;

	mfa_req(call, &req);
	mfa_setup_preference(&call->task, &req, mfa_preferred);
}

static void
mfa_admin_pool_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct ops_pool		pool;
	struct mfa_setup_req	req;

	if (ops_pool_read(call, reply, &pool) != 0)
		return;
	memset(&req, 0, sizeof req);
	req.pool_id = api_str(call->in, "UserPoolId");
	req.user_key = pool.key;
	req.settings = call->in;
	mfa_setup_preference(&call->task, &req, mfa_preferred);
	ops_pool_clear(&pool);
}

static void
mfa_admin_set_preference(struct api_call *call)
{
	ops_pool_query(call, mfa_admin_pool_loaded);
}

const struct api_op mfa_ops[] = {
	{ "AssociateSoftwareToken", mfa_associate, API_PUBLIC, &s_associate },
	{ "VerifySoftwareToken", mfa_verify, API_PUBLIC, &s_verify },
	{ "SetUserMFAPreference", mfa_set_preference, API_PUBLIC, &s_pref },
	{ "AdminSetUserMFAPreference", mfa_admin_set_preference, API_SIGNED,
	    &s_admin_pref },
	{ NULL, NULL, 0, NULL }
};
