/*
 * test_template.c: the hosted UI templates, table-driven: templates
 * rendered against JSON contexts (escaping of every special character,
 * in text and in attribute values, raw values, scalars, sections,
 * inverted sections, dotted names, lookup outwards), templates that
 * must be refused (with the line each error names), partials and their
 * depth limit, the output and work limits, loading a directory, and
 * concurrent renders of one template.
 */
#include "config.h"

#include <sys/stat.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "ui/template.h"

struct good {
	const char	*text;
	const char	*json;
	const char	*out;
};

#define XSS	"\\\"><script>alert(1)</script>"
#define XSS_OUT	"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"

static const struct good good[] = {
	/* Escaping, one character at a time, then in markup. */
	{ "{{v}}", "{\"v\": \"&\"}", "&amp;" },
	{ "{{v}}", "{\"v\": \"<\"}", "&lt;" },
	{ "{{v}}", "{\"v\": \">\"}", "&gt;" },
	{ "{{v}}", "{\"v\": \"\\\"\"}", "&quot;" },
	{ "{{v}}", "{\"v\": \"'\"}", "&#39;" },
	{ "{{v}}", "{\"v\": \"`\"}", "&#96;" },
	{ "{{v}}", "{\"v\": \"=\"}", "&#61;" },
	{ "{{v}}", "{\"v\": \"a&b<c>d\\\"e'f`g=h\"}",
	  "a&amp;b&lt;c&gt;d&quot;e&#39;f&#96;g&#61;h" },
	{ "<input value=\"{{v}}\">", "{\"v\": \"" XSS "\"}",
	  "<input value=\"" XSS_OUT "\">" },
	{ "<p>{{v}}</p>", "{\"v\": \"" XSS "\"}", "<p>" XSS_OUT "</p>" },
	{ "<a title='{{v}}'>", "{\"v\": \"' onmouseover='alert(1)\"}",
	  "<a title='&#39; onmouseover&#61;&#39;alert(1)'>" },
	{ "<p>{{#u}}{{v}}{{/u}}</p>", "{\"u\": {\"v\": \"" XSS "\"}}",
	  "<p>" XSS_OUT "</p>" },
	{ "{{v}}", "{\"v\": \"h\\u00e9llo \\u2713\"}",
	  "h\xc3\xa9llo \xe2\x9c\x93" },
	/* Raw values. */
	{ "{{{v}}}", "{\"v\": \"<b>&amp;</b>\"}", "<b>&amp;</b>" },
	{ "{{{ v }}}", "{\"v\": \"<svg/>\"}", "<svg/>" },
	{ "{{{a.b}}}", "{\"a\": {\"b\": \"<i>\"}}", "<i>" },
	/* Scalars, missing names, containers. */
	{ "[{{nope}}][{{{nope}}}]", "{}", "[][]" },
	{ "[{{n}}][{{f}}][{{t}}]", "{\"n\": null, \"f\": false, \"t\": true}",
	  "[][][true]" },
	{ "{{i}} {{z}} {{neg}} {{big}}",
	  "{\"i\": 42, \"z\": 0, \"neg\": -7, \"big\": 9007199254740993}",
	  "42 0 -7 9007199254740993" },
	{ "{{a}} {{b}} {{c}} {{d}} {{e}}",
	  "{\"a\": 1.5, \"b\": 0.1, \"c\": 1e300, \"d\": -0.25, \"e\": 2.0}",
	  "1.5 0.1 1e+300 -0.25 2" },
	{ "[{{a}}][{{o}}][{{s}}]",
	  "{\"a\": [1], \"o\": {\"x\": 1}, \"s\": \"\"}", "[][][]" },
	{ "{{.}}", "\"<x>\"", "&lt;x&gt;" },
	{ "{{.}}", "{\"a\": 1}", "" },
	/* Text, comments, white space in tags. */
	{ "", "{}", "" },
	{ "plain { } }} {x} text", "{}", "plain { } }} {x} text" },
	{ "a{{! note }}b{{!}}c{{! x\ny }}d", "{}", "abcd" },
	{ "{{ v }}{{# s }}x{{/ s }}{{\tv\n}}", "{\"v\": 1, \"s\": true}",
	  "1x1" },
	/* Sections. */
	{ "[{{#s}}x{{/s}}]", "{\"s\": true}", "[x]" },
	{ "[{{#s}}x{{/s}}]", "{\"s\": false}", "[]" },
	{ "[{{#s}}x{{/s}}]", "{\"s\": null}", "[]" },
	{ "[{{#s}}x{{/s}}]", "{}", "[]" },
	{ "[{{#s}}<{{.}}>{{/s}}]", "{\"s\": \"hi\"}", "[<hi>]" },
	{ "[{{#s}}<{{.}}>{{/s}}]", "{\"s\": \"\"}", "[]" },
	{ "[{{#s}}<{{.}}>{{/s}}]", "{\"s\": 3}", "[<3>]" },
	{ "[{{#s}}<{{.}}>{{/s}}]", "{\"s\": 0}", "[]" },
	{ "[{{#s}}<{{.}}>{{/s}}]", "{\"s\": 0.0}", "[]" },
	{ "[{{#s}}<{{.}}>{{/s}}]", "{\"s\": 0.5}", "[<0.5>]" },
	{ "{{#u}}{{name}}/{{age}}{{/u}}", "{\"u\": {\"name\": \"a\", "
	  "\"age\": 3}}", "a/3" },
	{ "[{{#u}}x{{/u}}]", "{\"u\": {}}", "[]" },
	{ "{{#l}}<li>{{.}}</li>{{/l}}", "{\"l\": [\"a\", \"<b>\"]}",
	  "<li>a</li><li>&lt;b&gt;</li>" },
	{ "[{{#l}}x{{/l}}]", "{\"l\": []}", "[]" },
	{ "{{#l}}({{.}}){{/l}}", "{\"l\": [false, 0, \"\", null]}",
	  "()(0)()()" },
	{ "{{#rows}}[{{#.}}{{.}}{{/.}}]{{/rows}}",
	  "{\"rows\": [[1, 2], [], [3]]}", "[12][][3]" },
	{ "{{#a}}{{#b}}{{c}}{{/b}}{{/a}}",
	  "{\"a\": {\"b\": [{\"c\": 1}, {\"c\": 2}]}}", "12" },
	/* Lookup outwards, innermost first. */
	{ "{{#items}}{{title}}:{{n}} {{/items}}", "{\"title\": \"T\", "
	  "\"items\": [{\"n\": \"a\"}, {\"n\": \"b\", \"title\": \"U\"}]}",
	  "T:a U:b " },
	{ "{{#a}}{{#b}}{{x}}{{/b}}{{/a}}",
	  "{\"x\": \"top\", \"a\": {\"b\": {\"y\": 1}}}", "top" },
	{ "{{#o}}{{n}}{{/o}}{{n}}",
	  "{\"n\": \"outer\", \"o\": {\"n\": \"inner\"}}", "innerouter" },
	/* Dotted names. */
	{ "{{a.b.c}}", "{\"a\": {\"b\": {\"c\": \"x\"}}}", "x" },
	{ "[{{a.x}}][{{a.b.c.d}}]", "{\"a\": {\"b\": {\"c\": \"x\"}}}",
	  "[][]" },
	{ "{{#a.b}}{{c}}{{/a.b}}", "{\"a\": {\"b\": {\"c\": \"x\"}}}", "x" },
	{ "{{^a.x}}none{{/a.x}}", "{\"a\": {\"b\": 1}}", "none" },
	{ "{{#o}}[{{a.b}}]{{/o}}",
	  "{\"a\": {\"b\": 1}, \"o\": {\"a\": {}}}", "[]" },
	{ "{{#o}}[{{a.b}}]{{/o}}", "{\"a\": {\"b\": 1}, \"o\": {\"z\": 1}}",
	  "[1]" },
	{ "[{{s.length}}]", "{\"s\": \"abc\"}", "[]" },
	{ "{{a-b.c_d}}", "{\"a-b\": {\"c_d\": \"ok\"}}", "ok" },
	/* Inverted sections. */
	{ "{{^v}}no{{/v}}", "{}", "no" },
	{ "{{^v}}no{{/v}}", "{\"v\": false}", "no" },
	{ "{{^v}}no{{/v}}", "{\"v\": null}", "no" },
	{ "{{^v}}no{{/v}}", "{\"v\": \"\"}", "no" },
	{ "{{^v}}no{{/v}}", "{\"v\": 0}", "no" },
	{ "{{^v}}no{{/v}}", "{\"v\": 0.0}", "no" },
	{ "{{^v}}no{{/v}}", "{\"v\": []}", "no" },
	{ "{{^v}}no{{/v}}", "{\"v\": {}}", "no" },
	{ "[{{^v}}no{{/v}}]", "{\"v\": true}", "[]" },
	{ "[{{^v}}no{{/v}}]", "{\"v\": \"x\"}", "[]" },
	{ "[{{^v}}no{{/v}}]", "{\"v\": 1}", "[]" },
	{ "[{{^v}}no{{/v}}]", "{\"v\": [0]}", "[]" },
	{ "[{{^v}}no{{/v}}]", "{\"v\": {\"a\": 1}}", "[]" },
	{ "{{#e}}error: {{e}}{{/e}}{{^e}}ok{{/e}}", "{\"e\": \"<bad>\"}",
	  "error: &lt;bad&gt;" },
	{ "{{#e}}error: {{e}}{{/e}}{{^e}}ok{{/e}}", "{}", "ok" },
	{ "{{#l}}{{^.}}-{{/.}}{{.}}{{/l}}", "{\"l\": [1, 0, 2]}", "1-02" },
};

