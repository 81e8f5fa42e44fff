/*
 * console_auth.c: the console's own sign-in (account "admin", its
 * password made on first start into <state_dir>/console-password by
 * setup.c), its TOTP step and sign-out, and the helpers the settings
 * page shares (console_int.h: the password check on a crypto thread,
 * the account read, the failure count).
 *
 * Each sign-in and code attempt first takes a token of the client
 * address's bucket (http/ratelimit.c: address_rate, address_burst), a
 * plain 429 page without one. A sign-in reads the account
 * (db/console.c), refuses while it is locked, checks the password on a
 * crypto thread (scrypt), and on success makes a session (console.c
 * sets the cookie; only its digest is stored). CONSOLE_LOCK_AFTER
 * failures in a row, of passwords or TOTP codes, lock the account for
 * CONSOLE_LOCK_SECONDS; an unknown username costs the same scrypt time
 * and shows the same message. With TOTP on, the new session is first
 * good only for the code form (mfa_pending) until a code of the
 * account's secret is given; each code is taken once (the step is
 * recorded by an UPDATE that only a later step passes). Sign-ins,
 * refusals and sign-outs go to the audit log.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "crypto/keys.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "crypto/workers.h"
#include "db/console.h"
#include "db/pg.h"
#include "http/ratelimit.h"
#include "http/request.h"
#include "log.h"
#include "ui/console.h"
#include "ui/console_int.h"
#include "util.h"

#define CONSOLE_LOCK_AFTER	5	/* failed sign-ins in a row */
#define CONSOLE_LOCK_SECONDS	(15 * 60)
#define CONSOLE_BAD_SIGNIN	"Incorrect username or password."
#define CONSOLE_BAD_CODE	"Incorrect code. Enter the code your " \
				"authenticator app shows now."

static void	auth_signin(struct console_req *);
static void	auth_totp(struct console_req *);
static void	auth_signout(struct console_req *);
static void	auth_home_again(struct console_req *);

const struct console_page console_public_pages[] = {
	{ EVHTTP_REQ_POST, "/signin", auth_signin },
	{ EVHTTP_REQ_POST, "/signin/totp", auth_totp },
	{ EVHTTP_REQ_POST, "/signout", auth_signout },
	{ 0, NULL, NULL }
};

const struct console_page console_auth_pages[] = {
	{ EVHTTP_REQ_POST, "/signin", auth_home_again },
	{ EVHTTP_REQ_POST, "/signin/totp", auth_home_again },
	{ EVHTTP_REQ_POST, "/signout", auth_signout },
	{ 0, NULL, NULL }
};

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

/*
 * The address's token for a sign-in or code attempt (address_rate,
 * address_burst): 0, or -1 with a plain 429 page sent.
 */
static int
auth_rate(struct console_req *cr)
{
	if (ratelimit_take(console_client(cr)) == 0)
		return 0;
	console_fail_page(cr, 429, "Too many attempts from your address. "
	    "Try again in a moment.");
	return -1;
}

static void
auth_unavailable(struct console_req *cr)
{
	console_fail_page(cr, 503, "The database is not available. Try "
	    "again later.");
}

/* --- The password check on a crypto thread -------------------------------- */

static void
check_free(struct console_check *c)
{
	free(c->hash);
	wipe_free(c->password);
	wipe_free(c->new_password);
	free(c->new_hash);
	free(c);
}

static void
check_run(void *arg)
{
	struct console_check	*c = arg;

	if (c->hash == NULL) {
		password_dummy_check(c->password);
		c->ok = 0;
	} else
		c->ok = password_check(c->hash, c->password) == 1;
	if (c->ok && c->new_password != NULL)
		c->new_hash = password_hash(c->new_password);
}

static void
check_done(void *arg)
{
	struct console_check	*c = arg;

	if (req_release(console_http(c->cr)) == 0)
		c->then(c);
	check_free(c);
}

void
console_check(struct console_req *cr, const char *hash, const char *password,
    const char *new_password, void (*then)(struct console_check *))
{
	struct console_check	*c = xcalloc(1, sizeof *c);

	c->cr = cr;
	c->hash = hash != NULL ? xstrdup(hash) : NULL;
	c->password = xstrdup(password != NULL ? password : "");
	c->new_password = new_password != NULL ? xstrdup(new_password) :
	    NULL;
	c->then = then;
	req_hold(console_http(cr));
	if (workers_submit(check_run, check_done, c) != 0) {
		if (req_release(console_http(cr)) == 0)
			console_fail_page(cr, 503, "The server is busy. Try "
			    "again in a moment.");
		check_free(c);
	}
}

