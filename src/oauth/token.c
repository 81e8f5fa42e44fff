/*
 * token.c: POST /oauth2/token and POST /oauth2/revoke.
 *
 * The client authenticates with HTTP Basic (client_secret_basic: the id
 * and secret form-urlencoded, then base64) or with client_id and
 * client_secret in the body (client_secret_post), never both; a public
 * client sends its client_id alone. A table picks the grant's code:
 * authorization_code and client_credentials are core/grants.c's;
 * refresh_token is the sign-in core's refresh (core/signin.c, as
 * GetTokensFromRefreshToken runs it), so a refresh token works on both
 * doors; revoke is core/revoke.c's, as RevokeToken's. Every grant and
 * revoke name the domain to the core, for which a client of another
 * pool is unknown (invalid_client). Errors are RFC 6749 §5.2 JSON
 * (oauth/oauth.c's table for the core's errors); invalid_client is 401
 * (with WWW-Authenticate when Basic was tried). Refresh and revoke
 * keep the bounds the JSON API's model puts on the same values
 * (token_bounds_ok).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "api/api.h"
#include "core/grants.h"
#include "core/revoke.h"
#include "core/signin.h"
#include "core/task.h"
#include "core/tokens.h"
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

/*
 * The bounds of the JSON API's model for what refresh and revoke pass
 * to the core: ClientId [\w+]{1,128}, ClientSecret of at most 64
 * characters, a token without white space; 0 after answering
 * invalid_request.
 */
static int
token_bounds_ok(struct domain_req *o, const char *id, const char *secret,
    const char *token)
{
	const char	*p;
	int		 ok = *id != '\0' && strlen(id) <= 128 &&
			    *token != '\0' &&
			    (secret == NULL || (*secret != '\0' &&
			    strlen(secret) <= 64));

	for (p = id; ok && *p != '\0'; p++)
		ok = isascii((unsigned char)*p) &&
		    (isalnum((unsigned char)*p) || *p == '_' || *p == '+');
	for (p = token; ok && *p != '\0'; p++)
		ok = strchr(" \t\n\v\f\r", *p) == NULL;
	if (!ok)
		oauth_reply_error(o, 400, "invalid_request", "A parameter is "
		    "malformed.");
	return ok;
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

/* The refresh_token grant's sign-in: its task and what it asks. */
struct token_refresh {
	struct task		 task;
	struct signin_req	 req;
	char			*client_id;
	char			*secret;
};

static void
token_refresh_free(void *p)
{
	struct token_refresh	*tr = p;

	task_clear(&tr->task);
	free(tr->client_id);
	if (tr->secret != NULL)
		wipe_free(tr->secret);
	free(tr);
}

static void
token_refresh_issued(struct task *t, json_t *result)
{
	struct domain_req	*o = t->owner;

	o->result = result;
	task_ok(t);
}

/* The sign-in ended: tokens to issue, or the error. */
static void
token_refresh_end(struct task *t, const struct core_err *err)
{
	struct domain_req		*o = t->owner;
	const struct signin_outcome	*out;

	if (err != NULL) {
		token_granted(o, err);
		return;
	}
	out = signin_outcome(t);
	if (out->kind != SIGNIN_TOKENS) {
		oauth_reply_error(o, 503, "server_error", NULL);
		return;
	}
	tokens_issue(domain_task(o, "refresh_token", token_granted),
	    &out->grant, token_refresh_issued);
}

/* refresh_token: the sign-in core's refresh (GetTokensFromRefreshToken). */
static void
token_refresh(struct domain_req *o, const struct grants_token_request *req)
{
	const char		*token = api_str(o->form, "refresh_token");
	struct token_refresh	*tr;

	if (token == NULL) {
		oauth_reply_error(o, 400, "invalid_request",
		    "refresh_token is required.");
		return;
	}
	if (!token_bounds_ok(o, req->client_id, req->client_secret, token))
		return;
	tr = xcalloc(1, sizeof *tr);
	o->page = tr;
	o->page_free = token_refresh_free;
	tr->client_id = xstrdup(req->client_id);
	tr->secret = req->client_secret != NULL ?
	    xstrdup(req->client_secret) : NULL;
	tr->req.door = SIGNIN_DOOR_API;
	tr->req.client_id = tr->client_id;
	tr->req.client_secret = tr->secret;
	tr->req.refresh_token = token;
	tr->req.address = req_client_addr(o->r);
	tr->req.domain = o->r->domain_prefix;
	task_init(&tr->task, o->r->id, "refresh_token", &req_task_guard,
	    o->r, token_refresh_end, o);
	signin_start(&tr->task, &tr->req);
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

/*
 * Revoked: 200 with {}. Revocation turned off for the client is
 * invalid_request (as Cognito answers; the JSON API's
 * UnsupportedOperationException); the rest is the core's table.
 */
static void
token_revoked(struct domain_req *o, const struct core_err *err)
{
	if (err == NULL) {
		req_add_header(o->r, "Cache-Control", "no-store");
		req_reply(o->r, 200, "application/json", "{}", 2);
	} else if (err->kind == CORE_ERR_UNSUPPORTED)
		oauth_reply_error(o, 400, "invalid_request", err->message);
	else
		oauth_reply_err(o, err);
}

void
revoke_post(struct domain_req *o)
{
	struct token_client	 c;
	struct revoke_req	 req;

	cors_add(o->r);
	if (api_str(o->form, "token") == NULL) {
		oauth_reply_error(o, 400, "invalid_request", "token is "
		    "required.");
		return;
	}
	if (token_client(o, &c) != 0)
		return;
	req.client_id = c.id;
	req.client_secret = c.secret;
	req.token = api_str(o->form, "token");
	if (token_bounds_ok(o, req.client_id, req.client_secret, req.token))
		revoke_token_at(domain_task(o, "revoke", token_revoked), &req,
		    o->r->domain_prefix);
	token_client_clear(&c);
}
