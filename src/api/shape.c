/*
 * shape.c: the walk that checks a parsed JSON request against the
 * shape its operation declares, and the pattern checkers shapes share.
 *
 * The first violation wins and is worded as AWS words it, so that SDKs
 * and people see familiar text: a wrong JSON type is a
 * SerializationException, a broken constraint an
 * InvalidParameterException "1 validation error detected: Value 'x' at
 * 'a.b' failed to satisfy constraint: ...". Paths name members in
 * camelCase, list items as "name.N.member" (1-based) and map values as
 * "name.<key>". Echoed values are cut to SHAPE_ECHO_MAX bytes and
 * sensitive members (passwords, secrets) are never echoed at all.
 * Members the shape does not declare are ignored, as AWS does.
 *
 * The pattern checkers are character-class loops equivalent to the
 * AWS model's regular expressions (Java classes: \w and \s are ASCII).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "shape.h"
#include "util.h"

#define SHAPE_ECHO_MAX	256

static const char shape_invalid[] = "InvalidParameterException";
static const char shape_serialization[] = "SerializationException";

struct shape_err {
	const char	**type;
	char		**msg;
};

static int	shape_walk(const struct shape *, json_t *, const char *,
		    struct shape_err *);

/* --- Reporting --- */

/* The value as AWS echoes it, cut at a character boundary. */
static char *
shape_echo(json_t *v)
{
	char	*s;
	size_t	 len;

	if (json_is_string(v))
		s = xstrdup(json_string_value(v));
	else if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		fatalx("json_dumps");
	len = strlen(s);
	if (len > SHAPE_ECHO_MAX) {
		len = SHAPE_ECHO_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		s[len] = '\0';
	}
	return s;
}

static int
shape_violation(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path, const char *constraint)
{
	char	*echo;

	*e->type = shape_invalid;
	if (s->sensitive) {
		*e->msg = xasprintf("1 validation error detected: Value at "
		    "'%s' failed to satisfy constraint: %s", path, constraint);
		return -1;
	}
	echo = shape_echo(v);
	*e->msg = xasprintf("1 validation error detected: Value '%s' at '%s' "
	    "failed to satisfy constraint: %s", echo, path, constraint);
	free(echo);
	return -1;
}

static int
shape_null(struct shape_err *e, const char *path)
{
	*e->type = shape_invalid;
	*e->msg = xasprintf("1 validation error detected: Value null at '%s' "
	    "failed to satisfy constraint: Member must not be null", path);
	return -1;
}

static const char *
shape_kind_name(enum shape_kind k)
{
	switch (k) {
	case SHAPE_STRING:
		return "a String";
	case SHAPE_INT:
		return "an Integer";
	case SHAPE_NUMBER:
		return "a Double";
	case SHAPE_BOOL:
		return "a Boolean";
	case SHAPE_LIST:
		return "a List";
	case SHAPE_MAP:
		return "a Map";
	case SHAPE_STRUCT:
		return "a Structure";
	case SHAPE_BLOB:
		return "a Blob";
	default:
		return "a value";
	}
}

/* A JSON value of the wrong type, worded like AWS's JSON parser. */
static int
shape_wrong_type(struct shape_err *e, const struct shape *s, json_t *v)
{
	const char	*found;

	*e->type = shape_serialization;
	if (json_is_object(v)) {
		*e->msg = xstrdup("Start of structure or map found where not "
		    "expected.");
		return -1;
	}
	if (json_is_array(v)) {
		*e->msg = xstrdup("Start of list found where not expected.");
		return -1;
	}
	if (json_is_string(v))
		found = "STRING_VALUE";
	else if (json_is_boolean(v))
		found = "BOOLEAN_VALUE";
	else
		found = "NUMBER_VALUE";
	*e->msg = xasprintf("%s can not be converted to %s", found,
	    shape_kind_name(s->kind));
	return -1;
}

/* --- Bounds --- */

/* Set flags win; otherwise a nonzero value is a bound ("0,0: none"). */
#define SHAPE_HAS_MIN(s)	((s)->has_min || (s)->min != 0)
#define SHAPE_HAS_MAX(s)	((s)->has_max || (s)->max != 0)

static int
shape_length(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path, long long n)
{
	char	buf[96];

	if (SHAPE_HAS_MIN(s) && n < s->min) {
		snprintf(buf, sizeof buf, "Member must have length greater "
		    "than or equal to %lld", s->min);
		return shape_violation(e, s, v, path, buf);
	}
	if (SHAPE_HAS_MAX(s) && n > s->max) {
		snprintf(buf, sizeof buf, "Member must have length less than "
		    "or equal to %lld", s->max);
		return shape_violation(e, s, v, path, buf);
	}
	return 0;
}

