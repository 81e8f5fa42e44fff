/*
 * fuzz_template.c: the hosted UI's template parser and renderer. The
 * input is a template, a NUL byte and a JSON context; with no NUL, or
 * JSON that does not parse, a fixed context holding every kind of value
 * is used. The template joins a set under the name "f" beside a fixed
 * partial "p", so {{> f}} recurses into itself and {{> p}} includes.
 * Besides the sanitizers, the checks are: a refused template has a
 * cause naming a line (or the size limit), a rendered page is within
 * TMPL_MAX_OUTPUT and as long as it says, and escaped text holds no
 * special character.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ui/template.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char	*fuzz_context =
	"{\"s\": \"<a href='x'>&amp;\\\"=`</a>\", \"n\": 3, \"z\": 0,"
	" \"r\": 1.5, \"t\": true, \"f\": false, \"nil\": null, \"e\": \"\","
	" \"o\": {\"s\": \"inner\", \"l\": [1, 2], \"o\": {\"n\": -1}},"
	" \"l\": [{\"s\": \"x\"}, {\"s\": \"y\", \"l\": []}, \"str\","
	"  [1, [2, [3]]], 0, false],"
	" \"empty\": [], \"eo\": {}}";

static const char	*fuzz_partial =
	"<p title=\"{{s}}\">{{#l}}{{.}}{{/l}}{{{o.s}}}{{^e}}-{{/e}}</p>";

static json_t		*fuzz_default;

static void
fuzz_escape(const char *s)
{
	char	*e = tmpl_escape(s);

	if (strpbrk(e, "<>\"'`=") != NULL)
		abort();
	free(e);
}

static void
fuzz_render(struct tmpl_set *set, json_t *ctx)
{
	char	*out, *cause = NULL;
	size_t	 len;

	out = tmpl_render(set, tmpl_set_get(set, "f"), ctx, &len, &cause);
	if (out == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return;
	}
	if (len > TMPL_MAX_OUTPUT || strlen(out) != len)
		abort();
	free(out);
}

static struct tmpl_set *
fuzz_set(const char *text, size_t len)
{
	struct tmpl_set	*set = tmpl_set_new();
	struct tmpl	*t;
	char		*cause = NULL;

	t = tmpl_parse("p", fuzz_partial, strlen(fuzz_partial), &cause);
	if (t == NULL || tmpl_set_add(set, t) != 0)
		abort();
	if ((t = tmpl_parse("f", text, len, &cause)) == NULL) {
		if (cause == NULL || (strncmp(cause, "line ", 5) != 0 &&
		    strncmp(cause, "template larger", 15) != 0))
			abort();
		free(cause);
		tmpl_set_free(set);
		return NULL;
	}
	if (tmpl_set_add(set, t) != 0)
		abort();
	return set;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*text = (const char *)data, *nul;
	struct tmpl_set	*set;
	json_t		*ctx = NULL;
	size_t		 len = size;
	char		*s;

	if (fuzz_default == NULL &&
	    (fuzz_default = json_loads(fuzz_context, 0, NULL)) == NULL)
		abort();
	if ((nul = memchr(text, '\0', size)) != NULL) {
		len = (size_t)(nul - text);
		ctx = json_loadb(nul + 1, size - len - 1, JSON_DECODE_ANY,
		    NULL);
	}
	s = xstrndup(text, len);
	fuzz_escape(s);
	free(s);
	if ((set = fuzz_set(text, len)) != NULL) {
		fuzz_render(set, ctx != NULL ? ctx : fuzz_default);
		tmpl_set_free(set);
	}
	json_decref(ctx);
	return 0;
}