/* --- Batches -------------------------------------------------------------- */

struct auth_wait {
	struct console_req	*cr;
	console_row_fn		 row;
	char			*path;
};

static void
auth_wait_done(struct pg_reply *reply, void *arg)
{
	struct auth_wait	*w = arg;
	struct console_req	*cr = w->cr;

	if (req_release(console_http(cr)) != 0)
		;
	else if (!reply->ok) {
		log_error("%s: console: %s", console_http(cr)->id,
		    reply->error);
		auth_unavailable(cr);
	} else if (w->row != NULL)
		w->row(cr, reply->res[0]);
	else
		console_redirect(cr, "%s", w->path);
	free(w->path);
	free(w);
}

static void
auth_wait(struct console_req *cr, struct pg_batch *b, console_row_fn row,
    const char *path)
{
	struct auth_wait	*w = xcalloc(1, sizeof *w);

	w->cr = cr;
	w->row = row;
	w->path = path != NULL ? xstrdup(path) : NULL;
	req_hold(console_http(cr));
	pg_submit(b, auth_wait_done, w);
}

void
console_account(struct console_req *cr, const char *user, console_row_fn fn)
{
	struct pg_batch	*b = pg_batch_new();

	db_console_account_get(b, user);
	auth_wait(cr, b, fn, NULL);
}

void
console_query(struct console_req *cr, struct pg_batch *b, console_row_fn fn)
{
	auth_wait(cr, b, fn, NULL);
}

void
console_batch_redirect(struct console_req *cr, struct pg_batch *b,
    const char *path)
{
	auth_wait(cr, b, NULL, path);
}

/* The end of a batch nobody waits for. */
static void
auth_logged(struct pg_reply *reply, void *arg)
{
	if (!reply->ok)
		log_error("console: %s", reply->error);
}

void
console_failed(struct console_req *cr, const char *user, const char *what)
{
	struct pg_batch	*b = pg_batch_new();

	db_console_failed(b, user, CONSOLE_LOCK_AFTER, CONSOLE_LOCK_SECONDS);
	db_console_audit_add(b, user, console_client(cr), what, user,
	    "NotAuthorizedException");
	pg_submit(b, auth_logged, NULL);
}

long long
console_lock_left(const PGresult *res)
{
	return pg_rows(res) == 1 ? strtoll(pg_val(res, 0,
	    DB_CONSOLE_LOCK_LEFT), NULL, 10) : 0;
}

int
console_lock_next(const PGresult *res)
{
	return pg_rows(res) == 1 && strtoll(pg_val(res, 0,
	    DB_CONSOLE_FAILED), NULL, 10) + 1 >= CONSOLE_LOCK_AFTER;
}

/* Minutes of a lock's seconds, rounded up. */
static long long
auth_minutes(long long left)
{
	return (left + 59) / 60;
}

void
console_locked_out(struct console_req *cr, long long left)
{
	struct pg_batch	*b = pg_batch_new();
	const char	*user = console_user(cr);
	char		*msg;

	if (left <= 0)
		left = CONSOLE_LOCK_SECONDS;
	db_console_session_delete(b, console_session_digest(cr));
	db_console_audit_add(b, user, console_client(cr), "SignOut", user,
	    "Locked");
	pg_submit(b, auth_logged, NULL);
	console_session_forget(cr);
	msg = xasprintf("Too many failed attempts: the account is locked for "
	    "%lld minute%s and you were signed out.", auth_minutes(left),
	    auth_minutes(left) == 1 ? "" : "s");
	console_fail_page(cr, 429, msg);
	free(msg);
}

static void
auth_locked_form(struct console_req *cr, long long left, int totp)
{
	char	*msg;

	msg = xasprintf("Too many failed sign-in attempts. Try again in "
	    "%lld minute%s.", (left + 59) / 60, (left + 59) / 60 == 1 ? "" :
	    "s");
	if (totp)
		console_auth_totp_form(cr, 429, msg);
	else
		console_auth_form(cr, 429, msg);
	free(msg);
}

unsigned char *
console_totp_key(const char *sealed, size_t *len)
{
	unsigned char	*b32, *key = NULL;
	size_t		 n;
	char		*text;

	if (sealed == NULL || keys_open(sealed, &b32, &n) != 0)
		return NULL;
	text = xstrndup((const char *)b32, n);
	wipe(b32, n);
	free(b32);
	if (totp_base32_decode(text, &key, len) != 0)
		key = NULL;
	wipe_free(text);
	return key;
}

/* --- Sign-in -------------------------------------------------------------- */

