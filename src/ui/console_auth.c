/*
 * console_auth.c: the console's own sign-in (account "admin", its
 * password made on first start into <state_dir>/console-password by
 * setup.c), sign-out and the settings page (change the password, turn
 * TOTP on or off).
 *
 * A sign-in reads the account (db/console.c), refuses while it is
 * locked, checks the password on a crypto thread (scrypt), and on
 * success makes a session (console.c sets the cookie; only its digest
 * is stored). CONSOLE_LOCK_AFTER failures in a row lock the account for
 * CONSOLE_LOCK_SECONDS; an unknown username costs the same scrypt time
 * and shows the same message. With TOTP on, the session is first only
 * good for the code form (mfa_pending) until a code of the account's
 * secret is given, each code once. Sign-ins, refusals, sign-outs and
 * settings changes go to the audit log.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "crypto/password.h"
#include "crypto/workers.h"
#include "db/console.h"
#include "db/pg.h"
#include "http/request.h"
#include "log.h"
#include "ui/console.h"
#include "ui/console_int.h"
#include "util.h"

#define CONSOLE_LOCK_AFTER	5	/* failed sign-ins in a row */
#define CONSOLE_LOCK_SECONDS	(15 * 60)
#define CONSOLE_BAD_SIGNIN	"Incorrect username or password."

/* A password check on a crypto thread and what follows it. */
struct auth_job {
	struct console_req	*cr;
	char			*hash;		/* NULL: no such account */
	char			*password;
	int			 ok;
	void			(*then)(struct auth_job *);
};

static void	auth_signin(struct console_req *);
static void	auth_signout(struct console_req *);
static void	auth_settings(struct console_req *);
static void	auth_home_again(struct console_req *);

const struct console_page console_public_pages[] = {
	{ EVHTTP_REQ_POST, "/signin", auth_signin },
	{ 0, NULL, NULL }
};

const struct console_page console_auth_pages[] = {
	{ EVHTTP_REQ_POST, "/signin", auth_home_again },
	{ EVHTTP_REQ_POST, "/signout", auth_signout },
	{ EVHTTP_REQ_GET, "/settings", auth_settings },
	{ 0, NULL, NULL }
};

static void
auth_job_free(struct auth_job *job)
{
	free(job->hash);
	wipe_free(job->password);
	free(job);
}

void
console_auth_form(struct console_req *cr, int status, const char *msg)
{
	json_t		*ctx = json_pack("{s:s}", "title", "Sign in");
	const char	*user = console_param(cr, "username");

	if (msg != NULL)
		json_object_set_new(ctx, "error", json_string(msg));
	if (user != NULL)
		json_object_set_new(ctx, "username", json_string(user));
	console_render(cr, status, "signin", ctx);
}

void
console_auth_totp_form(struct console_req *cr, int status, const char *msg)
{
	json_t	*ctx = json_pack("{s:s}", "title", "Sign in");

	if (msg != NULL)
		json_object_set_new(ctx, "error", json_string(msg));
	console_render(cr, status, "signin_totp", ctx);
}

static void
auth_home_again(struct console_req *cr)
{
	console_redirect(cr, "/");
}

/* --- The password check on a crypto thread -------------------------------- */

static void
auth_job_run(void *arg)
{
	struct auth_job	*job = arg;

	if (job->hash == NULL) {
		password_dummy_check(job->password);
		job->ok = 0;
	} else
		job->ok = password_check(job->hash, job->password) == 1;
	wipe(job->password, strlen(job->password));
}

static void
auth_job_done(void *arg)
{
	struct auth_job	*job = arg;

	if (req_release(console_http(job->cr)) != 0) {
		auth_job_free(job);
		return;
	}
	job->then(job);
	auth_job_free(job);
}

static void
auth_check(struct console_req *cr, const char *hash, const char *password,
    void (*then)(struct auth_job *))
{
	struct auth_job	*job = xcalloc(1, sizeof *job);

	job->cr = cr;
	job->hash = hash != NULL ? xstrdup(hash) : NULL;
	job->password = xstrdup(password);
	job->then = then;
	req_hold(console_http(cr));
	if (workers_submit(auth_job_run, auth_job_done, job) != 0) {
		if (req_release(console_http(cr)) == 0)
			console_fail_page(cr, 503, "The server is busy. Try "
			    "again in a moment.");
		auth_job_free(job);
	}
}

