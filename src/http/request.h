/*
 * request.h: one HTTP request from arrival to its single reply.
 *
 * A struct req wraps the evhttp request with everything the handlers
 * need: a request id, the parsed host kind, the body (bounded), and the
 * deadline. A handler answers exactly once with one of the req_reply*
 * functions. Asynchronous steps bracket themselves with req_hold() and
 * req_release(): when the deadline fires first, the request is answered
 * with a timeout, and the late step finds req_release() returning -1 and
 * must drop its work. The req is freed once it has been answered and no
 * step holds it.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <stddef.h>

#include <jansson.h>

#include "util.h"

struct evhttp_request;
struct evkeyvalq;
struct event;
struct event_base;
struct task_guard;

enum host_kind {
	HOST_API,		/* the API host: JSON API, issuer, console */
	HOST_POOL_DOMAIN,	/* <prefix>.<auth_domain> or /<prefix>/... */
};

struct req {
	struct evhttp_request	*ev;
	char			 id[37];	/* x-amzn-RequestId */
	int64_t			 start_ms;
	int			 method;	/* EVHTTP_REQ_* */
	char			*path;		/* decoded path, no query */
	char			*query;		/* raw query or NULL */
	char			*host;		/* Host without port, lowercase */
	enum host_kind		 host_kind;
	char			*domain_prefix;	/* for HOST_POOL_DOMAIN */
	char			*domain_path;	/* path below the domain */
	char			*client_addr;	/* req_client_addr()'s */
	unsigned char		*body;		/* NUL-terminated copy */
	size_t			 body_len;
	int			 status;	/* once answered */
	int			 answered;
	int			 holds;
	int			 console_listener; /* came by console_listen */
	struct event		*deadline;
	void			*ctx;		/* the handler's state */
	void			(*ctx_free)(void *);
};

struct req	*req_new(struct evhttp_request *);
void		 req_hold(struct req *);
int		 req_release(struct req *) MUST_CHECK;
void		 req_set_ctx(struct req *, void *, void (*)(void *));
/* A task's guard over its request (req_hold/req_release). */
extern const struct task_guard	req_task_guard;

/* The client's address (X-Forwarded-For from a trusted proxy). */
const char	*req_client_addr(struct req *);
const char	*req_header(struct req *, const char *);
void		 req_add_header(struct req *, const char *, const char *);
void		 req_set_header(struct req *, const char *, const char *);
/* Parse the body as a JSON object within the depth limit. */
json_t		*req_json_body(struct req *, char **);
json_t		*req_parse_json(const unsigned char *, size_t, int, char **);
/* Parse an application/x-www-form-urlencoded body or query. */
int		 req_parse_form(const char *, struct evkeyvalq *) MUST_CHECK;

void		 req_reply(struct req *, int, const char *, const void *,
		    size_t);
void		 req_reply_json(struct req *, int, json_t *);
void		 req_reply_text(struct req *, int, const char *);

/* Shared by the server's limits. */
void		 req_deadline_init(struct event_base *, int);
long		 req_count(void);

#endif
