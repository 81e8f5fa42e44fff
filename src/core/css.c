/*
 * css.c: a CSS tokenizer after CSS Syntax Level 3 §4 ("consume a token"
 * and the algorithms it calls: escapes, ident sequences, numbers, url
 * tokens, strings, comments), and the check of a hosted-UI stylesheet
 * over its tokens (css.h says what passes).
 *
 * The tokenizer works on the bytes of UTF-8 text without decoding it:
 * every byte of 0x80 and above is an ident code point, as every non-
 * ASCII code point is in the specification, so token boundaries are the
 * same. Preprocessing is folded in: CR, FF and CR LF are newlines. Names
 * are not unescaped; the check refuses any token with an escape, so a
 * name is never compared in a form other than the browser's.
 *
 * The check is a small parser of rule lists: selectors, '{',
 * declarations "property: value" separated by ';', '}'. It stops at the
 * first refusal.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/css.h"
#include "util.h"

/* --- Code points ------------------------------------------------------ */

static int
css_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
css_is_hex(int c)
{
	return css_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
css_is_newline(int c)
{
	return c == '\n' || c == '\r' || c == '\f';
}

static int
css_is_space(int c)
{
	return c == ' ' || c == '\t' || css_is_newline(c);
}

static int
css_is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '_' || c >= 0x80;
}

static int
css_is_ident_char(int c)
{
	return css_is_ident_start(c) || css_is_digit(c) || c == '-';
}

static int
css_is_nonprintable(int c)
{
	return (c >= 0 && c <= 8) || c == 0x0b || (c >= 0x0e && c <= 0x1f) ||
	    c == 0x7f;
}

/* --- Input ------------------------------------------------------------ */

/* The byte at offset i from the current one, or -1 past the end. */
static int
css_peek(const struct css_lexer *l, size_t i)
{
	return (size_t)(l->end - l->p) > i ? (unsigned char)l->p[i] : -1;
}

/* Consume one code point's byte; CR LF counts as one newline. */
static void
css_advance(struct css_lexer *l)
{
	int	c = css_peek(l, 0);

	if (c < 0)
		return;
	l->p++;
	if (c == '\r' && css_peek(l, 0) == '\n')
		l->p++;
	if (css_is_newline(c))
		l->line++;
}

/* §4.3.8: the two code points are a valid escape. */
static int
css_valid_escape(int c1, int c2)
{
	return c1 == '\\' && !css_is_newline(c2);
}

/* §4.3.9: the three code points would start an ident sequence. */
static int
css_starts_ident(int c1, int c2, int c3)
{
	if (c1 == '-')
		return css_is_ident_start(c2) || c2 == '-' ||
		    css_valid_escape(c2, c3);
	if (css_is_ident_start(c1))
		return 1;
	return c1 == '\\' && css_valid_escape(c1, c2);
}

/* §4.3.10: the three code points would start a number. */
static int
css_starts_number(int c1, int c2, int c3)
{
	if (c1 == '+' || c1 == '-')
		return css_is_digit(c2) || (c2 == '.' && css_is_digit(c3));
	if (c1 == '.')
		return css_is_digit(c2);
	return css_is_digit(c1);
}

static int
css_here_starts_ident(const struct css_lexer *l)
{
	return css_starts_ident(css_peek(l, 0), css_peek(l, 1),
	    css_peek(l, 2));
}

/* --- Consuming ------------------------------------------------------- */

/* §4.3.7, after the backslash: up to six hex digits and a space, or one. */
static void
css_escape(struct css_lexer *l)
{
	int	n;

	if (css_peek(l, 0) < 0)
		return;
	if (!css_is_hex(css_peek(l, 0))) {
		css_advance(l);
		return;
	}
	for (n = 0; n < 6 && css_is_hex(css_peek(l, 0)); n++)
		css_advance(l);
	if (css_is_space(css_peek(l, 0)))
		css_advance(l);
}

