/*
 * fetch.c: outbound HTTP for federation (see fetch.h).
 *
 * A fetch is one blocking libcurl transfer, run on a thread of
 * fed/fetch_pool.c so that neither the loop nor the crypto threads
 * wait on the network. The https-or-loopback rule
 * is enforced where the connection is made: curl's open-socket
 * callback sees each address it is about to connect to and refuses a
 * plain-http one that is not loopback, so a host name that resolves
 * elsewhere (or changes between a check and the connect) gets nowhere.
 * Redirects are not followed and proxies from the environment are not
 * used: what is fetched is exactly the URL configured.
 *
 * Each thread keeps its curl handle (reset before each transfer, which
 * keeps its connection cache) until the thread ends, so a trigger
 * endpoint called again is called over the open connection.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "conf.h"
#include "core/task.h"
#include "fed/fetch.h"
#include "fed/fetch_pool.h"
#include "util.h"

struct fetch *
fetch_new(const char *url)
{
	struct fetch	*f = xcalloc(1, sizeof *f);

	f->url = xstrdup(url);
	return f;
}

void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	free(f->url);
	if (f->form != NULL)
		wipe_free(f->form);
	if (f->auth != NULL)
		wipe_free(f->auth);
	free(f->headers);
	if (f->body != NULL)
		wipe_free(f->body);
	free(f->cache_control);
	free(f->error);
	free(f);
}

int
fetch_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;
	const uint8_t			*b;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return 1;
	b = s6->sin6_addr.s6_addr;
	return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && b[12] == 127;
}

/* The scheme and host of url (malloc'd); -1 when it does not parse. */
static int
fetch_url_parts(const char *url, char **scheme, char **host)
{
	CURLU	*u;
	int	 rc = -1;

	*scheme = *host = NULL;
	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK)
		rc = 0;
	curl_url_cleanup(u);
	return rc;
}

static int
fetch_host_loopback(const char *host)
{
	struct in_addr	a;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	return inet_pton(AF_INET, host, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

int
fetch_url_allowed(const char *url)
{
	char	*scheme, *host;
	int	 ok = 0;

	if (fetch_url_parts(url, &scheme, &host) == 0)
		ok = strcasecmp(scheme, "https") == 0 ||
		    (strcasecmp(scheme, "http") == 0 &&
		    fetch_host_loopback(host));
	curl_free(scheme);
	curl_free(host);
	return ok ? 0 : -1;
}

/* --- The transfer --- */

static size_t
fetch_write(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct fetch	*f = arg;
	size_t		 n = size * nmemb;
	char		*grown;

	if (n > FETCH_MAX_BYTES - f->len)
		return 0;		/* CURLE_WRITE_ERROR: too large */
	grown = xmalloc(f->len + n + 1);
	if (f->body != NULL)
		memcpy(grown, f->body, f->len);
	memcpy(grown + f->len, buf, n);
	grown[f->len + n] = '\0';
	if (f->body != NULL)
		wipe_free(f->body);
	f->body = grown;
	f->len += n;
	return n;
}

/* Keep the Cache-Control header (the last one seen). */
static size_t
fetch_header(char *buf, size_t size, size_t nitems, void *arg)
{
	struct fetch	*f = arg;
	size_t		 n = size * nitems;
	static const char name[] = "cache-control:";
	size_t		 k = sizeof name - 1;

	if (n > k && strncasecmp(buf, name, k) == 0) {
		free(f->cache_control);
		buf += k;
		n -= k;
		while (n > 0 && (*buf == ' ' || *buf == '\t'))
			buf++, n--;
		while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\n' ||
		    buf[n - 1] == ' '))
			n--;
		f->cache_control = xstrndup(buf, n);
	}
	return size * nitems;
}

/* Refuse a plain-http connection to anything but loopback. */
static curl_socket_t
fetch_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch	*f = arg;

	(void)purpose;
	if (f->plain && !fetch_loopback(&a->addr)) {
		f->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Abandon the transfer when the worker shuts down. */
static int
fetch_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	(void)arg, (void)dt, (void)dn, (void)ut, (void)un;
	return fetch_pool_stopping();
}

static struct curl_slist *
fetch_headers(struct fetch *f)
{
	struct curl_slist	*h;
	char			*line;

	const char		*p, *nl;

	h = curl_slist_append(NULL, "Accept: application/json, */*");
	if (h != NULL && f->auth != NULL) {
		line = xasprintf("Authorization: %s", f->auth);
		h = curl_slist_append(h, line);
		wipe_free(line);
	}
	for (p = f->headers; h != NULL && p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		line = xstrndup(p, nl - p);
		h = curl_slist_append(h, line);
		free(line);
	}
	return h;
}

