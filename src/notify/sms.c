/*
 * sms.c: text messages through an HTTP webhook.
 *
 * The daemon speaks to no SMS carrier itself: a deployment points
 * sms_webhook_url at whatever forwards the message (its own service, a
 * provider's HTTP API behind a small adapter). The request carries the
 * message, which holds a code: the payload is wiped after use and the
 * webhook's answer is read only to drain it, never logged.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "conf.h"
#include "notify/sms.h"
#include "util.h"

char *
sms_payload(const char *to, const char *message, const char *pool_id)
{
	json_t	*o;
	char	*s;

	if ((o = json_pack("{s:s, s:s, s:s}", "to", to, "message", message,
	    "poolId", pool_id)) == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Drain the answer (bounded): only the status matters. */
static size_t
sms_discard(char *buf, size_t size, size_t nmemb, void *arg)
{
	size_t	*seen = arg;

	*seen += size * nmemb;
	return *seen > SMS_REPLY_MAX ? 0 : size * nmemb;
}

static int
sms_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	return atomic_load((atomic_int *)arg) ? 1 : 0;
}

static struct curl_slist *
sms_headers(void)
{
	struct curl_slist	*h, *n;
	char			*auth;

	h = curl_slist_append(NULL, "Content-Type: application/json");
	if (h == NULL || *conf->sms_webhook_token == '\0')
		return h;
	auth = xasprintf("Authorization: Bearer %s", conf->sms_webhook_token);
	n = curl_slist_append(h, auth);
	wipe_free(auth);
	if (n == NULL) {
		curl_slist_free_all(h);
		return NULL;
	}
	return n;
}

static void
sms_setup(CURL *c, struct curl_slist *h, const char *payload, size_t *seen,
    atomic_int *stop, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, conf->sms_webhook_url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(payload));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sms_discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, seen);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)SMS_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)SMS_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, sms_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, stop);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

int
sms_send(const char *to, const char *message, const char *pool_id,
    atomic_int *stop, char **cause)
{
	CURL			*c;
	struct curl_slist	*h;
	char			 errbuf[CURL_ERROR_SIZE] = "", *payload;
	size_t			 seen = 0;
	CURLcode		 rc;
	long			 status = 0;

	if ((payload = sms_payload(to, message, pool_id)) == NULL) {
		*cause = xstrdup("sms: the message is not valid UTF-8");
		return -1;
	}
	if ((c = curl_easy_init()) == NULL || (h = sms_headers()) == NULL) {
		if (c != NULL)
			curl_easy_cleanup(c);
		wipe_free(payload);
		*cause = xstrdup("sms: cannot set up the request");
		return -1;
	}
	sms_setup(c, h, payload, &seen, stop, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_WRITE_ERROR && status >= 200 && status < 300)
		rc = CURLE_OK;		/* a long answer, cut short */
	if (rc != CURLE_OK)
		*cause = xasprintf("sms webhook: %s", *errbuf != '\0' ?
		    errbuf : curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		*cause = xasprintf("sms webhook: HTTP %ld", status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	wipe_free(payload);
	return rc == CURLE_OK && status >= 200 && status <= 299 ? 0 : -1;
}
