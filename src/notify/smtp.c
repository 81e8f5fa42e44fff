/*
 * smtp.c: build one RFC 5322 message and hand it to the mail server
 * with libcurl's SMTP client.
 *
 * The recipient and subject come from user attributes and pool
 * templates, so a CR or LF in either is refused outright: it is the one
 * way to add headers or recipients that nobody asked for. A subject
 * that is not plain ASCII travels as RFC 2047 encoded words; a body that
 * is not plain ASCII, or has a line longer than SMTP allows, travels in
 * base64. libcurl runs in blocking mode with bounded timeouts on the
 * delivery thread; its transfer is abandoned when the process stops.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "conf.h"
#include "crypto/b64.h"
#include "crypto/random.h"
#include "notify/smtp.h"
#include "util.h"

#define SMTP_LINE_MAX		998	/* RFC 5322 2.1.1 */
#define SMTP_B64_LINE		76
#define SMTP_WORD_BYTES		39	/* raw bytes per encoded word */
#define SMTP_MSGID_RANDOM	20

struct smtp_reader {
	const char	*p;
	size_t		 left;
};

static int
smtp_has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* Printable ASCII only (what a header may carry unencoded). */
static int
smtp_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

char *
smtp_encode_header(const char *s)
{
	struct secbuf	 b = { NULL, 0, 0 };
	size_t		 len = strlen(s), off = 0, n;
	char		*word;

	if (smtp_plain(s))
		return xstrdup(s);
	secbuf_add(&b, "", 0);
	while (off < len) {
		n = len - off < SMTP_WORD_BYTES ? len - off : SMTP_WORD_BYTES;
		/* Never split a UTF-8 character between two words. */
		while (n > 1 && off + n < len &&
		    ((unsigned char)s[off + n] & 0xc0) == 0x80)
			n--;
		word = b64_encode(s + off, n);
		if (off > 0)
			secbuf_puts(&b, "\r\n ");
		secbuf_puts(&b, "=?UTF-8?B?");
		secbuf_puts(&b, word);
		secbuf_puts(&b, "?=");
		free(word);
		off += n;
	}
	return b.s;
}

static int
smtp_tag_at(const char *p)
{
	static const char *const	 tags[] = { "html", "body", "head",
					    "p", "br", "div", "span", "a",
					    "b", "i", "u", "em", "strong",
					    "table", "tr", "td", "ul", "ol",
					    "li", "img", "h1", "h2", "h3",
					    "h4", "h5", "h6", "hr", "!doctype",
					    "style", "center", "font" };
	size_t				 i, n;

	for (i = 0; i < nitems(tags); i++) {
		n = strlen(tags[i]);
		if (strncasecmp(p, tags[i], n) == 0 &&
		    (p[n] == '>' || p[n] == '/' || p[n] == ' ' ||
		    p[n] == '\t' || p[n] == '\r' || p[n] == '\n'))
			return 1;
	}
	return 0;
}

int
smtp_is_html(const char *body)
{
	const char	*p;

	for (p = strchr(body, '<'); p != NULL; p = strchr(p + 1, '<'))
		if (smtp_tag_at(p + 1) ||
		    (p[1] == '/' && smtp_tag_at(p + 2)))
			return 1;
	return 0;
}

char *
smtp_address(const char *from)
{
	const char	*lt = strrchr(from, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
		return xstrndup(lt + 1, gt - lt - 1);
	while (isspace((unsigned char)*from))
		from++;
	return xstrdup(from);
}

/* A bare address: local@domain, no space, brackets, comma or quote. */
static int
smtp_valid_address(const char *a)
{
	const char	*at = strrchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0')
		return 0;
	for (; *a != '\0'; a++)
		if ((unsigned char)*a <= 0x20 || *a == 0x7f ||
		    strchr("<>,;\"()[]\\", *a) != NULL)
			return 0;
	return 1;
}

/* 7bit when ASCII with short lines, else base64. */
static int
smtp_body_is_7bit(const char *body)
{
	size_t	line = 0;

	for (; *body != '\0'; body++) {
		if ((unsigned char)*body >= 0x80)
			return 0;
		if (*body == '\n' || *body == '\r')
			line = 0;
		else if (++line > SMTP_LINE_MAX)
			return 0;
	}
	return 1;
}

/* The body with every line ending as CRLF. */
static void
smtp_add_7bit(struct secbuf *b, const char *body)
{
	for (; *body != '\0'; body++) {
		if (*body == '\r') {
			if (body[1] == '\n')
				body++;
			secbuf_puts(b, "\r\n");
		} else if (*body == '\n')
			secbuf_puts(b, "\r\n");
		else
			secbuf_add(b, body, 1);
	}
	secbuf_puts(b, "\r\n");
}

static void
smtp_add_base64(struct secbuf *b, const char *body)
{
	char	*enc = b64_encode(body, strlen(body));
	size_t	 len = strlen(enc), off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < SMTP_B64_LINE ? len - off : SMTP_B64_LINE;
		secbuf_add(b, enc + off, n);
		secbuf_puts(b, "\r\n");
	}
	wipe_free(enc);
}

