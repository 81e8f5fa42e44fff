/*
 * console_settings.c: the console account's Settings page: change the
 * password (the current one checked, the new one of at least
 * CONSOLE_PASSWORD_MIN characters hashed on a crypto thread; the
 * account's other sessions end and <state_dir>/console-password, which
 * no longer holds it, is removed) and TOTP for the account: Set up TOTP
 * shows a new secret as a QR code of its otpauth:// URI and as text,
 * Turn on TOTP takes it with a first code from the app (the secret
 * travels in a hidden field until then: it is on the person's screen
 * anyway; stored sealed under the master key once on), Turn off TOTP
 * takes a current code; while TOTP is on, Set up and Turn on are
 * refused (409), so a session alone cannot replace the secret (the
 * owner's way back without the app is `userpoold console-password`,
 * which clears it). Wrong passwords and codes count towards the
 * lockout (the forms of a locked account, and the failure that locks
 * it, end the session with a 429 page); every change goes to the audit
 * log. Each POST ends with a redirect to the page with a "done" message
 * (Post/Redirect/Get).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/http.h>

#include "conf.h"
#include "crypto/keys.h"
#include "crypto/totp.h"
#include "db/console.h"
#include "db/pg.h"
#include "http/request.h"
#include "log.h"
#include "ui/console.h"
#include "ui/console_int.h"
#include "ui/qr.h"
#include "util.h"

#define CONSOLE_PASSWORD_MIN	12
#define CONSOLE_TOTP_ISSUER	"userpoold%20console"

static void	settings_get(struct console_req *);
static void	settings_password(struct console_req *);
static void	settings_totp_new(struct console_req *);
static void	settings_totp_on(struct console_req *);
static void	settings_totp_off(struct console_req *);

const struct console_page console_settings_pages[] = {
	{ EVHTTP_REQ_GET, "/settings", settings_get },
	{ EVHTTP_REQ_POST, "/settings/password", settings_password },
	{ EVHTTP_REQ_POST, "/settings/totp", settings_totp_new },
	{ EVHTTP_REQ_POST, "/settings/totp/on", settings_totp_on },
	{ EVHTTP_REQ_POST, "/settings/totp/off", settings_totp_off },
	{ 0, NULL, NULL }
};

/* What the page says after a change, by the redirect's "done". */
static const struct {
	const char	*done;
	const char	*field;
	const char	*text;
} settings_done[] = {
	{ "password", "done_password", "Your password was changed. Your "
	  "other sessions were signed out." },
	{ "totp_on", "done_totp", "TOTP is on: signing in asks for a code "
	  "from your authenticator app." },
	{ "totp_off", "done_totp", "TOTP is off." },
};

static void
settings_render(struct console_req *cr, int status, int totp_on,
    json_t *ctx)
{
	const char	*done = console_param(cr, "done");
	size_t		 i;

	json_object_set_new(ctx, "title", json_string("Settings"));
	json_object_set_new(ctx, "totp_on", json_boolean(totp_on));
	for (i = 0; done != NULL && i < nitems(settings_done); i++)
		if (strcmp(done, settings_done[i].done) == 0)
			json_object_set_new(ctx, settings_done[i].field,
			    json_string(settings_done[i].text));
	console_render(cr, status, "settings", ctx);
}

static void
settings_shown(struct console_req *cr, const PGresult *res)
{
	settings_render(cr, 200, pg_rows(res) == 1 &&
	    pg_val(res, 0, DB_CONSOLE_TOTP) != NULL, json_object());
}

static void
settings_get(struct console_req *cr)
{
	console_account(cr, console_user(cr), settings_shown);
}

/* --- The password --------------------------------------------------------- */

/*
 * The password form's facts about the account, kept as the page's data
 * while the password is checked: "t" TOTP is on, "l" one more failure
 * locks it ("-" for no).
 */
static int
settings_password_fact(struct console_req *cr, int which)
{
	const char	*d = console_data(cr);

	return d != NULL && strchr(d, which) != NULL;
}

