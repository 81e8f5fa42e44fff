/*
 * template.c: the hosted UI's templates, a Mustache subset. A template
 * is parsed once into a flat array of nodes (text, variable, raw
 * variable, section, inverted section, partial); a section's children
 * are the nodes that follow it, up to its end index, so rendering is a
 * walk over index ranges with the context stack on the C stack. Nothing
 * is written during a render but its own output buffer: concurrent
 * renders of one template, even against one JSON object, are safe.
 *
 * {{name}} is HTML-escaped, always: & < > " ' ` = become entities, so a
 * value is inert in text and in an attribute value quoted with either
 * quote. It is not safe in an unquoted attribute, inside <script> or
 * <style>, or as a whole URL (a "javascript:" URL has no special
 * character): pages quote every attribute and the server checks the
 * URLs it puts in them. {{{name}}} writes a value as it is, only for
 * markup the server built itself (an inline SVG QR code).
 *
 * Unlike Mustache: no set delimiters, lambdas or {{&name}}; lines
 * holding only a section tag keep their white space (HTML does not
 * care); an array or object in {{name}} prints nothing; a section over
 * a string or number pushes it, so {{.}} inside prints it.
 *
 * Parsing is strict and reports the line of the offending tag. Every
 * input is bounded: the template text, section nesting, partial
 * nesting (a template including itself stops there), the output and
 * the number of nodes a render may visit (sections over arrays
 * multiply, and nested loops that print nothing would pass the output
 * limit without ever reaching it).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/template.h"
#include "util.h"

enum tmpl_kind {
	TMPL_TEXT,
	TMPL_VAR,		/* {{name}}: escaped */
	TMPL_RAW,		/* {{{name}}}: as it is */
	TMPL_SECTION,		/* {{#name}} */
	TMPL_INVERTED,		/* {{^name}} */
	TMPL_PARTIAL,		/* {{> name}} */
	TMPL_CLOSE,		/* {{/name}}: parsed, never a node */
	TMPL_COMMENT,		/* {{! ...}}: parsed, never a node */
};

struct tmpl_node {
	enum tmpl_kind	 kind;
	unsigned int	 line;
	const char	*text;		/* text, or the name as written */
	size_t		 len;		/* of text */
	char		*name;		/* parts split at dots by NULs */
	unsigned int	 nparts;	/* 0 for "." and partials */
	size_t		 end;		/* the node after this one's children */
};

struct tmpl {
	char			*name;
	char			*text;	/* nodes point into this copy */
	struct tmpl_node	*nodes;
	size_t			 nnodes;
	size_t			 cap;
};

struct tmpl_set {
	struct tmpl	**list;
	size_t		  n;
};

/* The tags, by the byte after "{{"; a variable has none. */
static const struct tmpl_tag {
	char		 sigil;
	enum tmpl_kind	 kind;
	const char	*close;
} tmpl_tags[] = {
	{ '{', TMPL_RAW, "}}}" },
	{ '#', TMPL_SECTION, "}}" },
	{ '^', TMPL_INVERTED, "}}" },
	{ '/', TMPL_CLOSE, "}}" },
	{ '!', TMPL_COMMENT, "}}" },
	{ '>', TMPL_PARTIAL, "}}" },
};
static const struct tmpl_tag tmpl_tag_var = { '\0', TMPL_VAR, "}}" };

static const char *const tmpl_entities[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\''] = "&#39;", ['`'] = "&#96;", ['='] = "&#61;",
};

struct tmpl_parser {
	struct tmpl	*t;
	const char	*p;		/* the next byte to parse */
	const char	*end;
	unsigned int	 line;		/* of p */
	size_t		 open[TMPL_MAX_DEPTH]; /* indexes of open sections */
	unsigned int	 nopen;
	char		*cause;
};

/* A growing output buffer; adding past limit fails. */
struct tmpl_out {
	char	*s;
	size_t	 len, cap, limit;
};

/* One level of the context stack, innermost first. */
struct tmpl_ctx {
	json_t			*value;
	const struct tmpl_ctx	*up;
};

