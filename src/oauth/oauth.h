/*
 * oauth.h: what the hosted UI and the OAuth2 endpoints of a pool domain
 * share. oauth.c routes a pool domain's paths and holds the helpers:
 * parameters (query or form, each name once), cookies, redirects, RFC
 * 6749 error answers, and oauth_invoke(), which runs one of the internal
 * operations of src/api/oauth_ops.c (or a public API operation) for the
 * request.
 */
#ifndef OAUTH_H
#define OAUTH_H

#include <jansson.h>

#include "http/request.h"

#define OAUTH_SESSION_COOKIE	"userpoold_session"
#define OAUTH_CSRF_COOKIE	"userpoold_csrf"

/* What the handlers of one pool-domain request share (the req's ctx). */
struct oauth_req {
	struct req	*r;
	json_t		*query;		/* the query's parameters */
	json_t		*form;		/* a POST body's parameters */
	char		*pool_id;	/* once the domain is resolved */
	json_t		*client;	/* OAuthClient's answer */
	char		*sub;		/* the signed-in user */
	char		*username;
	long long	 auth_time;
	char		*csrf;		/* the page's CSRF token */
	char		*base;		/* "" or "/<prefix>": see oauth_base */
	void		*page;		/* a handler's own state */
	void		(*page_free)(void *);
};

typedef void	(*oauth_done_fn)(struct oauth_req *, int, json_t *);

/* Router entry: a request for a pool domain's hosted UI or OAuth2. */
void	 oauth_route(struct req *);

/* The endpoints (authorize.c, token.c, userinfo.c, logout.c). */
void	 authorize_get(struct oauth_req *);
void	 token_post(struct oauth_req *);
void	 revoke_post(struct oauth_req *);
void	 userinfo_handle(struct oauth_req *);
void	 logout_get(struct oauth_req *);
/*
 * Check the authorization request of the query (client, redirect_uri,
 * response type, scopes, PKCE) and call next with o->client set; on a
 * failure answer with an error page or an error redirect.
 */
void	 authorize_check(struct oauth_req *, void (*)(struct oauth_req *));
/*
 * The user (o->sub, o->auth_time) is signed in: answer the checked
 * authorization request with a code or tokens, redirecting back.
 */
void	 authorize_complete(struct oauth_req *);

/*
 * The parameters of a query or form body as an object of strings; NULL
 * when one is malformed or given twice (RFC 6749 §3.1).
 */
json_t	*oauth_params(const char *);
/* A parameter of the query (GET) or of the form (POST), or NULL. */
const char *oauth_param(struct oauth_req *, const char *);

/*
 * Run an API operation (usually an internal one) with input in (stolen)
 * for the request; done gets the HTTP status and the answer (borrowed),
 * and is not called when the request has timed out meanwhile.
 */
void	 oauth_invoke(struct oauth_req *, const char *, json_t *,
	    oauth_done_fn);

/* The __type of an operation's error answer ("" for success). */
const char *oauth_error_type(json_t *);

/* {"error", "error_description"} with status (no-store). */
void	 oauth_reply_error(struct oauth_req *, int, const char *,
	    const char *);
void	 oauth_reply_json(struct oauth_req *, int, json_t *);
/* 302 to url. */
void	 oauth_redirect(struct oauth_req *, const char *);
/*
 * url with the string members of pairs appended as a query ('?' or '&')
 * or, with fragment set, as a fragment; malloc'd.
 */
char	*oauth_url_with(const char *, json_t *, int);

/* The value of a cookie of the request (malloc'd), or NULL. */
char	*oauth_cookie(struct oauth_req *, const char *);
/* The value of cookie name in a Cookie header (malloc'd), or NULL. */
char	*oauth_cookie_find(const char *, const char *);
/*
 * Set a cookie (Secure, HttpOnly, SameSite=Lax, the domain's path);
 * max_age 0 deletes it.
 */
void	 oauth_set_cookie(struct oauth_req *, const char *, const char *,
	    int);
/* The path of the domain below which its pages live: "" or "/<prefix>". */
const char *oauth_base(struct oauth_req *);

#endif
