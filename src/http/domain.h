/*
 * domain.h: a pool domain's requests (the hosted UI and the OAuth2
 * endpoints). domain.c holds the route table of a domain's paths, the
 * request context every handler of ui/ and oauth/ gets (struct
 * domain_req), the one rule of what a domain prefix is (shared by
 * CreateUserPoolDomain and the router), and the helpers both kinds of
 * handler share: parameters (query or form, each name once), cookies and
 * redirects. domain_authz.c checks and completes an authorization
 * request, which both the sign-in pages and /oauth2/authorize finish.
 */
#ifndef DOMAIN_H
#define DOMAIN_H

#include <stddef.h>

#include <jansson.h>

#include "core/grants.h"
#include "core/sessions.h"
#include "core/task.h"
#include "http/request.h"

#define DOMAIN_SESSION_COOKIE	"userpoold_session"
#define DOMAIN_CSRF_COOKIE	"userpoold_csrf"

struct domain_req;

/* The end of a core operation run for a request (err NULL: success). */
typedef void	(*domain_task_fn)(struct domain_req *, const struct core_err *);

/* What the handlers of one pool-domain request share (the req's ctx). */
struct domain_req {
	struct req	*r;
	json_t		*query;		/* the query's parameters */
	json_t		*form;		/* a POST body's parameters */
	char		*pool_id;	/* once the domain is resolved */
	json_t		*client;	/* the checked client (domain_authz) */
	char		*sub;		/* the signed-in user */
	char		*username;
	long long	 auth_time;
	char		*csrf;		/* the page's CSRF token */
	char		*base;		/* "" or "/<prefix>": see domain_base */
	void		*page;		/* a handler's own state */
	void		(*page_free)(void *);
	void		*fed;		/* a federated sign-in's state */
	void		(*fed_free)(void *);
	/* The SAML sign-in the new session remembers (borrowed), or NULL. */
	const struct sessions_saml *fed_saml;
	/* The provider a federated sign-in came through (the session's). */
	char		*fed_provider;
	/* The core operation in flight (domain_task) and what it yields. */
	struct task	 task;
	domain_task_fn	 task_done;
	struct grants_client grant;	/* the checked client (grants_check) */
	struct sessions_user who;	/* a session's user (sessions_check) */
	char		*secret;	/* a new code or session, wiped */
	json_t		*result;	/* tokens or claims */
};

/* Why a name is not a usable domain prefix (domain_prefix_check). */
enum domain_prefix_verdict {
	DOMAIN_PREFIX_OK,
	DOMAIN_PREFIX_PATTERN,	/* not ^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$ */
	DOMAIN_PREFIX_WORD,	/* contains aws, amazon or cognito */
	DOMAIN_PREFIX_RESERVED	/* one of our own top-level paths */
};

#define DOMAIN_PREFIX_PATTERN_TEXT					\
	"^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"

/* One lowercase DNS label as Cognito's prefix pattern has it: 1 or 0. */
int	 domain_label_ok(const char *, size_t);
/*
 * The prefix rule, over [s, s + len): Cognito's pattern and reserved
 * words, and the names of the API host's own paths. *word (when not
 * NULL) gets the reserved word a DOMAIN_PREFIX_WORD verdict found.
 */
enum domain_prefix_verdict domain_prefix_check(const char *, size_t,
	    const char **);

/* Router entry: a request for a pool domain's hosted UI or OAuth2. */
void	 domain_route(struct req *);

/*
 * The parameters of a query or form body as an object of strings; NULL
 * when one is malformed or given twice (RFC 6749 §3.1).
 */
json_t	*domain_params(const char *);
/* A parameter of the query (GET) or of the form (POST), or NULL. */
const char *domain_param(struct domain_req *, const char *);
/*
 * 1 when a parameter is absent (NULL) or has min to DOMAIN_PARAM_MAX
 * characters, the bounds Cognito's model sets on what the OAuth
 * endpoints pass on; longer input is malformed, never looked up.
 */
#define DOMAIN_PARAM_MAX	2048
int	 domain_param_ok(const char *, size_t);

/*
 * The request's task for one core operation, whose end calls done
 * (unless the request has been answered meanwhile, by its deadline).
 * One operation at a time; done may start the next.
 */
struct task *domain_task(struct domain_req *, const char *, domain_task_fn);

/* 302 to url. */
void	 domain_redirect(struct domain_req *, const char *);
/*
 * url with the string members of pairs appended as a query ('?' or '&')
 * or, with fragment set, as a fragment; malloc'd.
 */
char	*domain_url_with(const char *, json_t *, int);

/* The value of a cookie of the request (malloc'd), or NULL. */
char	*domain_cookie(struct domain_req *, const char *);
/* The value of cookie name in a Cookie header (malloc'd), or NULL. */
char	*domain_cookie_find(const char *, const char *);
/*
 * Set a cookie (Secure, HttpOnly, SameSite=Lax, the domain's path);
 * max_age 0 deletes it.
 */
void	 domain_set_cookie(struct domain_req *, const char *, const char *,
	    int);
/* The path of the domain below which its pages live: "" or "/<prefix>". */
const char *domain_base(struct domain_req *);

/*
 * domain_authz.c. Check the authorization request of the query (client,
 * redirect_uri, response type, scopes, PKCE) and call next with
 * o->client set; on a failure answer with an error page or an error
 * redirect.
 */
void	 domain_authz_check(struct domain_req *,
	    void (*)(struct domain_req *));
/*
 * The user (o->sub, o->auth_time) is signed in: answer the checked
 * authorization request with a code or tokens, redirecting back.
 */
void	 domain_authz_complete(struct domain_req *);
/* Back to the checked redirect_uri with error= (and the state). */
void	 domain_authz_fail(struct domain_req *, const char *, const char *);
/*
 * o->client, what the pages show of the pool and client, and o->pool_id
 * from o->grant (a grants_check that ended well).
 */
void	 domain_authz_client(struct domain_req *);

#endif
