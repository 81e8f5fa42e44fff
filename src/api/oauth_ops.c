/*
 * oauth_ops.c: internal operations of the hosted UI and the OAuth2
 * endpoints (API_INTERNAL: run by api_invoke(), never reachable over
 * HTTP), so the handlers in src/oauth/ stay thin adapters that parse the
 * HTTP request, invoke one of these and render the answer:
 *
 *   OAuthClient	the pool and client behind a domain, checked for an
 *			authorization request (redirect_uri, flow, scopes),
 *			with what the pages show of the pool
 *   OAuthSession	hosted-UI sessions: create, check, end
 *   OAuthCode		an authorization code for a signed-in user
 *   OAuthToken		the authorization_code and client_credentials grants
 *
 * OAuth failures use the RFC 6749 error code as the exception name
 * (invalid_request, invalid_client, invalid_grant, unauthorized_client,
 * invalid_scope); "redirect_mismatch" and ResourceNotFoundException mean
 * the request must not be redirected anywhere.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "conf.h"
#include "core/codes.h"
#include "core/signin.h"
#include "core/tokens.h"
#include "core/users.h"
#include "crypto/b64.h"
#include "crypto/random.h"
#include "db/pg.h"
#include "util.h"

#define OAUTH_CODE_BYTES	32
#define OAUTH_CODE_TTL		"300"		/* seconds */
#define OAUTH_SESSION_BYTES	32
#define OAUTH_SESSION_TTL	"3600"		/* Cognito's one hour */
#define OAUTH_SCOPE_MAX		2048

static const struct shape s_text = SHAPE_STR(1, 2048);
static const struct shape s_scope = SHAPE_STR(0, OAUTH_SCOPE_MAX);
static const struct shape s_time = { .kind = SHAPE_INT };

/* --- Scopes ------------------------------------------------------------ */

/* 1 when the JSON array of strings holds s. */
static int
oauth_list_has(json_t *list, const char *s, size_t len)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && json_string_length(v) == len &&
		    strncmp(json_string_value(v), s, len) == 0)
			return 1;
	return 0;
}

/*
 * The scopes to grant: the requested ones (space-separated), each
 * allowed by the client, or all the client allows (custom ones only
 * when custom is set) when none are requested; NULL when one is not
 * allowed. email, phone and profile need openid.
 */