struct tmpl_run {
	const struct tmpl_set	*set;
	struct tmpl_out		 out;
	size_t			 steps;
	unsigned int		 partials;	/* open now */
	char			*cause;
};

typedef int (*tmpl_handler)(struct tmpl_run *, const struct tmpl *,
    const struct tmpl_node *, const struct tmpl_ctx *);

static int	tmpl_run_nodes(struct tmpl_run *, const struct tmpl *, size_t,
		    size_t, const struct tmpl_ctx *);

static unsigned int
tmpl_lines(const char *p, const char *end)
{
	unsigned int	n = 0;

	for (; p < end; p++)
		if (*p == '\n')
			n++;
	return n;
}

static int
tmpl_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* A name is "." or dot-separated parts; a partial's is any run. */
static int
tmpl_name_valid(const char *s, size_t len, int dotted)
{
	size_t	i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!tmpl_name_char(s[i]))
			return 0;
	if (!dotted || (len == 1 && s[0] == '.'))
		return 1;
	if (s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 1; i < len; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return 0;
	return 1;
}

static int PRINTFLIKE(3, 4)
tmpl_error(struct tmpl_parser *ps, unsigned int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ps->cause = xasprintf("line %u: %s", line, msg);
	free(msg);
	return -1;
}

static struct tmpl_node *
tmpl_add_node(struct tmpl *t, enum tmpl_kind kind, unsigned int line)
{
	struct tmpl_node	*n;

	if (t->nnodes == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->nodes = xrealloc(t->nodes, t->cap * sizeof *t->nodes);
	}
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->line = line;
	n->end = t->nnodes;
	return n;
}

/* Keep a copy of the name with its dots turned into NULs. */
static void
tmpl_node_name(struct tmpl_node *n, const char *s, size_t len)
{
	size_t	i;

	n->text = s;
	n->len = len;
	n->name = xstrndup(s, len);
	if (n->kind == TMPL_PARTIAL || (len == 1 && s[0] == '.'))
		return;
	n->nparts = 1;
	for (i = 0; i < len; i++) {
		if (n->name[i] == '.') {
			n->name[i] = '\0';
			n->nparts++;
		}
	}
}

static void
tmpl_parse_text(struct tmpl_parser *ps, const char *to)
{
	struct tmpl_node	*n;

	if (to == ps->p)
		return;
	n = tmpl_add_node(ps->t, TMPL_TEXT, ps->line);
	n->text = ps->p;
	n->len = (size_t)(to - ps->p);
	ps->line += tmpl_lines(ps->p, to);
	ps->p = to;
}

static int
tmpl_open(struct tmpl_parser *ps, enum tmpl_kind kind, const char *s,
    size_t len, unsigned int line)
{
	if (ps->nopen == TMPL_MAX_DEPTH) {
		return tmpl_error(ps, line, "sections nested deeper than %d",
		    TMPL_MAX_DEPTH);
	}
	ps->open[ps->nopen++] = ps->t->nnodes;
	tmpl_node_name(tmpl_add_node(ps->t, kind, line), s, len);
	return 0;
}

static int
tmpl_close(struct tmpl_parser *ps, const char *s, size_t len,
    unsigned int line)
{
	struct tmpl_node	*n;

	if (ps->nopen == 0) {
		return tmpl_error(ps, line, "{{/%.*s}} closes no section",
		    (int)len, s);
	}
	n = &ps->t->nodes[ps->open[ps->nopen - 1]];
	if (n->len != len || memcmp(n->text, s, len) != 0) {
		return tmpl_error(ps, line, "expected {{/%.*s}} (opened on "
		    "line %u), found {{/%.*s}}", (int)n->len, n->text,
		    n->line, (int)len, s);
	}
	n->end = ps->t->nnodes;
	ps->nopen--;
	return 0;
}

static const struct tmpl_tag *
tmpl_tag_find(char sigil)
{
	size_t	i;

	for (i = 0; i < nitems(tmpl_tags); i++)
		if (tmpl_tags[i].sigil == sigil)
			return &tmpl_tags[i];
	return &tmpl_tag_var;
}