struct bad {
	const char	*text;
	const char	*cause;
};

static const struct bad bad[] = {
	{ "{{#a}}x", "line 1: {{#a}} is not closed" },
	{ "{{^a}}\n\nx", "line 1: {{^a}} is not closed" },
	{ "{{#a}}\n{{#b}}\n{{/b}}", "line 1: {{#a}} is not closed" },
	{ "{{#a}}\n{{#b}}\n{{/a}}",
	  "line 3: expected {{/b}} (opened on line 2), found {{/a}}" },
	{ "x\n{{/a}}", "line 2: {{/a}} closes no section" },
	{ "{{#a}}{{/a}}{{/a}}", "line 1: {{/a}} closes no section" },
	{ "{{#a}}\n{{/b}}",
	  "line 2: expected {{/a}} (opened on line 1), found {{/b}}" },
	{ "{{#a.b}}{{/a}}",
	  "line 1: expected {{/a.b}} (opened on line 1), found {{/a}}" },
	{ "{{^a}}{{/A}}",
	  "line 1: expected {{/a}} (opened on line 1), found {{/A}}" },
	{ "\n\n{{a", "line 3: unterminated tag" },
	{ "{{a}", "line 1: unterminated tag" },
	{ "a {{", "line 1: unterminated tag" },
	{ "{{", "line 1: unterminated tag" },
	{ "{{{a}}", "line 1: unterminated tag" },
	{ "{{#a", "line 1: unterminated tag" },
	{ "x\n{{!a\nb", "line 2: unterminated tag" },
	{ "{{! a\nb }}\n{{/x}}", "line 3: {{/x}} closes no section" },
	{ "{{ x\n}}\n{{/y}}", "line 3: {{/y}} closes no section" },
	{ "{{}}", "line 1: empty name" },
	{ "{{ }}", "line 1: empty name" },
	{ "{{#}}", "line 1: empty name" },
	{ "{{/}}", "line 1: empty name" },
	{ "{{^ }}", "line 1: empty name" },
	{ "{{>}}", "line 1: empty name" },
	{ "{{{}}}", "line 1: empty name" },
	{ "a\nb\n{{{ \n }}}", "line 3: empty name" },
	{ "{{a b}}", "line 1: invalid name" },
	{ "{{a..b}}", "line 1: invalid name" },
	{ "{{.a}}", "line 1: invalid name" },
	{ "{{a.}}", "line 1: invalid name" },
	{ "{{..}}", "line 1: invalid name" },
	{ "{{=<% %>=}}", "line 1: invalid name" },
	{ "{{&a}}", "line 1: invalid name" },
	{ "{{a<}}", "line 1: invalid name" },
	{ "{{ #a}}", "line 1: invalid name" },
	{ "{{{#a}}}", "line 1: invalid name" },
	{ "{{a{{b}}", "line 1: invalid name" },
	{ "{{\xc3\xa9}}", "line 1: invalid name" },
	{ "{{> ../x}}", "line 1: invalid name" },
	{ "{{> a b}}", "line 1: invalid name" },
	{ "\n{{#a b}}{{/a b}}", "line 2: invalid name" },
};

