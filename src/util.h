/*
 * util.h: allocation that never fails, fatal exits, secret wiping and
 * small string helpers shared by every module.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define MUST_CHECK __attribute__((warn_unused_result))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* xstrdup, or NULL for NULL. */
char	*xstrdup_null(const char *);
char	*xasprintf(const char *, ...) PRINTFLIKE(1, 2);
char	*xvasprintf(const char *, va_list);
void	 fatal(const char *, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));
void	 fatalx(const char *, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));

void	 wipe(void *, size_t);
void	 wipe_free(char *);
int	 ct_equal(const void *, const void *, size_t);
int	 ct_streq(const char *, const char *);
/* Code points of a UTF-8 string: every byte but continuation bytes. */
size_t	 utf8_chars(const char *);
/* 1 when s is a non-empty name of printable characters in valid UTF-8. */
int	 utf8_is_name(const char *);
/* 1 when s is a UUID in canonical form (8-4-4-4-12 hex digits). */
int	 is_uuid(const char *);
/* 1 when a JSON array holds the string. */
int	 strarray_has(json_t *, const char *);
/* The compact JSON text of j, malloc'd (fatal when it cannot be made). */
char	*compact_json(json_t *);
/*
 * A growing string that may hold a secret (a code, a temporary
 * password): growing wipes the copy it leaves behind, and the owner
 * wipes and frees s, which stays NULL until the first addition.
 */
struct secbuf {
	char	*s;
	size_t	 len, cap;
};

void	 secbuf_add(struct secbuf *, const char *, size_t);
void	 secbuf_puts(struct secbuf *, const char *);
int64_t	 now_ms(void);
int64_t	 now_s(void);
/* The bucket of n a pointer falls in, for tables keyed by address. */
size_t	 ptr_bucket(const void *, size_t);
int	 read_file(const char *, char **, size_t *, char **) MUST_CHECK;
int	 write_file_atomic(const char *, const void *, size_t, int, char **)
	    MUST_CHECK;

#ifndef HAVE_STRLCPY
size_t	 strlcpy(char *, const char *, size_t);
#endif

#endif