static void
tmpl_trim(const char **s, const char **e)
{
	while (*s < *e && strchr(" \t\r\n", **s) != NULL)
		(*s)++;
	while (*e > *s && strchr(" \t\r\n", (*e)[-1]) != NULL)
		(*e)--;
}

/* The tag at ps->p, which starts with "{{". */
static int
tmpl_parse_tag(struct tmpl_parser *ps)
{
	const struct tmpl_tag	*tag = tmpl_tag_find(ps->p[2]);
	const char		*s, *e;
	size_t			 closelen = strlen(tag->close);
	unsigned int		 line = ps->line;

	s = ps->p + 2 + (tag->sigil != '\0');
	e = memmem(s, (size_t)(ps->end - s), tag->close, closelen);
	if (e == NULL)
		return tmpl_error(ps, line, "unterminated tag");
	ps->line += tmpl_lines(ps->p, e);
	ps->p = e + closelen;
	if (tag->kind == TMPL_COMMENT)
		return 0;
	tmpl_trim(&s, &e);
	if (s == e)
		return tmpl_error(ps, line, "empty name");
	if (!tmpl_name_valid(s, (size_t)(e - s), tag->kind != TMPL_PARTIAL))
		return tmpl_error(ps, line, "invalid name");
	switch (tag->kind) {
	case TMPL_SECTION:
	case TMPL_INVERTED:
		return tmpl_open(ps, tag->kind, s, (size_t)(e - s), line);
	case TMPL_CLOSE:
		return tmpl_close(ps, s, (size_t)(e - s), line);
	default:
		tmpl_node_name(tmpl_add_node(ps->t, tag->kind, line), s,
		    (size_t)(e - s));
		return 0;
	}
}

/* At the end of the text, every section must be closed. */
static int
tmpl_parse_end(struct tmpl_parser *ps)
{
	const struct tmpl_node	*n;

	if (ps->nopen == 0)
		return 0;
	n = &ps->t->nodes[ps->open[ps->nopen - 1]];
	return tmpl_error(ps, n->line, "{{%c%.*s}} is not closed",
	    n->kind == TMPL_SECTION ? '#' : '^', (int)n->len, n->text);
}

/* Check the size and look for NUL bytes before copying the text. */
static int
tmpl_parse_check(const char *text, size_t len, char **cause)
{
	const char	*nul;

	if (len > TMPL_MAX_SIZE) {
		*cause = xasprintf("template larger than %d bytes",
		    TMPL_MAX_SIZE);
		return -1;
	}
	if (len != 0 && (nul = memchr(text, '\0', len)) != NULL) {
		*cause = xasprintf("line %u: NUL byte",
		    tmpl_lines(text, nul) + 1);
		return -1;
	}
	return 0;
}

struct tmpl *
tmpl_parse(const char *name, const char *text, size_t len, char **cause)
{
	struct tmpl_parser	 ps;
	const char		*tag;

	if (tmpl_parse_check(text, len, cause) != 0)
		return NULL;
	memset(&ps, 0, sizeof ps);
	ps.t = xcalloc(1, sizeof *ps.t);
	ps.t->name = xstrdup(name);
	ps.t->text = xmalloc(len + 1);
	if (len != 0)
		memcpy(ps.t->text, text, len);
	ps.t->text[len] = '\0';
	ps.p = ps.t->text;
	ps.end = ps.p + len;
	ps.line = 1;
	while (ps.cause == NULL && ps.p < ps.end) {
		tag = memmem(ps.p, (size_t)(ps.end - ps.p), "{{", 2);
		tmpl_parse_text(&ps, tag == NULL ? ps.end : tag);
		if (tag != NULL)
			(void)tmpl_parse_tag(&ps);
	}
	if (ps.cause == NULL)
		(void)tmpl_parse_end(&ps);
	if (ps.cause != NULL) {
		tmpl_free(ps.t);
		*cause = ps.cause;
		return NULL;
	}
	return ps.t;
}

