/*
 * test_css.c: the CSS tokenizer on the cases CSS Syntax Level 3 singles
 * out (escapes, url tokens and url( functions, numbers and dimensions,
 * bad strings, CDO/CDC, comments), and the hosted-UI check: Cognito's
 * template passes, and each way to leave the allowed classes and
 * properties or to fetch or run something is refused with a message
 * naming it.
 */
#include "config.h"

#include <string.h>

#include "core/css.h"
#include "suites.h"

/* The types of the tokens of s, whitespace included, up to EOF. */
static size_t
lex_types(const char *s, enum css_type *out, size_t max)
{
	struct css_lexer	l;
	struct css_token	t;
	size_t			n = 0;

	css_lexer_init(&l, s, strlen(s));
	do {
		css_next(&l, &t);
		ck_assert_uint_lt(n, max);
		out[n++] = t.type;
	} while (t.type != CSS_EOF);
	return n;
}

static const struct {
	const char	*in;
	enum css_type	 want[8];
} lexes[] = {
	{ "url(x.png)", { CSS_URL, CSS_EOF } },
	{ "URL(  x.png  )", { CSS_URL, CSS_EOF } },
	{ "url( \"x\")", { CSS_FUNCTION, CSS_WHITESPACE, CSS_STRING,
	    CSS_RPAREN, CSS_EOF } },
	{ "url(a b)", { CSS_BAD_URL, CSS_EOF } },
	{ "url(a\"b)x", { CSS_BAD_URL, CSS_IDENT, CSS_EOF } },
	{ "u\\72l(x)", { CSS_FUNCTION, CSS_IDENT, CSS_RPAREN, CSS_EOF } },
	{ "\\40import", { CSS_IDENT, CSS_EOF } },
	{ "@import", { CSS_AT_KEYWORD, CSS_EOF } },
	{ "@-x", { CSS_AT_KEYWORD, CSS_EOF } },
	{ "@ x", { CSS_DELIM, CSS_WHITESPACE, CSS_IDENT, CSS_EOF } },
	{ "12px 5% -.5e3 +3", { CSS_DIMENSION, CSS_WHITESPACE,
	    CSS_PERCENTAGE, CSS_WHITESPACE, CSS_NUMBER, CSS_WHITESPACE,
	    CSS_NUMBER, CSS_EOF } },
	{ "1e+x", { CSS_DIMENSION, CSS_DELIM, CSS_IDENT, CSS_EOF } },
	{ ".a-b", { CSS_DELIM, CSS_IDENT, CSS_EOF } },
	{ "#fff #-", { CSS_HASH, CSS_WHITESPACE, CSS_HASH, CSS_EOF } },
	{ "# x", { CSS_DELIM, CSS_WHITESPACE, CSS_IDENT, CSS_EOF } },
	{ "'a\nb'", { CSS_BAD_STRING, CSS_WHITESPACE, CSS_IDENT,
	    CSS_STRING, CSS_EOF } },
	{ "'a\\\nb'", { CSS_STRING, CSS_EOF } },
	{ "<!-- -->", { CSS_CDO, CSS_WHITESPACE, CSS_CDC, CSS_EOF } },
	{ "a/* x */b", { CSS_IDENT, CSS_IDENT, CSS_EOF } },
	{ "a/* x", { CSS_IDENT, CSS_EOF } },
	{ "\\\n", { CSS_DELIM, CSS_WHITESPACE, CSS_EOF } },
	{ "--x", { CSS_IDENT, CSS_EOF } },
	{ "expression(", { CSS_FUNCTION, CSS_EOF } },
	{ "a:b;{}[](),", { CSS_IDENT, CSS_COLON, CSS_IDENT, CSS_SEMICOLON,
	    CSS_LBRACE, CSS_RBRACE, CSS_LBRACKET, CSS_RBRACKET } },
};

START_TEST(test_lex)
{
	enum css_type	got[32];
	size_t		n, i;

	n = lex_types(lexes[_i].in, got, nitems(got));
	for (i = 0; i < n && i < nitems(lexes[_i].want); i++)
		ck_assert_msg(got[i] == lexes[_i].want[i],
		    "%s: token %zu is %d, not %d", lexes[_i].in, i, got[i],
		    lexes[_i].want[i]);
}
END_TEST

