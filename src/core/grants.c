/*
 * grants.c: OAuth 2.0 grants of a pool domain (see grants.h).
 *
 * The order of the authorization request's checks is RFC 6749's: the
 * client, then the redirect_uri (an exact match of CallbackURLs), and
 * only then the response type, the client's flows and the scopes, so
 * the endpoint knows which failures may be redirected. A code is 32
 * random bytes stored as a digest, lives five minutes and is spent in
 * the statement that reads it (db/codes.c). The tokens are
 * core/tokens.c's. The SQL is in db/.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>

#include "core/codes.h"
#include "core/grants.h"
#include "core/signin.h"
#include "core/task.h"
#include "core/tokens.h"
#include "core/users.h"
#include "crypto/b64.h"
#include "crypto/random.h"
#include "db/clients.h"
#include "db/codes.h"
#include "db/pg.h"
#include "db/refresh_tokens.h"
#include "db/users.h"
#include "util.h"

#define GRANTS_CODE_BYTES	32

enum grants_kind {
	GRANTS_CHECK,
	GRANTS_CODE,
	GRANTS_IMPLICIT,
	GRANTS_EXCHANGE,
	GRANTS_CLIENT_CREDENTIALS
};

/* One grant's state (the task's data); requests copied, results out. */
struct grants_op {
	enum grants_kind	 kind;
	char			*domain, *client_id, *client_secret;
	char			*code, *redirect_uri, *verifier;
	char			*response_type, *want_scope;
	struct signin_client	 client;
	int			 have_client;
	struct user		 user;
	char			*scope, *nonce, *origin;
	long long		 auth_time;
	struct grants_client	*check_out;
	json_t			**result_out;
	char			**code_out;
};

static void
grants_op_free(void *p)
{
	struct grants_op	*op = p;

	free(op->domain);
	free(op->client_id);
	if (op->client_secret != NULL)
		wipe_free(op->client_secret);
	if (op->code != NULL)
		wipe_free(op->code);
	free(op->redirect_uri);
	if (op->verifier != NULL)
		wipe_free(op->verifier);
	free(op->response_type);
	free(op->want_scope);
	if (op->have_client)
		signin_client_clear(&op->client);
	users_clear(&op->user);
	free(op->scope);
	free(op->nonce);
	free(op->origin);
	free(op);
}

static struct grants_op *
grants_op_new(struct task *t, enum grants_kind kind)
{
	struct grants_op	*op = xcalloc(1, sizeof *op);

	op->kind = kind;
	task_set_data(t, op, grants_op_free);
	return op;
}

/* --- Scopes ------------------------------------------------------------ */

/* 1 when the JSON array of strings holds s. */
static int
grants_list_has(json_t *list, const char *s, size_t len)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && json_string_length(v) == len &&
		    strncmp(json_string_value(v), s, len) == 0)
			return 1;
	return 0;
}

/* Every scope the client allows (custom ones only when custom is set). */
static char *
grants_all_scopes(json_t *allowed, int custom)
{
	char	*out = xstrdup(""), *next;
	json_t	*v;
	size_t	 i;

	json_array_foreach(allowed, i, v) {
		if (!json_is_string(v) || (custom &&
		    strchr(json_string_value(v), '/') == NULL))
			continue;
		next = xasprintf("%s%s%s", out, *out ? " " : "",
		    json_string_value(v));
		free(out);
		out = next;
	}
	return out;
}

/*
 * The scopes to grant: the requested ones (space-separated), each
 * allowed by the client, or all the client allows (custom ones only
 * when custom is set) when none are requested; NULL when one is not
 * allowed. email, phone and profile need openid.
 */