static void
settings_password_error(struct console_req *cr, int status, const char *msg)
{
	settings_render(cr, status, settings_password_fact(cr, 't'),
	    json_pack("{s:s}", "error_password", msg));
}

/* The file of the first password no longer holds the password. */
static void
settings_forget_file(void)
{
	char	*path = conf_path(conf, "console-password");

	if (unlink(path) == 0)
		log_info("console password changed: %s removed", path);
	else if (errno != ENOENT)
		log_warn("%s: %s", path, strerror(errno));
	free(path);
}

static void
settings_password_checked(struct console_check *c)
{
	struct console_req	*cr = c->cr;
	const char		*user = console_user(cr);
	struct pg_batch		*b;

	if (!c->ok) {
		console_failed(cr, user, "ChangeConsolePassword");
		if (settings_password_fact(cr, 'l'))
			console_locked_out(cr, 0);
		else
			settings_password_error(cr, 400, "Incorrect "
			    "password.");
		return;
	}
	if (c->new_hash == NULL) {
		console_fail_page(cr, 500, "The password could not be "
		    "changed.");
		return;
	}
	b = pg_batch_new();
	db_console_password_set(b, user, c->new_hash);
	db_console_sessions_end_others(b, user, console_session_digest(cr));
	db_console_audit_add(b, user, console_client(cr),
	    "ChangeConsolePassword", user, "ok");
	settings_forget_file();
	console_batch_redirect(cr, b, "/settings?done=password");
}

static void
settings_password_account(struct console_req *cr, const PGresult *res)
{
	const char	*cur = console_param(cr, "current");
	const char	*new = console_param(cr, "new");
	const char	*confirm = console_param(cr, "confirm");
	long long	 left = console_lock_left(res);

	if (left > 0) {
		console_locked_out(cr, left);
		return;
	}
	console_set_data(cr, xasprintf("%c%c", pg_rows(res) == 1 &&
	    pg_val(res, 0, DB_CONSOLE_TOTP) != NULL ? 't' : '-',
	    console_lock_next(res) ? 'l' : '-'), free);
	if (cur == NULL || *cur == '\0')
		settings_password_error(cr, 400, "Enter your current "
		    "password.");
	else if (new == NULL || utf8_chars(new) < CONSOLE_PASSWORD_MIN)
		settings_password_error(cr, 400, "The new password must have "
		    "at least 12 characters.");
	else if (confirm == NULL || strcmp(new, confirm) != 0)
		settings_password_error(cr, 400, "The new passwords do not "
		    "match.");
	else
		console_check(cr, pg_rows(res) == 1 ? pg_val(res, 0,
		    DB_CONSOLE_HASH) : NULL, cur, new,
		    settings_password_checked);
}

static void
settings_password(struct console_req *cr)
{
	console_account(cr, console_user(cr), settings_password_account);
}

/* --- TOTP ----------------------------------------------------------------- */

/* The set-up part of the page for a base32 secret. */
static void
settings_totp_setup(struct console_req *cr, int status, const char *secret,
    const char *error)
{
	char	*uri, *svg;
	json_t	*ctx;

	uri = xasprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s",
	    CONSOLE_TOTP_ISSUER, console_user(cr), secret,
	    CONSOLE_TOTP_ISSUER);
	svg = qr_svg(uri);
	ctx = json_pack("{s:{s:s, s:s}}", "totp_setup", "secret", secret,
	    "qr", svg != NULL ? svg : "");
	if (error != NULL)
		json_object_set_new(ctx, "error_totp", json_string(error));
	settings_render(cr, status, 0, ctx);
	free(svg);
	free(uri);
}

/*
 * With TOTP on, a new secret would replace it without the current code:
 * turning it off (which takes a code) comes first. 1 when refused.
 */
static int
settings_totp_is_on(struct console_req *cr, const PGresult *res)
{
	if (pg_rows(res) != 1 || pg_val(res, 0, DB_CONSOLE_TOTP) == NULL)
		return 0;
	settings_render(cr, 409, 1, json_pack("{s:s}", "error_totp",
	    "TOTP is already on. Turn it off first, with a code from your "
	    "authenticator app."));
	return 1;
}

