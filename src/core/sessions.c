/*
 * sessions.c: hosted-UI sessions and sign-in attempts (see sessions.h).
 *
 * A session's secret is 32 random bytes, base64url, given to the browser
 * once (the cookie) and stored only as its keyed digest, as refresh
 * tokens are; finding a session is finding its digest. The SQL is
 * db/sessions.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "core/codes.h"
#include "core/sessions.h"
#include "core/task.h"
#include "db/pg.h"
#include "db/saml.h"
#include "db/sessions.h"
#include "util.h"

#define SESSIONS_SECRET_BYTES	32

/* The state of one operation: where its result goes. */
struct sessions_op {
	char			*secret;	/* create: the new one, wiped */
	char			**secret_out;
	struct sessions_user	*who;
};

static void
sessions_op_free(void *p)
{
	struct sessions_op	*op = p;

	if (op->secret != NULL)
		wipe_free(op->secret);
	free(op);
}

static struct sessions_op *
sessions_op_new(struct task *t)
{
	struct sessions_op	*op = xcalloc(1, sizeof *op);

	task_set_data(t, op, sessions_op_free);
	return op;
}

void
sessions_user_clear(struct sessions_user *u)
{
	free(u->sub);
	free(u->username);
	free(u->provider);
	memset(u, 0, sizeof *u);
}

static void
sessions_created(struct task *t, struct pg_reply *reply)
{
	struct sessions_op	*op = t->data;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	*op->secret_out = op->secret;
	op->secret = NULL;
	task_ok(t);
}

void
sessions_create(struct task *t, const char *pool_id, const char *sub,
    long long auth_time, char **secret)
{
	sessions_create_fed(t, pool_id, sub, auth_time, NULL, NULL, secret);
}

void
sessions_digest(const char *secret, char out[CODES_DIGEST_HEX])
{
	codes_digest_hex("ui-session", secret != NULL ? secret : "", out);
}

void
sessions_create_fed(struct task *t, const char *pool_id, const char *sub,
    long long auth_time, const char *provider,
    const struct sessions_saml *saml, char **secret)
{
	struct db_saml_session	 ss;
	struct sessions_op	*op;
	struct pg_batch		*b;
	char			 digest[CODES_DIGEST_HEX];

	if (!is_uuid(sub)) {
		task_fail(t, CORE_ERR_INVALID, "Sub is required.");
		return;
	}
	op = sessions_op_new(t);
	op->secret_out = secret;
	op->secret = codes_new_secret(SESSIONS_SECRET_BYTES);
	codes_digest_hex("ui-session", op->secret, digest);
	b = pg_batch_new();
	db_sessions_insert(b, digest, pool_id, sub, auth_time, provider);
	if (saml != NULL) {
		ss.provider_name = saml->provider_name;
		ss.name_id = saml->name_id;
		ss.name_id_format = saml->name_id_format;
		ss.session_index = saml->session_index;
		db_saml_session_insert(b, digest, pool_id, &ss);
	}
	task_query(t, b, sessions_created);
}

static void
sessions_checked(struct task *t, struct pg_reply *reply)
{
	struct sessions_op	*op = t->data;
	struct db_session	 s;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (db_sessions_found(reply->res[0], &s) != 0) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "The session has ended.");
		return;
	}
	sessions_user_clear(op->who);
	op->who->sub = xstrdup(s.sub);
	op->who->username = xstrdup(s.username);
	op->who->auth_time = s.auth_time;
	if (s.provider != NULL)
		op->who->provider = xstrdup(s.provider);
	task_ok(t);
}

void
sessions_check(struct task *t, const char *pool_id, const char *secret,
    struct sessions_user *who)
{
	struct sessions_op	*op = sessions_op_new(t);
	struct pg_batch		*b = pg_batch_new();
	char			 digest[CODES_DIGEST_HEX];

	op->who = who;
	codes_digest_hex("ui-session", secret != NULL ? secret : "", digest);
	db_sessions_find(b, digest, pool_id);
	task_query(t, b, sessions_checked);
}

static void
sessions_ended(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok)
		task_fail_db(t, reply);
	else
		task_ok(t);
}

void
sessions_end(struct task *t, const char *pool_id, const char *secret)
{
	struct pg_batch	*b = pg_batch_new();
	char		 digest[CODES_DIGEST_HEX];

	codes_digest_hex("ui-session", secret != NULL ? secret : "", digest);
	db_sessions_delete(b, digest, pool_id);
	task_query(t, b, sessions_ended);
}

static void
sessions_counted(struct task *t, struct pg_reply *reply)
{
	if (!reply->ok)
		task_fail_db(t, reply);
	else if (db_sessions_attempts(reply->res[0]) >
	    conf->signin_rate_per_address)
		task_fail(t, CORE_ERR_LIMIT, "Too many sign-in attempts from "
		    "this address; try again in a minute.");
	else
		task_ok(t);
}

void
sessions_count_attempt(struct task *t, const char *pool_id,
    const char *address)
{
	struct pg_batch	*b = pg_batch_new();

	db_sessions_count_attempt(b, pool_id, address);
	task_query(t, b, sessions_counted);
}
