/*
 * request.c: the life of one HTTP request, from the evhttp callback to
 * its single reply, and the parsing helpers handlers share (headers,
 * JSON bodies within the depth limit, urlencoded forms).
 *
 * Ownership: the struct req owns the handler's state (ctx) and frees it
 * with the request. A reply is sent once; a late reply after the
 * deadline fired is ignored. The request is freed when it has been
 * answered and no asynchronous step holds it, so a database callback or
 * a worker job that finishes after the deadline still finds its request
 * alive and learns from req_release() that nobody is waiting any more.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "conf.h"
#include "core/task.h"
#include "crypto/random.h"
#include "http/addr.h"
#include "http/conn.h"
#include "http/request.h"
#include "http/tls.h"
#include "log.h"
#include "util.h"

static const struct timeval	*req_common_timeout;
static struct event_base	*req_base;
static long			 req_live;

static void	req_timeout(evutil_socket_t, short, void *);
static void	req_maybe_free(struct req *);

/* Set up the shared deadline queue (one timer list for all requests). */
void
req_deadline_init(struct event_base *base, int seconds)
{
	struct timeval	tv = { seconds, 0 };

	req_base = base;
	req_common_timeout = event_base_init_common_timeout(base, &tv);
}

static char *
req_lower_host(const char *h)
{
	char	*host, *p;

	if (h == NULL)
		return xstrdup("");
	host = xstrdup(h);
	if (host[0] == '[') {			/* [v6]:port */
		if ((p = strchr(host, ']')) != NULL)
			p[1] = '\0';
	} else if ((p = strrchr(host, ':')) != NULL)
		*p = '\0';
	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return host;
}

/* Copy the body; evhttp has already enforced max_body_bytes. */
static void
req_take_body(struct req *r)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->ev);
	size_t		 len = evbuffer_get_length(in);

	r->body = xmalloc(len + 1);
	evbuffer_remove(in, r->body, len);
	r->body[len] = '\0';
	r->body_len = len;
}

static void
req_take_uri(struct req *r)
{
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(r->ev);
	const char		*path = u != NULL ? evhttp_uri_get_path(u) :
				    NULL, *q;
	char			*dec;

	if (path == NULL || *path == '\0')
		path = "/";
	dec = evhttp_uridecode(path, 0, NULL);
	r->path = dec != NULL ? dec : xstrdup(path);
	q = u != NULL ? evhttp_uri_get_query(u) : NULL;
	r->query = q != NULL ? xstrdup(q) : NULL;
}

/* X-Forwarded-For, all its lines joined in order; NULL when absent. */
static char *
req_forwarded_for(struct req *r)
{
	struct evkeyval	*kv;
	char		*all = NULL, *next;

	TAILQ_FOREACH(kv, evhttp_request_get_input_headers(r->ev), next) {
		if (strcasecmp(kv->key, "X-Forwarded-For") != 0)
			continue;
		next = all == NULL ? xstrdup(kv->value) :
		    xasprintf("%s,%s", all, kv->value);
		free(all);
		all = next;
	}
	return all;
}

/*
 * The request's client address: the one function that says it (logs,
 * rate limits, sign-in attempts, devices). The peer, unless the peer is
 * in trusted_proxies and X-Forwarded-For names another (addr.c).
 */
const char *
req_client_addr(struct req *r)
{
	static struct addr_set		*trusted;
	struct evhttp_connection	*c;
	char				*peer = NULL, *xff, out[64], *cause;
	uint16_t			 port;

	if (r->client_addr != NULL)
		return r->client_addr;
	if (r->ev == NULL)
		return r->client_addr = xstrdup("-");
	if (trusted == NULL &&
	    (trusted = addr_set_parse(conf->trusted_proxies, &cause)) == NULL)
		fatalx("trusted_proxies: %s", cause);
	if ((c = evhttp_request_get_connection(r->ev)) != NULL)
		evhttp_connection_get_peer(c, &peer, &port);
	xff = req_forwarded_for(r);
	addr_client(trusted, peer, xff, out, sizeof out);
	free(xff);
	r->client_addr = xstrdup(out);
	return r->client_addr;
}

struct req *
req_new(struct evhttp_request *ev)
{
	struct req	*r = xcalloc(1, sizeof *r);

	r->ev = ev;
	r->start_ms = now_ms();
	r->method = evhttp_request_get_command(ev);
	random_uuid(r->id);
	req_take_uri(r);
	(void)req_client_addr(r);
	r->host = req_lower_host(evhttp_find_header(
	    evhttp_request_get_input_headers(ev), "Host"));
	req_take_body(r);
	tls_request_begin(ev);
	conn_request_read(ev);
	r->deadline = event_new(req_base, -1, 0, req_timeout, r);
	event_add(r->deadline, req_common_timeout);
	req_live++;
	return r;
}

void
req_set_ctx(struct req *r, void *ctx, void (*ctx_free)(void *))
{
	r->ctx = ctx;
	r->ctx_free = ctx_free;
}

void
req_hold(struct req *r)
{
	r->holds++;
}

/*
 * End an asynchronous step. Returns 0 if the request still waits for its
 * reply (go on), -1 if it was answered meanwhile (drop the work: the
 * request may already be freed).
 */
int
req_release(struct req *r)
{
	if (r->holds <= 0)
		fatalx("req_release without req_hold");
	r->holds--;
	if (!r->answered)
		return 0;
	req_maybe_free(r);
	return -1;
}