/* --- Sign-in -------------------------------------------------------------- */

static void
auth_batch_done(struct pg_reply *reply, void *arg)
{
	struct console_req	*cr = arg;

	if (req_release(console_http(cr)) != 0)
		return;
	if (!reply->ok) {
		log_error("%s: console sign-in: %s", console_http(cr)->id,
		    reply->error);
		console_fail_page(cr, 503, "The database is not available. "
		    "Try again later.");
		return;
	}
	console_redirect(cr, "/");
}

/* The end of a batch nobody waits for. */
static void
auth_logged(struct pg_reply *reply, void *arg)
{
	if (!reply->ok)
		log_error("console sign-in: %s", reply->error);
}

static void
auth_run(struct console_req *cr, struct pg_batch *b, pg_cb cb)
{
	req_hold(console_http(cr));
	pg_submit(b, cb, cr);
}

static void
auth_signin_checked(struct auth_job *job)
{
	struct console_req	*cr = job->cr;
	const char		*user = console_param(cr, "username");
	struct pg_batch		*b = pg_batch_new();
	char			*digest;

	if (!job->ok) {
		if (job->hash != NULL)
			db_console_failed(b, user, CONSOLE_LOCK_AFTER,
			    CONSOLE_LOCK_SECONDS);
		db_console_audit_add(b, user, console_client(cr), "SignIn",
		    user, "NotAuthorizedException");
		pg_submit(b, auth_logged, NULL);
		console_auth_form(cr, 400, CONSOLE_BAD_SIGNIN);
		return;
	}
	console_session_cookie(cr, &digest);
	db_console_session_insert(b, digest, user, 0);
	db_console_succeeded(b, user);
	db_console_audit_add(b, user, console_client(cr), "SignIn", user,
	    "ok");
	free(digest);
	auth_run(cr, b, auth_batch_done);
}

static void
auth_account_done(struct pg_reply *reply, void *arg)
{
	struct console_req	*cr = arg;
	const PGresult		*res;
	long long		 left;
	char			*msg;

	if (req_release(console_http(cr)) != 0)
		return;
	if (!reply->ok) {
		console_fail_page(cr, 503, "The database is not available. "
		    "Try again later.");
		return;
	}
	res = reply->res[0];
	left = pg_rows(res) == 1 ?
	    strtoll(pg_val(res, 0, DB_CONSOLE_LOCK_LEFT), NULL, 10) : 0;
	if (left > 0) {
		console_audit(cr, "SignIn", console_param(cr, "username"),
		    "Locked");
		msg = xasprintf("Too many failed sign-in attempts. Try again "
		    "in %lld minute%s.", (left + 59) / 60,
		    (left + 59) / 60 == 1 ? "" : "s");
		console_auth_form(cr, 429, msg);
		free(msg);
		return;
	}
	auth_check(cr, pg_rows(res) == 1 ? pg_val(res, 0, DB_CONSOLE_HASH) :
	    NULL, console_param(cr, "password"), auth_signin_checked);
}

static void
auth_signin(struct console_req *cr)
{
	const char	*user = console_param(cr, "username");
	const char	*password = console_param(cr, "password");
	struct pg_batch	*b;

	if (user == NULL || *user == '\0' || password == NULL ||
	    *password == '\0') {
		console_auth_form(cr, 400, CONSOLE_BAD_SIGNIN);
		return;
	}
	b = pg_batch_new();
	db_console_account_get(b, user);
	auth_run(cr, b, auth_account_done);
}

/* --- Sign-out and settings ------------------------------------------------ */

static void
auth_signout(struct console_req *cr)
{
	struct pg_batch	*b = pg_batch_new();

	db_console_session_delete(b, console_session_digest(cr));
	db_console_audit_add(b, console_user(cr), console_client(cr),
	    "SignOut", console_user(cr), "ok");
	console_session_forget(cr);
	auth_run(cr, b, auth_batch_done);
}

static void
auth_settings(struct console_req *cr)
{
	console_render(cr, 200, "settings", json_pack("{s:s}", "title",
	    "Settings"));
}
