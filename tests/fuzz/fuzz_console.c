/*
 * fuzz_console.c: the admin console's form parser (ui/console.c's
 * console_form_parse, which reads every console POST body and query).
 * Checks besides the sanitizers: a parse either fails or leaves every
 * name with an array of strings, at most CONSOLE_PARAMS_MAX values in
 * all, none holding a NUL byte before its end; a second parse into the
 * same object only appends.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ui/console_int.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Values in all, or abort when the object is not name: [strings]. */
static size_t
fuzz_count(json_t *o)
{
	const char	*k;
	json_t		*a, *v;
	size_t		 i, n = 0;

	json_object_foreach(o, k, a) {
		if (!json_is_array(a) || json_array_size(a) == 0)
			abort();
		json_array_foreach(a, i, v) {
			if (!json_is_string(v) || strlen(json_string_value(v))
			    != json_string_length(v))
				abort();
			n++;
		}
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s = xstrndup((const char *)data, size);
	json_t	*o = json_object();
	size_t	 before;
	int	 n = 0;

	if (console_form_parse(o, s, &n) == 0) {
		before = fuzz_count(o);
		if (before > CONSOLE_PARAMS_MAX || (int)before != n)
			abort();
		if (console_form_parse(o, s, &n) == 0 &&
		    fuzz_count(o) != 2 * before)
			abort();
	}
	json_decref(o);
	free(s);
	return 0;
}