static void
req_guard_hold(void *arg)
{
	req_hold(arg);
}

static int
req_guard_release(void *arg)
{
	return req_release(arg);
}

const struct task_guard req_task_guard = {
	req_guard_hold, req_guard_release
};

static void
req_free(struct req *r)
{
	if (r->ctx_free != NULL)
		r->ctx_free(r->ctx);
	if (r->deadline != NULL)
		event_free(r->deadline);
	free(r->path);
	free(r->query);
	free(r->host);
	free(r->domain_prefix);
	free(r->domain_path);
	free(r->client_addr);
	if (r->body != NULL)
		wipe(r->body, r->body_len);
	free(r->body);
	free(r);
	req_live--;
}

static void
req_maybe_free(struct req *r)
{
	if (r->answered && r->holds == 0)
		req_free(r);
}

static void
req_log(struct req *r)
{
	char		*path = log_escape(r->path, strlen(r->path));
	const char	*target = req_header(r, "X-Amz-Target");
	char		*op = target != NULL ? log_escape(target,
			    strlen(target)) : NULL;

	log_info("%s %s %d %s%s%s %lldms", r->id, req_client_addr(r), r->status,
	    path, op != NULL ? " " : "", op != NULL ? op : "",
	    (long long)(now_ms() - r->start_ms));
	free(path);
	free(op);
}

const char *
req_header(struct req *r, const char *name)
{
	if (r->ev == NULL)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(r->ev),
	    name);
}

void
req_add_header(struct req *r, const char *name, const char *value)
{
	if (r->ev == NULL)
		return;
	evhttp_add_header(evhttp_request_get_output_headers(r->ev), name,
	    value);
}

/* Set a reply header, replacing one of that name added before. */
void
req_set_header(struct req *r, const char *name, const char *value)
{
	struct evkeyvalq	*h;

	if (r->ev == NULL)
		return;
	h = evhttp_request_get_output_headers(r->ev);
	while (evhttp_remove_header(h, name) == 0)
		;
	evhttp_add_header(h, name, value);
}

/* The one place a reply leaves: log it, send it, free when possible. */
void
req_reply(struct req *r, int status, const char *ctype, const void *body,
    size_t len)
{
	struct evbuffer	*buf;
	char		 clen[24];

	if (r->answered)
		return;
	r->answered = 1;
	r->status = status;
	event_del(r->deadline);
	if (r->ev == NULL) {
		req_maybe_free(r);
		return;
	}
	req_add_header(r, "x-amzn-RequestId", r->id);
	if (ctype != NULL)
		req_add_header(r, "Content-Type", ctype);
	/*
	 * evhttp announces the length only to HTTP/1.1 and keep-alive
	 * clients; an HTTP/1.0 client that has the connection closed after
	 * the reply should learn it too, to tell a whole body from a cut one.
	 */
	if (status != 204 && status != 304) {
		snprintf(clen, sizeof clen, "%zu", len);
		req_add_header(r, "Content-Length", clen);
	}
	buf = evbuffer_new();
	if (len > 0)
		evbuffer_add(buf, body, len);
	req_log(r);
	evhttp_send_reply(r->ev, status, status < 400 ? "OK" : "Error", buf);
	evbuffer_free(buf);
	r->ev = NULL;
	req_maybe_free(r);
}

void
req_reply_json(struct req *r, int status, json_t *j)
{
	char	*text = json_dumps(j, JSON_COMPACT);

	if (text == NULL)
		fatalx("json_dumps");
	req_reply(r, status, "application/x-amz-json-1.1", text, strlen(text));
	free(text);
	json_decref(j);
}

void
req_reply_text(struct req *r, int status, const char *text)
{
	req_reply(r, status, "text/plain; charset=utf-8", text, strlen(text));
}

static void
req_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct req	*r = arg;

	log_warn("%s: request timed out", r->id);
	req_reply_json(r, 500, json_pack("{s:s, s:s}", "__type",
	    "InternalErrorException", "message", "The request timed out."));
}

/* Depth of JSON nesting, counting brackets outside strings. */
static int
req_json_depth(const unsigned char *s, size_t len)
{
	int	depth = 0, max = 0, in_str = 0;
	size_t	i;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"')
			in_str = 1;
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > max)
				max = depth;
		} else if (s[i] == '}' || s[i] == ']')
			depth--;
	}
	return max;
}

/* The body as a JSON object; NULL with *cause for the client. */
json_t *
req_json_body(struct req *r, char **cause)
{
	return req_parse_json(r->body, r->body_len, conf->max_json_depth,
	    cause);
}

/* Parse untrusted bytes as one JSON object within a nesting limit. */
json_t *
req_parse_json(const unsigned char *body, size_t len, int max_depth,
    char **cause)
{
	json_error_t	 err;
	json_t		*j;

	if (len == 0)
		return json_object();
	if (req_json_depth(body, len) > max_depth) {
		*cause = xstrdup("JSON nesting is too deep.");
		return NULL;
	}
	j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL) {
		*cause = xasprintf("Invalid JSON: %s at position %d", err.text,
		    err.position);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*cause = xstrdup("The request body must be a JSON object.");
		return NULL;
	}
	return j;
}

int
req_parse_form(const char *text, struct evkeyvalq *out)
{
	TAILQ_INIT(out);
	if (text == NULL || *text == '\0')
		return 0;
	return evhttp_parse_query_str(text, out) == 0 ? 0 : -1;
}

long
req_count(void)
{
	return req_live;
}
