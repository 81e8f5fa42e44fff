/*
 * social.c: the attribute fetch of Facebook and Login with Amazon (see
 * social.h). Only field names of letters, digits and '_' go to the
 * Graph API: a mapping value is a provider's attribute name, and any
 * other text is not one of Facebook's.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fed/social.h"
#include "util.h"

/* The member holding the provider's user id, by type. */
static const struct {
	enum fed_type	 type;
	const char	*member;
} social_subjects[] = {
	{ FED_FACEBOOK, "id" },
	{ FED_AMAZON, "user_id" },
};

static int
social_field_ok(const char *s)
{
	size_t	i;

	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* "id" and the fields the mapping reads, comma-separated, malloc'd. */
static char *
social_fields(json_t *mapping)
{
	json_t		*seen = json_object(), *v;
	const char	*k, *f;
	char		*out = xstrdup("id"), *next;

	json_object_set_new(seen, "id", json_true());
	json_object_foreach(mapping, k, v) {
		f = json_string_value(v);
		if (!social_field_ok(f) || json_object_get(seen, f) != NULL ||
		    json_object_size(seen) >= SOCIAL_FIELDS_MAX)
			continue;
		json_object_set_new(seen, f, json_true());
		next = xasprintf("%s,%s", out, f);
		free(out);
		out = next;
	}
	json_decref(seen);
	return out;
}

char *
social_attributes_url(enum fed_type type, json_t *details, json_t *mapping)
{
	const char	*url = json_string_value(json_object_get(details,
			    "attributes_url"));
	char		*fields, *out;
	size_t		 n;

	if (url == NULL || *url == '\0')
		return NULL;
	n = strlen(url);
	if (type != FED_FACEBOOK || url[n - 1] != '=')
		return xstrdup(url);
	fields = social_fields(mapping);
	out = xasprintf("%s%s", url, fields);
	free(fields);
	return out;
}

int
social_subject(enum fed_type type, json_t *answer, char **subject,
    const char **why)
{
	json_t	*v = NULL;
	size_t	 i;

	for (i = 0; i < nitems(social_subjects); i++)
		if (social_subjects[i].type == type)
			v = json_object_get(answer, social_subjects[i].member);
	if (json_is_string(v) && *json_string_value(v) != '\0') {
		*subject = xstrdup(json_string_value(v));
		return 0;
	}
	if (json_is_integer(v)) {
		*subject = xasprintf("%lld", (long long)json_integer_value(v));
		return 0;
	}
	*why = "the provider's answer names no user";
	return -1;
}