/* Integers compare exactly; reals as doubles. */
static int
shape_range(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path)
{
	char		buf[96];
	long long	i = json_integer_value(v);
	double		d = json_number_value(v);
	int		below, above;

	if (json_is_integer(v)) {
		below = SHAPE_HAS_MIN(s) && i < s->min;
		above = SHAPE_HAS_MAX(s) && i > s->max;
	} else {
		below = SHAPE_HAS_MIN(s) && d < (double)s->min;
		above = SHAPE_HAS_MAX(s) && d > (double)s->max;
	}
	if (below) {
		snprintf(buf, sizeof buf, "Member must have value greater "
		    "than or equal to %lld", s->min);
		return shape_violation(e, s, v, path, buf);
	}
	if (above) {
		snprintf(buf, sizeof buf, "Member must have value less than "
		    "or equal to %lld", s->max);
		return shape_violation(e, s, v, path, buf);
	}
	return 0;
}

/* --- Kinds --- */

/* Characters (code points) of a valid UTF-8 string. */
static long long
shape_chars(const char *s, size_t len)
{
	long long	n = 0;
	size_t		i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int
shape_enum(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path, const char *str)
{
	const char *const	*p;
	char			*set, *next, *msg;
	int			 rc;

	for (p = s->enums; *p != NULL; p++)
		if (strcmp(*p, str) == 0)
			return 0;
	set = xstrdup("");
	for (p = s->enums; *p != NULL; p++) {
		next = xasprintf("%s%s%s", set, p == s->enums ? "" : ", ", *p);
		free(set);
		set = next;
	}
	msg = xasprintf("Member must satisfy enum value set: [%s]", set);
	rc = shape_violation(e, s, v, path, msg);
	free(set);
	free(msg);
	return rc;
}

static int
shape_string(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path)
{
	const char	*str = json_string_value(v);
	size_t		 len = json_string_length(v);
	char		*msg;
	int		 rc;

	if (strlen(str) != len)
		return shape_violation(e, s, v, path,
		    "Member must not contain the NUL character");
	if (shape_length(e, s, v, path, shape_chars(str, len)) != 0)
		return -1;
	if (s->enums != NULL && shape_enum(e, s, v, path, str) != 0)
		return -1;
	if (s->check != NULL && s->check(str) != 0) {
		msg = xasprintf("Member must satisfy regular expression "
		    "pattern: %s", s->pattern != NULL ? s->pattern : "");
		rc = shape_violation(e, s, v, path, msg);
		free(msg);
		return rc;
	}
	return 0;
}

static int
shape_blob(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path)
{
	unsigned char	*buf;
	size_t		 len;
	int		 rc;

	if (b64_decode(json_string_value(v), &buf, &len) != 0) {
		*e->type = shape_serialization;
		*e->msg = xasprintf("Base64 encoded value at '%s' could not be "
		    "decoded", path);
		return -1;
	}
	wipe(buf, len);
	free(buf);
	rc = shape_length(e, s, v, path, (long long)len);
	return rc;
}

static int
shape_list(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path)
{
	json_t	*item;
	size_t	 i;
	char	*sub;
	int	 rc = 0;

	if (shape_length(e, s, v, path, (long long)json_array_size(v)) != 0)
		return -1;
	if (s->item == NULL)
		return 0;
	json_array_foreach(v, i, item) {
		sub = xasprintf("%s.%zu.member", path, i + 1);
		if (json_is_null(item))
			rc = shape_null(e, sub);
		else
			rc = shape_walk(s->item, item, sub, e);
		free(sub);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int
shape_map(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path)
{
	const char	*key;
	json_t		*value, *jkey;
	char		*sub;
	int		 rc = 0;

	if (shape_length(e, s, v, path, (long long)json_object_size(v)) != 0)
		return -1;
	json_object_foreach(v, key, value) {
		if (s->key != NULL) {
			jkey = json_string(key);
			rc = shape_walk(s->key, jkey, path, e);
			json_decref(jkey);
			if (rc != 0)
				return -1;
		}
		if (s->item == NULL)
			continue;
		sub = xasprintf("%s.%s", path, key);
		if (json_is_null(value))
			rc = shape_null(e, sub);
		else
			rc = shape_walk(s->item, value, sub, e);
		free(sub);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* A member name as AWS paths spell it: the first letter lowered. */
static char *
shape_member_path(const char *path, const char *name)
{
	char	*p;

	if (*path == '\0')
		p = xstrdup(name);
	else
		p = xasprintf("%s.%s", path, name);
	p[*path == '\0' ? 0 : strlen(path) + 1] =
	    (char)tolower((unsigned char)*name);
	return p;
}

static int
shape_struct(struct shape_err *e, const struct shape *s, json_t *v,
    const char *path)
{
	const struct shape_member	*m;
	json_t				*mv;
	char				*sub;
	int				 rc;

	if (s->members == NULL)
		return 0;
	for (m = s->members; m->name != NULL; m++) {
		mv = json_object_get(v, m->name);
		if (mv == NULL || json_is_null(mv)) {
			if (!m->required)
				continue;
			sub = shape_member_path(path, m->name);
			rc = shape_null(e, sub);
			free(sub);
			return rc;
		}
		sub = shape_member_path(path, m->name);
		rc = shape_walk(m->shape, mv, sub, e);
		free(sub);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Whether v has the JSON type the shape kind wants. */
static int
shape_type_ok(const struct shape *s, json_t *v)
{
	switch (s->kind) {
	case SHAPE_STRING:
	case SHAPE_BLOB:
		return json_is_string(v);
	case SHAPE_INT:
		return json_is_integer(v);
	case SHAPE_NUMBER:
		return json_is_number(v);
	case SHAPE_BOOL:
		return json_is_boolean(v);
	case SHAPE_LIST:
		return json_is_array(v);
	case SHAPE_MAP:
	case SHAPE_STRUCT:
		return json_is_object(v);
	default:
		return 1;
	}
}

static int
shape_walk(const struct shape *s, json_t *v, const char *path,
    struct shape_err *e)
{
	if (!shape_type_ok(s, v))
		return shape_wrong_type(e, s, v);
	switch (s->kind) {
	case SHAPE_STRING:
		return shape_string(e, s, v, path);
	case SHAPE_BLOB:
		return shape_blob(e, s, v, path);
	case SHAPE_INT:
	case SHAPE_NUMBER:
		return shape_range(e, s, v, path);
	case SHAPE_LIST:
		return shape_list(e, s, v, path);
	case SHAPE_MAP:
		return shape_map(e, s, v, path);
	case SHAPE_STRUCT:
		return shape_struct(e, s, v, path);
	default:
		return 0;
	}
}

int
shape_check(const struct shape *s, json_t *v, const char **type, char **msg)
{
	struct shape_err	e = { type, msg };

	if (v == NULL) {
		*type = shape_serialization;
		*msg = xstrdup("The request body is not a JSON object.");
		return -1;
	}
	return shape_walk(s, v, "", &e);
}

/* --- Pattern checkers --- */

static int
shape_is_word(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '_');
}

static int
shape_is_jspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

/* [\w+]+ */
int
shape_check_word(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (!shape_is_word((unsigned char)*s) && *s != '+')
			return -1;
	return 0;
}

/* [\w-]+_[0-9a-zA-Z]+: the split is at the last '_'. */
int
shape_check_pool_id(const char *s)
{
	const char	*u = strrchr(s, '_'), *p;

	if (u == NULL || u == s || u[1] == '\0')
		return -1;
	for (p = s; p < u; p++)
		if (!shape_is_word((unsigned char)*p) && *p != '-')
			return -1;
	for (p = u + 1; *p != '\0'; p++)
		if (!isascii((unsigned char)*p) || !isalnum((unsigned char)*p))
			return -1;
	return 0;
}

/* [\p{L}\p{M}\p{S}\p{N}\p{P}]+ (utf8_is_name in util.c). */
int
shape_check_name(const char *s)
{
	return utf8_is_name(s) ? 0 : -1;
}

/* [\w\s+=,.@-]+ */
int
shape_check_pool_name(const char *s)
{
	unsigned char	c;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (!shape_is_word(c) && !shape_is_jspace(c) &&
		    strchr("+=,.@-", c) == NULL)
			return -1;
	}
	return 0;
}

/* [\w+=/,.@-] repeated over [s, end); -1 if any other character. */
static int
shape_arn_field(const char *s, const char *end, int may_be_empty)
{
	if (s == end && !may_be_empty)
		return -1;
	for (; s < end; s++)
		if (!shape_is_word((unsigned char)*s) &&
		    strchr("+=/,.@-", *s) == NULL)
			return -1;
	return 0;
}

/*
 * arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+
 * (:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?  The class has no ':', so the ARN
 * splits at colons into 6 to 8 fields checked one by one.
 */
int
shape_check_arn(const char *s)
{
	const char	*f[9], *p;
	size_t		 n = 0, i;

	f[n++] = s;
	for (p = s; *p != '\0'; p++) {
		if (*p != ':')
			continue;
		if (n == 8)
			return -1;
		f[n++] = p + 1;
	}
	f[n] = p + 1;	/* past the NUL, as if a ':' were there */
	if (n < 6 || f[1] - f[0] - 1 != 3 || strncmp(s, "arn", 3) != 0)
		return -1;
	for (i = 1; i < n; i++) {
		if (i == 4) {
			if (f[4] == f[5] - 1)
				return -1;
			for (p = f[4]; p < f[5] - 1; p++)
				if (!isdigit((unsigned char)*p))
					return -1;
		} else if (shape_arn_field(f[i], f[i + 1] - 1, i == 3) != 0)
			return -1;
	}
	return 0;
}

/* [\S]+ (Java's \s: space, \t, \n, \v, \f, \r) */
int
shape_check_no_space(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (shape_is_jspace((unsigned char)*s))
			return -1;
	return 0;
}