void
tmpl_free(struct tmpl *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnodes; i++)
		free(t->nodes[i].name);
	free(t->nodes);
	free(t->text);
	free(t->name);
	free(t);
}

const char *
tmpl_name(const struct tmpl *t)
{
	return t->name;
}

struct tmpl_set *
tmpl_set_new(void)
{
	return xcalloc(1, sizeof (struct tmpl_set));
}

int
tmpl_set_add(struct tmpl_set *set, struct tmpl *t)
{
	if (tmpl_set_get(set, t->name) != NULL)
		return -1;
	set->list = xrealloc(set->list, (set->n + 1) * sizeof *set->list);
	set->list[set->n++] = t;
	return 0;
}

const struct tmpl *
tmpl_set_get(const struct tmpl_set *set, const char *name)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->list[i]->name, name) == 0)
			return set->list[i];
	return NULL;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free(set->list[i]);
	free(set->list);
	free(set);
}

static int
tmpl_set_filter(const struct dirent *d)
{
	size_t	len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 &&
	    strcmp(d->d_name + len - 5, ".html") == 0;
}

/* Parse one file into the set; anything but a regular file is skipped. */
static int
tmpl_set_load_file(struct tmpl_set *set, const char *path, const char *name,
    char **cause)
{
	struct stat	 sb;
	struct tmpl	*t;
	char		*text, *why;
	size_t		 len;

	if (stat(path, &sb) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode))
		return 0;
	if (!tmpl_name_valid(name, strlen(name), 0)) {
		*cause = xasprintf("%s: invalid template name", path);
		return -1;
	}
	if (sb.st_size > TMPL_MAX_SIZE) {
		*cause = xasprintf("%s: larger than %d bytes", path,
		    TMPL_MAX_SIZE);
		return -1;
	}
	if (read_file(path, &text, &len, cause) != 0)
		return -1;
	t = tmpl_parse(name, text, len, &why);
	free(text);
	if (t == NULL) {
		*cause = xasprintf("%s: %s", path, why);
		free(why);
		return -1;
	}
	if (tmpl_set_add(set, t) != 0)
		fatalx("%s: template %s added twice", __func__, name);
	return 0;
}

/* Every partial of every template of a loaded directory must be there. */
static int
tmpl_set_check(const struct tmpl_set *set, const char *dir, char **cause)
{
	const struct tmpl	*t;
	const struct tmpl_node	*n;
	size_t			 i, j;

	for (i = 0; i < set->n; i++) {
		t = set->list[i];
		for (j = 0; j < t->nnodes; j++) {
			n = &t->nodes[j];
			if (n->kind != TMPL_PARTIAL ||
			    tmpl_set_get(set, n->name) != NULL)
				continue;
			*cause = xasprintf("%s/%s.html: line %u: unknown "
			    "partial %s", dir, t->name, n->line, n->name);
			return -1;
		}
	}
	return 0;
}

struct tmpl_set *
tmpl_set_load_dir(const char *dir, char **cause)
{
	struct tmpl_set	 *set;
	struct dirent	**list;
	char		 *path, *name;
	int		  n, i, error = 0;

	if ((n = scandir(dir, &list, tmpl_set_filter, alphasort)) == -1) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return NULL;
	}
	set = tmpl_set_new();
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, list[i]->d_name);
		name = xstrndup(list[i]->d_name, strlen(list[i]->d_name) - 5);
		if (!error && tmpl_set_load_file(set, path, name, cause) != 0)
			error = 1;
		free(name);
		free(path);
		free(list[i]);
	}
	free(list);
	if (!error && tmpl_set_check(set, dir, cause) != 0)
		error = 1;
	if (error) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}

static int
tmpl_out_add(struct tmpl_out *o, const char *s, size_t n)
{
	if (n > o->limit - o->len)
		return -1;
	if (o->len + n + 1 > o->cap) {
		o->cap = o->cap < 256 ? 256 : o->cap;
		while (o->len + n + 1 > o->cap)
			o->cap *= 2;
		o->s = xrealloc(o->s, o->cap);
	}
	if (n != 0)
		memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
	return 0;
}