/* §4.3.11: an ident sequence; t->name and t->nlen span it. */
static void
css_ident_seq(struct css_lexer *l, struct css_token *t)
{
	t->name = l->p;
	for (;;) {
		if (css_is_ident_char(css_peek(l, 0)))
			css_advance(l);
		else if (css_valid_escape(css_peek(l, 0), css_peek(l, 1))) {
			t->escaped = 1;
			css_advance(l);
			css_escape(l);
		} else
			break;
	}
	t->nlen = (size_t)(l->p - t->name);
}

/* §4.3.12: a number (the sign, digits, fraction, exponent). */
static void
css_number(struct css_lexer *l)
{
	int	c;

	if (css_peek(l, 0) == '+' || css_peek(l, 0) == '-')
		css_advance(l);
	while (css_is_digit(css_peek(l, 0)))
		css_advance(l);
	if (css_peek(l, 0) == '.' && css_is_digit(css_peek(l, 1))) {
		css_advance(l);
		while (css_is_digit(css_peek(l, 0)))
			css_advance(l);
	}
	c = css_peek(l, 0);
	if ((c == 'e' || c == 'E') && (css_is_digit(css_peek(l, 1)) ||
	    ((css_peek(l, 1) == '+' || css_peek(l, 1) == '-') &&
	    css_is_digit(css_peek(l, 2))))) {
		css_advance(l);
		if (!css_is_digit(css_peek(l, 0)))
			css_advance(l);
		while (css_is_digit(css_peek(l, 0)))
			css_advance(l);
	}
}

/* §4.3.3: a number, percentage or dimension. */
static void
css_numeric(struct css_lexer *l, struct css_token *t)
{
	css_number(l);
	if (css_here_starts_ident(l)) {
		t->type = CSS_DIMENSION;
		css_ident_seq(l, t);
	} else if (css_peek(l, 0) == '%') {
		t->type = CSS_PERCENTAGE;
		css_advance(l);
	} else
		t->type = CSS_NUMBER;
}

/* §4.3.5: a string to the closing quote (already past the opening). */
static void
css_string(struct css_lexer *l, struct css_token *t, int quote)
{
	int	c;

	t->type = CSS_STRING;
	while ((c = css_peek(l, 0)) >= 0 && c != quote) {
		if (css_is_newline(c)) {
			t->type = CSS_BAD_STRING;	/* newline left */
			return;
		}
		css_advance(l);
		if (c == '\\' && css_peek(l, 0) >= 0) {
			t->escaped = 1;
			if (css_is_newline(css_peek(l, 0)))
				css_advance(l);
			else
				css_escape(l);
		}
	}
	css_advance(l);
}

/* §4.3.14: what is left of a bad url, to its ')' or the end. */
static void
css_bad_url(struct css_lexer *l, struct css_token *t)
{
	int	c;

	t->type = CSS_BAD_URL;
	while ((c = css_peek(l, 0)) >= 0 && c != ')') {
		css_advance(l);
		if (css_valid_escape(c, css_peek(l, 0))) {
			t->escaped = 1;
			css_escape(l);
		}
	}
	css_advance(l);
}

/* §4.3.6: an unquoted url( to its ')' (already past the '('). */
static void
css_url(struct css_lexer *l, struct css_token *t)
{
	int	c;

	t->type = CSS_URL;
	while (css_is_space(css_peek(l, 0)))
		css_advance(l);
	while ((c = css_peek(l, 0)) >= 0 && c != ')') {
		if (css_is_space(c)) {
			while (css_is_space(css_peek(l, 0)))
				css_advance(l);
			if (css_peek(l, 0) < 0 || css_peek(l, 0) == ')')
				break;
			css_bad_url(l, t);
			return;
		}
		if (c == '"' || c == '\'' || c == '(' ||
		    css_is_nonprintable(c) ||
		    (c == '\\' && !css_valid_escape(c, css_peek(l, 1)))) {
			css_bad_url(l, t);
			return;
		}
		css_advance(l);
		if (c == '\\') {
			t->escaped = 1;
			css_escape(l);
		}
	}
	css_advance(l);
}

