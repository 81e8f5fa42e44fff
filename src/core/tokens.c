/*
 * tokens.c: issuing ID, access and refresh tokens, their lifetimes and
 * claims, and checking an access token presented to the user API.
 *
 * Issuing is one database batch (the pool's current keys, the user's
 * groups, the new refresh token's row) and one job on a crypto thread
 * (both RS256 signatures). Checking is one batch (the key its kid names,
 * the pool and client settings, the user and whether the token's family
 * still lives) and a signature verification on the loop, which costs
 * tens of microseconds with the parsed key cached.
 *
 * Both run inside the caller's task (core/task.h): a failure ends that
 * task with a core_err (NOT_AUTHORIZED for a token refused, BUSY,
 * INTERNAL), which the caller's adapter maps; the callback runs only
 * while the task's owner still waits.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "conf.h"
#include "core/codes.h"
#include "core/federation.h"
#include "core/json_cache.h"
#include "core/task.h"
#include "core/tokens.h"
#include "crypto/b64.h"
#include "crypto/jwt.h"
#include "crypto/random.h"
#include "crypto/workers.h"
#include "db/devices.h"
#include "db/pg.h"
#include "db/pools.h"
#include "db/refresh_tokens.h"
#include "db/users.h"
#include "log.h"

#define TOKENS_SCOPE_ADMIN	"aws.cognito.signin.user.admin"
#define TOKENS_REFRESH_BYTES	32

/* Token validity units as clients store them (TokenValidityUnits). */
static const struct {
	const char	*name;
	long long	 seconds;
} tokens_units[] = {
	{ "seconds", 1 },
	{ "minutes", 60 },
	{ "hours", 3600 },
	{ "days", 86400 },
};

long long
tokens_unit_seconds(const char *unit)
{
	size_t	i;

	for (i = 0; unit != NULL && i < nitems(tokens_units); i++)
		if (strcmp(tokens_units[i].name, unit) == 0)
			return tokens_units[i].seconds;
	return 0;
}

long long
tokens_lifetime(json_t *cfg, const char *which)
{
	int		 refresh = strcmp(which, "RefreshToken") == 0;
	char		*member = xasprintf("%sValidity", which);
	json_t		*v = json_object_get(cfg, member);
	const char	*unit;
	long long	 mult;

	free(member);
	unit = json_string_value(json_object_get(json_object_get(cfg,
	    "TokenValidityUnits"), which));
	if ((mult = tokens_unit_seconds(unit)) == 0)
		mult = refresh ? 86400 : 3600;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return refresh ? 30 * 86400 : 3600;
	return json_integer_value(v) * mult;
}

/* A string member of a claims or settings object, or NULL. */
static const char *
tokens_str(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}
/* After a global sign-out: see tokens_signout_wait_ms(). */
#define TOKENS_WAIT_MARGIN_MS	5
#define TOKENS_WAIT_MAX_MS	1000
#define TOKENS_WAIT_TIMERS	3

static struct event_base	*tokens_base;

static void	tokens_waited(evutil_socket_t, short, void *);

/* --- issuing ------------------------------------------------------- */

struct tokens_job {
	struct task	*task;
	tokens_issue_cb	 cb;
	char		*pool_id;
	char		*sub;
	json_t		*id_claims;
	json_t		*access_claims;
	char		*id_kid;
	char		*id_sealed;
	char		*access_kid;
	char		*access_sealed;
	char		*id_token;
	char		*access_token;
	char		*refresh;	/* the new refresh token, or NULL */
	char		*device_key;	/* a new device's, or NULL */
	char		*device_group;
	long long	 expires_in;
	int		 client_only;	/* client_credentials: no user */
	char		*cause;
};

static void
tokens_job_free(struct tokens_job *j)
{
	free(j->pool_id);
	free(j->sub);
	json_decref(j->id_claims);
	json_decref(j->access_claims);
	free(j->id_kid);
	free(j->access_kid);
	if (j->id_sealed != NULL)
		wipe_free(j->id_sealed);
	if (j->access_sealed != NULL)
		wipe_free(j->access_sealed);
	free(j->id_token);
	free(j->access_token);
	if (j->refresh != NULL)
		wipe_free(j->refresh);
	free(j->cause);
	free(j->device_key);
	free(j->device_group);
	free(j);
}

