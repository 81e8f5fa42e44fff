/*
 * filter.c: the ListUsers Filter, <attribute> <op> "<value>", turned
 * into one SQL condition over "users u" with one parameter.
 *
 * Spaces around the operator are optional (the AWS documentation writes
 * them, SDK users often do not); a quote or backslash inside the value
 * is escaped with a backslash. Only Cognito's searchable attributes are
 * accepted.
 *
 * Every condition is written so an index of sql/002_users.sql serves
 * it: the f_* columns hold lower-cased copies in byte order (COLLATE
 * "C"), so a prefix ("^=") is the byte range [v, v || U+10FFFF), which
 * a btree scans directly; the lower-casing of the value happens in SQL
 * with the same lower() that computed the column, so both sides agree
 * whatever the database's locale. A status prefix becomes the list of
 * statuses it matches, and "status" (Enabled or Disabled) a boolean.
 * The column a condition ranges over is also the first sort key of the
 * page (ListUsers answers in the order of the filtered attribute). A
 * status is shared by many users and its index does not order them by
 * name, so those pages follow the primary key, (pool_id, username_key),
 * filtered: the planner stops after a page instead of sorting every
 * user of the status.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/filter.h"
#include "util.h"

#define FILTER_PARSE_ERROR	"Error while parsing filter"

enum filter_kind {
	FILTER_TEXT,		/* an f_* column: lower-cased */
	FILTER_USERNAME,
	FILTER_STATUS,		/* cognito:user_status */
	FILTER_ENABLED,		/* status: Enabled / Disabled */
	FILTER_SUB,
};

static const struct filter_attr {
	const char		*name;
	enum filter_kind	 kind;
	const char		*column;
} filter_attrs[] = {
	{ "username", FILTER_USERNAME, NULL },
	{ "email", FILTER_TEXT, "u.f_email" },
	{ "phone_number", FILTER_TEXT, "u.f_phone" },
	{ "name", FILTER_TEXT, "u.f_name" },
	{ "given_name", FILTER_TEXT, "u.f_given" },
	{ "family_name", FILTER_TEXT, "u.f_family" },
	{ "preferred_username", FILTER_TEXT, "u.f_preferred" },
	{ "cognito:user_status", FILTER_STATUS, NULL },
	{ "status", FILTER_ENABLED, NULL },
	{ "sub", FILTER_SUB, NULL },
};

static const char *const filter_statuses[] = {
	"UNCONFIRMED", "CONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED",
	"EXTERNAL_PROVIDER",
};

#define FILTER_USERNAME_CS	"u.username COLLATE \"C\""

/* The parts of a parsed filter text. */
struct filter_text {
	char	*attr;
	int	 prefix;	/* ^= rather than = */
	char	*value;
};

static int
filter_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
filter_attr_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == ':';
}

/* The quoted value at *p (past the quote), unescaped; NULL if open. */
static char *
filter_value(const char **pp)
{
	const char	*p = *pp;
	char		*out = xmalloc(strlen(p) + 1);
	size_t		 n = 0;

	for (;;) {
		if (*p == '\0') {
			free(out);
			return NULL;
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			p++;
			if (*p == '\0') {
				free(out);
				return NULL;
			}
		}
		out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p + 1;
	return out;
}

static int
filter_split(const char *s, struct filter_text *t)
{
	const char	*p = s, *a;

	memset(t, 0, sizeof *t);
	while (filter_space(*p))
		p++;
	for (a = p; filter_attr_char(*p); p++)
		;
	if (p == a)
		return -1;
	t->attr = xstrndup(a, (size_t)(p - a));
	while (filter_space(*p))
		p++;
	if (p[0] == '^' && p[1] == '=') {
		t->prefix = 1;
		p += 2;
	} else if (p[0] == '=')
		p++;
	else
		return -1;
	while (filter_space(*p))
		p++;
	if (*p++ != '"' || (t->value = filter_value(&p)) == NULL)
		return -1;
	while (filter_space(*p))
		p++;
	return *p == '\0' ? 0 : -1;
}

static void
filter_text_clear(struct filter_text *t)
{
	free(t->attr);
	free(t->value);
}

static void
filter_ascii_case(char *s, int upper)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x80)
			*s = (char)(upper ? toupper((unsigned char)*s) :
			    tolower((unsigned char)*s));
}

/* A condition that matches nothing but still types its parameter. */
static char *
filter_none(int n)
{
	return xasprintf("($%d::text IS NULL AND false)", n);
}

/* col = v, or the byte range of the prefix v; v is an SQL expression. */
static char *
filter_range(const char *col, const char *v, int prefix)
{
	if (!prefix)
		return xasprintf("%s = %s", col, v);
	return xasprintf("%s >= %s AND %s < (%s || chr(1114111))", col, v,
	    col, v);
}