/* Add runs of plain bytes whole, and an entity for each special byte. */
static int
tmpl_out_escape(struct tmpl_out *o, const char *s, size_t n)
{
	const char	*e;
	size_t		 i, start = 0;

	for (i = 0; i < n; i++) {
		if ((e = tmpl_entities[(unsigned char)s[i]]) == NULL)
			continue;
		if (tmpl_out_add(o, s + start, i - start) != 0 ||
		    tmpl_out_add(o, e, strlen(e)) != 0)
			return -1;
		start = i + 1;
	}
	return tmpl_out_add(o, s + start, n - start);
}

char *
tmpl_escape(const char *s)
{
	struct tmpl_out	o;

	memset(&o, 0, sizeof o);
	o.limit = SIZE_MAX;
	if (tmpl_out_escape(&o, s, strlen(s)) != 0)
		fatalx("%s: escaped string too long", __func__);
	if (o.s == NULL)
		o.s = xcalloc(1, 1);
	return o.s;
}

static int PRINTFLIKE(4, 5)
tmpl_run_fail(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	r->cause = xasprintf("%s: line %u: %s", t->name, n->line, msg);
	free(msg);
	return -1;
}

/* Count one step of the render; fail past TMPL_MAX_STEPS. */
static int
tmpl_run_step(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n)
{
	if (++r->steps <= TMPL_MAX_STEPS)
		return 0;
	return tmpl_run_fail(r, t, n, "more than %d steps", TMPL_MAX_STEPS);
}

/*
 * The value of a name: its first part from the innermost context that
 * has it, the others inside that value only (as Mustache does: a.b does
 * not fall back to an outer a when the inner a lacks b).
 */
static json_t *
tmpl_lookup(const struct tmpl_ctx *ctx, const struct tmpl_node *n)
{
	json_t		*v = NULL;
	const char	*part = n->name;
	unsigned int	 i;

	if (n->nparts == 0)
		return ctx->value;
	for (; ctx != NULL && v == NULL; ctx = ctx->up)
		v = json_object_get(ctx->value, part);
	for (i = 1; i < n->nparts && v != NULL; i++) {
		part += strlen(part) + 1;
		v = json_object_get(v, part);
	}
	return v;
}

static int
tmpl_truthy(const json_t *v)
{
	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return json_object_size(v) != 0;
	case JSON_ARRAY:
		return json_array_size(v) != 0;
	case JSON_STRING:
		return json_string_length(v) != 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return 1;
	default:
		return 0;
	}
}

/* The shortest of %.15g and %.17g that reads back as the same number. */
static void
tmpl_real(double d, char *buf, size_t size)
{
	snprintf(buf, size, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, size, "%.17g", d);
}

/* The text of a scalar; nothing for false, null, arrays and objects. */
static const char *
tmpl_value_text(const json_t *v, char *buf, size_t size, size_t *len)
{
	*len = 0;
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_real(v))
		tmpl_real(json_real_value(v), buf, size);
	else if (json_is_true(v))
		strlcpy(buf, "true", size);
	else
		return "";
	*len = strlen(buf);
	return buf;
}

static int
tmpl_run_value(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const struct tmpl_ctx *ctx, int escape)
{
	char		 buf[64];
	const char	*s;
	size_t		 len;
	int		 rc;

	s = tmpl_value_text(tmpl_lookup(ctx, n), buf, sizeof buf, &len);
	if (escape)
		rc = tmpl_out_escape(&r->out, s, len);
	else
		rc = tmpl_out_add(&r->out, s, len);
	if (rc != 0) {
		return tmpl_run_fail(r, t, n, "output larger than %d bytes",
		    TMPL_MAX_OUTPUT);
	}
	return 0;
}