static char *
grants_scopes(json_t *allowed, const char *want, int custom)
{
	const char	*p = want != NULL ? want : "", *end;
	char		*out, *next;
	size_t		 n;

	if (*p == '\0')
		return grants_all_scopes(allowed, custom);
	out = xstrdup("");
	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, " ");
		n = (size_t)(end - p);
		if (n == 0)
			continue;
		if (!grants_list_has(allowed, p, n) || (custom &&
		    memchr(p, '/', n) == NULL)) {
			free(out);
			return NULL;
		}
		next = xasprintf("%s%s%.*s", out, *out ? " " : "", (int)n, p);
		free(out);
		out = next;
	}
	if (!tokens_scope_has(out, "openid") && (tokens_scope_has(out,
	    "email") || tokens_scope_has(out, "phone") ||
	    tokens_scope_has(out, "profile"))) {
		free(out);
		return NULL;
	}
	return out;
}

/* --- The authorization request ------------------------------------------ */

/* Which AllowedOAuthFlows value a response_type needs, or NULL. */
static const char *
grants_flow_of(const char *response_type)
{
	if (strcmp(response_type, "code") == 0)
		return "code";
	if (strcmp(response_type, "token") == 0)
		return "implicit";
	return NULL;
}

/* The request against the client: 0 to go on, else the task has ended. */
static int
grants_refused(struct task *t, struct grants_op *op, json_t *cc)
{
	const char	*flow;
	json_t		*uc = json_object_get(cc,
			    "AllowedOAuthFlowsUserPoolClient");

	if (!strarray_has(json_object_get(cc, "CallbackURLs"),
	    op->redirect_uri))
		task_fail(t, CORE_ERR_BAD_REDIRECT, "The authorization request "
		    "is refused.");
	else if (op->response_type == NULL ||
	    (flow = grants_flow_of(op->response_type)) == NULL)
		task_fail(t, CORE_ERR_BAD_TYPE, "The authorization request "
		    "is refused.");
	else if (!json_is_true(uc) ||
	    !strarray_has(json_object_get(cc, "AllowedOAuthFlows"), flow))
		task_fail(t, CORE_ERR_UNSUPPORTED, "The authorization request "
		    "is refused.");
	else if ((op->scope = grants_scopes(json_object_get(cc,
	    "AllowedOAuthScopes"), op->want_scope, 0)) == NULL ||
	    *op->scope == '\0')
		task_fail(t, CORE_ERR_BAD_SCOPE, "The authorization request "
		    "is refused.");
	else
		return 0;
	return -1;
}

/* The names of the attributes the pool's schema requires. */
static json_t *
grants_required(json_t *schema)
{
	json_t		*a, *out = json_array();
	const char	*name;
	size_t		 i;

	json_array_foreach(schema, i, a) {
		name = json_string_value(json_object_get(a, "Name"));
		if (json_is_true(json_object_get(a, "Required")) &&
		    name != NULL && strcmp(name, "sub") != 0)
			json_array_append(out, json_object_get(a, "Name"));
	}
	return out;
}

static void
grants_checked(struct task *t, struct pg_reply *reply)
{
	struct grants_op	*op = t->data;
	struct grants_client	*gc = op->check_out;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	grants_client_clear(gc);
	if (db_clients_domain_row(reply->res[0], &gc->d) != 0) {
		task_fail(t, CORE_ERR_NO_RESOURCE, "There is no user pool "
		    "domain %s.", op->domain);
		return;
	}
	gc->required = grants_required(gc->d.schema);
	if (gc->d.client_config == NULL) {
		task_fail(t, CORE_ERR_NO_CLIENT, "The client does not exist.");
		return;
	}
	if (op->redirect_uri != NULL &&
	    grants_refused(t, op, gc->d.client_config) != 0)
		return;
	gc->scope = op->scope;
	op->scope = NULL;
	task_ok(t);
}

void
grants_check(struct task *t, const struct grants_request *req,
    struct grants_client *out)
{
	struct grants_op	*op = grants_op_new(t, GRANTS_CHECK);
	struct pg_batch		*b = pg_batch_new();

	op->domain = xstrdup(req->domain);
	op->redirect_uri = xstrdup_null(req->redirect_uri);
	op->response_type = xstrdup_null(req->response_type);
	op->want_scope = xstrdup_null(req->scope);
	op->check_out = out;
	db_clients_of_domain(b, req->domain, req->client_id);
	task_query(t, b, grants_checked);
}