static void
auth_signin_checked(struct console_check *c)
{
	struct console_req	*cr = c->cr;
	const char		*user = console_param(cr, "username");
	struct pg_batch		*b;
	char			*digest;
	int			 totp = console_data(cr) != NULL;

	if (!c->ok) {
		if (c->hash != NULL)
			console_failed(cr, user, "SignIn");
		else
			console_audit(cr, "SignIn", user,
			    "NotAuthorizedException");
		console_auth_form(cr, 400, CONSOLE_BAD_SIGNIN);
		return;
	}
	b = pg_batch_new();
	console_session_cookie(cr, &digest);
	db_console_session_insert(b, digest, user, totp);
	if (!totp) {
		db_console_succeeded(b, user);
		db_console_audit_add(b, user, console_client(cr), "SignIn",
		    user, "ok");
	}
	free(digest);
	console_batch_redirect(cr, b, "/");
}

static void
auth_signin_account(struct console_req *cr, const PGresult *res)
{
	long long	 left = console_lock_left(res);
	int		 found = pg_rows(res) == 1;

	if (left > 0) {
		console_audit(cr, "SignIn", console_param(cr, "username"),
		    "Locked");
		auth_locked_form(cr, left, 0);
		return;
	}
	/* The page's data says a TOTP step follows the password. */
	if (found && pg_val(res, 0, DB_CONSOLE_TOTP) != NULL)
		console_set_data(cr, xstrdup("totp"), free);
	console_check(cr, found ? pg_val(res, 0, DB_CONSOLE_HASH) : NULL,
	    console_param(cr, "password"), NULL, auth_signin_checked);
}

static void
auth_signin(struct console_req *cr)
{
	const char	*user = console_param(cr, "username");
	const char	*password = console_param(cr, "password");

	if (auth_rate(cr) != 0)
		return;
	if (user == NULL || *user == '\0' || password == NULL ||
	    *password == '\0') {
		console_auth_form(cr, 400, CONSOLE_BAD_SIGNIN);
		return;
	}
	console_account(cr, user, auth_signin_account);
}

/* --- The TOTP step -------------------------------------------------------- */

static void
auth_totp_used(struct console_req *cr, const PGresult *res)
{
	struct pg_batch	*b;
	const char	*user = console_session_user(cr);

	if (pg_rows(res) != 1) {	/* the same code twice */
		console_failed(cr, user, "SignIn");
		console_auth_totp_form(cr, 400, CONSOLE_BAD_CODE);
		return;
	}
	b = pg_batch_new();
	db_console_session_verified(b, console_session_digest(cr));
	db_console_succeeded(b, user);
	db_console_audit_add(b, user, console_client(cr), "SignIn", user,
	    "ok");
	console_batch_redirect(cr, b, "/");
}

static void
auth_totp_account(struct console_req *cr, const PGresult *res)
{
	const char	*user = console_session_user(cr);
	const char	*code = console_param(cr, "code");
	unsigned char	*key;
	size_t		 len;
	int64_t		 step = -1;
	long long	 left = console_lock_left(res);
	struct pg_batch	*b;

	if (left > 0) {
		auth_locked_form(cr, left, 1);
		return;
	}
	if (pg_rows(res) == 1 && code != NULL && (key = console_totp_key(
	    pg_val(res, 0, DB_CONSOLE_TOTP), &len)) != NULL) {
		step = totp_verify(key, len, code, now_s(), strtoll(pg_val(res,
		    0, DB_CONSOLE_TOTP_STEP), NULL, 10));
		wipe(key, len);
		free(key);
	}
	if (step < 0) {
		console_failed(cr, user, "SignIn");
		console_auth_totp_form(cr, 400, CONSOLE_BAD_CODE);
		return;
	}
	b = pg_batch_new();
	db_console_totp_used(b, user, (long long)step);
	auth_wait(cr, b, auth_totp_used, NULL);
}

static void
auth_totp(struct console_req *cr)
{
	if (console_session_user(cr) == NULL) {
		console_redirect(cr, "/");
		return;
	}
	if (auth_rate(cr) != 0)
		return;
	console_account(cr, console_session_user(cr), auth_totp_account);
}

/* --- Sign-out ------------------------------------------------------------- */

static void
auth_signout(struct console_req *cr)
{
	struct pg_batch	*b;
	const char	*user = console_session_user(cr);

	if (user == NULL) {
		console_fail_page(cr, 403, "Sign in to the console first.");
		return;
	}
	b = pg_batch_new();
	db_console_session_delete(b, console_session_digest(cr));
	db_console_audit_add(b, user, console_client(cr), "SignOut", user,
	    "ok");
	console_session_forget(cr);
	console_batch_redirect(cr, b, "/");
}