/* Parse a template named "t", render it against ctx and free it. */
static char *
render_ctx(const char *text, json_t *ctx, size_t *len, char **cause)
{
	struct tmpl	*t;
	char		*out, *why = NULL;

	t = tmpl_parse("t", text, strlen(text), &why);
	ck_assert_msg(t != NULL, "%s: %s", text, why);
	out = tmpl_render(NULL, t, ctx, len, cause);
	tmpl_free(t);
	return out;
}

/* The same against JSON text (NULL: no context). */
static char *
render(const char *text, const char *json, size_t *len, char **cause)
{
	json_t	*ctx = NULL;
	char	*out;

	if (json != NULL) {
		ctx = json_loads(json, JSON_DECODE_ANY, NULL);
		ck_assert_msg(ctx != NULL, "bad JSON: %s", json);
	}
	out = render_ctx(text, ctx, len, cause);
	json_decref(ctx);
	return out;
}

START_TEST(test_good)
{
	const struct good	*g = &good[_i];
	char			*out, *cause = NULL;
	size_t			 len;

	out = render(g->text, g->json, &len, &cause);
	ck_assert_msg(out != NULL, "%s: %s", g->text, cause);
	ck_assert_msg(strcmp(out, g->out) == 0, "%s with %s: \"%s\", not "
	    "\"%s\"", g->text, g->json, out, g->out);
	ck_assert_uint_eq(len, strlen(g->out));
	free(out);
}
END_TEST