static char *
oauth_grant_scopes(json_t *allowed, const char *want, int custom)
{
	const char	*p = want != NULL ? want : "", *end;
	char		*out = xstrdup(""), *next;
	json_t		*v;
	size_t		 i, n;

	if (*p == '\0') {
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
	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, " ");
		n = (size_t)(end - p);
		if (n == 0)
			continue;
		if (!oauth_list_has(allowed, p, n) || (custom &&
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

/* --- OAuthClient --------------------------------------------------------- */

static const struct shape_member s_client_members[] = {
	{ "Domain", &s_text, 1 },
	{ "ClientId", &s_text, 0 },
	{ "RedirectUri", &s_text, 0 },
	{ "ResponseType", &s_text, 0 },
	{ "Scope", &s_scope, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_client = { .kind = SHAPE_STRUCT,
	.members = s_client_members };

/* Which AllowedOAuthFlows value a response_type needs, or NULL. */
static const char *
oauth_flow_of(const char *response_type)
{
	if (strcmp(response_type, "code") == 0)
		return "code";
	if (strcmp(response_type, "token") == 0)
		return "implicit";
	return NULL;
}

/* The authorization request against the client: NULL when it may go on. */
static const char *
oauth_client_refusal(struct api_call *call, json_t *cc, char **scope)
{
	const char	*rt = api_str(call->in, "ResponseType");
	const char	*flow;

	if (!strarray_has(json_object_get(cc, "CallbackURLs"),
	    api_str(call->in, "RedirectUri")))
		return "redirect_mismatch";
	if (rt == NULL || (flow = oauth_flow_of(rt)) == NULL)
		return "unsupported_response_type";
	if (!api_bool(cc, "AllowedOAuthFlowsUserPoolClient", 0) ||
	    !strarray_has(json_object_get(cc, "AllowedOAuthFlows"), flow))
		return "unauthorized_client";
	if ((*scope = oauth_grant_scopes(json_object_get(cc,
	    "AllowedOAuthScopes"), api_str(call->in, "Scope"), 0)) == NULL ||
	    **scope == '\0')
		return "invalid_scope";
	return NULL;
}

/* The names of the attributes the pool's schema requires. */
static json_t *
oauth_required_attributes(const char *schema_text)
{
	json_t	*schema, *a, *out = json_array();
	size_t	 i;

	if (schema_text == NULL ||
	    (schema = json_loads(schema_text, 0, NULL)) == NULL)
		return out;
	json_array_foreach(schema, i, a) {
		if (json_is_true(json_object_get(a, "Required")) &&
		    api_str(a, "Name") != NULL &&
		    strcmp(api_str(a, "Name"), "sub") != 0)
			json_array_append(out, json_object_get(a, "Name"));
	}
	json_decref(schema);
	return out;
}

/*
 * What the hosted pages show of the pool: who signs in with what
 * (UsernameAttributes), the password rules (PasswordPolicy), the
 * attributes a sign-up needs and whether users may sign up at all.
 */
static void
oauth_client_pool(json_t *out, const PGresult *r)
{
	if (pg_val(r, 0, 5) != NULL)
		json_object_set_new(out, "UsernameAttributes",
		    json_loads(pg_val(r, 0, 5), 0, NULL));
	if (pg_val(r, 0, 6) != NULL)
		json_object_set_new(out, "PasswordPolicy",
		    json_loads(pg_val(r, 0, 6), 0, NULL));
	json_object_set_new(out, "RequiredAttributes",
	    oauth_required_attributes(pg_val(r, 0, 7)));
	json_object_set_new(out, "AllowSelfSignUp",
	    json_boolean(!ops_true(r, 0, 8)));
	json_object_set_new(out, "HasLogo", json_boolean(ops_true(r, 0, 9)));
	if (pg_val(r, 0, 10) != NULL)
		json_object_set_new(out, "AutoVerifiedAttributes",
		    json_loads(pg_val(r, 0, 10), 0, NULL));
}

static void
oauth_client_loaded(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r = reply->res[0];
	const char	*why;
	json_t		*cc, *out;
	char		*scope = NULL;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(r) != 1) {
		api_fail(call, "ResourceNotFoundException",
		    "There is no user pool domain %s.",
		    api_str(call->in, "Domain"));
		return;
	}
	out = json_pack("{s:s, s:s}", "UserPoolId", pg_val(r, 0, 0),
	    "PoolName", pg_val(r, 0, 1));
	oauth_client_pool(out, r);
	if (api_str(call->in, "ClientId") == NULL) {
		api_ok(call, out);
		return;
	}
	if (pg_val(r, 0, 2) == NULL) {
		json_decref(out);
		api_fail(call, "invalid_client", "The client does not exist.");
		return;
	}
	cc = json_loads(pg_val(r, 0, 2), 0, NULL);
	json_object_set_new(out, "ClientName", json_string(pg_val(r, 0, 3)));
	json_object_set_new(out, "HasSecret", json_boolean(ops_true(r, 0, 4)));
	json_object_set_new(out, "Client", cc);
	if (api_str(call->in, "RedirectUri") != NULL &&
	    (why = oauth_client_refusal(call, cc, &scope)) != NULL) {
		json_decref(out);
		free(scope);
		api_fail(call, why, "The authorization request is refused.");
		return;
	}
	if (scope != NULL)
		json_object_set_new(out, "Scope", json_string(scope));
	free(scope);
	api_ok(call, out);
}

/*
 * The pool of a domain prefix (or custom domain), and with ClientId the
 * client's configuration; with RedirectUri too, the authorization
 * request checked and the scopes it is granted.
 */
static void
oauth_client(struct api_call *call)
{
	struct pg_batch	*b = pg_batch_new();

	pg_batch_add(b, "SELECT d.pool_id, p.name, c.config, c.name, "
	    "c.secret_sealed IS NOT NULL, p.config->'UsernameAttributes', "
	    "p.config->'Policies'->'PasswordPolicy', "
	    "p.config->'SchemaAttributes', "
	    "p.config->'AdminCreateUserConfig'->'AllowAdminCreateUserOnly' "
	    "= 'true'::jsonb, (SELECT u.image IS NOT NULL FROM "
	    "ui_customizations u WHERE u.pool_id = d.pool_id AND u.client_id "
	    "IN (coalesce($2, ''), '') ORDER BY u.client_id DESC LIMIT 1), "
	    "p.config->'AutoVerifiedAttributes' "
	    "FROM domains d JOIN pools p ON p.id = d.pool_id "
	    "LEFT JOIN clients c ON c.pool_id = d.pool_id AND c.id = $2 "
	    "WHERE d.domain = $1", 2, api_str(call->in, "Domain"),
	    api_str(call->in, "ClientId"));
	api_query(call, b, oauth_client_loaded);
}

/* --- OAuthSession ------------------------------------------------------- */

static const char *const e_session_actions[] = { "create", "check", "end",
	NULL };
static const struct shape s_session_action = { .kind = SHAPE_STRING,
	.enums = e_session_actions };
static const struct shape_member s_session_members[] = {
	{ "Action", &s_session_action, 1 },
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Sub", &s_text, 0 },
	{ "AuthTime", &s_time, 0 },
	{ "Session", &s_text, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_session = { .kind = SHAPE_STRUCT,
	.members = s_session_members };

static void
oauth_session_created(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	api_ok(call, json_pack("{s:s}", "Session", (char *)call->data));
}

static void
oauth_session_checked(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r = reply->res[0];

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(r) != 1) {
		api_fail(call, "NotAuthorizedException",
		    "The session has ended.");
		return;
	}
	api_ok(call, json_pack("{s:s, s:s, s:I}", "Sub", pg_val(r, 0, 0),
	    "Username", pg_val(r, 0, 1), "AuthTime",
	    (json_int_t)strtoll(pg_val(r, 0, 2), NULL, 10)));
}

static void
oauth_session_ended(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else
		api_ok(call, NULL);
}

static void
oauth_session_free(void *p)
{
	if (p != NULL)
		wipe_free(p);
}

static void
oauth_session_create(struct api_call *call, struct pg_batch *b)
{
	char	 digest[CODES_DIGEST_HEX];
	char	*secret = codes_new_secret(OAUTH_SESSION_BYTES);
	char	*auth_time;

	if (!is_uuid(api_str(call->in, "Sub"))) {
		pg_batch_free(b);
		free(secret);
		api_fail(call, "InvalidParameterException", "Sub is required.");
		return;
	}
	api_set_data(call, secret, oauth_session_free);
	codes_digest_hex("ui-session", secret, digest);
	auth_time = xasprintf("%lld", api_int(call->in, "AuthTime",
	    (long long)time(NULL)));
	pg_batch_add(b, "INSERT INTO ui_sessions (session_hash, pool_id, sub, "
	    "auth_time, expires_at) VALUES ($1::bytea, $2, $3::uuid, "
	    "$4::bigint, extract(epoch FROM clock_timestamp()) + "
	    OAUTH_SESSION_TTL ")", 4, digest, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "Sub"), auth_time);
	free(auth_time);
	api_query(call, b, oauth_session_created);
}

/*
 * Hosted-UI sessions. A session lives an hour unless the user signs out
 * globally (tokens_valid_after), is disabled or deleted.
 */
static void
oauth_session(struct api_call *call)
{
	const char	*action = api_str(call->in, "Action");
	const char	*secret = api_str(call->in, "Session");
	struct pg_batch	*b = pg_batch_new();
	char		 digest[CODES_DIGEST_HEX];

	if (strcmp(action, "create") == 0) {
		oauth_session_create(call, b);
		return;
	}
	codes_digest_hex("ui-session", secret != NULL ? secret : "", digest);
	if (strcmp(action, "end") == 0) {
		pg_batch_add(b, "DELETE FROM ui_sessions WHERE session_hash = "
		    "$1::bytea AND pool_id = $2", 2, digest,
		    api_str(call->in, "UserPoolId"));
		api_query(call, b, oauth_session_ended);
		return;
	}
	pg_batch_add(b, "SELECT u.sub, u.username, s.auth_time FROM "
	    "ui_sessions s JOIN users u ON u.pool_id = s.pool_id AND u.sub = "
	    "s.sub WHERE s.session_hash = $1::bytea AND s.pool_id = $2 AND "
	    "s.expires_at > extract(epoch FROM clock_timestamp()) AND "
	    "u.enabled AND s.created_at >= u.tokens_valid_after", 2, digest,
	    api_str(call->in, "UserPoolId"));
	api_query(call, b, oauth_session_checked);
}

/* --- OAuthCode ---------------------------------------------------------- */

static const struct shape_member s_code_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ClientId", &s_text, 1 },
	{ "Sub", &s_text, 1 },
	{ "RedirectUri", &s_text, 1 },
	{ "Scope", &s_scope, 1 },
	{ "Nonce", &s_text, 0 },
	{ "CodeChallenge", &s_text, 0 },
	{ "AuthTime", &s_time, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_code = { .kind = SHAPE_STRUCT,
	.members = s_code_members };

static void
oauth_code_stored(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	api_ok(call, json_pack("{s:s}", "Code", (char *)call->data));
}

/* A new authorization code for the signed-in user. */
static void
oauth_code(struct api_call *call)
{
	struct pg_batch	*b = pg_batch_new();
	char		 digest[CODES_DIGEST_HEX], family[37];
	char		*code = codes_new_secret(OAUTH_CODE_BYTES);
	char		*auth_time;

	api_set_data(call, code, oauth_session_free);
	codes_digest_hex("oauth-code", code, digest);
	random_uuid(family);
	auth_time = xasprintf("%lld", api_int(call->in, "AuthTime", 0));
	pg_batch_add(b, "INSERT INTO oauth_codes (code_hash, pool_id, "
	    "client_id, sub, redirect_uri, scopes, nonce, code_challenge, "
	    "auth_time, origin_jti, expires_at) VALUES ($1::bytea, $2, $3, "
	    "$4::uuid, $5, $6, $7, $8, $9::bigint, $10::uuid, extract(epoch "
	    "FROM clock_timestamp()) + " OAUTH_CODE_TTL ")", 10, digest,
	    api_str(call->in, "UserPoolId"), api_str(call->in, "ClientId"),
	    api_str(call->in, "Sub"), api_str(call->in, "RedirectUri"),
	    api_str(call->in, "Scope"), api_str(call->in, "Nonce"),
	    api_str(call->in, "CodeChallenge"), auth_time, family);
	free(auth_time);
	api_query(call, b, oauth_code_stored);
}

/* --- OAuthToken --------------------------------------------------------- */

static const struct shape_member s_token_members[] = {
	{ "Domain", &s_text, 1 },
	{ "GrantType", &s_text, 1 },
	{ "ClientId", &s_text, 1 },
	{ "ClientSecret", &s_text, 0 },
	{ "Code", &s_text, 0 },
	{ "RedirectUri", &s_text, 0 },
	{ "CodeVerifier", &s_text, 0 },
	{ "Scope", &s_scope, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_token = { .kind = SHAPE_STRUCT,
	.members = s_token_members };

struct oauth_grant {
	struct signin_client	 client;
	int			 have_client;
	struct user		 user;
	char			*scope;
	char			*nonce;
	char			*origin;
	long long		 auth_time;
};

static void
oauth_grant_free(void *p)
{
	struct oauth_grant	*g = p;

	if (g->have_client)
		signin_client_clear(&g->client);
	users_clear(&g->user);
	free(g->scope);
	free(g->nonce);
	free(g->origin);
	free(g);
}

static void
oauth_issued(struct api_call *call, json_t *result)
{
	api_ok(call, json_pack("{s:o}", "AuthenticationResult", result));
}

static void
oauth_issue(struct api_call *call, const struct user *user, int refresh)
{
	struct oauth_grant	*og = call->data;
	struct tokens_grant	 g;

	memset(&g, 0, sizeof g);
	g.pool_id = og->client.pool_id;
	g.client_id = og->client.client_id;
	g.client_config = og->client.config;
	g.user = user;
	g.auth_time = og->auth_time;
	g.origin_jti = og->origin;
	g.with_refresh = refresh;
	g.scope = og->scope;
	g.nonce = og->nonce;
	tokens_issue(call, &g, oauth_issued);
}

/*
 * base64url(SHA-256(verifier)), the S256 challenge it answers, or NULL
 * when it is not a verifier (RFC 7636: 43 to 128 unreserved characters).
 */
static char *
oauth_s256(const char *verifier)
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
oauth_pkce_ok(const char *challenge, const char *verifier)
{
	char	*b;
	int	 ok;

	if (challenge == NULL)
		return 1;
	if ((b = oauth_s256(verifier)) == NULL)
		return 0;
	ok = codes_equal_str(b, challenge);
	free(b);
	return ok;
}

static void
oauth_code_user_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct oauth_grant	*og = call->data;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		api_fail(call, "invalid_grant", "The user no longer exists.");
		return;
	}
	users_from_row(&og->user, reply->res[0], 0, 0);
	if (!og->user.enabled) {
		api_fail(call, "invalid_grant", "User is disabled.");
		return;
	}
	oauth_issue(call, &og->user, 1);
}

/* A code used again: what its first use issued is revoked too. */
static void
oauth_code_replayed(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	api_fail(call, "invalid_grant", "The authorization code was used "
	    "already.");
}

/*
 * The code's row; column 9 says whether this request marked it used,
 * which it does only when everything else matched.
 */
static void
oauth_code_taken(struct api_call *call, struct pg_reply *reply)
{
	struct oauth_grant	*og = call->data;
	const PGresult		*r = reply->res[0];
	struct pg_batch		*b;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(r) != 1) {
		api_fail(call, "invalid_grant", "The authorization code is "
		    "not valid.");
		return;
	}
	if (strcmp(pg_val(r, 0, 1), api_str(call->in, "RedirectUri")) != 0 ||
	    !oauth_pkce_ok(pg_val(r, 0, 4), api_str(call->in,
	    "CodeVerifier")) || (!ops_true(r, 0, 9) && !ops_true(r, 0, 7))) {
		api_fail(call, "invalid_grant", "The authorization code is "
		    "not valid for this request.");
		return;
	}
	if (!ops_true(r, 0, 9)) {
		b = pg_batch_new();
		pg_batch_add(b, "DELETE FROM refresh_tokens WHERE origin_jti = "
		    "$1::uuid AND pool_id = $2", 2, pg_val(r, 0, 6),
		    og->client.pool_id);
		api_query(call, b, oauth_code_replayed);
		return;
	}
	og->scope = xstrdup(pg_val(r, 0, 2));
	if (pg_val(r, 0, 3) != NULL)
		og->nonce = xstrdup(pg_val(r, 0, 3));
	og->auth_time = strtoll(pg_val(r, 0, 5), NULL, 10);
	og->origin = xstrdup(pg_val(r, 0, 6));
	b = pg_batch_new();
	pg_batch_add(b, "SELECT " USERS_COLUMNS " FROM users u WHERE "
	    "u.pool_id = $1 AND u.sub = $2::uuid", 2, og->client.pool_id,
	    pg_val(r, 0, 0));
	api_query(call, b, oauth_code_user_loaded);
}

/*
 * authorization_code: the client is authenticated already; the code is
 * marked used in the statement that reads it, and only when its
 * redirect_uri and PKCE challenge match the request, so of two
 * concurrent exchanges exactly one wins, and one that holds the code
 * without the verifier changes nothing (the client can still redeem
 * it). A used code presented again with the right verifier is a replay:
 * what its first use issued is revoked.
 */
static void
oauth_token_code(struct api_call *call, struct oauth_grant *og)
{
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];
	char		*s256;

	if (api_str(call->in, "Code") == NULL ||
	    api_str(call->in, "RedirectUri") == NULL) {
		api_fail(call, "invalid_request", "code and redirect_uri are "
		    "required.");
		return;
	}
	codes_digest_hex("oauth-code", api_str(call->in, "Code"), digest);
	s256 = oauth_s256(api_str(call->in, "CodeVerifier"));
	b = pg_batch_new();
	pg_batch_add(b, "WITH old AS (SELECT *, expires_at < extract(epoch "
	    "FROM clock_timestamp()) AS expired FROM oauth_codes WHERE "
	    "code_hash = $1::bytea AND client_id = $2 FOR UPDATE), used AS "
	    "(UPDATE oauth_codes c SET used_at = extract(epoch FROM "
	    "clock_timestamp()) FROM old WHERE c.code_hash = old.code_hash "
	    "AND old.used_at IS NULL AND NOT old.expired AND "
	    "old.redirect_uri = $3 AND (old.code_challenge IS NULL OR "
	    "old.code_challenge = $4) RETURNING 1) SELECT old.sub, "
	    "old.redirect_uri, old.scopes, old.nonce, old.code_challenge, "
	    "old.auth_time, old.origin_jti, old.used_at IS NOT NULL, "
	    "old.expired, EXISTS (SELECT 1 FROM used) FROM old", 4, digest,
	    og->client.client_id, api_str(call->in, "RedirectUri"), s256);
	free(s256);
	api_query(call, b, oauth_code_taken);
}

/* client_credentials: a confidential client's own access token. */
static void
oauth_token_client(struct api_call *call, struct oauth_grant *og)
{
	og->scope = oauth_grant_scopes(json_object_get(og->client.config,
	    "AllowedOAuthScopes"), api_str(call->in, "Scope"), 1);
	if (og->scope == NULL || *og->scope == '\0') {
		api_fail(call, "invalid_scope", "The scopes are not allowed "
		    "for this client.");
		return;
	}
	og->auth_time = (long long)time(NULL);
	oauth_issue(call, NULL, 0);
}

/* The client's secret as the client authentication demands. */
static int
oauth_client_authenticated(struct api_call *call, struct oauth_grant *og)
{
	const char	*given = api_str(call->in, "ClientSecret");

	if (og->client.secret == NULL)
		return given == NULL;
	return given != NULL && codes_equal_str(given, og->client.secret);
}

static void
oauth_token_client_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct oauth_grant	*og = call->data;
	const char		*grant = api_str(call->in, "GrantType");
	const char		*flow;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	/* A client of another pool is unknown on this pool's domain. */
	if (pg_rows(reply->res[0]) != 1 || pg_rows(reply->res[1]) != 1 ||
	    signin_client_from_row(&og->client, api_str(call->in,
	    "ClientId"), reply->res[0], 0, 0) != 0) {
		api_fail(call, "invalid_client", "The client is unknown.");
		return;
	}
	og->have_client = 1;
	if (!oauth_client_authenticated(call, og) || (og->client.secret ==
	    NULL && strcmp(grant, "client_credentials") == 0)) {
		api_fail(call, "invalid_client", "The client could not be "
		    "authenticated.");
		return;
	}
	flow = strcmp(grant, "authorization_code") == 0 ? "code" : grant;
	if (!strarray_has(json_object_get(og->client.config,
	    "AllowedOAuthFlows"), flow) || (strcmp(flow, "code") == 0 &&
	    !api_bool(og->client.config, "AllowedOAuthFlowsUserPoolClient",
	    0))) {
		api_fail(call, "unauthorized_client", "The client may not use "
		    "this grant.");
		return;
	}
	if (strcmp(flow, "code") == 0)
		oauth_token_code(call, og);
	else
		oauth_token_client(call, og);
}

/* --- OAuthImplicit ------------------------------------------------------ */

static const struct shape_member s_implicit_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "ClientId", &s_text, 1 },
	{ "Sub", &s_text, 1 },
	{ "Scope", &s_scope, 1 },
	{ "Nonce", &s_text, 0 },
	{ "AuthTime", &s_time, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_implicit = { .kind = SHAPE_STRUCT,
	.members = s_implicit_members };

static void
oauth_implicit_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct oauth_grant	*og = call->data;
	const PGresult		*r = reply->res[0];

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(r) != 1 || signin_client_from_row(&og->client,
	    api_str(call->in, "ClientId"), r, 0, USERS_NCOLUMNS) != 0) {
		api_fail(call, "invalid_grant", "The user or client is gone.");
		return;
	}
	og->have_client = 1;
	users_from_row(&og->user, r, 0, 0);
	if (!og->user.enabled) {
		api_fail(call, "invalid_grant", "User is disabled.");
		return;
	}
	og->scope = xstrdup(api_str(call->in, "Scope"));
	if (api_str(call->in, "Nonce") != NULL)
		og->nonce = xstrdup(api_str(call->in, "Nonce"));
	og->auth_time = api_int(call->in, "AuthTime", 0);
	oauth_issue(call, &og->user, 0);
}