/*
 * §4.3.4: an ident, function or url. Only a name written "url" (any
 * case, no escape) is recognised as url: one with an escape is refused
 * by the check before what follows it matters.
 */
static void
css_ident_like(struct css_lexer *l, struct css_token *t)
{
	int	c1, c2;

	css_ident_seq(l, t);
	if (css_peek(l, 0) != '(') {
		t->type = CSS_IDENT;
		return;
	}
	css_advance(l);
	t->type = CSS_FUNCTION;
	if (t->nlen != 3 || strncasecmp(t->name, "url", 3) != 0)
		return;
	while (css_is_space(css_peek(l, 0)) && css_is_space(css_peek(l, 1)))
		css_advance(l);
	c1 = css_peek(l, 0);
	c2 = css_peek(l, 1);
	if (c1 == '"' || c1 == '\'' || (css_is_space(c1) && (c2 == '"' ||
	    c2 == '\'')))
		return;			/* url( as a function */
	css_url(l, t);
}

/* Comments before a token (§4.3.2); one left open runs to the end. */
static void
css_comments(struct css_lexer *l)
{
	while (css_peek(l, 0) == '/' && css_peek(l, 1) == '*') {
		css_advance(l);
		css_advance(l);
		while (css_peek(l, 0) >= 0 && !(css_peek(l, 0) == '*' &&
		    css_peek(l, 1) == '/'))
			css_advance(l);
		if (css_peek(l, 0) < 0) {
			l->open_comment = 1;
			return;
		}
		css_advance(l);
		css_advance(l);
	}
}

/* The one-character tokens. */
static const struct {
	char		c;
	enum css_type	type;
} css_singles[] = {
	{ '(', CSS_LPAREN }, { ')', CSS_RPAREN }, { '[', CSS_LBRACKET },
	{ ']', CSS_RBRACKET }, { '{', CSS_LBRACE }, { '}', CSS_RBRACE },
	{ ',', CSS_COMMA }, { ':', CSS_COLON }, { ';', CSS_SEMICOLON },
};

/* The tokens that start with a delimiter-like character; 0 if none. */
static int
css_punct(struct css_lexer *l, struct css_token *t, int c)
{
	size_t	i;

	for (i = 0; i < nitems(css_singles); i++)
		if (css_singles[i].c == c) {
			t->type = css_singles[i].type;
			css_advance(l);
			return 1;
		}
	if (c == '-' && css_peek(l, 1) == '-' && css_peek(l, 2) == '>') {
		t->type = CSS_CDC;
		l->p += 3;
		return 1;
	}
	if (c == '<' && css_peek(l, 1) == '!' && css_peek(l, 2) == '-' &&
	    css_peek(l, 3) == '-') {
		t->type = CSS_CDO;
		l->p += 4;
		return 1;
	}
	if (c == '#' && (css_is_ident_char(css_peek(l, 1)) ||
	    css_valid_escape(css_peek(l, 1), css_peek(l, 2)))) {
		t->type = CSS_HASH;
		css_advance(l);
		css_ident_seq(l, t);
		return 1;
	}
	if (c == '@' && css_starts_ident(css_peek(l, 1), css_peek(l, 2),
	    css_peek(l, 3))) {
		t->type = CSS_AT_KEYWORD;
		css_advance(l);
		css_ident_seq(l, t);
		return 1;
	}
	return 0;
}

void
css_lexer_init(struct css_lexer *l, const char *s, size_t len)
{
	memset(l, 0, sizeof *l);
	l->p = s;
	l->end = s + len;
	l->line = 1;
}

void
css_next(struct css_lexer *l, struct css_token *t)
{
	int	c;

	css_comments(l);
	memset(t, 0, sizeof *t);
	t->start = l->p;
	t->line = l->line;
	if ((c = css_peek(l, 0)) < 0)
		t->type = CSS_EOF;
	else if (css_is_space(c)) {
		t->type = CSS_WHITESPACE;
		while (css_is_space(css_peek(l, 0)))
			css_advance(l);
	} else if (c == '"' || c == '\'') {
		css_advance(l);
		css_string(l, t, c);
	} else if (css_starts_number(c, css_peek(l, 1), css_peek(l, 2)))
		css_numeric(l, t);
	else if (css_punct(l, t, c))
		;
	else if (css_here_starts_ident(l))
		css_ident_like(l, t);
	else {
		t->type = CSS_DELIM;
		t->delim = (unsigned char)c;
		css_advance(l);
	}
	t->len = (size_t)(l->p - t->start);
}

