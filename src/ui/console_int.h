/*
 * console_int.h: what the console's own files share beyond console.h:
 * console.c's session and request details for console_auth.c (the
 * sign-in pages that run before there is a session), the audit log and
 * the start-up of the templates. Family files use console.h only.
 */
#ifndef UI_CONSOLE_INT_H
#define UI_CONSOLE_INT_H

#include <libpq-fe.h>

#include "ui/console.h"

struct pg_batch;

#define CONSOLE_USER		"admin"
#define CONSOLE_COOKIE		"userpoold_console"
#define CONSOLE_PRE_COOKIE	"userpoold_console_pre"
#define CONSOLE_IDLE		(8 * 60 * 60)	/* seconds of idleness */
#define CONSOLE_SECRET_BYTES	32

#define CONSOLE_PARAMS_MAX	1000	/* fields of one form and its query */

/*
 * Add the fields of an urlencoded text (a form body or a query; NULL is
 * none) to into, name: [values], counting them in *n; -1 when it is
 * malformed (more than CONSOLE_PARAMS_MAX fields, a NUL byte or text
 * that is not UTF-8 once decoded). '+' is a space.
 */
int		 console_form_parse(json_t *, const char *, int *) MUST_CHECK;

/* The pages answered without a session (console_auth.c). */
extern const struct console_page	console_public_pages[];
/* The sign-in form, with a message when not NULL (no session). */
void		 console_auth_form(struct console_req *, int, const char *);
/* The TOTP form of a session that owes its code. */
void		 console_auth_totp_form(struct console_req *, int,
		    const char *);

/* The pages of console_settings.c and console_audit.c. */
extern const struct console_page	console_settings_pages[];
extern const struct console_page	console_audit_pages[];

/* The session's user, also while it owes its TOTP code. */
const char	*console_session_user(struct console_req *);
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

/*
 * A password check (and a new password's hash) on a crypto thread. hash
 * NULL: no such account (a dummy check of the same cost). then runs on
 * the loop while the request waits; the struct is freed after it.
 */
struct console_check {
	struct console_req	*cr;
	char			*hash;
	char			*password;
	char			*new_password;	/* NULL: none to hash */
	int			 ok;		/* the password matched */
	char			*new_hash;	/* of new_password */
	void			(*then)(struct console_check *);
};
void		 console_check(struct console_req *, const char *,
		    const char *, const char *,
		    void (*)(struct console_check *));

/* Read the account of user (db_console_account_get's row), then fn. */
typedef void	(*console_row_fn)(struct console_req *, const PGresult *);
void		 console_account(struct console_req *, const char *,
		    console_row_fn);
/* Run a batch, then fn with its first result. */
void		 console_query(struct console_req *, struct pg_batch *,
		    console_row_fn);
/* Run a batch, then redirect to path (a 503 page when it fails). */
void		 console_batch_redirect(struct console_req *,
		    struct pg_batch *, const char *);
/* One more failure of the user's sign-in (password or code), logged. */
void		 console_failed(struct console_req *, const char *,
		    const char *);
/* Seconds the lock of an account's row still lasts (0: none). */
long long	 console_lock_left(const PGresult *);
/* 1 when one more failure locks the account of this row. */
int		 console_lock_next(const PGresult *);
/*
 * A signed-in form of a locked account (left: seconds of the lock, 0
 * for a lock just made): the session ends, a 429 page.
 */
void		 console_locked_out(struct console_req *, long long);

/*
 * The account's TOTP secret from its sealed form (malloc'd, *len
 * bytes; wipe it), NULL when it does not open.
 */
unsigned char	*console_totp_key(const char *, size_t *);

#endif