static void
settings_totp_new_account(struct console_req *cr, const PGresult *res)
{
	unsigned char	 key[TOTP_SECRET_BYTES];
	char		*secret;

	if (settings_totp_is_on(cr, res))
		return;
	totp_secret_new(key);
	secret = totp_base32_encode(key, sizeof key);
	wipe(key, sizeof key);
	settings_totp_setup(cr, 200, secret, NULL);
	wipe_free(secret);
}

static void
settings_totp_new(struct console_req *cr)
{
	console_account(cr, console_user(cr), settings_totp_new_account);
}

/* The step of a code for a base32 secret, or -1. */
static int64_t
settings_code_step(const char *secret, const char *code, long long last)
{
	unsigned char	*key;
	size_t		 len;
	int64_t		 step;

	if (secret == NULL || code == NULL ||
	    totp_base32_decode(secret, &key, &len) != 0)
		return -1;
	step = len == TOTP_SECRET_BYTES ? totp_verify(key, len, code,
	    now_s(), last) : -1;
	wipe(key, len);
	free(key);
	return step;
}

static void
settings_totp_on_account(struct console_req *cr, const PGresult *res)
{
	const char	*secret = console_param(cr, "secret");
	const char	*user = console_user(cr);
	int64_t		 step;
	struct pg_batch	*b;
	char		*sealed;

	if (settings_totp_is_on(cr, res))
		return;
	step = settings_code_step(secret, console_param(cr, "code"), 0);
	if (step < 0) {
		if (secret == NULL)
			console_redirect(cr, "/settings");
		else
			settings_totp_setup(cr, 400, secret, "Incorrect code. "
			    "Enter the code your authenticator app shows "
			    "now.");
		return;
	}
	sealed = keys_seal(secret, strlen(secret));
	b = pg_batch_new();
	db_console_totp_set(b, user, sealed);
	db_console_totp_used(b, user, (long long)step);
	db_console_audit_add(b, user, console_client(cr), "EnableConsoleTotp",
	    user, "ok");
	free(sealed);
	console_batch_redirect(cr, b, "/settings?done=totp_on");
}

static void
settings_totp_on(struct console_req *cr)
{
	console_account(cr, console_user(cr), settings_totp_on_account);
}

static void
settings_totp_off_account(struct console_req *cr, const PGresult *res)
{
	const char	*user = console_user(cr);
	const char	*code = console_param(cr, "code");
	unsigned char	*key;
	size_t		 len;
	int64_t		 step = -1;
	struct pg_batch	*b;

	if (pg_rows(res) != 1 || pg_val(res, 0, DB_CONSOLE_TOTP) == NULL) {
		console_redirect(cr, "/settings");
		return;
	}
	if (console_lock_left(res) > 0) {
		console_locked_out(cr, console_lock_left(res));
		return;
	}
	if (code != NULL && (key = console_totp_key(pg_val(res, 0,
	    DB_CONSOLE_TOTP), &len)) != NULL) {
		step = totp_verify(key, len, code, now_s(), strtoll(pg_val(res,
		    0, DB_CONSOLE_TOTP_STEP), NULL, 10));
		wipe(key, len);
		free(key);
	}
	if (step < 0) {
		console_failed(cr, user, "DisableConsoleTotp");
		if (console_lock_next(res)) {
			console_locked_out(cr, 0);
			return;
		}
		settings_render(cr, 400, 1, json_pack("{s:s}", "error_totp",
		    "Incorrect code. Enter the code your authenticator app "
		    "shows now."));
		return;
	}
	b = pg_batch_new();
	db_console_totp_set(b, user, NULL);
	db_console_audit_add(b, user, console_client(cr),
	    "DisableConsoleTotp", user, "ok");
	console_batch_redirect(cr, b, "/settings?done=totp_off");
}

static void
settings_totp_off(struct console_req *cr)
{
	console_account(cr, console_user(cr), settings_totp_off_account);
}
