/*
 * fuzz_css.c: the hosted UI's CSS tokenizer and check (core/css.c). The
 * input is CSS text. Besides the sanitizers, the checks are: the tokens
 * follow one another through the text, each at least one byte long
 * (comments between them aside) and the last one EOF; a refusal has a
 * message starting "CSS" within CSS_WHY_MAX; and CSS that passes holds
 * no '<' and, by its own tokens, no at-rule, url, string, escape or
 * function but the colour ones.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/css.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The token may stand in CSS that passed. */
static int
fuzz_allowed(const struct css_token *t)
{
	static const char *const	 fns[] = { "rgb", "rgba", "hsl",
					    "hsla" };
	size_t				 i;

	if (t->escaped)
		return 0;
	switch (t->type) {
	case CSS_AT_KEYWORD:
	case CSS_URL:
	case CSS_BAD_URL:
	case CSS_STRING:
	case CSS_BAD_STRING:
	case CSS_CDO:
	case CSS_CDC:
		return 0;
	case CSS_FUNCTION:
		for (i = 0; i < nitems(fns); i++)
			if (strlen(fns[i]) == t->nlen &&
			    strncasecmp(fns[i], t->name, t->nlen) == 0)
				return 1;
		return 0;
	default:
		return 1;
	}
}

/* Lex all of s; abort on a broken invariant. 1 when every token may pass. */
static int
fuzz_lex(const char *s, size_t len)
{
	struct css_lexer	l;
	struct css_token	t;
	const char		*prev = s;
	int			ok = 1;

	css_lexer_init(&l, s, len);
	do {
		css_next(&l, &t);
		if (t.start < prev || t.start + t.len > s + len ||
		    (t.type != CSS_EOF && t.len == 0) ||
		    (t.type == CSS_EOF && t.start != s + len))
			abort();
		if (t.name != NULL && (t.name < t.start ||
		    t.name + t.nlen > t.start + t.len))
			abort();
		prev = t.start + t.len;
		ok = ok && fuzz_allowed(&t);
	} while (t.type != CSS_EOF);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	why[CSS_WHY_MAX];
	char	*s = xmalloc(size + 1);
	int	 tokens_ok;

	memcpy(s, data, size);
	s[size] = '\0';
	tokens_ok = fuzz_lex(s, size);
	memset(why, 'x', sizeof why);
	if (css_check(s, size, why) == 0) {
		if (memchr(s, '<', size) != NULL || !tokens_ok)
			abort();
	} else if (memchr(why, '\0', sizeof why) == NULL ||
	    strncmp(why, "CSS", 3) != 0)
		abort();
	free(s);
	return 0;
}