START_TEST(test_bad)
{
	const struct bad	*b = &bad[_i];
	struct tmpl		*t;
	char			*cause = NULL;

	t = tmpl_parse("t", b->text, strlen(b->text), &cause);
	ck_assert_msg(t == NULL, "%s parsed", b->text);
	ck_assert_msg(cause != NULL && strcmp(cause, b->cause) == 0,
	    "%s: \"%s\", not \"%s\"", b->text, cause, b->cause);
	free(cause);
}
END_TEST

/* No context at all: every name is missing. */
START_TEST(test_null_context)
{
	char	*out, *cause = NULL;

	out = render("[{{a}}{{.}}{{#a}}x{{/a}}{{^a}}y{{/a}}]", NULL, NULL,
	    &cause);
	ck_assert_str_eq(out, "[y]");
	free(out);
}
END_TEST

/* Sections nest TMPL_MAX_DEPTH deep, one per line, and no deeper. */
static char *
nested(int depth)
{
	char	*s = xstrdup(""), *tmp;
	int	 i;

	for (i = 0; i < depth; i++) {
		tmp = xasprintf("{{#s%d}}\n%s{{/s%d}}", i, s, i);
		free(s);
		s = tmp;
	}
	return s;
}

START_TEST(test_depth)
{
	struct tmpl	*t;
	char		*s, *cause = NULL;

	s = nested(TMPL_MAX_DEPTH);
	t = tmpl_parse("t", s, strlen(s), &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	tmpl_free(t);
	free(s);
	s = nested(TMPL_MAX_DEPTH + 1);
	ck_assert_ptr_null(tmpl_parse("t", s, strlen(s), &cause));
	ck_assert_str_eq(cause, "line 33: sections nested deeper than 32");
	free(cause);
	free(s);
}
END_TEST

START_TEST(test_size)
{
	struct tmpl	*t;
	char		*s, *cause = NULL;

	s = xmalloc(TMPL_MAX_SIZE + 1);
	memset(s, 'x', TMPL_MAX_SIZE + 1);
	t = tmpl_parse("t", s, TMPL_MAX_SIZE, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	tmpl_free(t);
	ck_assert_ptr_null(tmpl_parse("t", s, TMPL_MAX_SIZE + 1, &cause));
	ck_assert_str_eq(cause, "template larger than 262144 bytes");
	free(cause);
	free(s);
}
END_TEST

START_TEST(test_nul)
{
	char	*cause = NULL;

	ck_assert_ptr_null(tmpl_parse("t", "a\nb\0{{c}}", 9, &cause));
	ck_assert_str_eq(cause, "line 2: NUL byte");
	free(cause);
}
END_TEST

START_TEST(test_escape)
{
	static const struct {
		const char	*in;
		const char	*out;
	} esc[] = {
		{ "", "" },
		{ "plain text", "plain text" },
		{ "&<>\"'`=", "&amp;&lt;&gt;&quot;&#39;&#96;&#61;" },
		{ "a=b&c", "a&#61;b&amp;c" },
		{ "\"><script>alert(1)</script>", XSS_OUT },
		{ "h\xc3\xa9", "h\xc3\xa9" },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < nitems(esc); i++) {
		s = tmpl_escape(esc[i].in);
		ck_assert_str_eq(s, esc[i].out);
		free(s);
	}
}
END_TEST

static const struct {
	const char	*name;
	const char	*text;
} partials[] = {
	{ "page", "<h1>{{title}}</h1>{{> footer}}" },
	{ "footer", "<p>{{year}} {{#links}}{{> link}}{{/links}}</p>" },
	{ "link", "<a href=\"{{href}}\">{{label}}</a>" },
	{ "tree", "{{name}}{{#kids}}({{> tree}}){{/kids}}" },
	{ "self", "x{{> self}}" },
	{ "lost", "a\n{{> nowhere}}" },
};

static struct tmpl_set *
partial_set(void)
{
	struct tmpl_set	*set = tmpl_set_new();
	struct tmpl	*t;
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; i < nitems(partials); i++) {
		t = tmpl_parse(partials[i].name, partials[i].text,
		    strlen(partials[i].text), &cause);
		ck_assert_msg(t != NULL, "%s: %s", partials[i].name, cause);
		ck_assert_int_eq(tmpl_set_add(set, t), 0);
	}
	return set;
}

/* Render a template of the set; NULL with *cause. */
static char *
render_set(struct tmpl_set *set, const char *name, json_t *ctx,
    char **cause)
{
	const struct tmpl	*t = tmpl_set_get(set, name);

	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(tmpl_name(t), name);
	return tmpl_render(set, t, ctx, NULL, cause);
}

START_TEST(test_partials)
{
	struct tmpl_set	*set = partial_set();
	json_t		*ctx;
	char		*out, *cause = NULL;

	ctx = json_pack("{s:s, s:i, s:[{s:s, s:s}, {s:s, s:s}]}", "title",
	    "<Notes>", "year", 2024, "links", "href", "/a?x=1&y=2", "label",
	    "A", "href", "/b", "label", "B");
	out = render_set(set, "page", ctx, &cause);
	ck_assert_str_eq(out, "<h1>&lt;Notes&gt;</h1><p>2024 "
	    "<a href=\"/a?x&#61;1&amp;y&#61;2\">A</a><a href=\"/b\">B</a></p>");
	free(out);
	ck_assert_ptr_null(render_set(set, "lost", ctx, &cause));
	ck_assert_str_eq(cause, "lost: line 2: unknown partial nowhere");
	free(cause);
	ck_assert_ptr_null(tmpl_render(NULL, tmpl_set_get(set, "page"), ctx,
	    NULL, &cause));
	ck_assert_str_eq(cause, "page: line 1: unknown partial footer");
	free(cause);
	ck_assert_ptr_null(tmpl_set_get(set, "nowhere"));
	json_decref(ctx);
	tmpl_set_free(set);
}
END_TEST

/* A tree n0(n1(...)) of depth nodes: depth - 1 partials open. */
static json_t *
tree(int depth)
{
	json_t	*node = NULL, *up;
	int	 i;

	for (i = depth - 1; i >= 0; i--) {
		up = json_object();
		json_object_set_new(up, "name", json_sprintf("n%d", i));
		/* A leaf needs kids: [] or its parent's kids are found. */
		json_object_set_new(up, "kids", node == NULL ? json_array() :
		    json_pack("[o]", node));
		node = up;
	}
	return node;
}

START_TEST(test_partial_depth)
{
	struct tmpl_set	*set = partial_set();
	json_t		*ctx;
	char		*out, *cause = NULL;

	ctx = tree(TMPL_MAX_PARTIALS + 1);
	out = render_set(set, "tree", ctx, &cause);
	ck_assert_msg(out != NULL, "%s", cause);
	ck_assert_str_eq(out, "n0(n1(n2(n3(n4(n5(n6(n7(n8))))))))");
	free(out);
	json_decref(ctx);
	ctx = tree(TMPL_MAX_PARTIALS + 2);
	ck_assert_ptr_null(render_set(set, "tree", ctx, &cause));
	ck_assert_str_eq(cause, "tree: line 1: partials nested deeper than 8");
	free(cause);
	ck_assert_ptr_null(render_set(set, "self", ctx, &cause));
	ck_assert_str_eq(cause, "self: line 1: partials nested deeper than 8");
	free(cause);
	json_decref(ctx);
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_duplicate)
{
	struct tmpl_set	*set = partial_set();
	struct tmpl	*t;
	char		*cause = NULL;

	t = tmpl_parse("page", "again", 5, &cause);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(tmpl_set_add(set, t), -1);
	tmpl_free(t);
	tmpl_set_free(set);
	tmpl_set_free(NULL);
	tmpl_free(NULL);
}
END_TEST

/* An array of 100k elements stops at TMPL_MAX_OUTPUT. */
START_TEST(test_output_array)
{
	json_t	*ctx = json_object(), *list = json_array();
	char	 line[65], *cause = NULL;
	int	 i;

	memset(line, 'x', 64);
	line[64] = '\0';
	for (i = 0; i < 100000; i++)
		json_array_append_new(list, json_string(line));
	json_object_set_new(ctx, "l", list);
	ck_assert_ptr_null(render_ctx("<ul>\n{{#l}}<li>{{.}}</li>{{/l}}", ctx,
	    NULL, &cause));
	ck_assert_str_eq(cause, "t: line 2: output larger than 4194304 bytes");
	free(cause);
	json_decref(ctx);
}
END_TEST

/*
 * Output of exactly TMPL_MAX_OUTPUT bytes is fine, one more byte is
 * not, and escaping counts the entities it writes.
 */
START_TEST(test_output_exact)
{
	json_t	*ctx = json_object();
	char	*s, *out, *cause = NULL;
	size_t	 len;

	s = xmalloc(TMPL_MAX_OUTPUT + 1);
	memset(s, 'x', TMPL_MAX_OUTPUT);
	json_object_set_new(ctx, "raw", json_stringn(s, TMPL_MAX_OUTPUT));
	memset(s, '<', TMPL_MAX_OUTPUT / 4);
	json_object_set_new(ctx, "lt", json_stringn(s, TMPL_MAX_OUTPUT / 4));
	memset(s, '&', TMPL_MAX_OUTPUT / 4);
	json_object_set_new(ctx, "amp", json_stringn(s, TMPL_MAX_OUTPUT / 4));
	free(s);
	out = render_ctx("{{{raw}}}", ctx, &len, &cause);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, TMPL_MAX_OUTPUT);
	free(out);
	out = render_ctx("{{lt}}", ctx, &len, &cause);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, TMPL_MAX_OUTPUT);
	ck_assert_int_eq(strncmp(out, "&lt;&lt;", 8), 0);
	free(out);
	ck_assert_ptr_null(render_ctx("\n{{{raw}}}", ctx, NULL, &cause));
	ck_assert_str_eq(cause, "t: line 2: output larger than 4194304 bytes");
	free(cause);
	ck_assert_ptr_null(render_ctx("{{amp}}", ctx, NULL, &cause));
	ck_assert_str_eq(cause, "t: line 1: output larger than 4194304 bytes");
	free(cause);
	json_decref(ctx);
}
END_TEST

