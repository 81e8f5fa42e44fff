/*
 * console_int.h: what the console's own files share beyond console.h:
 * console.c's session and request details for console_auth.c (the
 * sign-in pages that run before there is a session), the audit log and
 * the start-up of the templates. Family files use console.h only.
 */
#ifndef UI_CONSOLE_INT_H
#define UI_CONSOLE_INT_H

#include "ui/console.h"

#define CONSOLE_USER		"admin"
#define CONSOLE_COOKIE		"userpoold_console"
#define CONSOLE_PRE_COOKIE	"userpoold_console_pre"
#define CONSOLE_IDLE		(8 * 60 * 60)	/* seconds of idleness */
#define CONSOLE_SECRET_BYTES	32

/* The pages answered without a session (console_auth.c). */
extern const struct console_page	console_public_pages[];
/* The sign-in form, with a message when not NULL (no session). */
void		 console_auth_form(struct console_req *, int, const char *);
/* The TOTP form of a session that owes its code. */
void		 console_auth_totp_form(struct console_req *, int,
		    const char *);

/* The signed-in user, NULL before sign-in. */
const char	*console_user(struct console_req *);
/* The session's digest (a bytea literal), NULL before sign-in. */
const char	*console_session_digest(struct console_req *);
/* The client's address, for the audit log. */
const char	*console_client(struct console_req *);
/*
 * Start a session with a new secret (malloc'd into *digest as a bytea
 * literal): sets the cookie; the caller stores the digest.
 */
void		 console_session_cookie(struct console_req *, char **);
/* Tell the browser to forget its session cookie. */
void		 console_session_forget(struct console_req *);
/* Write an entry of the audit log (fire and forget, failures logged). */
void		 console_audit(struct console_req *, const char *,
		    const char *, const char *);

#endif