void
grants_client_clear(struct grants_client *gc)
{
	db_clients_domain_clear(&gc->d);
	json_decref(gc->required);
	free(gc->scope);
	memset(gc, 0, sizeof *gc);
}

/* --- Codes --------------------------------------------------------------- */

static void
grants_code_stored(struct task *t, struct pg_reply *reply)
{
	struct grants_op	*op = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	*op->code_out = op->code;
	op->code = NULL;
	task_ok(t);
}

void
grants_code(struct task *t, const struct grants_user *u, char **code)
{
	struct grants_op	*op = grants_op_new(t, GRANTS_CODE);
	struct db_code_new	 n;
	struct pg_batch		*b = pg_batch_new();
	char			 digest[CODES_DIGEST_HEX], family[37];

	op->code_out = code;
	op->code = codes_new_secret(GRANTS_CODE_BYTES);
	codes_digest_hex("oauth-code", op->code, digest);
	random_uuid(family);
	memset(&n, 0, sizeof n);
	n.digest = digest;
	n.pool_id = u->pool_id;
	n.client_id = u->client_id;
	n.sub = u->sub;
	n.redirect_uri = u->redirect_uri;
	n.scopes = u->scope;
	n.nonce = u->nonce;
	n.challenge = u->challenge;
	n.auth_time = u->auth_time;
	n.origin_jti = family;
	db_codes_insert(b, &n);
	task_query(t, b, grants_code_stored);
}

/* --- Issuing --------------------------------------------------------- */

static void
grants_issued(struct task *t, json_t *result)
{
	struct grants_op	*op = t->data;

	*op->result_out = result;
	task_ok(t);
}

static void
grants_issue(struct task *t, struct grants_op *op, const struct user *user,
    int refresh)
{
	struct tokens_grant	 g;

	memset(&g, 0, sizeof g);
	g.pool_id = op->client.pool_id;
	g.client_id = op->client.client_id;
	g.client_config = op->client.config;
	g.user = user;
	g.auth_time = op->auth_time;
	g.origin_jti = op->origin;
	g.with_refresh = refresh;
	g.scope = op->scope;
	g.nonce = op->nonce;
	tokens_issue(t, &g, grants_issued);
}

static void
grants_implicit_loaded(struct task *t, struct pg_reply *reply)
{
	struct grants_op	*op = t->data;
	const PGresult		*r = reply->res[0];

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(r) != 1 || signin_client_from_row(&op->client,
	    op->client_id, r, 0, DB_USERS_NCOLUMNS) != 0) {
		task_fail(t, CORE_ERR_BAD_GRANT, "The user or client is gone.");
		return;
	}
	op->have_client = 1;
	db_users_from_row(&op->user, r, 0, 0);
	if (!op->user.enabled) {
		task_fail(t, CORE_ERR_BAD_GRANT, "User is disabled.");
		return;
	}
	grants_issue(t, op, &op->user, 0);
}

void
grants_implicit(struct task *t, const struct grants_user *u,
    json_t **result)
{
	struct grants_op	*op = grants_op_new(t, GRANTS_IMPLICIT);
	struct pg_batch		*b = pg_batch_new();

	op->result_out = result;
	op->client_id = xstrdup(u->client_id);
	op->scope = xstrdup_null(u->scope);
	op->nonce = xstrdup_null(u->nonce);
	op->auth_time = u->auth_time;
	db_clients_signin_user(b, u->client_id, u->pool_id, u->sub);
	task_query(t, b, grants_implicit_loaded);
}

/* --- The token endpoint's grants ------------------------------------- */

/*
 * base64url(SHA-256(verifier)), the S256 challenge it answers, or NULL
 * when it is not a verifier (RFC 7636: 43 to 128 unreserved characters).
 */
static char *
grants_s256(const char *verifier)
{
	unsigned char	 md[32];
	size_t		 n = verifier != NULL ? strlen(verifier) : 0;

	if (n < 43 || n > 128 || strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-._~") != n)
		return NULL;
	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    (const unsigned char *)verifier, n, md) != 0)
		return NULL;
	return b64url_encode(md, sizeof md);
}