/* --- The check ---------------------------------------------------- */

/*
 * Where the lists come from. [G]: the Amazon Cognito Developer Guide,
 * "Customizing hosted UI (classic) branding" (hosted-ui-classic-branding),
 * section "Specifying CSS customizations in classic branding": its list
 * of class names and its properties per class. [T]: the stylesheet
 * Cognito itself returns from GetUICustomization by default (the CSS
 * template of the console), as in the AWS CLI's example
 * awscli/examples/cognito-idp/get-ui-customization.rst; a pool that
 * stores back what Cognito gave it must pass.
 */

/* The class names, with the pseudo-classes [G] lists; all 18 are [G]. */
static const char *const css_classes[] = {
	"background-customizable",
	"banner-customizable",
	"errorMessage-customizable",
	"idpButton-customizable",
	"idpButton-customizable:hover",
	"idpDescription-customizable",
	"inputField-customizable",
	"inputField-customizable:focus",
	"label-customizable",
	"legalText-customizable",
	"logo-customizable",
	"passwordCheck-notValid-customizable",
	"passwordCheck-valid-customizable",
	"redirect-customizable",
	"socialButton-customizable",
	"submitButton-customizable",
	"submitButton-customizable:hover",
	"textDescription-customizable",
};

/*
 * The properties, any of them in any of those classes: [G] documents
 * each for some class (named here for one), except border-radius, which
 * only [T] uses.
 */
static const char *const css_properties[] = {
	"background",		/* [G] error messages */
	"background-color",	/* [G] input fields, buttons, banner, logo */
	"border",		/* [G] input fields, error messages */
	"border-color",		/* [G] IdP buttons, input field focus */
	"border-radius",	/* [T] .socialButton-customizable */
	"box-sizing",		/* [G] error messages */
	"color",		/* [G] labels, texts, buttons, password check */
	"display",		/* [G] text and IdP descriptions */
	"font-size",		/* [G] descriptions, submit button, legal */
	"font-weight",		/* [G] labels, submit button */
	"height",		/* [G] input fields, buttons */
	"margin",		/* [G] submit button, error messages */
	"margin-bottom",	/* [G] IdP and social buttons */
	"max-height",		/* [G] logo */
	"max-width",		/* [G] logo */
	"outline",		/* [G] input field focus */
	"padding",		/* [G] banner, error messages ([T]: social) */
	"padding-bottom",	/* [G] text and IdP descriptions */
	"padding-top",		/* [G] text and IdP descriptions */
	"text-align",		/* [G] IdP and social buttons */
	"width",		/* [G] input fields, buttons, error messages */
};

/* Functions a value may use: colours only. */
static const char *const css_functions[] = { "rgb", "rgba", "hsl", "hsla" };

struct css_check {
	struct css_lexer	 lex;
	struct css_token	 tok;
	char			*why;
};

static int
css_listed(const char *const *list, size_t n, const char *s, size_t len,
    int nocase)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && (nocase ?
		    strncasecmp(list[i], s, len) : strncmp(list[i], s, len)) ==
		    0)
			return 1;
	return 0;
}

/* The text of a token for a message: printable ASCII, cut short. */
static void
css_quote(const struct css_token *t, char *out, size_t size)
{
	size_t	i, n = t->len < size - 4 ? t->len : size - 4;

	for (i = 0; i < n; i++)
		out[i] = t->start[i] >= 0x20 && t->start[i] < 0x7f ?
		    t->start[i] : '?';
	out[n] = '\0';
	if (n < t->len)
		memcpy(out + n, "...", 4);
}