char *
tokens_issuer(const char *pool_id)
{
	return xasprintf("%s/%s", conf->public_url, pool_id);
}

/* 1 when the client may read attribute name (no ReadAttributes: all). */
static int
tokens_readable(json_t *client_config, const char *name)
{
	json_t	*read = json_object_get(client_config, "ReadAttributes");
	json_t	*v;
	size_t	 i;

	if (!json_is_array(read))
		return 1;
	json_array_foreach(read, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

/*
 * OAuth scopes decide which attributes an ID token carries: email and
 * phone their pairs, profile the rest; sub is always there. Tokens of
 * the JSON API (no scopes) carry every readable attribute.
 */
int
tokens_scope_allows(const char *scope, const char *name)
{
	if (scope == NULL || strcmp(name, "sub") == 0)
		return 1;
	if (strcmp(name, "email") == 0 || strcmp(name, "email_verified") == 0)
		return tokens_scope_has(scope, "email");
	if (strcmp(name, "phone_number") == 0 ||
	    strcmp(name, "phone_number_verified") == 0)
		return tokens_scope_has(scope, "phone");
	return tokens_scope_has(scope, "profile");
}

json_t *
tokens_user_info(const struct user *u, json_t *client_config,
    const char *scope)
{
	json_t		*out = json_pack("{s:s, s:s}", "sub", u->sub,
			    "username", u->username);
	const char	*name;
	json_t		*v;

	json_object_foreach(u->attributes, name, v)
		if (json_is_string(v) && strcmp(name, "sub") != 0 &&
		    tokens_readable(client_config, name) &&
		    tokens_scope_allows(scope, name))
			json_object_set(out, name, v);
	return out;
}

/* An attribute as an ID token claim: booleans and numbers typed. */
static json_t *
tokens_attribute_claim(const char *name, const char *value)
{
	char	*end;
	long long n;

	if (strcmp(name, "email_verified") == 0 ||
	    strcmp(name, "phone_number_verified") == 0)
		return json_boolean(strcmp(value, "true") == 0);
	if (strcmp(name, "updated_at") == 0) {
		n = strtoll(value, &end, 10);
		if (*value != '\0' && *end == '\0')
			return json_integer(n);
	}
	return json_string(value);
}

/*
 * A federated or linked user's identities: a JSON array claim, its
 * primary and dateCreated as strings, whatever the scopes (Cognito
 * reserves the claim); the attribute's text when it is not an array.
 */
static void
tokens_identities_claim(json_t *claims, const char *text)
{
	json_t	*a = federation_identities_claim(text);

	json_object_set_new(claims, "identities", a != NULL ? a :
	    json_string(text));
}

/* The claims both tokens share. */
static json_t *
tokens_common_claims(const struct tokens_grant *g, const char *use,
    const char *event_id, const char *origin, long long now, long long ttl)
{
	char	 jti[37];
	json_t	*c;

	random_uuid(jti);
	c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
	    "sub", g->user->sub,
	    "token_use", use,
	    "event_id", event_id,
	    "auth_time", (json_int_t)g->auth_time,
	    "iat", (json_int_t)now,
	    "exp", (json_int_t)(now + ttl),
	    "jti", jti);
	if (origin != NULL)
		json_object_set_new(c, "origin_jti", json_string(origin));
	return c;
}

/* cognito:groups, roles and preferred role from the groups result. */
static void
tokens_group_claims(json_t *claims, const PGresult *res, int roles)
{
	json_t	*names, *arns;
	int	 i, n = pg_rows(res);

	if (n == 0)
		return;
	names = json_array();
	arns = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(names,
		    json_string(pg_val(res, i, DB_USERS_GROUP_NAME)));
		if (pg_val(res, i, DB_USERS_GROUP_ROLE) != NULL)
			json_array_append_new(arns, json_string(pg_val(res, i,
			    DB_USERS_GROUP_ROLE)));
	}
	json_object_set_new(claims, "cognito:groups", names);
	if (roles && json_array_size(arns) > 0) {
		json_object_set(claims, "cognito:preferred_role",
		    json_array_get(arns, 0));
		json_object_set_new(claims, "cognito:roles", arns);
	} else
		json_decref(arns);
}

/*
 * client_credentials: an access token for the client itself, with its
 * scopes and no user, event or family.
 */
