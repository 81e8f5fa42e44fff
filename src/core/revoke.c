/*
 * revoke.c: a refresh token revoked with its family (see revoke.h);
 * the client comes from db_clients_signin (at a pool domain from
 * db_clients_signin_on_domain: only a client of the domain's pool) and
 * the DELETE from db/refresh_tokens.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/codes.h"
#include "core/revoke.h"
#include "core/signin.h"
#include "core/task.h"
#include "db/clients.h"
#include "db/pg.h"
#include "db/refresh_tokens.h"
#include "util.h"

struct revoke {
	char			*client_id;
	char			*secret;
	char			*token;
	struct signin_client	 client;
	int			 have_client;
};

static void
revoke_free(void *p)
{
	struct revoke	*rv = p;

	free(rv->client_id);
	if (rv->secret != NULL)
		wipe_free(rv->secret);
	if (rv->token != NULL)
		wipe_free(rv->token);
	if (rv->have_client)
		signin_client_clear(&rv->client);
	free(rv);
}

static void
revoke_done(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok)
		task_fail_db(t, reply);
	else
		task_ok(t);
}

/* EnableTokenRevocation of a client configuration (default true). */
static int
revoke_enabled(json_t *config)
{
	json_t	*v = json_object_get(config, "EnableTokenRevocation");

	return json_is_boolean(v) ? json_is_true(v) : 1;
}

static void
revoke_client_loaded(struct task *t, struct pg_reply *reply)
{
	struct revoke	*rv = t->data;
	struct pg_batch	*b;
	char		 digest[CODES_DIGEST_HEX];

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) != 1) {
		task_fail(t, CORE_ERR_NO_CLIENT,
		    "User pool client %s does not exist.", rv->client_id);
		return;
	}
	rv->have_client = 1;
	if (signin_client_from_row(&rv->client, rv->client_id,
	    reply->res[0], 0, 0) != 0) {
		task_fail(t, CORE_ERR_INTERNAL,
		    "The app client could not be read.");
		return;
	}
	if (!signin_client_secret_ok(&rv->client, rv->secret)) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED,
		    "Client secret is missing or wrong for client %s",
		    rv->client_id);
		return;
	}
	if (!revoke_enabled(rv->client.config)) {
		task_fail(t, CORE_ERR_UNSUPPORTED,
		    "Token revocation is not enabled for this app client.");
		return;
	}
	if (strchr(rv->token, '.') != NULL) {
		task_fail(t, CORE_ERR_BAD_TOKEN_TYPE,
		    "Only refresh tokens can be revoked.");
		return;
	}
	codes_digest_hex("refresh", rv->token, digest);
	b = pg_batch_new();
	db_refresh_tokens_revoke_token(b, digest, rv->client_id);
	task_query(t, b, revoke_done);
}

void
revoke_token(struct task *t, const struct revoke_req *req)
{
	revoke_token_at(t, req, NULL);
}

void
revoke_token_at(struct task *t, const struct revoke_req *req,
    const char *domain)
{
	struct revoke	*rv = xcalloc(1, sizeof *rv);
	struct pg_batch	*b;

	rv->client_id = xstrdup(req->client_id);
	rv->secret = req->client_secret != NULL ?
	    xstrdup(req->client_secret) : NULL;
	rv->token = xstrdup(req->token);
	task_set_data(t, rv, revoke_free);
	b = pg_batch_new();
	if (domain != NULL)
		db_clients_signin_on_domain(b, rv->client_id, domain);
	else
		db_clients_signin(b, rv->client_id);
	task_query(t, b, revoke_client_loaded);
}
