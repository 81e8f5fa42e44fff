/*
 * template.h: the hosted UI's page templates, a Mustache subset that
 * escapes by default: {{name}}, {{{name}}}, dotted names, {{#section}},
 * {{^inverted}}, {{! comment}} and {{> partial}}. Templates are parsed
 * once at start and rendered many times against a JSON object.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

#include "util.h"

#define TMPL_MAX_SIZE		(256 * 1024)	/* bytes of template text */
#define TMPL_MAX_OUTPUT		(4 * 1024 * 1024) /* bytes of one page */
#define TMPL_MAX_DEPTH		32	/* sections open in one template */
#define TMPL_MAX_PARTIALS	8	/* partials open in one render */
#define TMPL_MAX_STEPS		(4 * 1024 * 1024) /* nodes visited */

struct tmpl;
struct tmpl_set;

/*
 * Parse len bytes of text into a template of the given name; NULL with
 * *cause (malloc'd) when the text is larger than TMPL_MAX_SIZE, or else
 * "line N: ..." when it holds a NUL byte, an unterminated tag, an empty
 * or invalid name, or sections that are unbalanced, mismatched or nested
 * deeper than TMPL_MAX_DEPTH.
 */
struct tmpl	*tmpl_parse(const char *, const char *, size_t, char **);
void		 tmpl_free(struct tmpl *);
const char	*tmpl_name(const struct tmpl *);

/* A set of named templates: the registry partials resolve in. */
struct tmpl_set	*tmpl_set_new(void);
/*
 * Add a template, which the set then owns; -1 on a duplicate name, and
 * the template stays the caller's.
 */
int		 tmpl_set_add(struct tmpl_set *, struct tmpl *) MUST_CHECK;
/*
 * Parse every *.html file of a directory, each named by its file name
 * without ".html", and check that every partial they use is there;
 * NULL with *cause ("<path>: line N: ...") on the first error.
 */
struct tmpl_set	*tmpl_set_load_dir(const char *, char **);
const struct tmpl *tmpl_set_get(const struct tmpl_set *, const char *);
void		 tmpl_set_free(struct tmpl_set *);

/*
 * Render a template with partials from a set (which may be NULL) against
 * a context (NULL: an empty one). The output (malloc'd, NUL-terminated,
 * its length in *len when len is not NULL), or NULL with *cause when it
 * would pass TMPL_MAX_OUTPUT, take more than TMPL_MAX_STEPS, open more
 * than TMPL_MAX_PARTIALS partials or name a partial the set lacks.
 * Neither the templates nor the context change: concurrent renders are
 * safe.
 */
char		*tmpl_render(const struct tmpl_set *, const struct tmpl *,
		    json_t *, size_t *, char **);
/* HTML-escape a string (malloc'd), for callers that build markup. */
char		*tmpl_escape(const char *);

#endif