static void
tokens_client_claims(struct tokens_job *j, const struct tokens_grant *g)
{
	char		 jti[37];
	char		*iss = tokens_issuer(g->pool_id);
	long long	 now = (long long)time(NULL);

	random_uuid(jti);
	j->expires_in = tokens_lifetime(g->client_config, "AccessToken");
	j->access_claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, "
	    "s:I, s:i, s:s}", "sub", g->client_id, "token_use", "access",
	    "scope", g->scope != NULL ? g->scope : "", "client_id",
	    g->client_id, "auth_time", (json_int_t)now, "iss", iss, "exp",
	    (json_int_t)(now + j->expires_in), "iat", (json_int_t)now,
	    "version", 2, "jti", jti);
	free(iss);
}

static void
tokens_build_claims(struct tokens_job *j, const struct tokens_grant *g,
    const char *origin, const PGresult *groups)
{
	char		 event_id[37];
	char		*iss;
	const char	*name;
	json_t		*v;
	long long	 now = (long long)time(NULL);
	json_t		*rev = json_object_get(g->client_config,
			    "EnableTokenRevocation");
	int		 revocable = !json_is_boolean(rev) || json_is_true(rev);

	if (j->client_only) {
		tokens_client_claims(j, g);
		return;
	}
	iss = tokens_issuer(g->pool_id);
	random_uuid(event_id);
	j->expires_in = tokens_lifetime(g->client_config, "AccessToken");
	j->id_claims = tokens_common_claims(g, "id", event_id,
	    revocable ? origin : NULL, now,
	    tokens_lifetime(g->client_config, "IdToken"));
	j->access_claims = tokens_common_claims(g, "access", event_id,
	    revocable ? origin : NULL, now, j->expires_in);
	json_object_set_new(j->id_claims, "iss", json_string(iss));
	json_object_set_new(j->access_claims, "iss", json_string(iss));
	free(iss);
	json_object_set_new(j->id_claims, "aud", json_string(g->client_id));
	if (g->nonce != NULL)
		json_object_set_new(j->id_claims, "nonce",
		    json_string(g->nonce));
	json_object_set_new(j->id_claims, "cognito:username",
	    json_string(g->user->username));
	json_object_foreach(g->user->attributes, name, v) {
		if (!json_is_string(v) || !tokens_readable(g->client_config,
		    name))
			continue;
		if (strcmp(name, "identities") == 0)
			tokens_identities_claim(j->id_claims,
			    json_string_value(v));
		else if (tokens_scope_allows(g->scope, name))
			json_object_set_new(j->id_claims, name,
			    tokens_attribute_claim(name, json_string_value(v)));
	}
	json_object_set_new(j->access_claims, "client_id",
	    json_string(g->client_id));
	json_object_set_new(j->access_claims, "scope", json_string(
	    g->scope != NULL ? g->scope : TOKENS_SCOPE_ADMIN));
	if (g->scope != NULL)
		json_object_set_new(j->access_claims, "version",
		    json_integer(2));
	json_object_set_new(j->access_claims, "username",
	    json_string(g->user->username));
	tokens_group_claims(j->id_claims, groups, 1);
	tokens_group_claims(j->access_claims, groups, 0);
	if (j->device_key != NULL)
		json_object_set_new(j->access_claims, "device_key",
		    json_string(j->device_key));
	/* OAuth grants an ID token only with the openid scope. */
	if (g->scope != NULL && !tokens_scope_has(g->scope, "openid")) {
		json_decref(j->id_claims);
		j->id_claims = NULL;
	}
}

/* On a crypto thread: both signatures. */
static void
tokens_sign(void *arg)
{
	struct tokens_job	*j = arg;

	if (j->id_claims != NULL && (j->id_token = jwt_sign(j->id_kid,
	    j->id_sealed, j->id_claims, &j->cause)) == NULL)
		return;
	j->access_token = jwt_sign(j->access_kid, j->access_sealed,
	    j->access_claims, &j->cause);
}