/* Nested loops that print nothing stop at TMPL_MAX_STEPS. */
START_TEST(test_steps)
{
	json_t		*ctx = json_object(), *list = json_array();
	struct tmpl	*t;
	const char	*text = "{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}"
			    "{{/l}}";
	char		*cause = NULL;
	int		 i;

	for (i = 0; i < 100; i++)
		json_array_append_new(list, json_integer(i));
	json_object_set_new(ctx, "l", list);
	t = tmpl_parse("t", text, strlen(text), &cause);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(tmpl_render(NULL, t, ctx, NULL, &cause));
	ck_assert_str_eq(cause, "t: line 1: more than 4194304 steps");
	free(cause);
	tmpl_free(t);
	json_decref(ctx);
}
END_TEST

struct file {
	const char	*name;
	const char	*text;	/* NULL: a directory */
};

static const struct file good_dir[] = {
	{ "page.html", "<h1>{{title}}</h1>\n{{> foot-er}}\n" },
	{ "foot-er.html", "<footer>{{year}}</footer>" },
	{ "notes.txt", "{{#broken" },
	{ ".hidden.html", "{{#broken" },
	{ ".html", "{{#broken" },
	{ "sub.html", NULL },
};
static const struct file bad_parse[] = {
	{ "a.html", "ok" },
	{ "bad.html", "ok\n{{/x}}" },
};
static const struct file bad_partial[] = {
	{ "a.html", "x\n{{> b}}" },
};
static const struct file bad_name[] = {
	{ "a b.html", "x" },
};