/* The verifier answers the stored S256 challenge (if there is one). */
static int
grants_pkce_ok(const char *challenge, const char *verifier)
{
	char	*b;
	int	 ok;

	if (challenge == NULL)
		return 1;
	if ((b = grants_s256(verifier)) == NULL)
		return 0;
	ok = codes_equal_str(b, challenge);
	free(b);
	return ok;
}

static void
grants_code_user_loaded(struct task *t, struct pg_reply *reply)
{
	struct grants_op	*op = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		task_fail(t, CORE_ERR_BAD_GRANT, "The user no longer exists.");
		return;
	}
	db_users_from_row(&op->user, reply->res[0], 0, 0);
	if (!op->user.enabled) {
		task_fail(t, CORE_ERR_BAD_GRANT, "User is disabled.");
		return;
	}
	grants_issue(t, op, &op->user, 1);
}

/* A code used again: what its first use issued is revoked too. */
static void
grants_code_replayed(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok)
		task_fail_db(t, reply);
	else
		task_fail(t, CORE_ERR_BAD_GRANT, "The authorization code was "
		    "used already.");
}

static void
grants_code_taken(struct task *t, struct pg_reply *reply)
{
	struct grants_op	*op = t->data;
	struct db_code		 c;
	struct pg_batch		*b;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (db_codes_taken(reply->res[0], &c) != 0) {
		task_fail(t, CORE_ERR_BAD_GRANT, "The authorization code is "
		    "not valid.");
		return;
	}
	if (strcmp(c.redirect_uri, op->redirect_uri) != 0 ||
	    !grants_pkce_ok(c.challenge, op->verifier) ||
	    (!c.spent_now && !c.used)) {
		task_fail(t, CORE_ERR_BAD_GRANT, "The authorization code is "
		    "not valid for this request.");
		return;
	}
	b = pg_batch_new();
	if (!c.spent_now) {
		db_refresh_tokens_revoke_family(b, c.origin_jti,
		    op->client.pool_id);
		task_query(t, b, grants_code_replayed);
		return;
	}
	op->scope = xstrdup(c.scopes);
	op->nonce = xstrdup_null(c.nonce);
	op->auth_time = c.auth_time;
	op->origin = xstrdup(c.origin_jti);
	db_users_by_sub(b, op->client.pool_id, c.sub);
	task_query(t, b, grants_code_user_loaded);
}

/*
 * authorization_code, the client authenticated: the code is marked used
 * in the statement that reads it, and only when its redirect_uri and
 * PKCE challenge match the request, so of two concurrent exchanges
 * exactly one wins, and one that holds the code without the verifier
 * changes nothing (the client can still redeem it). A used code
 * presented again with the right verifier is a replay: what its first
 * use issued is revoked.
 */
static void
grants_exchange_code(struct task *t, struct grants_op *op)
{
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];
	char		*s256;

	if (op->code == NULL || op->redirect_uri == NULL) {
		task_fail(t, CORE_ERR_INVALID, "code and redirect_uri are "
		    "required.");
		return;
	}
	codes_digest_hex("oauth-code", op->code, digest);
	s256 = grants_s256(op->verifier);
	b = pg_batch_new();
	db_codes_take(b, digest, op->client.client_id, op->redirect_uri, s256);
	free(s256);
	task_query(t, b, grants_code_taken);
}

/* client_credentials: a confidential client's own access token. */
static void
grants_client_token(struct task *t, struct grants_op *op)
{
	op->scope = grants_scopes(json_object_get(op->client.config,
	    "AllowedOAuthScopes"), op->want_scope, 1);
	if (op->scope == NULL || *op->scope == '\0') {
		task_fail(t, CORE_ERR_BAD_SCOPE, "The scopes are not allowed "
		    "for this client.");
		return;
	}
	op->auth_time = (long long)time(NULL);
	grants_issue(t, op, NULL, 0);
}

