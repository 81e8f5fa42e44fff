/*
 * oauth.c: the RFC 6749 answers of a pool domain's OAuth2 endpoints:
 * JSON bodies and errors, never cached, and the one table from the
 * core's error kinds to RFC 6749 error codes. invalid_client is 401
 * (RFC 6749 §5.2); our own failures are 503 server_error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/domain.h"
#include "http/request.h"
#include "oauth/oauth.h"
#include "util.h"

void
oauth_reply_json(struct domain_req *o, int status, json_t *body)
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
oauth_reply_error(struct domain_req *o, int status, const char *error,
    const char *desc)
{
	json_t	*body = json_pack("{s:s}", "error", error);

	if (desc != NULL)
		json_object_set_new(body, "error_description",
		    json_string(desc));
	oauth_reply_json(o, status, body);
}

static const struct oauth_error oauth_errors[CORE_ERR_NKINDS] = {
	[CORE_ERR_INTERNAL] = { 503, "server_error" },
	[CORE_ERR_BUSY] = { 503, "server_error" },
	[CORE_ERR_INVALID] = { 400, "invalid_request" },
	[CORE_ERR_NOT_AUTHORIZED] = { 401, "invalid_client" },
	[CORE_ERR_NO_RESOURCE] = { 401, "invalid_client" },
	[CORE_ERR_NO_CLIENT] = { 401, "invalid_client" },
	[CORE_ERR_BAD_REDIRECT] = { 400, "invalid_request" },
	[CORE_ERR_BAD_TYPE] = { 400, "unsupported_response_type" },
	[CORE_ERR_UNSUPPORTED] = { 400, "unauthorized_client" },
	[CORE_ERR_BAD_SCOPE] = { 400, "invalid_scope" },
	[CORE_ERR_BAD_GRANT] = { 400, "invalid_grant" },
	[CORE_ERR_TOKEN_REUSE] = { 400, "invalid_grant" },
	[CORE_ERR_BAD_TOKEN_TYPE] = { 400, "unsupported_token_type" },
	[CORE_ERR_LAMBDA_VALIDATION] = { 400, "invalid_request" },
	[CORE_ERR_LAMBDA_UNEXPECTED] = { 503, "server_error" },
	[CORE_ERR_LAMBDA_RESPONSE] = { 503, "server_error" },
};

static const struct oauth_error oauth_error_other = { 400, "invalid_grant" };

const struct oauth_error *
oauth_error(enum core_err_kind kind)
{
	if ((unsigned)kind >= CORE_ERR_NKINDS ||
	    oauth_errors[kind].error == NULL)
		return &oauth_error_other;
	return &oauth_errors[kind];
}

void
oauth_reply_err(struct domain_req *o, const struct core_err *err)
{
	const struct oauth_error	*e = oauth_error(err->kind);

	if (e->status == 401 && req_header(o->r, "Authorization") != NULL)
		req_add_header(o->r, "WWW-Authenticate",
		    "Basic realm=\"oauth2\"");
	oauth_reply_error(o, e->status, e->error, e->status >= 500 ? NULL :
	    err->message);
}
