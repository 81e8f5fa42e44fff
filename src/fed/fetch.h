/*
 * fetch.h: outbound HTTP for federation (OIDC discovery and JWKS,
 * token and userinfo endpoints, SAML metadata) and for the pools'
 * trigger webhooks (hooks/triggers.c) through libcurl on a thread of
 * fed/fetch_pool.c, never on the event loop. Each fetch thread keeps
 * one curl handle, so a connection to an endpoint is reused by the
 * next fetch that thread makes to it.
 *
 * Every fetch has the same limits: FETCH_TIMEOUT_MS in all, a body of
 * at most FETCH_MAX_BYTES, no redirects, no proxy, https only except
 * to loopback addresses (127.0.0.0/8, ::1; the address curl connects
 * to is checked, not the host name), certificates checked against the
 * system's CAs or fetch_ca_file. A failure leaves a short reason in
 * error, fit for a log line or an error message.
 */
#ifndef FED_FETCH_H
#define FED_FETCH_H

#include <stddef.h>
#include <sys/socket.h>

#include "util.h"

struct task;

#define FETCH_TIMEOUT_MS	5000
#define FETCH_MAX_BYTES		(1024 * 1024)

struct fetch {
	/* the request (owned) */
	char	*url;
	char	*form;		/* a POST body (form-encoded unless headers
				   say otherwise); NULL: GET */
	char	*auth;		/* an Authorization header value, or NULL */
	char	*headers;	/* more header lines, each ending "\n" */
	int	 retries;	/* tries again after a connection error */
	/* the answer */
	long	 status;	/* HTTP status, 0 when none came */
	char	*body;		/* NUL-terminated; NULL when none */
	size_t	 len;
	char	*cache_control;	/* the Cache-Control header, or NULL */
	char	*error;		/* NULL: an answer came (any status) */
	/* private to fetch.c */
	int	 plain;		/* http: loopback addresses only */
	int	 refused;	/* an address was refused */
	int	 unreached;	/* no connection was made */
	int	 timed_out;	/* FETCH_TIMEOUT_MS passed */
	int	 busy;		/* not run: the fetch queue was full */
};

typedef void	(*fetch_done_fn)(struct task *, struct fetch *, void *);

/* A GET of url (copied); set form and auth before running it. */
struct fetch	*fetch_new(const char *);
void		 fetch_free(struct fetch *);
/* Run it here and now (a worker thread): 0, or -1 with f->error. */
int		 fetch_run(struct fetch *) MUST_CHECK;
/*
 * Run it on a fetch thread, then done(t, f, arg) on the loop; f is
 * freed after done returns. t is NULL there when its owner went
 * meanwhile: done then only frees what arg holds. A full queue calls
 * done at once with f->error set.
 */
void		 fetch_start(struct task *, struct fetch *, fetch_done_fn,
		    void *);

/* 1 when the address is a loopback one (127.0.0.0/8, ::1, v4-mapped). */
int		 fetch_loopback(const struct sockaddr *);
/*
 * 0 when a URL may be used for an endpoint stored in a provider's
 * configuration: https, or http to a loopback host name or literal.
 */
int		 fetch_url_allowed(const char *);

#endif