static void
tokens_signed(void *arg)
{
	struct tokens_job	*j = arg;
	struct task		*t = j->task;
	json_t			*out;

	if (task_release(t) != 0) {
		tokens_job_free(j);
		return;
	}
	if (j->access_token == NULL) {
		log_error("%s: signing tokens of pool %s: %s", t->id,
		    j->pool_id, j->cause != NULL ? j->cause : "?");
		task_fail(t, CORE_ERR_INTERNAL,
		    "The tokens could not be signed.");
		tokens_job_free(j);
		return;
	}
	out = json_pack("{s:s, s:I, s:s}", "AccessToken", j->access_token,
	    "ExpiresIn", (json_int_t)j->expires_in, "TokenType", "Bearer");
	if (j->id_token != NULL)
		json_object_set_new(out, "IdToken", json_string(j->id_token));
	if (j->refresh != NULL)
		json_object_set_new(out, "RefreshToken",
		    json_string(j->refresh));
	if (j->device_group != NULL)
		json_object_set_new(out, "NewDeviceMetadata", json_pack(
		    "{s:s, s:s}", "DeviceKey", j->device_key,
		    "DeviceGroupKey", j->device_group));
	j->cb(t, out);
	tokens_job_free(j);
}

/*
 * The current signing keys of recently used pools, per process, for a
 * short time (as the JWKS cache): a grant without a user and without a
 * refresh token (client_credentials) then needs no database round trip.
 * A rotated key is picked up within TOKENS_KEYS_TTL_MS; the old one
 * stays valid in the JWKS meanwhile.
 */
#define TOKENS_KEYS_SLOTS	64
#define TOKENS_KEYS_TTL_MS	30000

static struct tokens_keys {
	char	*pool_id;
	char	*id_kid, *id_sealed, *access_kid, *access_sealed;
	int64_t	 expires_ms;
} tokens_keys[TOKENS_KEYS_SLOTS];

