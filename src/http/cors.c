/*
 * cors.c: browsers call the JSON API (amazon-cognito-identity-js,
 * Amplify) and the token endpoint cross-origin with non-simple headers,
 * so every answer carries CORS headers and OPTIONS answers a preflight.
 * No cookies travel on these calls, so "*" is safe: the API
 * authenticates by signature, client id or token, never by ambient
 * credentials.
 */
#include "config.h"

#include "http/cors.h"
#include "http/request.h"

#define CORS_ALLOW_HEADERS						\
	"content-type, x-amz-target, x-amz-user-agent, cache-control, "	\
	"amz-sdk-invocation-id, amz-sdk-request, authorization, "	\
	"x-amz-date, x-amz-security-token, x-amz-content-sha256"

/* Idempotent: an endpoint may add them on more than one path. */
void
cors_add(struct req *r)
{
	req_set_header(r, "Access-Control-Allow-Origin", "*");
	req_set_header(r, "Access-Control-Expose-Headers",
	    "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date");
}

void
cors_preflight(struct req *r)
{
	cors_add(r);
	req_add_header(r, "Access-Control-Allow-Methods",
	    "GET, POST, OPTIONS");
	req_add_header(r, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
	req_add_header(r, "Access-Control-Max-Age", "86400");
	req_reply(r, 204, NULL, NULL, 0);
}
