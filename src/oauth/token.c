/*
 * token.c: POST /oauth2/token and POST /oauth2/revoke.
 *
 * The client authenticates with HTTP Basic (client_secret_basic: the id
 * and secret form-urlencoded, then base64) or with client_id and
 * client_secret in the body (client_secret_post), never both; a public
 * client sends its client_id alone. A table picks the grant's code:
 * authorization_code and client_credentials are core/grants.c's;
 * refresh_token runs the API's GetTokensFromRefreshToken, so a refresh
 * token works on both paths; revoke runs RevokeToken. Errors are RFC
 * 6749 §5.2 JSON (oauth/oauth.c's table for the core's errors);
 * invalid_client is 401 (with WWW-Authenticate when Basic was tried).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "api/api.h"
#include "core/grants.h"
#include "crypto/b64.h"
#include "http/cors.h"
#include "http/domain.h"
#include "oauth/oauth.h"
#include "util.h"

struct token_client {
	char	*id;
	char	*secret;
	int	 basic;
};

static void
token_client_clear(struct token_client *c)
{
	free(c->id);
	if (c->secret != NULL)
		wipe_free(c->secret);
}

/* id:secret of a Basic header, each form-urlencoded (RFC 6749 §2.3.1). */
static int
token_basic(const char *h, struct token_client *c)
{
	unsigned char	*raw;
	size_t		 len;
	char		*colon;
	int		 rc = -1;

	if (b64_decode(h, &raw, &len) != 0)
		return -1;
	if (memchr(raw, '\0', len) == NULL &&
	    (colon = strchr((char *)raw, ':')) != NULL) {
		*colon = '\0';
		c->id = evhttp_uridecode((char *)raw, 1, NULL);
		c->secret = evhttp_uridecode(colon + 1, 1, NULL);
		rc = c->id != NULL && c->secret != NULL ? 0 : -1;
	}
	wipe(raw, len);
	free(raw);
	return rc;
}

/*
 * The client's credentials, however sent; -1 after answering when they
 * are malformed or sent two ways.
 */
static int
token_client(struct domain_req *o, struct token_client *c)
{
	const char	*auth = req_header(o->r, "Authorization");
	const char	*id = api_str(o->form, "client_id");
	const char	*secret = api_str(o->form, "client_secret");

	memset(c, 0, sizeof *c);
	if (auth != NULL && strncasecmp(auth, "Basic ", 6) == 0) {
		c->basic = 1;
		if (secret != NULL || token_basic(auth + 6, c) != 0 ||
		    (id != NULL && strcmp(id, c->id) != 0)) {
			token_client_clear(c);
			oauth_reply_error(o, 400, "invalid_request", "Client "
			    "credentials are malformed or sent twice.");
			return -1;
		}
		return 0;
	}
	if (id == NULL) {
		oauth_reply_error(o, 400, "invalid_request", "client_id is "
		    "required.");
		return -1;
	}
	c->id = xstrdup(id);
	c->secret = secret != NULL ? xstrdup(secret) : NULL;
	return 0;
}

/* An API operation's failure as an RFC 6749 error (refresh, revoke). */
static void
token_failed(struct domain_req *o, int status, json_t *out)
{
	const char	*type = domain_error_type(out);
	const char	*msg = api_str(out, "message");

	if (status >= 500) {
		oauth_reply_error(o, 503, "server_error", NULL);
		return;
	}
	if (strcmp(type, "invalid_client") == 0 ||
	    strcmp(type, "ResourceNotFoundException") == 0 ||
	    (msg != NULL && strstr(msg, "Client secret") != NULL)) {
		if (req_header(o->r, "Authorization") != NULL)
			req_add_header(o->r, "WWW-Authenticate",
			    "Basic realm=\"oauth2\"");
		oauth_reply_error(o, 401, "invalid_client", msg);
		return;
	}
	if (strncmp(type, "invalid_", 8) == 0 ||
	    strncmp(type, "unauthorized_", 13) == 0 ||
	    strncmp(type, "unsupported_", 12) == 0)
		oauth_reply_error(o, 400, type, msg);
	else if (strcmp(type, "InvalidParameterException") == 0)
		oauth_reply_error(o, 400, "invalid_request", msg);
	else
		oauth_reply_error(o, 400, "invalid_grant", msg);
}

/* Tokens (an AuthenticationResult) as RFC 6749 §5.1's answer. */
static void
token_reply(struct domain_req *o, json_t *res)
{
	json_t		*body;
	const char	*v;

	cors_add(o->r);

	body = json_pack("{s:s, s:s, s:I}", "access_token",
	    api_str(res, "AccessToken"), "token_type", "Bearer",
	    "expires_in", (json_int_t)api_int(res, "ExpiresIn", 3600));
	if ((v = api_str(res, "IdToken")) != NULL)
		json_object_set_new(body, "id_token", json_string(v));
	if ((v = api_str(res, "RefreshToken")) != NULL)
		json_object_set_new(body, "refresh_token", json_string(v));
	oauth_reply_json(o, 200, body);
}