START_TEST(test_lex_details)
{
	struct css_lexer	l;
	struct css_token	t;
	const char		*s = "\\75 rl #a\\62  12em\r\nx";

	css_lexer_init(&l, s, strlen(s));
	css_next(&l, &t);
	ck_assert_int_eq(t.type, CSS_IDENT);
	ck_assert_int_eq(t.escaped, 1);
	ck_assert_uint_eq(t.len, 6);
	css_next(&l, &t);
	css_next(&l, &t);
	ck_assert_int_eq(t.type, CSS_HASH);
	ck_assert_int_eq(t.escaped, 1);
	css_next(&l, &t);
	ck_assert_int_eq(t.type, CSS_WHITESPACE);
	css_next(&l, &t);
	ck_assert_int_eq(t.type, CSS_DIMENSION);
	ck_assert_uint_eq(t.nlen, 2);
	ck_assert_int_eq(strncmp(t.name, "em", 2), 0);
	css_next(&l, &t);
	css_next(&l, &t);
	ck_assert_int_eq(t.type, CSS_IDENT);
	ck_assert_int_eq(t.line, 2);
}
END_TEST

/* Cognito's own CSS template, and a few more allowed forms. */
static const char *const good[] = {
	"",
	"  /* nothing */  ",
	".logo-customizable {\n\tmax-width: 60%;\n\tmax-height: 30%;\n}\n"
	".banner-customizable {\n\tpadding: 25px 0px 25px 0px;\n"
	"\tbackground-color: lightgray;\n}\n"
	".label-customizable {\n\tfont-weight: 400;\n}\n"
	".textDescription-customizable {\n\tpadding-top: 10px;\n"
	"\tpadding-bottom: 10px;\n\tdisplay: block;\n\tfont-size: 16px;\n}\n"
	".submitButton-customizable {\n\tfont-size: 14px;\n"
	"\tfont-weight: bold;\n\tmargin: 20px 0px 10px 0px;\n"
	"\theight: 40px;\n\twidth: 100%;\n\tcolor: #fff;\n"
	"\tbackground-color: #337ab7;\n}\n"
	".submitButton-customizable:hover {\n\tcolor: #fff;\n"
	"\tbackground-color: #286090;\n}\n"
	".errorMessage-customizable {\n\tpadding: 5px;\n\tfont-size: 14px;\n"
	"\twidth: 100%;\n\tbackground: #F5F5F5;\n"
	"\tborder: 2px solid #D64958;\n\tcolor: #D64958;\n}\n"
	".inputField-customizable {\n\twidth: 100%;\n\theight: 34px;\n"
	"\tcolor: #555;\n\tbackground-color: #fff;\n"
	"\tborder: 1px solid #ccc;\n}\n"
	".inputField-customizable:focus {\n\tborder-color: #66afe9;\n"
	"\toutline: 0;\n}\n"
	".idpButton-customizable {\n\theight: 40px;\n\twidth: 100%;\n"
	"\ttext-align: center;\n\tmargin-bottom: 15px;\n"
	"\tcolor: #2196f3;\n\tbackground-color: #fff;\n"
	"\tborder-color: #2196f3;\n}\n"
	".idpButton-customizable:hover {\n\tcolor: #fff;\n"
	"\tbackground-color: #31b0d5;\n}\n"
	".socialButton-customizable {\n\tborder-radius: 2px;\n"
	"\theight: 40px;\n\tmargin-bottom: 15px;\n\tpadding: 1px;\n"
	"\ttext-align: left;\n\twidth: 100%;\n}\n"
	".redirect-customizable {\n\ttext-align: center;\n}\n"
	".passwordCheck-notValid-customizable {\n\tcolor: #DF3312;\n}\n"
	".passwordCheck-valid-customizable {\n\tcolor: #19BF00;\n}\n"
	".background-customizable {\n\tbackground-color: #fff;\n}\n",
	".label-customizable{color:red}",
	".label-customizable , .legalText-customizable { color: rgb(1, 2, 3) "
	"!important; ; font-size: 1.5em; }",
	".background-customizable { background-color: hsla(120 50% 50% / "
	".5) }",
	".banner-customizable {PADDING: 1px}",
	/* Every property the Developer Guide documents, in its class. */
	".label-customizable { font-weight: 100; color: #000 }"
	".inputField-customizable { width: 90%; height: 30px; color: red;"
	" background-color: #fff; border: 1px solid #ccc }"
	".textDescription-customizable { padding-top: 1px; padding-bottom:"
	" 1px; display: inline; font-size: 12px; color: black }"
	".submitButton-customizable { font-size: 14px; font-weight: normal;"
	" margin: 1px 2px 3px 4px; width: 100%; height: 40px; color: #fff;"
	" background-color: #337ab7 }"
	".banner-customizable { padding: 1px 2px 3px 4px;"
	" background-color: lightgray }"
	".submitButton-customizable:hover { color: #fff;"
	" background-color: #000 }"
	".idpButton-customizable:hover { color: #fff; background-color: #000 }"
	".passwordCheck-notValid-customizable { color: #DF3312 }"
	".background-customizable { background-color: #fff }"
	".errorMessage-customizable { margin: 1px 2px 3px 4px; padding: 5px;"
	" font-size: 14px; width: 100%; background: #F5F5F5;"
	" border: 2px solid #D64958; color: #D64958; box-sizing: border-box }"
	".idpButton-customizable { height: 40px; width: 100%; text-align:"
	" center; margin-bottom: 15px; color: #fff; background-color: #5bc0de;"
	" border-color: #46b8da }"
	".idpDescription-customizable { padding-top: 1px; padding-bottom: 1px;"
	" display: block; font-size: 16px; color: #333 }"
	".legalText-customizable { color: #747474; font-size: 11px }"
	".logo-customizable { max-width: 60%; max-height: 30%;"
	" background-color: transparent }"
	".inputField-customizable:focus { border-color: #66afe9; outline: 0 }"
	".socialButton-customizable { height: 40px; text-align: left;"
	" width: 100%; margin-bottom: 15px }"
	".passwordCheck-valid-customizable { color: #19BF00 }",
	/* Cognito's default stylesheet also has these. */
	".socialButton-customizable { border-radius: 2px; padding: 1px }",
};

