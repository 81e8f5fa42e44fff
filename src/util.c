/*
 * util.c: the x* allocators (abort on exhaustion, never return NULL),
 * fatal exits for start-up errors and broken invariants, constant-time
 * comparison and wiping of secrets, a string buffer for secrets, small
 * string checks (UTF-8 length, UUIDs, a JSON list of strings), and
 * whole-file I/O.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatal("malloc %zu", size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		fatal("calloc %zu", n * size);
	return p;
}

void *
xrealloc(void *old, size_t size)
{
	void	*p;

	if ((p = realloc(old, size == 0 ? 1 : size)) == NULL)
		fatal("realloc %zu", size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

char *
xstrdup_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("strndup");
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;

	if (vasprintf(&p, fmt, ap) == -1)
		fatal("vasprintf");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

static void __attribute__((noreturn))
fatal_common(int with_errno, const char *fmt, va_list ap)
{
	char	*msg;
	int	 saved = errno;

	msg = xvasprintf(fmt, ap);
	if (with_errno)
		log_error("fatal: %s: %s", msg, strerror(saved));
	else
		log_error("fatal: %s", msg);
	free(msg);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fatal_common(1, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fatal_common(0, fmt, ap);
}

void
wipe(void *p, size_t len)
{
	if (p != NULL)
		mbedtls_platform_zeroize(p, len);
}

/* Wipe a NUL-terminated secret and free it. */
void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	wipe(s, strlen(s));
	free(s);
}

/* Compare two buffers of equal length in time independent of content. */
int
ct_equal(const void *a, const void *b, size_t len)
{
	const volatile unsigned char	*x = a, *y = b;
	unsigned char			 diff = 0;
	size_t				 i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

/* Compare two secrets; only their lengths may leak through timing. */
int
ct_streq(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	if (la != lb) {
		(void)ct_equal(a, a, la);
		return 0;
	}
	return ct_equal(a, b, la);
}

size_t
utf8_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Length of the valid UTF-8 sequence at s (lead byte >= 0x80), or 0. */
static size_t
utf8_seq_len(const unsigned char *s)
{
	unsigned int	cp;
	size_t		n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * [\p{L}\p{M}\p{S}\p{N}\p{P}]+: printable ASCII except space, or any
 * valid multibyte UTF-8 character (an approximation that errs towards
 * accepting, which is safe: nothing downstream parses these names).
 */
int
utf8_is_name(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	if (*p == '\0')
		return 0;
	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p <= 0x20 || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if ((n = utf8_seq_len(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

int
is_uuid(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
strarray_has(json_t *list, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

char *
compact_json(json_t *j)
{
	char	*s;

	if ((s = json_dumps(j, JSON_COMPACT)) == NULL)
		fatalx("compact_json");
	return s;
}

void
secbuf_add(struct secbuf *b, const char *s, size_t n)
{
	char	*grown;

	/* Grow without realloc, so no copy of a secret is left behind. */
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		grown = xmalloc(b->cap);
		if (b->s != NULL) {
			memcpy(grown, b->s, b->len + 1);
			wipe(b->s, b->len);
			free(b->s);
		}
		b->s = grown;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
secbuf_puts(struct secbuf *b, const char *s)
{
	secbuf_add(b, s, strlen(s));
}

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

/*
 * Fibonacci hashing of the address: allocations are aligned, so the low
 * bits say nothing; the product's high bits mix the rest.
 */
size_t
ptr_bucket(const void *p, size_t n)
{
	uint64_t	h = (uint64_t)(uintptr_t)p;

	h = (h >> 4) * 0x9e3779b97f4a7c15ULL;
	return (size_t)((h >> 32) % n);
}

/* Read a whole file into a NUL-terminated buffer. */
int
read_file(const char *path, char **out, size_t *outlen, char **cause)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: read error", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	if (buf == NULL)
		buf = xmalloc(1);
	buf[len] = '\0';
	*out = buf;
	if (outlen != NULL)
		*outlen = len;
	return 0;
}

/* Write a file through a temporary name and rename(2) it into place. */
int
write_file_atomic(const char *path, const void *data, size_t len, int mode,
    char **cause)
{
	char	*tmp;
	int	 fd;
	ssize_t	 n;

	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	n = write(fd, data, len);
	if (n < 0 || (size_t)n != len || fsync(fd) != 0 || close(fd) != 0) {
		*cause = xasprintf("%s: write failed", tmp);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