static int
tmpl_run_text(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const struct tmpl_ctx *ctx)
{
	if (tmpl_out_add(&r->out, n->text, n->len) != 0) {
		return tmpl_run_fail(r, t, n, "output larger than %d bytes",
		    TMPL_MAX_OUTPUT);
	}
	return 0;
}

static int
tmpl_run_var(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const struct tmpl_ctx *ctx)
{
	return tmpl_run_value(r, t, n, ctx, 1);
}

static int
tmpl_run_raw(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const struct tmpl_ctx *ctx)
{
	return tmpl_run_value(r, t, n, ctx, 0);
}

/* Once for a true scalar or an object, once per element of an array. */
static int
tmpl_run_section(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const struct tmpl_ctx *ctx)
{
	json_t		*v = tmpl_lookup(ctx, n), *e;
	struct tmpl_ctx	 inner;
	size_t		 first = (size_t)(n - t->nodes) + 1, i;

	if (!tmpl_truthy(v))
		return 0;
	inner.up = ctx;
	if (!json_is_array(v)) {
		inner.value = v;
		return tmpl_run_nodes(r, t, first, n->end, &inner);
	}
	json_array_foreach(v, i, e) {
		inner.value = e;
		if (tmpl_run_step(r, t, n) != 0 ||
		    tmpl_run_nodes(r, t, first, n->end, &inner) != 0)
			return -1;
	}
	return 0;
}

static int
tmpl_run_inverted(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const struct tmpl_ctx *ctx)
{
	if (tmpl_truthy(tmpl_lookup(ctx, n)))
		return 0;
	return tmpl_run_nodes(r, t, (size_t)(n - t->nodes) + 1, n->end, ctx);
}

/* A partial renders in the context of its tag. */
static int
tmpl_run_partial(struct tmpl_run *r, const struct tmpl *t,
    const struct tmpl_node *n, const struct tmpl_ctx *ctx)
{
	const struct tmpl	*p;
	int			 rc;

	if (r->set == NULL || (p = tmpl_set_get(r->set, n->name)) == NULL)
		return tmpl_run_fail(r, t, n, "unknown partial %s", n->name);
	if (r->partials == TMPL_MAX_PARTIALS) {
		return tmpl_run_fail(r, t, n, "partials nested deeper than %d",
		    TMPL_MAX_PARTIALS);
	}
	r->partials++;
	rc = tmpl_run_nodes(r, p, 0, p->nnodes, ctx);
	r->partials--;
	return rc;
}

static const tmpl_handler tmpl_handlers[] = {
	[TMPL_TEXT] = tmpl_run_text,
	[TMPL_VAR] = tmpl_run_var,
	[TMPL_RAW] = tmpl_run_raw,
	[TMPL_SECTION] = tmpl_run_section,
	[TMPL_INVERTED] = tmpl_run_inverted,
	[TMPL_PARTIAL] = tmpl_run_partial,
};

/* Render nodes [i, end): a section's end skips its children. */
static int
tmpl_run_nodes(struct tmpl_run *r, const struct tmpl *t, size_t i,
    size_t end, const struct tmpl_ctx *ctx)
{
	const struct tmpl_node	*n;

	while (i < end) {
		n = &t->nodes[i];
		if (tmpl_run_step(r, t, n) != 0 ||
		    tmpl_handlers[n->kind](r, t, n, ctx) != 0)
			return -1;
		i = n->end;
	}
	return 0;
}

char *
tmpl_render(const struct tmpl_set *set, const struct tmpl *t, json_t *ctx,
    size_t *len, char **cause)
{
	struct tmpl_run	r;
	struct tmpl_ctx	top = { ctx, NULL };

	memset(&r, 0, sizeof r);
	r.set = set;
	r.out.limit = TMPL_MAX_OUTPUT;
	if (tmpl_run_nodes(&r, t, 0, t->nnodes, &top) != 0) {
		free(r.out.s);
		*cause = r.cause;
		return NULL;
	}
	if (r.out.s == NULL)
		r.out.s = xcalloc(1, 1);
	if (len != NULL)
		*len = r.out.len;
	return r.out.s;
}
