/*
 * token.c: POST /oauth2/token and POST /oauth2/revoke.
 *
 * The client authenticates with HTTP Basic (client_secret_basic: the id
 * and secret form-urlencoded, then base64) or with client_id and
 * client_secret in the body (client_secret_post), never both; a public
 * client sends its client_id alone. authorization_code and
 * client_credentials run OAuthToken; refresh_token runs the API's
 * GetTokensFromRefreshToken, so a refresh token works on both paths;
 * revoke runs RevokeToken. Errors are RFC 6749 §5.2 JSON; invalid_client
 * is 401 (with WWW-Authenticate when Basic was tried).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "api/api.h"
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

/* An operation's failure as an RFC 6749 error. */
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

static void
token_issued(struct domain_req *o, int status, json_t *out)
{
	json_t	*res = json_object_get(out, "AuthenticationResult");
	json_t	*body;

	cors_add(o->r);
	if (status != 200) {
		token_failed(o, status, out);
		return;
	}
	body = json_pack("{s:s, s:s, s:I}", "access_token",
	    api_str(res, "AccessToken"), "token_type", "Bearer",
	    "expires_in", (json_int_t)api_int(res, "ExpiresIn", 3600));
	if (api_str(res, "IdToken") != NULL)
		json_object_set_new(body, "id_token",
		    json_string(api_str(res, "IdToken")));
	if (api_str(res, "RefreshToken") != NULL)
		json_object_set_new(body, "refresh_token",
		    json_string(api_str(res, "RefreshToken")));
	oauth_reply_json(o, 200, body);
}

/* Copy the form member from (when given) into in as to. */
static void
token_copy(struct domain_req *o, json_t *in, const char *from,
    const char *to)
{
	if (api_str(o->form, from) != NULL)
		json_object_set_new(in, to, json_string(api_str(o->form,
		    from)));
}

void
token_post(struct domain_req *o)
{
	const char		*grant = api_str(o->form, "grant_type");
	struct token_client	 c;
	json_t			*in;

	cors_add(o->r);
	if (grant == NULL) {
		oauth_reply_error(o, 400, "invalid_request", "grant_type is "
		    "required.");
		return;
	}
	if (token_client(o, &c) != 0)
		return;
	in = json_pack("{s:s}", "ClientId", c.id);
	if (c.secret != NULL)
		json_object_set_new(in, "ClientSecret", json_string(c.secret));
	token_client_clear(&c);
	if (strcmp(grant, "refresh_token") == 0) {
		if (api_str(o->form, "refresh_token") == NULL) {
			json_decref(in);
			oauth_reply_error(o, 400, "invalid_request",
			    "refresh_token is required.");
			return;
		}
		token_copy(o, in, "refresh_token", "RefreshToken");
		domain_invoke(o, "GetTokensFromRefreshToken", in, token_issued);
		return;
	}
	json_object_set_new(in, "GrantType", json_string(grant));
	json_object_set_new(in, "Domain", json_string(o->r->domain_prefix));
	token_copy(o, in, "code", "Code");
	token_copy(o, in, "redirect_uri", "RedirectUri");
	token_copy(o, in, "code_verifier", "CodeVerifier");
	token_copy(o, in, "scope", "Scope");
	domain_invoke(o, "OAuthToken", in, token_issued);
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
