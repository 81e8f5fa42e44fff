/*
 * css.h: the check of a pool's hosted-UI CSS (SetUICustomization), over
 * a tokenizer that follows CSS Syntax Level 3 §4 (consume a token), so
 * the check sees the tokens a browser sees.
 *
 * What passes: rules whose selectors are Cognito's *-customizable
 * classes (with the :hover or :focus the documentation lists), holding
 * declarations of the documented properties (and border-radius, which
 * Cognito's own default stylesheet uses; css.c names the sources), whose
 * values are idents, numbers, percentages, dimensions, hash colours,
 * commas, '/', the color functions rgb(), rgba(), hsl(), hsla() and
 * !important. Everything else is refused: any '<', at-rules (@import,
 * @media, ...), url() and every other function (expression(),
 * image-set(), ...), strings, escapes, comments left open, other
 * selectors. Since no url() passes at all,
 * the CSS can fetch nothing, from any origin.
 */
#ifndef CSS_H
#define CSS_H

#include <stddef.h>

#include "util.h"

enum css_type {
	CSS_EOF,
	CSS_IDENT,
	CSS_FUNCTION,		/* name( */
	CSS_AT_KEYWORD,		/* @name */
	CSS_HASH,		/* #name */
	CSS_STRING,
	CSS_BAD_STRING,
	CSS_URL,		/* url(unquoted) */
	CSS_BAD_URL,
	CSS_DELIM,
	CSS_NUMBER,
	CSS_PERCENTAGE,
	CSS_DIMENSION,
	CSS_WHITESPACE,
	CSS_CDO,		/* <!-- */
	CSS_CDC,		/* --> */
	CSS_COLON,
	CSS_SEMICOLON,
	CSS_COMMA,
	CSS_LBRACKET,
	CSS_RBRACKET,
	CSS_LPAREN,
	CSS_RPAREN,
	CSS_LBRACE,
	CSS_RBRACE
};

/*
 * A token, pointing into the text: start/len is all of it; name/nlen the
 * name of an ident, function, at-keyword or hash, or the unit of a
 * dimension, as written (escapes not decoded: escaped says there was
 * one). delim is the byte of a delim token.
 */
struct css_token {
	enum css_type	 type;
	const char	*start;
	size_t		 len;
	const char	*name;
	size_t		 nlen;
	int		 escaped;
	unsigned char	 delim;
	int		 line;		/* where it starts, from 1 */
};

struct css_lexer {
	const char	*p;
	const char	*end;
	int		 line;
	int		 open_comment;	/* a comment ran to the end */
};

void	 css_lexer_init(struct css_lexer *, const char *, size_t);
/* The next token; CSS_EOF at the end, forever. */
void	 css_next(struct css_lexer *, struct css_token *);

#define CSS_WHY_MAX	192
/*
 * 0 when the CSS may be served; -1 with why set to a sentence naming
 * what was refused and its line.
 */
int	 css_check(const char *, size_t, char[CSS_WHY_MAX]) MUST_CHECK;

#endif
