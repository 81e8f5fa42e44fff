/*
 * console.h: the admin console under <public_url>/console/ on the API
 * host: server-rendered forms over the same operations as the JSON API
 * (api_op_run: same shapes, same handlers, same messages), for a person
 * replaying the seed walkthroughs. Wording: ../shared/reference/console.md.
 *
 * console.c routes a request to a page of the family tables below, after
 * checking the console's own sign-in (console_auth.c: the admin account,
 * its session cookie, CSRF on every POST, lockout, audit log). Family
 * files (console_home.c, console_wizard.c, console_pool.c,
 * console_clients.c, console_users.c, ...) each contribute one table of
 * pages and render templates from templates/console/.
 *
 * A page handler answers exactly once: console_render(),
 * console_redirect() or console_fail_page(), possibly after operations
 * (console_op), each of which ends in the page's ok or fail callback.
 */
#ifndef UI_CONSOLE_H
#define UI_CONSOLE_H

#include <jansson.h>

#include "util.h"

struct console_req;
struct req;

typedef void	(*console_fn)(struct console_req *);

/* A page: methods (EVHTTP_REQ_*), path after /console, handler. */
struct console_page {
	int		 methods;
	const char	*path;	/* '*' is one path segment: "/pools/" "*" */
	console_fn	 fn;
};

/* The family tables, each ended by a { 0, NULL, NULL } row. */
extern const struct console_page	console_home_pages[];
extern const struct console_page	console_auth_pages[];
extern const struct console_page	console_wizard_pages[];
extern const struct console_page	console_pool_pages[];
extern const struct console_page	console_client_pages[];
extern const struct console_page	console_user_pages[];

/* Entry point from the router: every path under /console. */
void		 console_handle(struct req *);
/* Load templates/console/ and static/console.css of ui_dir, at start. */
int		 console_init(char **) MUST_CHECK;
void		 console_free(void);

/* The request: its HTTP request, the '*' segments, its fields. */
struct req	*console_http(struct console_req *);
const char	*console_arg(struct console_req *, int);
/*
 * A field of the POSTed form (its CSRF token already checked) or of the
 * query string (GET); NULL when absent. console_params gives every
 * value of a repeated field (checkboxes, tag rows) as a borrowed array
 * of strings, empty when absent.
 */
const char	*console_param(struct console_req *, const char *);
json_t		*console_params(struct console_req *, const char *);

/*
 * Answers. console_render renders templates/console/<name>.html with
 * ctx (stolen), to which it adds "csrf" (the token every form carries
 * as a hidden field named "csrf"), "user" and "base" (the console's URL
 * path, "/console"). console_redirect answers 303 to /console followed
 * by the formatted path (Post/Redirect/Get). console_fail_page answers
 * a plain page with a message.
 */
void		 console_render(struct console_req *, int, const char *,
		    json_t *);
void		 console_redirect(struct console_req *, const char *, ...)
		    PRINTFLIKE(2, 3);
void		 console_fail_page(struct console_req *, int, const char *);

/*
 * Run a Cognito operation (CreateUserPool, ListUsers...) with input in
 * (stolen, Cognito's data model as the API takes it). ok gets the
 * answer (borrowed); fail the exception's message, for the page to show
 * beside the field with what was typed. Operations that change
 * something are written to the audit log (who, which operation and
 * target, when, from which address). The callback may run the next
 * operation or answer.
 */
typedef void	(*console_ok_fn)(struct console_req *, json_t *);
typedef void	(*console_fail_fn)(struct console_req *, const char *);

void		 console_op(struct console_req *, const char *, json_t *,
		    console_ok_fn, console_fail_fn);

/* The page's own state across operations, freed with the request. */
void		*console_data(struct console_req *);
void		 console_set_data(struct console_req *, void *,
		    void (*)(void *));

#endif