/* A new directory holding files; its path (malloc'd). */
static char *
make_dir(const struct file *files, size_t n)
{
	char	*dir = xstrdup("/tmp/test_template.XXXXXX"), *path;
	FILE	*f;
	size_t	 i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, files[i].name);
		if (files[i].text == NULL)
			ck_assert_int_eq(mkdir(path, 0700), 0);
		else {
			ck_assert_ptr_nonnull(f = fopen(path, "w"));
			fputs(files[i].text, f);
			fclose(f);
		}
		free(path);
	}
	return dir;
}

static void
remove_dir(char *dir, const struct file *files, size_t n)
{
	char	*path;
	size_t	 i;

	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, files[i].name);
		(void)remove(path);
		free(path);
	}
	(void)rmdir(dir);
	free(dir);
}

/* Load a directory that must fail; the cause after the directory. */
static void
load_bad(const struct file *files, size_t n, const char *want)
{
	char	*dir = make_dir(files, n), *cause = NULL;

	ck_assert_ptr_null(tmpl_set_load_dir(dir, &cause));
	ck_assert_int_eq(strncmp(cause, dir, strlen(dir)), 0);
	ck_assert_str_eq(cause + strlen(dir), want);
	free(cause);
	remove_dir(dir, files, n);
}

START_TEST(test_load_dir)
{
	struct tmpl_set	*set;
	json_t		*ctx;
	char		*dir, *out, *cause = NULL;

	dir = make_dir(good_dir, nitems(good_dir));
	set = tmpl_set_load_dir(dir, &cause);
	ck_assert_msg(set != NULL, "%s", cause);
	ck_assert_ptr_nonnull(tmpl_set_get(set, "foot-er"));
	ck_assert_ptr_null(tmpl_set_get(set, "notes"));
	ck_assert_ptr_null(tmpl_set_get(set, ".hidden"));
	ck_assert_ptr_null(tmpl_set_get(set, "sub"));
	ctx = json_pack("{s:s, s:i}", "title", "a&b", "year", 2024);
	out = render_set(set, "page", ctx, &cause);
	ck_assert_str_eq(out, "<h1>a&amp;b</h1>\n<footer>2024</footer>\n");
	free(out);
	json_decref(ctx);
	tmpl_set_free(set);
	remove_dir(dir, good_dir, nitems(good_dir));
	load_bad(bad_parse, nitems(bad_parse),
	    "/bad.html: line 2: {{/x}} closes no section");
	load_bad(bad_partial, nitems(bad_partial),
	    "/a.html: line 2: unknown partial b");
	load_bad(bad_name, nitems(bad_name),
	    "/a b.html: invalid template name");
	ck_assert_ptr_null(tmpl_set_load_dir("/nonexistent/templates",
	    &cause));
	ck_assert_str_eq(cause,
	    "/nonexistent/templates: No such file or directory");
	free(cause);
}
END_TEST