static int
css_refuse(struct css_check *k, const char *what)
{
	snprintf(k->why, CSS_WHY_MAX, "CSS line %d: %s.", k->tok.line, what);
	return -1;
}

/* Refuse the current token as "<text> <rest>". */
static int
css_refuse_tok(struct css_check *k, const char *rest)
{
	char	text[48], what[CSS_WHY_MAX - 24];

	css_quote(&k->tok, text, sizeof text);
	snprintf(what, sizeof what, "'%s' %s", text, rest);
	return css_refuse(k, what);
}

/*
 * The next token that is not whitespace; -1 after refusing one that is
 * never allowed, wherever it stands.
 */
static int
css_take(struct css_check *k)
{
	do
		css_next(&k->lex, &k->tok);
	while (k->tok.type == CSS_WHITESPACE);
	if (k->tok.escaped)
		return css_refuse(k, "escapes (\\) are not allowed");
	switch (k->tok.type) {
	case CSS_AT_KEYWORD:
		return css_refuse_tok(k, "is not allowed: no at-rules "
		    "(@import, @media, ...)");
	case CSS_URL:
	case CSS_BAD_URL:
		return css_refuse(k, "url() is not allowed");
	case CSS_STRING:
	case CSS_BAD_STRING:
		return css_refuse(k, "strings are not allowed");
	case CSS_CDO:
	case CSS_CDC:
		return css_refuse_tok(k, "is not allowed");
	case CSS_EOF:
		if (k->lex.open_comment)
			return css_refuse(k, "a comment is not closed");
		return 0;
	default:
		return 0;
	}
}

/* After '.': one selector, the class and its pseudo-class if any. */
static int
css_selector(struct css_check *k)
{
	const char	*start = k->tok.start;
	size_t		 len;

	css_next(&k->lex, &k->tok);
	if (k->tok.type != CSS_IDENT || k->tok.escaped)
		return css_refuse(k, "a selector must be one of the "
		    "*-customizable classes");
	if (css_peek(&k->lex, 0) == ':') {
		css_next(&k->lex, &k->tok);
		css_next(&k->lex, &k->tok);
		if (k->tok.type != CSS_IDENT || k->tok.escaped)
			return css_refuse(k, "a selector must be one of the "
			    "*-customizable classes");
	}
	len = (size_t)(k->tok.start + k->tok.len - start) - 1;
	if (!css_listed(css_classes, nitems(css_classes), start + 1, len, 0)) {
		k->tok.start = start;
		k->tok.len = len + 1;
		return css_refuse_tok(k, "is not one of the *-customizable "
		    "classes");
	}
	return 0;
}

/* A selector list up to its '{'. */
static int
css_selectors(struct css_check *k)
{
	for (;;) {
		if (k->tok.type != CSS_DELIM || k->tok.delim != '.')
			return k->tok.type == CSS_EOF ? css_refuse(k, "a rule "
			    "is not complete") : css_refuse_tok(k, "is not "
			    "allowed: a selector must be one of the "
			    "*-customizable classes");
		if (css_selector(k) != 0 || css_take(k) != 0)
			return -1;
		if (k->tok.type == CSS_LBRACE)
			return 0;
		if (k->tok.type != CSS_COMMA)
			return k->tok.type == CSS_EOF ? css_refuse(k, "a rule "
			    "is not complete") : css_refuse_tok(k, "is not "
			    "allowed after a selector (no combinators)");
		if (css_take(k) != 0)
			return -1;
	}
}

/* After a colour function's name: its arguments to the ')'. */
static int
css_function_args(struct css_check *k)
{
	for (;;) {
		if (css_take(k) != 0)
			return -1;
		switch (k->tok.type) {
		case CSS_RPAREN:
			return 0;
		case CSS_IDENT:
		case CSS_NUMBER:
		case CSS_PERCENTAGE:
		case CSS_DIMENSION:
		case CSS_COMMA:
			break;
		case CSS_DELIM:
			if (k->tok.delim == '/')
				break;
			/* FALLTHROUGH */
		default:
			return k->tok.type == CSS_EOF ? css_refuse(k, "a "
			    "function is not closed") : css_refuse_tok(k,
			    "is not allowed in a colour function");
		}
	}
}