static void
fetch_setup(CURL *c, struct fetch *f, struct curl_slist *h, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, f->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)FETCH_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)FETCH_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, fetch_open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, f);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_progress);
	if (conf != NULL && *conf->fetch_ca_file != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, conf->fetch_ca_file);
	if (f->form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, f->form);
}

/* The short reason of a failed transfer. */
static char *
fetch_reason(struct fetch *f, CURLcode rc, const char *errbuf)
{
	if (f->refused)
		return xstrdup("http is allowed only to loopback addresses; "
		    "use https");
	if (rc == CURLE_WRITE_ERROR)
		return xasprintf("the answer is larger than %d bytes",
		    FETCH_MAX_BYTES);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return xasprintf("no answer within %d seconds",
		    FETCH_TIMEOUT_MS / 1000);
	return xstrdup(*errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
}

/* 0 when url is http(s); f->plain says which. */
static int
fetch_scheme(struct fetch *f)
{
	char	*scheme, *host;
	int	 rc = -1;

	if (fetch_url_parts(f->url, &scheme, &host) == 0) {
		f->plain = strcasecmp(scheme, "http") == 0;
		if (f->plain || strcasecmp(scheme, "https") == 0)
			rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	return rc;
}

/* --- One curl handle per thread --- */

static pthread_key_t	fetch_key;
static pthread_once_t	fetch_key_once = PTHREAD_ONCE_INIT;

static void
fetch_handle_free(void *c)
{
	curl_easy_cleanup(c);
}

static void
fetch_key_init(void)
{
	if (pthread_key_create(&fetch_key, fetch_handle_free) != 0)
		fatalx("fetch: pthread_key_create");
}

/* This thread's handle, reset (its connections kept); NULL if none. */
static CURL *
fetch_handle(void)
{
	CURL	*c;

	pthread_once(&fetch_key_once, fetch_key_init);
	if ((c = pthread_getspecific(fetch_key)) != NULL) {
		curl_easy_reset(c);
		return c;
	}
	if ((c = curl_easy_init()) != NULL &&
	    pthread_setspecific(fetch_key, c) != 0) {
		curl_easy_cleanup(c);
		c = NULL;
	}
	return c;
}

/* Whether a failed transfer never reached the server. */
static int
fetch_unreached(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
}

/* One try: the answer, or f->error. */
static void
fetch_once(struct fetch *f, CURL *c, struct curl_slist *h)
{
	char		 errbuf[CURL_ERROR_SIZE] = "";
	CURLcode	 rc;

	f->status = 0;
	f->unreached = f->refused = f->timed_out = 0;
	if (f->body != NULL)
		wipe_free(f->body);
	f->body = NULL;
	f->len = 0;
	free(f->error);
	f->error = NULL;
	fetch_setup(c, f, h, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->status);
	if (rc != CURLE_OK) {
		f->unreached = fetch_unreached(rc);
		f->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		f->error = fetch_reason(f, rc, errbuf);
	}
}

int
fetch_run(struct fetch *f)
{
	CURL			*c;
	struct curl_slist	*h;
	int			 n;

	if (fetch_scheme(f) != 0) {
		f->error = xstrdup("not an http or https URL");
		return -1;
	}
	if ((c = fetch_handle()) == NULL || (h = fetch_headers(f)) == NULL) {
		f->error = xstrdup("cannot set up the request");
		return -1;
	}
	for (n = 0; ; n++) {
		fetch_once(f, c, h);
		if (f->error == NULL || !f->unreached || f->refused ||
		    n >= f->retries || fetch_pool_stopping())
			break;
		curl_easy_reset(c);
	}
	curl_slist_free_all(h);
	return f->error == NULL ? 0 : -1;
}

/* --- On a fetch thread (fed/fetch_pool.c) --- */

struct fetch_job {
	struct task	*task;
	struct fetch	*fetch;
	fetch_done_fn	 done;
	void		*arg;
};

static void
fetch_job_run(void *p)
{
	struct fetch_job	*j = p;

	if (fetch_run(j->fetch) != 0)
		return;		/* the reason is in j->fetch->error */
}

/* done sees a NULL task when the owner went meanwhile (free arg only). */
static void
fetch_job_done(void *p)
{
	struct fetch_job	*j = p;
	struct task		*t = j->task;

	if (task_release(t) != 0)
		t = NULL;
	j->done(t, j->fetch, j->arg);
	fetch_free(j->fetch);
	free(j);
}

void
fetch_start(struct task *t, struct fetch *f, fetch_done_fn done, void *arg)
{
	struct fetch_job	*j = xcalloc(1, sizeof *j);

	j->task = t;
	j->fetch = f;
	j->done = done;
	j->arg = arg;
	task_hold(t);
	if (fetch_pool_submit(fetch_job_run, fetch_job_done, j) != 0) {
		f->error = xstrdup("the server is busy; try again later");
		f->busy = 1;
		fetch_job_done(j);
	}
}
