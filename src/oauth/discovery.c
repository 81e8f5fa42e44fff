/*
 * discovery.c: the issuer documents of a pool. Relying parties fetch the
 * JWKS often (every token validation library does on a cache miss), so
 * each worker keeps a rendered copy for a short time; a rotated key
 * shows up within DISCOVERY_TTL_MS.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "db/domains.h"
#include "db/pg.h"
#include "db/pools.h"
#include "http/cors.h"
#include "http/request.h"
#include "log.h"
#include "oauth/discovery.h"
#include "util.h"

#define DISCOVERY_TTL_MS	30000
#define DISCOVERY_SLOTS		256
#define DISCOVERY_MAX_ID	55

struct discovery_entry {
	char	 pool_id[DISCOVERY_MAX_ID + 1];
	char	*body;
	size_t	 len;
	int64_t	 expires_ms;
};

static struct discovery_entry	jwks_cache[DISCOVERY_SLOTS];

struct discovery_wait {
	struct req	*req;
	char		*pool_id;
};

static unsigned
discovery_slot(const char *id)
{
	unsigned	h = 5381;

	for (; *id != '\0'; id++)
		h = h * 33 + (unsigned char)*id;
	return h % DISCOVERY_SLOTS;
}

static void
discovery_reply(struct req *r, const char *body, size_t len)
{
	cors_add(r);
	req_add_header(r, "Cache-Control", "public, max-age=300");
	req_reply(r, 200, "application/json", body, len);
}

static void
discovery_not_found(struct req *r, const char *pool_id)
{
	char	*body;

	body = xasprintf("{\"message\":\"User pool %s does not exist.\"}",
	    pool_id);
	cors_add(r);
	req_reply(r, 404, "application/json", body, strlen(body));
	free(body);
}

static int
discovery_valid_id(const char *id)
{
	size_t	n = strlen(id);

	return n > 0 && n <= DISCOVERY_MAX_ID && strchr(id, '_') != NULL &&
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == n;
}

static struct discovery_wait *
discovery_wait_new(struct req *r, const char *pool_id)
{
	struct discovery_wait	*w = xcalloc(1, sizeof *w);

	w->req = r;
	w->pool_id = xstrdup(pool_id);
	req_hold(r);
	return w;
}

/* Release the request; 0 if it still waits for an answer. */
static int
discovery_wait_end(struct discovery_wait *w, struct req **r, char **id)
{
	*r = w->req;
	*id = w->pool_id;
	free(w);
	if (req_release(*r) != 0) {
		free(*id);
		return -1;
	}
	return 0;
}

static void
discovery_jwks_loaded(struct pg_reply *reply, void *arg)
{
	struct discovery_entry	*e;
	struct req		*r;
	char			*id, *body;
	int			 i;

	if (discovery_wait_end(arg, &r, &id) != 0)
		return;
	if (!reply->ok)
		req_reply_text(r, 503, "database unavailable\n");
	else if (pg_rows(reply->res[0]) == 0)
		discovery_not_found(r, id);
	else {
		json_t	*keys = json_array(), *doc;

		for (i = 0; i < pg_rows(reply->res[1]); i++)
			json_array_append_new(keys, json_loads(
			    pg_val(reply->res[1], i, DB_POOLS_JWK), 0, NULL));
		doc = json_pack("{s:o}", "keys", keys);
		body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(doc);
		e = &jwks_cache[discovery_slot(id)];
		free(e->body);
		strlcpy(e->pool_id, id, sizeof e->pool_id);
		e->body = body;
		e->len = strlen(body);
		e->expires_ms = now_ms() + DISCOVERY_TTL_MS;
		discovery_reply(r, e->body, e->len);
	}
	free(id);
}

void
discovery_jwks(struct req *r, const char *pool_id)
{
	struct discovery_entry	*e;
	struct pg_batch		*b;

	if (!discovery_valid_id(pool_id)) {
		req_reply_text(r, 404, "Not Found\n");
		return;
	}
	e = &jwks_cache[discovery_slot(pool_id)];
	if (e->body != NULL && e->expires_ms > now_ms() &&
	    strcmp(e->pool_id, pool_id) == 0) {
		discovery_reply(r, e->body, e->len);
		return;
	}
	b = pg_batch_new();
	db_pools_jwks(b, pool_id);
	pg_submit(b, discovery_jwks_loaded, discovery_wait_new(r, pool_id));
}