struct shared {
	struct tmpl_set	*set;
	json_t		*ctx;
	const char	*want;
};

static void *
render_thread(void *arg)
{
	struct shared	*sh = arg;
	char		*out, *cause = NULL;
	intptr_t	 failures = 0;
	int		 i;

	/* No ck_assert here: Check wants those in the test's thread. */
	for (i = 0; i < 500; i++) {
		out = tmpl_render(sh->set, tmpl_set_get(sh->set, "page"),
		    sh->ctx, NULL, &cause);
		if (out == NULL || strcmp(out, sh->want) != 0)
			failures++;
		free(out);
		free(cause);
		cause = NULL;
	}
	return (void *)failures;
}

/* Renders of one template against one context, side by side. */
START_TEST(test_threads)
{
	struct shared	 sh;
	pthread_t	 th[4];
	void		*failures;
	size_t		 i;

	sh.set = partial_set();
	sh.ctx = json_pack("{s:s, s:i, s:[{s:s, s:s}]}", "title", "T", "year",
	    1, "links", "href", "/", "label", "<home>");
	sh.want = "<h1>T</h1><p>1 <a href=\"/\">&lt;home&gt;</a></p>";
	for (i = 0; i < nitems(th); i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, render_thread,
		    &sh), 0);
	for (i = 0; i < nitems(th); i++) {
		ck_assert_int_eq(pthread_join(th[i], &failures), 0);
		ck_assert_ptr_null(failures);
	}
	json_decref(sh.ctx);
	tmpl_set_free(sh.set);
}
END_TEST

Suite *
template_suite(void)
{
	Suite	*s = suite_create("template");
	TCase	*tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_bad, 0, (int)nitems(bad));
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_nul);
	suite_add_tcase(s, tc);
	tc = tcase_create("render");
	tcase_add_loop_test(tc, test_good, 0, (int)nitems(good));
	tcase_add_test(tc, test_null_context);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_partials);
	tcase_add_test(tc, test_partial_depth);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_output_array);
	tcase_add_test(tc, test_output_exact);
	tcase_add_test(tc, test_steps);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, test_load_dir);
	suite_add_tcase(s, tc);
	return s;
}