static struct tokens_keys *
tokens_keys_slot(const char *pool_id)
{
	unsigned	h = 5381;
	const char	*p;

	for (p = pool_id; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	return &tokens_keys[h % TOKENS_KEYS_SLOTS];
}

static void
tokens_keys_remember(const struct tokens_job *j)
{
	struct tokens_keys	*k = tokens_keys_slot(j->pool_id);

	free(k->pool_id);
	free(k->id_kid);
	free(k->access_kid);
	if (k->id_sealed != NULL)
		wipe_free(k->id_sealed);
	if (k->access_sealed != NULL)
		wipe_free(k->access_sealed);
	k->pool_id = xstrdup(j->pool_id);
	k->id_kid = xstrdup(j->id_kid);
	k->id_sealed = xstrdup(j->id_sealed);
	k->access_kid = xstrdup(j->access_kid);
	k->access_sealed = xstrdup(j->access_sealed);
	k->expires_ms = now_ms() + TOKENS_KEYS_TTL_MS;
}

/* Fill the job's keys from the cache: 0, or -1 when not there. */
static int
tokens_keys_recall(struct tokens_job *j)
{
	struct tokens_keys	*k = tokens_keys_slot(j->pool_id);

	if (k->pool_id == NULL || strcmp(k->pool_id, j->pool_id) != 0 ||
	    k->expires_ms <= now_ms())
		return -1;
	j->id_kid = xstrdup(k->id_kid);
	j->id_sealed = xstrdup(k->id_sealed);
	j->access_kid = xstrdup(k->access_kid);
	j->access_sealed = xstrdup(k->access_sealed);
	return 0;
}

/* Pick the current id and access keys out of the keys result. */
static int
tokens_take_keys(struct tokens_job *j, const PGresult *res)
{
	int	i;

	for (i = 0; i < pg_rows(res); i++) {
		const char	*purpose = pg_val(res, i,
				    DB_POOLS_KEY_PURPOSE);
		char		**kid, **sealed;

		if (strcmp(purpose, "id") == 0) {
			kid = &j->id_kid;
			sealed = &j->id_sealed;
		} else {
			kid = &j->access_kid;
			sealed = &j->access_sealed;
		}
		if (*kid != NULL)
			continue;
		*kid = xstrdup(pg_val(res, i, DB_POOLS_KEY_KID));
		*sealed = xstrdup(pg_val(res, i, DB_POOLS_KEY_SEALED));
	}
	return j->id_kid != NULL && j->access_kid != NULL ? 0 : -1;
}

struct tokens_pending {
	struct tokens_job	*job;
	struct tokens_grant	 grant;
	struct user		 user;
	char			*origin;
	int			 waits;	/* timers of tokens_wait */
};

static void
tokens_pending_free(struct tokens_pending *p)
{
	if (p->job != NULL)
		tokens_job_free(p->job);
	users_clear(&p->user);
	json_decref(p->grant.client_config);
	free((char *)p->grant.pool_id);
	free((char *)p->grant.client_id);
	free((char *)p->grant.scope);
	free((char *)p->grant.nonce);
	free(p->origin);
	free(p);
}

/* The claims built, the job goes to a crypto thread. */
static void
tokens_sign_pending(struct tokens_pending *p, const PGresult *groups)
{
	struct tokens_job	*j = p->job;
	struct task		*t = j->task;

	tokens_build_claims(j, &p->grant, p->origin, groups);
	p->job = NULL;
	tokens_pending_free(p);
	task_hold(t);
	if (workers_submit(tokens_sign, tokens_signed, j) != 0) {
		if (task_release(t) == 0)
			task_fail(t, CORE_ERR_BUSY,
			    "The server is busy; try again later.");
		tokens_job_free(j);
	}
}

static void
tokens_issue_loaded(struct pg_reply *reply, void *arg)
{
	struct tokens_pending	*p = arg;
	struct tokens_job	*j = p->job;
	struct task		*t = j->task;

	if (task_release(t) != 0) {
		tokens_pending_free(p);
		return;
	}
	if (!reply->ok) {
		task_fail_db(t, reply);
		tokens_pending_free(p);
		return;
	}
	if (tokens_take_keys(j, reply->res[0]) != 0) {
		task_fail(t, CORE_ERR_INTERNAL,
		    "The user pool has no signing keys.");
		tokens_pending_free(p);
		return;
	}
	tokens_keys_remember(j);
	tokens_sign_pending(p, j->client_only ? NULL : reply->res[1]);
}

/* Copy what the grant borrows, so the caller's state may go. */
static struct tokens_pending *
tokens_pending_new(struct task *t, const struct tokens_grant *g,
    tokens_issue_cb cb)
{
	struct tokens_pending	*p = xcalloc(1, sizeof *p);
	struct tokens_job	*j = xcalloc(1, sizeof *j);
	const struct user	*u = g->user;

	j->task = t;
	j->cb = cb;
	j->pool_id = xstrdup(g->pool_id);
	j->client_only = u == NULL;
	if (g->device_key != NULL)
		j->device_key = xstrdup(g->device_key);
	p->job = j;
	p->grant = *g;
	p->grant.pool_id = xstrdup(g->pool_id);
	p->grant.client_id = xstrdup(g->client_id);
	p->grant.client_config = json_incref(g->client_config);
	p->grant.scope = g->scope != NULL ? xstrdup(g->scope) : NULL;
	p->grant.nonce = g->nonce != NULL ? xstrdup(g->nonce) : NULL;
	if (u != NULL) {
		p->user.sub = xstrdup(u->sub);
		p->user.username = xstrdup(u->username);
		p->user.attributes = json_deep_copy(u->attributes);
		p->user.tokens_valid_after = u->tokens_valid_after;
	}
	j->sub = xstrdup(u != NULL ? u->sub : g->client_id);
	p->grant.user = &p->user;
	return p;
}

/* The refresh token row of a new (or rotated) token of a family. */
static void
tokens_add_refresh(struct pg_batch *b, struct tokens_pending *p)
{
	struct db_refresh_new	 n;
	char			 digest[CODES_DIGEST_HEX];

	p->job->refresh = codes_new_secret(TOKENS_REFRESH_BYTES);
	codes_digest_hex("refresh", p->job->refresh, digest);
	memset(&n, 0, sizeof n);
	n.digest = digest;
	n.pool_id = p->grant.pool_id;
	n.client_id = p->grant.client_id;
	n.sub = p->user.sub;
	n.origin_jti = p->origin;
	n.auth_time = p->grant.auth_time;
	n.ttl = tokens_lifetime(p->grant.client_config, "RefreshToken");
	n.device_key = p->job->device_key;
	n.scopes = p->grant.scope;
	db_refresh_tokens_insert(b, &n);
}

/* A new device, "<region>_<uuid>", tracked unconfirmed until ConfirmDevice. */
static void
tokens_add_device(struct pg_batch *b, struct tokens_pending *p)
{
	struct tokens_job	*j = p->job;
	char			 uuid[37], group[10];

	random_uuid(uuid);
	random_string(group, sizeof group - 1, RANDOM_ALNUM);
	j->device_key = xasprintf("%s_%s", conf->region, uuid);
	j->device_group = xasprintf("-%s", group);
	db_devices_insert(b, p->grant.pool_id, j->device_key, p->user.sub,
	    j->device_group);
	/* Devices an app never confirmed do not pile up. */
	db_devices_prune(b, p->grant.pool_id, p->user.sub);
}

/* The batch and the signing, with the grant copied into p. */
static void
tokens_issue_start(struct tokens_pending *p)
{
	struct task		*t = p->job->task;
	struct pg_batch		*b;

	/* client_credentials with the keys at hand: nothing to read. */
	if (p->job->client_only && !p->grant.with_refresh &&
	    !p->grant.new_device && tokens_keys_recall(p->job) == 0) {
		tokens_sign_pending(p, NULL);
		return;
	}
	b = pg_batch_new();
	db_pools_signing_keys(b, p->grant.pool_id);
	if (!p->job->client_only)
		db_users_groups(b, p->grant.pool_id, p->user.sub);
	if (p->grant.new_device)
		tokens_add_device(b, p);
	if (p->grant.with_refresh)
		tokens_add_refresh(b, p);
	task_hold(t);
	pg_submit(b, tokens_issue_loaded, p);
}

/*
 * Global sign-out against iat. A sign-out stores its time to the
 * microsecond (users.tokens_valid_after) and the check refuses a token
 * whose iat, in whole seconds, is not after the sign-out's second: a
 * token stamped before the sign-out, even within the same second, is
 * refused. So that a sign-in right after a sign-out still yields live
 * tokens, a user's tokens are stamped only once the second of the last
 * sign-out is over: an issue that finds it is not yet waits on the
 * loop for the next second (a sign-in within a second of its user's
 * sign-out: rare, and about a second at most). iat stays the true
 * time of issue and the token's shape Cognito's. The wait is bounded
 * (TOKENS_WAIT_TIMERS of at most TOKENS_WAIT_MAX_MS), so a database
 * clock far ahead of ours delays nobody for long (such a token is then
 * refused, as tokens are wherever clocks disagree).
 */
static int64_t
tokens_signout_wait_ms(double valid_after)
{
	struct timespec	ts;
	int64_t		now, next;

	/* iat is time(): its clock decides; the precise one says how long. */
	if ((long long)time(NULL) > (long long)valid_after ||
	    clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	next = ((int64_t)valid_after + 1) * 1000 + TOKENS_WAIT_MARGIN_MS;
	if (next - now > TOKENS_WAIT_MAX_MS)
		return TOKENS_WAIT_MAX_MS;
	return next > now ? next - now : TOKENS_WAIT_MARGIN_MS;
}

/*
 * Wait out the second of the user's last sign-out: 0 when a timer is
 * set (its callback resumes the issue), -1 when there is no need.
 * libevent measures from its cached time, which may lag behind, so the
 * callback asks again.
 */
static int
tokens_wait(struct tokens_pending *p)
{
	struct task	*t = p->job->task;
	struct timeval	 tv;
	int64_t		 ms;

	if (p->job->client_only || tokens_base == NULL ||
	    p->waits++ >= TOKENS_WAIT_TIMERS || (ms =
	    tokens_signout_wait_ms(p->user.tokens_valid_after)) == 0)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	task_hold(t);
	if (event_base_once(tokens_base, -1, EV_TIMEOUT, tokens_waited, p,
	    &tv) == 0)
		return 0;
	if (task_release(t) != 0)
		fatalx("tokens_wait: request gone");
	return -1;
}

static void
tokens_waited(evutil_socket_t fd, short what, void *arg)
{
	struct tokens_pending	*p = arg;

	if (task_release(p->job->task) != 0) {
		tokens_pending_free(p);
		return;
	}
	if (tokens_wait(p) != 0)
		tokens_issue_start(p);
}

void
tokens_init(struct event_base *base)
{
	tokens_base = base;
}

void
tokens_issue(struct task *t, const struct tokens_grant *g,
    tokens_issue_cb cb)
{
	struct tokens_pending	*p = tokens_pending_new(t, g, cb);

	/*
	 * A new family only with a refresh token to name it: a token
	 * without one (the implicit flow) names none, so its check goes
	 * by tokens_valid_after instead of a family that never existed.
	 */
	if (g->origin_jti != NULL)
		p->origin = xstrdup(g->origin_jti);
	else if (g->with_refresh) {
		p->origin = xmalloc(37);
		random_uuid(p->origin);
	}
	if (tokens_wait(p) != 0)
		tokens_issue_start(p);
}

/* --- checking an access token -------------------------------------- */

struct tokens_check {
	struct task		*task;
	tokens_access_cb	 cb;
	char			*token;
	struct tokens_access	 a;
	char			*kid;
	json_t			*claims;	/* unverified until jwt_check */
	const char		*need_scope;	/* static */
	/* the cached configurations and their versions (row xmin) */
	json_t			*pool_held, *client_held;
	char			*pool_ver, *client_ver;
};

static void
tokens_check_free(struct tokens_check *t)
{
	free(t->token);
	free(t->kid);
	json_decref(t->claims);
	json_decref(t->pool_held);
	json_decref(t->client_held);
	free(t->pool_ver);
	free(t->client_ver);
	free(t->a.pool_id);
	free(t->a.client_id);
	free(t->a.origin_jti);
	free(t->a.jti);
	free(t->a.scope);
	users_clear(&t->a.user);
	json_decref(t->a.pool_config);
	json_decref(t->a.client_config);
	free(t);
}

static void
tokens_invalid(struct task *t, const char *msg)
{
	task_fail(t, CORE_ERR_NOT_AUTHORIZED, "%s", msg);
}

/* The pool id of an issuer of ours, or NULL. */
static char *
tokens_pool_of_issuer(const char *iss)
{
	size_t	n = strlen(conf->public_url);

	if (iss == NULL || strncmp(iss, conf->public_url, n) != 0 ||
	    iss[n] != '/' || strchr(iss + n + 1, '/') != NULL ||
	    iss[n + 1] == '\0')
		return NULL;
	return xstrdup(iss + n + 1);
}

/* Fill the check from the unverified claims; -1 if it cannot be ours. */
static int
tokens_check_claims(struct tokens_check *t, json_t *c)
{
	const char	*sub = tokens_str(c, "sub");
	const char	*origin = tokens_str(c, "origin_jti");

	if ((t->a.pool_id = tokens_pool_of_issuer(tokens_str(c, "iss"))) ==
	    NULL || tokens_str(c, "client_id") == NULL || !is_uuid(sub) ||
	    (origin != NULL && !is_uuid(origin)))
		return -1;
	t->a.client_id = xstrdup(tokens_str(c, "client_id"));
	t->a.origin_jti = origin != NULL ? xstrdup(origin) : NULL;
	t->a.user.sub = xstrdup(sub);
	return 0;
}

/* The verified claims say this is a live access token for our API. */
static const char *
tokens_check_verified(struct tokens_check *t, json_t *c)
{
	const char	*use = tokens_str(c, "token_use");
	const char	*scope = tokens_str(c, "scope");
	json_t		*exp = json_object_get(c, "exp");
	json_t		*iat = json_object_get(c, "iat");

	if (use == NULL || strcmp(use, "access") != 0 ||
	    !json_is_integer(exp) || !json_is_integer(iat))
		return "Invalid Access Token";
	if (json_integer_value(exp) <= (json_int_t)time(NULL))
		return "Access Token has expired";
	if (scope == NULL || !tokens_scope_has(scope, t->need_scope))
		return "Access Token does not have required scopes";
	t->a.iat = json_integer_value(iat);
	t->a.exp = json_integer_value(exp);
	t->a.scope = xstrdup(scope);
	if (tokens_str(c, "jti") != NULL)
		t->a.jti = xstrdup(tokens_str(c, "jti"));
	return NULL;
}

int
tokens_scope_has(const char *scopes, const char *want)
{
	size_t		 n = strlen(want);
	const char	*p = scopes;

	while ((p = strstr(p, want)) != NULL) {
		if ((p == scopes || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * A configuration of the keys row: columns col (the row's version) and
 * col + 1 (its text, NULL when it is the version held).
 */
static json_t *
tokens_config(const char *what, const char *id, const PGresult *r, int col,
    json_t **held)
{
	json_t	*v;

	if (pg_val(r, 0, col + 1) == NULL) {
		v = *held;
		*held = NULL;
		return v;
	}
	return json_cache_store(what, id, pg_val(r, 0, col),
	    pg_val(r, 0, col + 1));
}

static int
tokens_pg_true(const PGresult *r, int row, int col)
{
	const char	*v = pg_val(r, row, col);

	return v != NULL && strcmp(v, "t") == 0;
}

/* Everything the database says about the token: NULL when it lives. */
static const char *
tokens_check_rows(struct tokens_check *t, struct pg_reply *reply)
{
	const PGresult	*keys = reply->res[0], *users = reply->res[1];
	const char	*why;
	char		*cause = NULL;
	char		*sub;

	if (pg_rows(keys) != 1 || pg_rows(users) != 1)
		return "Invalid Access Token";
	if (pg_val(keys, 0, DB_POOLS_ACCESS_CLIENT_VER) == NULL)
		return "Invalid Access Token";	/* client deleted */
	if (jwt_check(t->token, pg_val(keys, 0, DB_POOLS_ACCESS_PEM),
	    &cause) != 0) {
		free(cause);
		return "Invalid Access Token";
	}
	if ((why = tokens_check_verified(t, t->claims)) != NULL)
		return why;
	sub = t->a.user.sub;
	t->a.user.sub = NULL;
	db_users_from_row(&t->a.user, users, 0, 0);
	free(sub);
	/* iat in the sign-out's second: see tokens_signout_wait_ms(). */
	if (t->a.origin_jti != NULL ?
	    !tokens_pg_true(users, 0, DB_USERS_FAMILY_LIVE) :
	    t->a.iat <= (long long)t->a.user.tokens_valid_after)
		return "Access Token has been revoked";
	if (!t->a.user.enabled)
		return "User is disabled.";
	t->a.pool_config = tokens_config(JSON_CACHE_POOL, t->a.pool_id,
	    keys, DB_POOLS_ACCESS_POOL_VER, &t->pool_held);
	t->a.client_config = tokens_config(JSON_CACHE_CLIENT, t->a.client_id,
	    keys, DB_POOLS_ACCESS_CLIENT_VER, &t->client_held);
	if (t->a.pool_config == NULL || t->a.client_config == NULL)
		return "Invalid Access Token";
	return NULL;
}

static void
tokens_check_loaded(struct pg_reply *reply, void *arg)
{
	struct tokens_check	*t = arg;
	struct task		*task = t->task;
	const char		*why;

	if (task_release(task) != 0) {
		tokens_check_free(t);
		return;
	}
	if (!reply->ok)
		task_fail_db(task, reply);
	else if ((why = tokens_check_rows(t, reply)) != NULL)
		tokens_invalid(task, why);
	else
		t->cb(task, &t->a);
	tokens_check_free(t);
}

void
tokens_check_access(struct task *task, const char *token,
    tokens_access_cb cb)
{
	tokens_check_access_for(task, token, TOKENS_SCOPE_ADMIN, cb);
}

void
tokens_check_access_for(struct task *task, const char *token,
    const char *scope, tokens_access_cb cb)
{
	struct tokens_check	*t = xcalloc(1, sizeof *t);
	struct pg_batch		*b;

	t->task = task;
	t->cb = cb;
	t->need_scope = scope;
	t->token = xstrdup(token);
	if ((t->claims = jwt_peek(token, &t->kid)) == NULL ||
	    tokens_check_claims(t, t->claims) != 0) {
		tokens_invalid(task, "Invalid Access Token");
		tokens_check_free(t);
		return;
	}
	b = pg_batch_new();
	/* The configurations travel only when they changed. */
	t->pool_held = json_cache_peek(JSON_CACHE_POOL, t->a.pool_id,
	    &t->pool_ver);
	t->client_held = json_cache_peek(JSON_CACHE_CLIENT, t->a.client_id,
	    &t->client_ver);
	db_pools_access_key(b, t->a.pool_id, t->kid, t->a.client_id,
	    t->pool_held != NULL ? t->pool_ver : "",
	    t->client_held != NULL ? t->client_ver : "");
	db_users_with_family(b, t->a.pool_id, t->a.user.sub, t->a.origin_jti);
	task_hold(task);
	pg_submit(b, tokens_check_loaded, t);
}