START_TEST(test_good)
{
	char	why[CSS_WHY_MAX];

	ck_assert_msg(css_check(good[_i], strlen(good[_i]), why) == 0,
	    "refused %s: %s", good[_i], why);
}
END_TEST

static const struct {
	const char	*css;
	const char	*why;		/* a part of the message */
} bad[] = {
	{ "a{}</style><script>alert(1)</script>", "'<'" },
	{ "/* </style> */", "'<'" },
	{ "@import 'x.css';", "'@import'" },
	{ ".label-customizable{color:red}@media print{}", "'@media'" },
	{ "@IMPORT url(x)", "at-rules" },
	{ ".banner-customizable{background: url(https://evil/x.png)}",
	    "url()" },
	{ ".banner-customizable{background: url( 'https://evil/x' )}",
	    "'url('" },
	{ ".banner-customizable{background: URL(x)}", "url()" },
	{ ".banner-customizable{background: u\\72l(x)}", "escapes" },
	{ ".banner-customizable{background: \\75 rl(x)}", "escapes" },
	{ ".banner-customizable{width: expression(alert(1))}",
	    "'expression('" },
	{ ".banner-customizable{width: exp\\ression(alert(1))}", "escapes" },
	{ ".banner-customizable{background: image-set(x 1x)}",
	    "'image-set('" },
	{ ".banner-customizable{background: rgb(1, url(x), 3)}", "url()" },
	{ ".banner-customizable{background: rgb(1, calc(2), 3)}", "'calc('" },
	{ ".banner-customizable{color: 'red'}", "strings" },
	{ ".banner-customizable{-moz-binding: x}", "'-moz-binding'" },
	{ ".banner-customizable{behavior: x}", "'behavior'" },
	{ ".banner-customizable{position: fixed}", "'position'" },
	{ ".banner-customizable{content: x}", "'content'" },
	/* Plausible, but neither documented nor in Cognito's stylesheet. */
	{ ".banner-customizable{margin-top: 1px}", "'margin-top'" },
	{ ".label-customizable{font-family: serif}", "'font-family'" },
	{ ".banner-customizable{background-image: none}",
	    "'background-image'" },
	{ ".logo-customizable:hover{color:red}",
	    "'.logo-customizable:hover'" },
	{ ".socialButton-customizable:hover{color:red}",
	    "'.socialButton-customizable:hover'" },
	{ "a{color:red}", "'a'" },
	{ "*{color:red}", "'*'" },
	{ "#x{color:red}", "'#x'" },
	{ ".foo{color:red}", "'.foo'" },
	{ ".label-customizable:hover{color:red}",
	    "'.label-customizable:hover'" },
	{ ".label-customizable .legalText-customizable{color:red}",
	    "combinators" },
	{ ".label-customizable>.legalText-customizable{color:red}",
	    "combinators" },
	{ ".label-customizable[x]{color:red}", "combinators" },
	{ ".label-customizable::before{content:x}", "selector" },
	{ ". label-customizable{color:red}", "selector" },
	{ ".label-\\customizable{color:red}", "selector" },
	{ ".label-customizable{color:red", "not complete" },
	{ ".label-customizable{color:red} /* open", "comment" },
	{ ".label-customizable{color}", "':'" },
	{ ".label-customizable{color:}", "no value" },
	{ ".label-customizable{color:red !x}", "'x'" },
	{ ".label-customizable{color:{red}}", "'{'" },
	{ ".label-customizable{color:red}}", "'}'" },
	{ ".label-customizable{color:red} -->", "'-->'" },
	{ ".label-customizable{color:rgb(1,2,3}", "colour function" },
	{ ".label-customizable{color:rgb(1,2,3", "not closed" },
	{ ".label-customizable{color:red\x01}", "value" },
};

