/*
 * log.c: log lines to stderr, one line per event, with level, role and
 * pid. Untrusted text is escaped with log_escape() before it reaches a
 * format string argument; libevent's own messages are routed here.
 * Secrets are never passed to these functions.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

static int		 log_level = LOG_LVL_INFO;
static const char	*log_role = "main";
static const char	*level_names[] = { "debug", "info", "warn", "error" };

void
log_init(const char *level)
{
	int	l;

	if (level != NULL && (l = log_parse_level(level)) != -1)
		log_level = l;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

int
log_parse_level(const char *s)
{
	size_t	i;

	for (i = 0; i < nitems(level_names); i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void
log_set_level(int level)
{
	log_level = level;
}

void
log_set_role(const char *role)
{
	log_role = role;
}

static void
log_vwrite(int level, const char *fmt, va_list ap)
{
	char		 ts[32], *msg;
	time_t		 t;
	struct tm	 tm;

	if (level < log_level)
		return;
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	msg = xvasprintf(fmt, ap);
	fprintf(stderr, "%s %s[%ld] %s: %s\n", ts, log_role, (long)getpid(),
	    level_names[level], msg);
	free(msg);
}

#define LOG_FN(name, level)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list	ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(level, fmt, ap);			\
	va_end(ap);					\
}
LOG_FN(log_debug, LOG_LVL_DEBUG)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_error, LOG_LVL_ERROR)

/* Return a printable copy of untrusted bytes, at most 256 of them. */
char *
log_escape(const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*out, *p;
	size_t			 i, n = len > 256 ? 256 : len;

	if (s == NULL)
		return xstrdup("-");
	out = p = xmalloc(n * 4 + 4);
	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			*p++ = (char)c;
		else {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	if (n < len) {
		memcpy(p, "...", 3);
		p += 3;
	}
	*p = '\0';
	return out;
}

static void
log_libevent(int severity, const char *msg)
{
	char	*e = log_escape(msg, strlen(msg));

	if (severity >= EVENT_LOG_ERR)
		log_error("libevent: %s", e);
	else if (severity == EVENT_LOG_WARN)
		log_warn("libevent: %s", e);
	else
		log_debug("libevent: %s", e);
	free(e);
}

void
log_route_libraries(void)
{
	event_set_log_callback(log_libevent);
}
