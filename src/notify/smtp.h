/*
 * smtp.h: one e-mail through the configured mail server (conf->smtp_url,
 * smtp_user, smtp_password, smtp_from, smtp_starttls) with libcurl.
 * smtp_send() blocks for up to SMTP_TIMEOUT_MS: call it only from the
 * delivery thread, never from the event loop.
 */
#ifndef SMTP_H
#define SMTP_H

#include <stdatomic.h>
#include <time.h>

#include "util.h"

#define SMTP_CONNECT_TIMEOUT_MS	10000
#define SMTP_TIMEOUT_MS		20000

/*
 * Send body to the recipient with the subject; *stop set by another
 * thread aborts the transfer. 0, or -1 with a reason in *cause
 * (malloc'd, safe to log: it never holds the body).
 */
int	 smtp_send(const char *, const char *, const char *, atomic_int *,
	    char **) MUST_CHECK;
/*
 * The whole message, headers and body with CRLF line ends, from the
 * From header, recipient, subject, body, date and Message-ID; NULL with
 * a static reason in *why when the recipient or subject could smuggle
 * a header (CR or LF) or the recipient is not an address.
 */
char	*smtp_build(const char *, const char *, const char *, const char *,
	    time_t, const char *, const char **);
/* The subject as RFC 2047 encoded words when it is not plain ASCII. */
char	*smtp_encode_header(const char *);
/* 1 when the body looks like HTML (sent as text/html). */
int	 smtp_is_html(const char *);
/* The address inside "Name <addr>", or the string itself; malloc'd. */
char	*smtp_address(const char *);

#endif