char *
discovery_domain_base(const char *prefix, const char *custom)
{
	const char	*scheme_end, *port;

	if (custom != NULL)
		return xasprintf("https://%s", custom);
	if (prefix == NULL)
		return NULL;
	if (*conf->auth_domain == '\0')
		return xasprintf("%s/%s", conf->public_url, prefix);
	scheme_end = strstr(conf->public_url, "://");
	port = strchr(scheme_end + 3, ':');
	return xasprintf("%.*s%s.%s%s", (int)(scheme_end + 3 -
	    conf->public_url), conf->public_url, prefix, conf->auth_domain,
	    port != NULL ? port : "");
}

static void
discovery_add_endpoints(json_t *doc, const char *base)
{
	static const char *const	map[][2] = {
		{ "authorization_endpoint", "/oauth2/authorize" },
		{ "token_endpoint", "/oauth2/token" },
		{ "userinfo_endpoint", "/oauth2/userInfo" },
		{ "revocation_endpoint", "/oauth2/revoke" },
		{ "end_session_endpoint", "/logout" },
	};
	size_t				i;

	for (i = 0; i < nitems(map); i++)
		json_object_set_new(doc, map[i][0], json_sprintf("%s%s", base,
		    map[i][1]));
}

static json_t *
discovery_openid_doc(const char *pool_id, const char *base)
{
	json_t	*doc;
	char	*issuer = xasprintf("%s/%s", conf->public_url, pool_id);

	doc = json_pack("{s:s, s:s+, s:[s], s:[ss], s:[ssss], s:[s], "
	    "s:[ss], s:[s], s:[ssssssssss]}",
	    "issuer", issuer,
	    "jwks_uri", issuer, "/.well-known/jwks.json",
	    "id_token_signing_alg_values_supported", "RS256",
	    "response_types_supported", "code", "token",
	    "scopes_supported", "openid", "email", "phone", "profile",
	    "subject_types_supported", "public",
	    "token_endpoint_auth_methods_supported", "client_secret_basic",
	    "client_secret_post",
	    "code_challenge_methods_supported", "S256",
	    "claims_supported", "sub", "iss", "aud", "exp", "iat",
	    "auth_time", "email", "email_verified", "phone_number",
	    "cognito:username");
	free(issuer);
	if (doc == NULL)
		fatalx("discovery document");
	if (base != NULL) {
		discovery_add_endpoints(doc, base);
		json_object_set_new(doc, "grant_types_supported", json_pack(
		    "[sss]", "authorization_code", "refresh_token",
		    "client_credentials"));
	}
	return doc;
}

static void
discovery_openid_loaded(struct pg_reply *reply, void *arg)
{
	struct req	*r;
	char		*id, *base, *body;
	json_t		*doc;

	if (discovery_wait_end(arg, &r, &id) != 0)
		return;
	if (!reply->ok)
		req_reply_text(r, 503, "database unavailable\n");
	else if (pg_rows(reply->res[0]) == 0)
		discovery_not_found(r, id);
	else {
		base = discovery_domain_base(pg_val(reply->res[0], 0,
		    DB_DOMAINS_PREFIX), pg_val(reply->res[0], 0,
		    DB_DOMAINS_CUSTOM));
		doc = discovery_openid_doc(id, base);
		body = json_dumps(doc, JSON_COMPACT | JSON_INDENT(0));
		discovery_reply(r, body, strlen(body));
		free(body);
		free(base);
		json_decref(doc);
	}
	free(id);
}

void
discovery_openid(struct req *r, const char *pool_id)
{
	struct pg_batch	*b;

	if (!discovery_valid_id(pool_id)) {
		req_reply_text(r, 404, "Not Found\n");
		return;
	}
	b = pg_batch_new();
	db_domains_of_pool(b, pool_id);
	pg_submit(b, discovery_openid_loaded, discovery_wait_new(r, pool_id));
}