static void
filter_build_text(const struct filter_attr *a, struct filter_text *t,
    int n, struct filter *f)
{
	char	*v = xasprintf("lower($%d::text)", n);

	filter_ascii_case(t->value, 0);
	f->sql = filter_range(a->column, v, t->prefix);
	f->column = a->column;
	free(v);
}

static void
filter_build_username(struct filter_text *t, int n, int case_sensitive,
    struct filter *f)
{
	char	*v = xasprintf("$%d::text", n), *range;

	if (case_sensitive) {
		f->sql = filter_range(FILTER_USERNAME_CS, v, t->prefix);
		f->column = FILTER_USERNAME_CS;
	} else {
		filter_ascii_case(t->value, 0);
		range = filter_range("u.username_key", v, t->prefix);
		/*
		 * username_key has the database's collation; the range is
		 * exact in a "C" database (the embedded one) and the
		 * starts_with() recheck keeps it exact elsewhere.
		 */
		f->sql = t->prefix ? xasprintf("%s AND starts_with("
		    "u.username_key, %s)", range, v) : xstrdup(range);
		free(range);
	}
	free(v);
}

/* A status prefix becomes the array of the statuses it starts. */
static void
filter_build_status(struct filter_text *t, int n, struct filter *f)
{
	char	*list = xstrdup("{"), *tmp;
	size_t	 i, len = strlen(t->value);

	filter_ascii_case(t->value, 1);
	if (!t->prefix) {
		f->sql = xasprintf("u.status = $%d::text", n);
		free(list);
		return;
	}
	for (i = 0; i < nitems(filter_statuses); i++) {
		if (strncmp(filter_statuses[i], t->value, len) != 0)
			continue;
		tmp = xasprintf("%s%s%s", list, list[1] != '\0' ? "," : "",
		    filter_statuses[i]);
		free(list);
		list = tmp;
	}
	tmp = xasprintf("%s}", list);
	free(list);
	free(t->value);
	t->value = tmp;
	f->sql = xasprintf("u.status = ANY($%d::text[])", n);
}

static void
filter_build_enabled(struct filter_text *t, int n, struct filter *f)
{
	size_t	len = strlen(t->value);
	int	en, dis;

	if (t->prefix) {
		en = strncmp("Enabled", t->value, len) == 0;
		dis = strncmp("Disabled", t->value, len) == 0;
	} else {
		en = strcmp("Enabled", t->value) == 0;
		dis = strcmp("Disabled", t->value) == 0;
	}
	free(t->value);
	if (en && dis) {
		t->value = xstrdup("any");
		f->sql = xasprintf("$%d::text IS NOT NULL", n);
	} else if (en || dis) {
		t->value = xstrdup(en ? "true" : "false");
		f->sql = xasprintf("u.enabled = $%d::boolean", n);
	} else {
		t->value = xstrdup("none");
		f->sql = filter_none(n);
	}
}

static void
filter_build_sub(struct filter_text *t, int n, struct filter *f)
{
	filter_ascii_case(t->value, 0);
	if (t->prefix)
		f->sql = xasprintf("starts_with(u.sub::text, $%d::text)", n);
	else if (is_uuid(t->value))
		f->sql = xasprintf("u.sub = $%d::uuid", n);
	else
		f->sql = filter_none(n);
}

int
filter_parse_pool(const char *text, int param, int case_sensitive,
    struct filter *f, char **emsg)
{
	const struct filter_attr	*a = NULL;
	struct filter_text		 t;
	size_t				 i;

	memset(f, 0, sizeof *f);
	if (text == NULL || *text == '\0')
		return 0;
	if (filter_split(text, &t) != 0) {
		filter_text_clear(&t);
		*emsg = xstrdup(FILTER_PARSE_ERROR);
		return -1;
	}
	for (i = 0; i < nitems(filter_attrs) && a == NULL; i++)
		if (strcmp(filter_attrs[i].name, t.attr) == 0)
			a = &filter_attrs[i];
	if (a == NULL) {
		*emsg = xasprintf("Invalid search attribute: %s", t.attr);
		filter_text_clear(&t);
		return -1;
	}
	switch (a->kind) {
	case FILTER_TEXT:
		filter_build_text(a, &t, param, f);
		break;
	case FILTER_USERNAME:
		filter_build_username(&t, param, case_sensitive, f);
		break;
	case FILTER_STATUS:
		filter_build_status(&t, param, f);
		break;
	case FILTER_ENABLED:
		filter_build_enabled(&t, param, f);
		break;
	case FILTER_SUB:
		filter_build_sub(&t, param, f);
		break;
	}
	f->value = t.value;
	t.value = NULL;
	filter_text_clear(&t);
	return 0;
}

int
filter_parse(const char *text, int param, struct filter *f, char **emsg)
{
	return filter_parse_pool(text, param, 1, f, emsg);
}

void
filter_clear(struct filter *f)
{
	free(f->sql);
	free(f->value);
	memset(f, 0, sizeof *f);
}
