/*
 * sms.h: one text message through the configured webhook
 * (conf->sms_webhook_url, sms_webhook_token): an HTTP POST of the JSON
 * {"to", "message", "poolId"} with "Authorization: Bearer <token>" when
 * a token is set; any 2xx answer means delivered. sms_send() blocks for
 * up to SMS_TIMEOUT_MS: call it only from the delivery thread.
 */
#ifndef SMS_H
#define SMS_H

#include <stdatomic.h>

#include "util.h"

#define SMS_CONNECT_TIMEOUT_MS	10000
#define SMS_TIMEOUT_MS		20000
#define SMS_REPLY_MAX		4096	/* bytes of the answer we read */

/*
 * Post the message to the phone number for the pool; *stop set by
 * another thread aborts the request. 0, or -1 with a reason in *cause
 * (malloc'd, safe to log: it never holds the message).
 */
int	 sms_send(const char *, const char *, const char *, atomic_int *,
	    char **) MUST_CHECK;
/* The webhook's JSON body, malloc'd; NULL if a string is not UTF-8. */
char	*sms_payload(const char *, const char *, const char *);

#endif