/* The implicit flow's tokens (no refresh token) for a signed-in user. */
static void
oauth_implicit(struct api_call *call)
{
	struct pg_batch	*b = pg_batch_new();

	api_set_data(call, xcalloc(1, sizeof(struct oauth_grant)),
	    oauth_grant_free);
	pg_batch_add(b, "SELECT " USERS_COLUMNS ", s.* FROM users u, ("
	    SIGNIN_CLIENT_SQL ") s WHERE u.pool_id = $2 AND u.sub = $3::uuid "
	    "AND s.pool_id = u.pool_id", 3, api_str(call->in, "ClientId"),
	    api_str(call->in, "UserPoolId"), api_str(call->in, "Sub"));
	api_query(call, b, oauth_implicit_loaded);
}

/* The token endpoint's grants other than refresh_token. */
static void
oauth_token(struct api_call *call)
{
	const char	*grant = api_str(call->in, "GrantType");
	struct pg_batch	*b;

	if (strcmp(grant, "authorization_code") != 0 &&
	    strcmp(grant, "client_credentials") != 0) {
		api_fail(call, "unsupported_grant_type", "The grant type is "
		    "not supported.");
		return;
	}
	api_set_data(call, xcalloc(1, sizeof(struct oauth_grant)),
	    oauth_grant_free);
	b = pg_batch_new();
	pg_batch_add(b, SIGNIN_CLIENT_SQL, 1, api_str(call->in, "ClientId"));
	pg_batch_add(b, "SELECT 1 FROM domains d JOIN clients c ON c.pool_id "
	    "= d.pool_id WHERE d.domain = $1 AND c.id = $2", 2,
	    api_str(call->in, "Domain"), api_str(call->in, "ClientId"));
	api_query(call, b, oauth_token_client_loaded);
}