START_TEST(test_bad)
{
	char	why[CSS_WHY_MAX];

	ck_assert_msg(css_check(bad[_i].css, strlen(bad[_i].css), why) != 0,
	    "accepted %s", bad[_i].css);
	ck_assert_msg(strstr(why, bad[_i].why) != NULL, "%s: \"%s\" lacks "
	    "\"%s\"", bad[_i].css, why, bad[_i].why);
}
END_TEST

START_TEST(test_message)
{
	char		 why[CSS_WHY_MAX];
	char		 css[400];
	const char	*two = ".label-customizable {\n color: red;\n}\n"
	    ".x-customizable { color: red }";

	ck_assert_int_ne(css_check(two, strlen(two), why), 0);
	ck_assert_str_eq(why, "CSS line 4: '.x-customizable' is not one of "
	    "the *-customizable classes.");
	/* A long token is cut short, non-ASCII bytes shown as '?'. */
	memset(css, 'a', sizeof css);
	memcpy(css, ".label-customizable{\xc3\xa9", 22);
	css[sizeof css - 1] = '\0';
	ck_assert_int_ne(css_check(css, strlen(css), why), 0);
	ck_assert_ptr_nonnull(strstr(why, "'??aaa"));
	ck_assert_ptr_nonnull(strstr(why, "...'"));
	ck_assert_uint_lt(strlen(why), CSS_WHY_MAX);
	/* A NUL inside the text. */
	ck_assert_int_ne(css_check("a\0b", 3, why), 0);
}
END_TEST

Suite *
css_suite(void)
{
	Suite	*s = suite_create("css");
	TCase	*tc = tcase_create("css");

	tcase_add_loop_test(tc, test_lex, 0, nitems(lexes));
	tcase_add_test(tc, test_lex_details);
	tcase_add_loop_test(tc, test_good, 0, nitems(good));
	tcase_add_loop_test(tc, test_bad, 0, nitems(bad));
	tcase_add_test(tc, test_message);
	suite_add_tcase(s, tc);
	return s;
}
