/*
 * pages.h: the hosted UI's sign-in pages (rendered by ui/render.c),
 * with a CSRF token on every form.
 */
#ifndef PAGES_H
#define PAGES_H

#include <jansson.h>

struct core_err;
struct domain_req;

/* GET and POST /login: the sign-in form and its challenges. */
void	 pages_login_get(struct domain_req *);
void	 pages_login_post(struct domain_req *);
/*
 * Sign in through the core's hosted door: the password form (challenge
 * NULL) or the answer to challenge with its Session; params (stolen)
 * are the form's USERNAME and PASSWORD or the challenge's responses.
 * Ends signed in (a session, then back to the app), on a challenge's
 * page, or on the sign-in page again with the error.
 */
void	 pages_signin(struct domain_req *, const char *, const char *,
	    json_t *);

/*
 * The end of the task that made a hosted-UI session into o->secret
 * (after a password or a federated sign-in): its cookie, then back to
 * the application; an error page when it failed.
 */
void	 pages_session_made(struct domain_req *, const struct core_err *);

/* The request's CSRF token (o->csrf): the cookie's, or a new one. */
void	 pages_csrf(struct domain_req *);
/* The form's _csrf matches the CSRF cookie (constant time). */
int	 pages_csrf_ok(struct domain_req *);
/* A form's action: <base>/<page>?<the authorization request> (malloc'd). */
char	*pages_action(struct domain_req *, const char *);
/*
 * What a page shows for a core error, from the one table of kinds
 * (pages_errors): the HTTP status (500 and up: our fault, a page that
 * says to come back later rather than the form) and in *msg the
 * message, the table's or else the core's, written for a person.
 */
int	 pages_error(const struct core_err *, const char **);
/* What the username field asks for, from the pool's sign-in options. */
const char *pages_username_label(struct domain_req *);

#endif