static void
token_granted(struct domain_req *o, const struct core_err *err)
{
	if (err != NULL) {
		cors_add(o->r);
		oauth_reply_err(o, err);
	} else
		token_reply(o, o->result);
}

static void
token_issued(struct domain_req *o, int status, json_t *out)
{
	if (status != 200) {
		cors_add(o->r);
		token_failed(o, status, out);
	} else
		token_reply(o, json_object_get(out, "AuthenticationResult"));
}

/* refresh_token: the API's GetTokensFromRefreshToken. */
static void
token_refresh(struct domain_req *o, const struct grants_token_request *req)
{
	json_t	*in;

	if (api_str(o->form, "refresh_token") == NULL) {
		oauth_reply_error(o, 400, "invalid_request",
		    "refresh_token is required.");
		return;
	}
	in = json_pack("{s:s, s:s}", "ClientId", req->client_id,
	    "RefreshToken", api_str(o->form, "refresh_token"));
	if (req->client_secret != NULL)
		json_object_set_new(in, "ClientSecret",
		    json_string(req->client_secret));
	domain_invoke(o, "GetTokensFromRefreshToken", in, token_issued);
}

static void
token_code(struct domain_req *o, const struct grants_token_request *req)
{
	grants_exchange(domain_task(o, "authorization_code", token_granted),
	    req, &o->result);
}

static void
token_client_credentials(struct domain_req *o,
    const struct grants_token_request *req)
{
	grants_client_credentials(domain_task(o, "client_credentials",
	    token_granted), req, &o->result);
}

static const struct {
	const char	*grant_type;
	void		(*fn)(struct domain_req *,
			    const struct grants_token_request *);
} token_grants[] = {
	{ "authorization_code", token_code },
	{ "client_credentials", token_client_credentials },
	{ "refresh_token", token_refresh },
};

void
token_post(struct domain_req *o)
{
	const char			*grant = api_str(o->form, "grant_type");
	struct grants_token_request	 req;
	struct token_client		 c;
	size_t				 i;

	cors_add(o->r);
	if (grant == NULL) {
		oauth_reply_error(o, 400, "invalid_request", "grant_type is "
		    "required.");
		return;
	}
	if (token_client(o, &c) != 0)
		return;
	memset(&req, 0, sizeof req);
	req.domain = o->r->domain_prefix;
	req.client_id = c.id;
	req.client_secret = c.secret;
	req.code = api_str(o->form, "code");
	req.redirect_uri = api_str(o->form, "redirect_uri");
	req.code_verifier = api_str(o->form, "code_verifier");
	req.scope = api_str(o->form, "scope");
	if (!domain_param_ok(req.client_id, 1) ||
	    !domain_param_ok(req.client_secret, 1) ||
	    !domain_param_ok(req.code, 1) ||
	    !domain_param_ok(req.redirect_uri, 1) ||
	    !domain_param_ok(req.code_verifier, 1) ||
	    !domain_param_ok(req.scope, 0)) {
		oauth_reply_error(o, 400, "invalid_request", "A parameter is "
		    "empty or too long.");
		token_client_clear(&c);
		return;
	}
	for (i = 0; i < nitems(token_grants); i++)
		if (strcmp(token_grants[i].grant_type, grant) == 0)
			break;
	if (i < nitems(token_grants))
		token_grants[i].fn(o, &req);
	else
		oauth_reply_error(o, 400, "unsupported_grant_type", "The grant "
		    "type is not supported.");
	token_client_clear(&c);
}

/* --- POST /oauth2/revoke (RFC 7009) ---------------------------------- */

static void
token_revoked(struct domain_req *o, int status, json_t *out)
{
	if (status == 200) {
		req_add_header(o->r, "Cache-Control", "no-store");
		req_reply(o->r, 200, "application/json", "{}", 2);
	} else if (strcmp(domain_error_type(out),
	    "UnsupportedTokenTypeException") == 0)
		oauth_reply_error(o, 400, "unsupported_token_type",
		    api_str(out, "message"));
	else
		token_failed(o, status, out);
}

void
revoke_post(struct domain_req *o)
{
	struct token_client	 c;
	json_t			*in;

	cors_add(o->r);
	if (api_str(o->form, "token") == NULL) {
		oauth_reply_error(o, 400, "invalid_request", "token is "
		    "required.");
		return;
	}
	if (token_client(o, &c) != 0)
		return;
	in = json_pack("{s:s, s:s}", "ClientId", c.id, "Token",
	    api_str(o->form, "token"));
	if (c.secret != NULL)
		json_object_set_new(in, "ClientSecret", json_string(c.secret));
	token_client_clear(&c);
	domain_invoke(o, "RevokeToken", in, token_revoked);
}