/* One token of a value; 1 at its end (';' or '}'). */
static int
css_value_token(struct css_check *k)
{
	switch (k->tok.type) {
	case CSS_SEMICOLON:
	case CSS_RBRACE:
		return 1;
	case CSS_IDENT:
	case CSS_NUMBER:
	case CSS_PERCENTAGE:
	case CSS_DIMENSION:
	case CSS_HASH:
	case CSS_COMMA:
		return 0;
	case CSS_FUNCTION:
		if (!css_listed(css_functions, nitems(css_functions),
		    k->tok.name, k->tok.nlen, 1))
			return css_refuse_tok(k, "is not allowed: of the "
			    "functions only rgb(), rgba(), hsl() and hsla() "
			    "are");
		return css_function_args(k);
	case CSS_DELIM:
		if (k->tok.delim == '/')
			return 0;
		if (k->tok.delim == '!') {
			if (css_take(k) != 0)
				return -1;
			if (k->tok.type == CSS_IDENT && k->tok.nlen == 9 &&
			    strncasecmp(k->tok.name, "important", 9) == 0)
				return 0;
		}
		/* FALLTHROUGH */
	default:
		return k->tok.type == CSS_EOF ? css_refuse(k, "a rule is not "
		    "complete") : css_refuse_tok(k, "is not allowed in a "
		    "value");
	}
}

/* "property: value", the property's token current; ends on ';' or '}'. */
static int
css_declaration(struct css_check *k)
{
	int	rc = 0, n = 0;

	if (k->tok.type != CSS_IDENT)
		return k->tok.type == CSS_EOF ? css_refuse(k, "a rule is not "
		    "complete") : css_refuse_tok(k, "is not allowed where a "
		    "property is expected");
	if (!css_listed(css_properties, nitems(css_properties), k->tok.name,
	    k->tok.nlen, 1))
		return css_refuse_tok(k, "is not a property that may be "
		    "customized");
	if (css_take(k) != 0)
		return -1;
	if (k->tok.type != CSS_COLON)
		return css_refuse_tok(k, "is not allowed: a property is "
		    "followed by ':'");
	for (;;) {
		if (css_take(k) != 0)
			return -1;
		if ((rc = css_value_token(k)) != 0)
			break;
		n++;
	}
	if (rc < 0)
		return -1;
	return n > 0 ? 0 : css_refuse(k, "a property has no value");
}

/* The declarations of a rule, past its '{', to its '}'. */
static int
css_block(struct css_check *k)
{
	for (;;) {
		if (css_take(k) != 0)
			return -1;
		if (k->tok.type == CSS_RBRACE)
			return 0;
		if (k->tok.type == CSS_SEMICOLON)
			continue;
		if (css_declaration(k) != 0)
			return -1;
		if (k->tok.type == CSS_RBRACE)
			return 0;
	}
}

int
css_check(const char *css, size_t len, char why[CSS_WHY_MAX])
{
	struct css_check	 k;

	memset(&k, 0, sizeof k);
	k.why = why;
	/*
	 * Never a '<', even in a comment: were the CSS ever placed in a
	 * <style> element, "</style" would end it whatever the CSS means.
	 */
	if (memchr(css, '<', len) != NULL) {
		snprintf(why, CSS_WHY_MAX, "CSS must not contain the "
		    "character '<'.");
		return -1;
	}
	if (memchr(css, '\0', len) != NULL) {
		snprintf(why, CSS_WHY_MAX, "CSS must not contain NUL.");
		return -1;
	}
	css_lexer_init(&k.lex, css, len);
	for (;;) {
		if (css_take(&k) != 0)
			return -1;
		if (k.tok.type == CSS_EOF)
			return 0;
		if (css_selectors(&k) != 0 || css_block(&k) != 0)
			return -1;
	}
}
