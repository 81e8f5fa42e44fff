/*
 * oauth.c: the RFC 6749 answers of a pool domain's OAuth2 endpoints:
 * JSON bodies and errors, never cached.
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