static void
smtp_add_header(struct secbuf *b, const char *name, const char *value)
{
	secbuf_puts(b, name);
	secbuf_puts(b, ": ");
	secbuf_puts(b, value);
	secbuf_puts(b, "\r\n");
}

char *
smtp_build(const char *from, const char *to, const char *subject,
    const char *body, time_t when, const char *msgid, const char **why)
{
	struct secbuf	 b = { NULL, 0, 0 };
	struct tm	 tm;
	char		 date[64], *enc;
	int		 seven = smtp_body_is_7bit(body);

	if (smtp_has_crlf(to) || !smtp_valid_address(to)) {
		*why = "the recipient is not a valid e-mail address";
		return NULL;
	}
	if (smtp_has_crlf(subject) || smtp_has_crlf(from) ||
	    smtp_has_crlf(msgid)) {
		*why = "line break in a header";
		return NULL;
	}
	gmtime_r(&when, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	smtp_add_header(&b, "Date", date);
	enc = smtp_encode_header(from);
	smtp_add_header(&b, "From", enc);
	free(enc);
	smtp_add_header(&b, "To", to);
	enc = smtp_encode_header(subject);
	smtp_add_header(&b, "Subject", enc);
	free(enc);
	smtp_add_header(&b, "Message-ID", msgid);
	smtp_add_header(&b, "MIME-Version", "1.0");
	smtp_add_header(&b, "Content-Type", smtp_is_html(body) ?
	    "text/html; charset=UTF-8" : "text/plain; charset=UTF-8");
	smtp_add_header(&b, "Content-Transfer-Encoding",
	    seven ? "7bit" : "base64");
	secbuf_puts(&b, "\r\n");
	if (seven)
		smtp_add_7bit(&b, body);
	else
		smtp_add_base64(&b, body);
	return b.s;
}

static size_t
smtp_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct smtp_reader	*r = arg;
	size_t			 n = size * nmemb;

	if (n > r->left)
		n = r->left;
	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

/* Abandon the transfer when the process stops. */
static int
smtp_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	return atomic_load((atomic_int *)arg) ? 1 : 0;
}

static void
smtp_setup(CURL *c, struct curl_slist *rcpt, struct smtp_reader *r,
    const char *envelope, atomic_int *stop, char *errbuf)
{
	char	*from = xasprintf("<%s>", envelope);

	curl_easy_setopt(c, CURLOPT_URL, conf->smtp_url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	free(from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(c, CURLOPT_READDATA, r);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->left);
	if (*conf->smtp_user != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, conf->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, conf->smtp_password);
	}
	if (conf->smtp_starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)SMTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)SMTP_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, smtp_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, stop);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

/* Hand the built message to the server. */
static int
smtp_transfer(const char *envelope, const char *to, const char *msg,
    atomic_int *stop, char **cause)
{
	CURL			*c;
	struct curl_slist	*rcpt;
	struct smtp_reader	 r = { msg, strlen(msg) };
	char			 errbuf[CURL_ERROR_SIZE] = "", *addr;
	CURLcode		 rc;
	long			 code = 0;

	if ((c = curl_easy_init()) == NULL) {
		*cause = xstrdup("smtp: cannot create a curl handle");
		return -1;
	}
	addr = xasprintf("<%s>", to);
	rcpt = curl_slist_append(NULL, addr);
	free(addr);
	smtp_setup(c, rcpt, &r, envelope, stop, errbuf);
	rc = rcpt == NULL ? CURLE_OUT_OF_MEMORY : curl_easy_perform(c);
	if (rc != CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (code != 0)
			*cause = xasprintf("smtp: %s (reply %ld)", *errbuf !=
			    '\0' ? errbuf : curl_easy_strerror(rc), code);
		else
			*cause = xasprintf("smtp: %s", *errbuf != '\0' ?
			    errbuf : curl_easy_strerror(rc));
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

int
smtp_send(const char *to, const char *subject, const char *body,
    atomic_int *stop, char **cause)
{
	char		 rnd[SMTP_MSGID_RANDOM + 1], *envelope, *msgid, *msg;
	const char	*domain, *why;
	int		 rv = -1;

	envelope = smtp_address(conf->smtp_from);
	domain = strrchr(envelope, '@');
	domain = domain != NULL && domain[1] != '\0' ? domain + 1 :
	    "localhost";
	random_string(rnd, SMTP_MSGID_RANDOM, RANDOM_LOWER);
	msgid = xasprintf("<%lld.%s@%s>", (long long)now_ms(), rnd, domain);
	msg = smtp_build(conf->smtp_from, to, subject, body, time(NULL),
	    msgid, &why);
	if (msg == NULL)
		*cause = xasprintf("smtp: %s", why);
	else if (!smtp_valid_address(envelope))
		*cause = xstrdup("smtp: smtp_from is not a valid address");
	else
		rv = smtp_transfer(envelope, to, msg, stop, cause);
	if (msg != NULL)
		wipe_free(msg);
	free(msgid);
	free(envelope);
	return rv;
}