/* The client's secret as the client authentication demands. */
static int
grants_client_authenticated(struct grants_op *op)
{
	if (op->client.secret == NULL)
		return op->client_secret == NULL;
	return op->client_secret != NULL &&
	    codes_equal_str(op->client_secret, op->client.secret);
}

static void
grants_token_client_loaded(struct task *t, struct pg_reply *reply)
{
	struct grants_op	*op = t->data;
	int			 code = op->kind == GRANTS_EXCHANGE;
	json_t			*uc;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	/* A client of another pool is unknown on this pool's domain. */
	if (pg_rows(reply->res[0]) != 1 || pg_rows(reply->res[1]) != 1 ||
	    signin_client_from_row(&op->client, op->client_id,
	    reply->res[0], 0, 0) != 0) {
		task_fail(t, CORE_ERR_NO_CLIENT, "The client is unknown.");
		return;
	}
	op->have_client = 1;
	if (!grants_client_authenticated(op) || (op->client.secret == NULL &&
	    !code)) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "The client could not be "
		    "authenticated.");
		return;
	}
	uc = json_object_get(op->client.config,
	    "AllowedOAuthFlowsUserPoolClient");
	if (!strarray_has(json_object_get(op->client.config,
	    "AllowedOAuthFlows"), code ? "code" : "client_credentials") ||
	    (code && !json_is_true(uc))) {
		task_fail(t, CORE_ERR_UNSUPPORTED, "The client may not use "
		    "this grant.");
		return;
	}
	if (code)
		grants_exchange_code(t, op);
	else
		grants_client_token(t, op);
}

static void
grants_token(struct task *t, enum grants_kind kind,
    const struct grants_token_request *req, json_t **result)
{
	struct grants_op	*op = grants_op_new(t, kind);
	struct pg_batch		*b = pg_batch_new();

	op->result_out = result;
	op->domain = xstrdup(req->domain);
	op->client_id = xstrdup(req->client_id);
	op->client_secret = xstrdup_null(req->client_secret);
	op->code = xstrdup_null(req->code);
	op->redirect_uri = xstrdup_null(req->redirect_uri);
	op->verifier = xstrdup_null(req->code_verifier);
	op->want_scope = xstrdup_null(req->scope);
	db_clients_signin(b, req->client_id);
	db_clients_on_domain(b, req->domain, req->client_id);
	task_query(t, b, grants_token_client_loaded);
}

void
grants_exchange(struct task *t, const struct grants_token_request *req,
    json_t **result)
{
	grants_token(t, GRANTS_EXCHANGE, req, result);
}

void
grants_client_credentials(struct task *t,
    const struct grants_token_request *req, json_t **result)
{
	grants_token(t, GRANTS_CLIENT_CREDENTIALS, req, result);
}

/* --- userInfo --------------------------------------------------------- */

/* The token's pool owns the domain asked: the claims; else refused. */
static void
grants_user_info_domain(struct task *t, struct pg_reply *reply)
{
	struct grants_op	*op = t->data;

	if (!reply->ok) {
		json_decref(*op->result_out);
		*op->result_out = NULL;
		task_fail_db(t, reply);
	} else if (pg_rows(reply->res[0]) != 1) {
		json_decref(*op->result_out);
		*op->result_out = NULL;
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "Invalid Access Token");
	} else
		task_ok(t);
}

static void
grants_user_info_checked(struct task *t, struct tokens_access *a)
{
	struct grants_op	*op = t->data;
	struct pg_batch		*b = pg_batch_new();

	*op->result_out = tokens_user_info(&a->user, a->client_config,
	    a->scope);
	db_clients_domain_of_pool(b, op->domain, a->pool_id);
	task_query(t, b, grants_user_info_domain);
}

void
grants_user_info(struct task *t, const char *domain,
    const char *access_token, json_t **claims)
{
	struct grants_op	*op = grants_op_new(t, GRANTS_CHECK);

	op->result_out = claims;
	op->domain = xstrdup(domain);
	tokens_check_access_for(t, access_token, "openid",
	    grants_user_info_checked);
}