/* --- OAuthAttempt ------------------------------------------------------- */

static const struct shape_member s_attempt_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Address", &s_text, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_attempt = { .kind = SHAPE_STRUCT,
	.members = s_attempt_members };

static void
oauth_attempt_counted(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (strtol(pg_val(reply->res[0], 0, 0), NULL, 10) >
	    conf->signin_rate_per_address)
		api_fail(call, "TooManyRequestsException", "Too many sign-in "
		    "attempts from this address; try again in a minute.");
	else
		api_ok(call, NULL);
}

/* Count a sign-in attempt of a client address in the current minute. */
static void
oauth_attempt(struct api_call *call)
{
	struct pg_batch	*b = pg_batch_new();

	pg_batch_add(b, "INSERT INTO signin_attempts (pool_id, address, "
	    "window_start) VALUES ($1, $2, extract(epoch FROM "
	    "clock_timestamp())::bigint / 60) ON CONFLICT (pool_id, address, "
	    "window_start) DO UPDATE SET attempts = signin_attempts.attempts "
	    "+ 1 RETURNING attempts", 2, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "Address"));
	api_query(call, b, oauth_attempt_counted);
}

/* --- OAuthUserInfo ----------------------------------------------------- */

static const struct shape_member s_userinfo_members[] = {
	{ "AccessToken", &s_text, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_userinfo = { .kind = SHAPE_STRUCT,
	.members = s_userinfo_members };

static void
oauth_userinfo_checked(struct api_call *call, struct tokens_access *a)
{
	api_ok(call, tokens_user_info(&a->user, a->client_config, a->scope));
}

/* userInfo: a live access token with the openid scope. */
static void
oauth_userinfo(struct api_call *call)
{
	tokens_check_access_for(call, api_str(call->in, "AccessToken"),
	    "openid", oauth_userinfo_checked);
}

const struct api_op oauth_ops[] = {
	{ "OAuthClient", oauth_client, API_INTERNAL, &s_client },
	{ "OAuthSession", oauth_session, API_INTERNAL, &s_session },
	{ "OAuthCode", oauth_code, API_INTERNAL, &s_code },
	{ "OAuthToken", oauth_token, API_INTERNAL, &s_token },
	{ "OAuthImplicit", oauth_implicit, API_INTERNAL, &s_implicit },
	{ "OAuthUserInfo", oauth_userinfo, API_INTERNAL, &s_userinfo },
	{ "OAuthAttempt", oauth_attempt, API_INTERNAL, &s_attempt },
	{ NULL, NULL, 0, NULL }
};
