/*
 * users.c: the rules a pool sets for its users, independent of the wire.
 *
 * A pool's configuration (pools.config, the UserPoolType members) says
 * how users sign in (UsernameAttributes or AliasAttributes), whether
 * usernames are case sensitive and which attributes exist
 * (SchemaAttributes, every standard and custom one with its type,
 * constraints, mutability and whether it is required). This module turns
 * that into checks of what a caller sends, into the normalised keys the
 * users table is unique on, and into the JSON shapes Cognito answers.
 *
 * Normalised keys: a username is compared lower-cased unless the pool is
 * CaseSensitive; emails are always compared lower-cased, so in a pool
 * that signs in by email an email-shaped name is lowered even when the
 * pool is case sensitive (such a pool refuses email-shaped usernames,
 * so the two cannot collide). Lower-casing is ASCII only: the same key
 * is computed for storing and for looking up, which is all uniqueness
 * needs.
 *
 * Error texts follow Cognito's: schema problems of a new user are lines
 * "<name>: <problem>\n" after "Attributes did not conform to the schema:
 * "; those of an update are lines "user.<name>: <problem>\n"; those of a
 * deletion follow "Invalid user attributes: ". An email or phone number
 * that is not one answers on its own line of text. A failure carries a
 * kind of core/err.h (CORE_ERR_INVALID, CORE_ERR_NOT_AUTHORIZED) with
 * its text; the adapters name it.
 *
 * No SQL here: the users table's statements and the decoding of its rows
 * into struct user are db/users.c's.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mfa.h"
#include "core/users.h"
#include "util.h"

#define USERS_MAX_VALUE		2048
#define USERS_MAX_USERNAME	128
#define USERS_MAX_EMAIL		256
#define USERS_PHONE_MIN_DIGITS	2
#define USERS_PHONE_MAX_DIGITS	15

#define USERS_PREFIX_CREATE	"Attributes did not conform to the schema: "
#define USERS_PREFIX_DELETE	"Invalid user attributes: "

/* One attribute of the schema, from SchemaAttributes or the fallback. */
struct users_attr {
	const char	*name;
	const char	*type;		/* String, Number, Boolean, DateTime */
	int		 mut;
	int		 required;
	int		 dev;		/* DeveloperOnlyAttribute */
	int		 has_min, has_max;
	double		 min, max;	/* String length, Number value */
};

/*
 * The standard schema, for a configuration that has no SchemaAttributes
 * (pool_ops.c always writes them; this keeps old rows and unit tests
 * honest).
 */
static const struct users_std {
	const char	*name;
	const char	*type;
	int		 mut;
} users_std[] = {
	{ "sub", "String", 0 }, { "name", "String", 1 },
	{ "given_name", "String", 1 }, { "family_name", "String", 1 },
	{ "middle_name", "String", 1 }, { "nickname", "String", 1 },
	{ "preferred_username", "String", 1 }, { "profile", "String", 1 },
	{ "picture", "String", 1 }, { "website", "String", 1 },
	{ "email", "String", 1 }, { "email_verified", "Boolean", 1 },
	{ "gender", "String", 1 }, { "birthdate", "String", 1 },
	{ "zoneinfo", "String", 1 }, { "locale", "String", 1 },
	{ "phone_number", "String", 1 },
	{ "phone_number_verified", "Boolean", 1 },
	{ "address", "String", 1 }, { "updated_at", "Number", 1 },
	{ "identities", "String", 1 },
};

/* Accumulated problem lines of one request. */
struct users_err {
	char	*text;
	size_t	 len;
};

static void
users_err_add(struct users_err *e, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;
	size_t	 n;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(line);
	e->text = xrealloc(e->text, e->len + n + 1);
	memcpy(e->text + e->len, line, n + 1);
	e->len += n;
	free(line);
}

/* Answer the accumulated lines after prefix; 0 when there are none. */
static int
users_err_finish(struct users_err *e, const char *prefix,
    enum core_err_kind *ekind, char **emsg)
{
	if (e->len == 0)
		return 0;
	*ekind = CORE_ERR_INVALID;
	*emsg = xasprintf("%s%s", prefix, e->text);
	free(e->text);
	e->text = NULL;
	e->len = 0;
	return -1;
}

static int
users_fail(enum core_err_kind *ekind, char **emsg, enum core_err_kind kind,
    const char *msg)
{
	*ekind = kind;
	*emsg = xstrdup(msg);
	return -1;
}

void
users_rules_init(struct users_rules *r, json_t *config)
{
	json_t	*un = json_object_get(config, "UsernameAttributes");
	json_t	*al = json_object_get(config, "AliasAttributes");
	json_t	*av = json_object_get(config, "AutoVerifiedAttributes");

	memset(r, 0, sizeof *r);
	r->config = config;
	r->case_sensitive = json_is_true(json_object_get(json_object_get(
	    config, "UsernameConfiguration"), "CaseSensitive"));
	r->username_email = strarray_has(un, "email");
	r->username_phone = strarray_has(un, "phone_number");
	r->alias_email = strarray_has(al, "email");
	r->alias_phone = strarray_has(al, "phone_number");
	r->alias_preferred = strarray_has(al, "preferred_username");
	r->auto_verify_email = strarray_has(av, "email");
	r->auto_verify_phone = strarray_has(av, "phone_number");
}

/* --- Formats --- */

/*
 * An email address as Cognito takes one: a local part and a domain
 * around one '@', no spaces or control characters, a domain of
 * non-empty dot-separated labels of letters, digits, '-' or non-ASCII.
 */
int
users_is_email(const char *s)
{
	const char	*at = strchr(s, '@'), *p;
	size_t		 label = 0;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    at[1] == '\0' || strlen(s) > USERS_MAX_EMAIL)
		return 0;
	for (p = s; p < at; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' ||
		    *p == '(' || *p == ')' || *p == ',' || *p == ';' ||
		    *p == '<' || *p == '>' || *p == '[' || *p == ']' ||
		    *p == '\\')
			return 0;
	if (s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = at + 1; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if ((unsigned char)*p < 0x80 && !isalnum((unsigned char)*p) &&
		    *p != '-')
			return 0;
		label++;
	}
	return label > 0;
}

/* E.164: '+' and 2 to 15 digits, the first not 0. */
int
users_is_phone(const char *s)
{
	size_t	n;

	if (s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	for (n = 0; s[n + 1] != '\0'; n++)
		if (!isdigit((unsigned char)s[n + 1]))
			return 0;
	return n >= USERS_PHONE_MIN_DIGITS && n <= USERS_PHONE_MAX_DIGITS;
}

static void
users_lower(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x80)
			*s = (char)tolower((unsigned char)*s);
}

char *
users_key(const struct users_rules *r, const char *name)
{
	char	*k = xstrdup(name);

	if (!r->case_sensitive ||
	    ((r->username_email || r->alias_email) && users_is_email(k)))
		users_lower(k);
	return k;
}

const char *
users_username_attribute(const struct users_rules *r, const char *name)
{
	if (r->username_email && users_is_email(name))
		return "email";
	if (r->username_phone && users_is_phone(name))
		return "phone_number";
	return NULL;
}

int
users_check_username(const struct users_rules *r, const char *name,
    enum core_err_kind *ekind, char **emsg)
{
	const char	*msg;

	if (r->username_email || r->username_phone) {
		if (users_username_attribute(r, name) != NULL)
			return 0;
		if (r->username_email && r->username_phone)
			msg = "Username should be either an email or a phone "
			    "number.";
		else if (r->username_email)
			msg = "Username should be an email.";
		else
			msg = "Username should be a phone number.";
		return users_fail(ekind, emsg, CORE_ERR_INVALID, msg);
	}
	if (*name == '\0' || strlen(name) > USERS_MAX_USERNAME ||
	    !utf8_is_name(name)) {
		*ekind = CORE_ERR_INVALID;
		*emsg = xstrdup("1 validation error detected: Value at "
		    "'username' failed to satisfy constraint: Member must "
		    "satisfy regular expression pattern: "
		    "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+");
		return -1;
	}
	if (r->alias_email && users_is_email(name))
		return users_fail(ekind, emsg, CORE_ERR_INVALID, "Username "
		    "cannot be of email format, since user pool is "
		    "configured for email alias.");
	if (r->alias_phone && users_is_phone(name))
		return users_fail(ekind, emsg, CORE_ERR_INVALID, "Username "
		    "cannot be of phone number format, since user pool is "
		    "configured for phone number alias.");
	return 0;
}

/* --- The schema --- */

static int
users_bound(json_t *cons, const char *key, double *out)
{
	json_t		*v = json_object_get(cons, key);
	const char	*s;
	char		*end;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 1;
	}
	if ((s = json_string_value(v)) == NULL || *s == '\0')
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && errno == 0;
}

static void
users_attr_from_json(struct users_attr *a, json_t *j)
{
	json_t	*c;

	memset(a, 0, sizeof *a);
	a->name = json_string_value(json_object_get(j, "Name"));
	a->type = json_string_value(json_object_get(j, "AttributeDataType"));
	if (a->type == NULL)
		a->type = "String";
	a->mut = !json_is_false(json_object_get(j, "Mutable"));
	a->required = json_is_true(json_object_get(j, "Required"));
	a->dev = json_is_true(json_object_get(j, "DeveloperOnlyAttribute"));
	if (strcmp(a->type, "String") == 0) {
		c = json_object_get(j, "StringAttributeConstraints");
		a->has_min = users_bound(c, "MinLength", &a->min);
		a->has_max = users_bound(c, "MaxLength", &a->max);
	} else if (strcmp(a->type, "Number") == 0) {
		c = json_object_get(j, "NumberAttributeConstraints");
		a->has_min = users_bound(c, "MinValue", &a->min);
		a->has_max = users_bound(c, "MaxValue", &a->max);
	}
}

/* The schema entry of name; -1 when the pool has no such attribute. */
static int
users_attr_find(const struct users_rules *r, const char *name,
    struct users_attr *a)
{
	json_t		*schema = json_object_get(r->config,
			    "SchemaAttributes"), *j;
	const char	*n;
	size_t		 i;

	if (json_is_array(schema)) {
		json_array_foreach(schema, i, j) {
			n = json_string_value(json_object_get(j, "Name"));
			if (n != NULL && strcmp(n, name) == 0) {
				users_attr_from_json(a, j);
				return 0;
			}
		}
		return -1;
	}
	for (i = 0; i < nitems(users_std); i++) {
		if (strcmp(users_std[i].name, name) != 0)
			continue;
		memset(a, 0, sizeof *a);
		a->name = users_std[i].name;
		a->type = users_std[i].type;
		a->mut = users_std[i].mut;
		a->required = strcmp(name, "sub") == 0;
		return 0;
	}
	return -1;
}

/* A decimal number: -?[0-9]+(\.[0-9]+)? */
static int
users_is_number(const char *s, double *v)
{
	const char	*p = s;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0')
		return 0;
	*v = strtod(s, NULL);
	return isfinite(*v);
}

/*
 * A DateTime value: epoch seconds, or an ISO 8601 date with an optional
 * time ("2024-05-01", "2024-05-01T10:00:00Z", "...+02:00").
 */
static int
users_is_datetime(const char *s)
{
	double		 v;
	size_t		 i;
	static const char date[] = "dddd-dd-dd";

	if (users_is_number(s, &v))
		return 1;
	for (i = 0; i < sizeof date - 1; i++) {
		if (date[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != date[i])
			return 0;
	}
	if (s[i] == '\0')
		return 1;
	if (s[i] != 'T' && s[i] != ' ')
		return 0;
	for (i++; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    strchr(":.+-Z", s[i]) == NULL)
			return 0;
	return 1;
}

/* Format a bound as Cognito writes it: a whole number without ".0". */
static char *
users_num_text(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return xasprintf("%lld", (long long)v);
	return xasprintf("%g", v);
}

/* The problem with value v for attribute a, malloc'd, or NULL. */
static char *
users_value_problem(const struct users_attr *a, const char *v)
{
	size_t	 n;
	double	 d;
	char	*b, *p;

	if (strcmp(a->type, "Number") == 0) {
		if (!users_is_number(v, &d))
			return xstrdup("Number must be a valid number");
		if (a->has_min && d < a->min) {
			b = users_num_text(a->min);
			p = xasprintf("Number must be no less than %s", b);
			free(b);
			return p;
		}
		if (a->has_max && d > a->max) {
			b = users_num_text(a->max);
			p = xasprintf("Number must be no greater than %s", b);
			free(b);
			return p;
		}
		return NULL;
	}
	if (strcmp(a->type, "Boolean") == 0)
		return strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ?
		    NULL : xstrdup("Boolean must be either true or false");
	if (strcmp(a->type, "DateTime") == 0)
		return users_is_datetime(v) ? NULL :
		    xstrdup("DateTime must be a valid date and time");
	n = utf8_chars(v);
	if (n > (a->has_max ? (size_t)a->max : USERS_MAX_VALUE))
		return xasprintf("String must be no longer than %zu "
		    "characters", a->has_max ? (size_t)a->max :
		    (size_t)USERS_MAX_VALUE);
	if (a->has_min && n < (size_t)a->min)
		return xasprintf("String must be no shorter than %zu "
		    "characters", (size_t)a->min);
	return NULL;
}

/* --- Writing attributes --- */

static int
users_mode_update(enum users_mode mode)
{
	return mode == USERS_UPDATE_ADMIN || mode == USERS_UPDATE_SELF;
}

static int
users_mode_self(enum users_mode mode)
{
	return mode == USERS_CREATE_SELF || mode == USERS_UPDATE_SELF;
}

/*
 * Whether an app client may write the attribute: the client's
 * WriteAttributes when it has any, else every attribute but the
 * verified flags and developer-only ones.
 */
static int
users_client_may_write(const struct users_attr *a, json_t *writable)
{
	if (a->dev)
		return 0;
	if (json_is_array(writable) && json_array_size(writable) > 0)
		return strarray_has(writable, a->name);
	return strcmp(a->name, "email_verified") != 0 &&
	    strcmp(a->name, "phone_number_verified") != 0;
}

/* One problem line in the style of the mode. */
static void
users_err_attr(struct users_err *e, enum users_mode mode, const char *name,
    const char *problem)
{
	if (users_mode_update(mode))
		users_err_add(e, "user.%s: %s\n", name, problem);
	else
		users_err_add(e, "%s: %s\n", name, problem);
}

/*
 * Check one {Name, Value}; 1 when it may be written, 0 when a problem
 * line was added, -1 with *ekind and *emsg for an answer of its own.
 */
static int
users_check_one(const struct users_rules *r, const char *name,
    const char *value, enum users_mode mode, json_t *writable,
    struct users_err *e, enum core_err_kind *ekind, char **emsg)
{
	struct users_attr	 a;
	char			*problem;

	if (strcmp(name, "sub") == 0) {
		users_err_attr(e, mode, name, "Attribute cannot be updated.");
		return 0;
	}
	if (users_attr_find(r, name, &a) != 0) {
		users_err_attr(e, mode, name,
		    "Attribute does not exist in the schema.");
		return 0;
	}
	if (users_mode_self(mode) && !users_client_may_write(&a, writable))
		return users_fail(ekind, emsg, CORE_ERR_NOT_AUTHORIZED,
		    "A client attempted to write unauthorized attribute");
	if (users_mode_update(mode) && !a.mut) {
		users_err_attr(e, mode, name, "Attribute cannot be updated.");
		return 0;
	}
	if ((problem = users_value_problem(&a, value)) != NULL) {
		users_err_attr(e, mode, name, problem);
		free(problem);
		return 0;
	}
	if (strcmp(name, "email") == 0 && !users_is_email(value))
		return users_fail(ekind, emsg, CORE_ERR_INVALID,
		    "Invalid email address format.");
	if (strcmp(name, "phone_number") == 0 && !users_is_phone(value))
		return users_fail(ekind, emsg, CORE_ERR_INVALID,
		    "Invalid phone number format.");
	return 1;
}

/*
 * A contact attribute the request changed loses its verification unless
 * the request sets it too. A new user's missing flag stays missing.
 */
static void
users_reset_verified(json_t *old, json_t *work, json_t *list,
    enum users_mode mode, const char *attr, const char *flag)
{
	const char	*was = json_string_value(json_object_get(old, attr));
	const char	*now = json_string_value(json_object_get(work, attr));
	json_t		*item;
	size_t		 i;
	int		 set_attr = 0, set_flag = 0;

	json_array_foreach(list, i, item) {
		const char *n = json_string_value(json_object_get(item,
		    "Name"));

		if (n == NULL)
			continue;
		if (strcmp(n, attr) == 0)
			set_attr = 1;
		else if (strcmp(n, flag) == 0)
			set_flag = 1;
	}
	if (!set_attr || set_flag || now == NULL ||
	    (was != NULL && strcmp(was, now) == 0))
		return;
	if (was != NULL || users_mode_update(mode))
		json_object_set_new(work, flag, json_string("false"));
}

int
users_apply_attributes(const struct users_rules *r, json_t *attrs,
    json_t *list, enum users_mode mode, json_t *writable,
    enum core_err_kind *ekind, char **emsg)
{
	struct users_err	 e = { NULL, 0 };
	json_t			*work = json_deep_copy(attrs), *item;
	const char		*name, *value;
	size_t			 i;
	int			 rc;

	if (work == NULL)
		work = json_object();
	json_array_foreach(list, i, item) {
		name = json_string_value(json_object_get(item, "Name"));
		value = json_string_value(json_object_get(item, "Value"));
		if (name == NULL)
			continue;
		if (value == NULL)
			value = "";
		rc = users_check_one(r, name, value, mode, writable, &e,
		    ekind, emsg);
		if (rc < 0) {
			free(e.text);
			json_decref(work);
			return -1;
		}
		if (rc > 0)
			json_object_set_new(work, name, json_string(value));
	}
	if (users_err_finish(&e, users_mode_update(mode) ? "" :
	    USERS_PREFIX_CREATE, ekind, emsg) != 0) {
		json_decref(work);
		return -1;
	}
	users_reset_verified(attrs, work, list, mode, "email",
	    "email_verified");
	users_reset_verified(attrs, work, list, mode, "phone_number",
	    "phone_number_verified");
	json_object_clear(attrs);
	json_object_update(attrs, work);
	json_decref(work);
	return 0;
}

int
users_delete_attributes(const struct users_rules *r, json_t *attrs,
    json_t *names, enum users_mode mode, json_t *writable,
    enum core_err_kind *ekind, char **emsg)
{
	struct users_err	 e = { NULL, 0 };
	struct users_attr	 a;
	json_t			*v;
	const char		*name;
	size_t			 i;

	json_array_foreach(names, i, v) {
		if ((name = json_string_value(v)) == NULL)
			continue;
		if (strcmp(name, "sub") == 0)
			users_err_add(&e, "%s%s: Attribute cannot be deleted.",
			    e.len > 0 ? "\n" : "", name);
		else if (users_attr_find(r, name, &a) != 0)
			users_err_add(&e, "%s%s: Attribute does not exist in "
			    "the schema.", e.len > 0 ? "\n" : "", name);
		else if (users_mode_self(mode) &&
		    !users_client_may_write(&a, writable)) {
			free(e.text);
			return users_fail(ekind, emsg, CORE_ERR_NOT_AUTHORIZED,
			    "A client attempted to write unauthorized "
			    "attribute");
		} else if (a.required)
			users_err_add(&e, "%s%s: Required attribute cannot be "
			    "deleted.", e.len > 0 ? "\n" : "", name);
		else if (!a.mut)
			users_err_add(&e, "%s%s: Attribute cannot be updated.",
			    e.len > 0 ? "\n" : "", name);
	}
	if (users_err_finish(&e, USERS_PREFIX_DELETE, ekind, emsg) != 0)
		return -1;
	json_array_foreach(names, i, v) {
		if ((name = json_string_value(v)) == NULL)
			continue;
		json_object_del(attrs, name);
		if (strcmp(name, "email") == 0)
			json_object_del(attrs, "email_verified");
		else if (strcmp(name, "phone_number") == 0)
			json_object_del(attrs, "phone_number_verified");
	}
	return 0;
}

int
users_attr_mutable(const struct users_rules *r, const char *name)
{
	struct users_attr	a;

	return users_attr_find(r, name, &a) == 0 && a.mut;
}

int
users_check_required(const struct users_rules *r, json_t *attrs,
    enum core_err_kind *ekind, char **emsg)
{
	struct users_err	 e = { NULL, 0 };
	struct users_attr	 a;
	json_t			*schema, *j;
	const char		*v;
	size_t			 i;

	schema = json_object_get(r->config, "SchemaAttributes");
	json_array_foreach(schema, i, j) {
		users_attr_from_json(&a, j);
		if (a.name == NULL || !a.required || strcmp(a.name, "sub") == 0)
			continue;
		v = json_string_value(json_object_get(attrs, a.name));
		if (v == NULL || *v == '\0')
			users_err_add(&e, "%s: The attribute is required\n",
			    a.name);
	}
	return users_err_finish(&e, USERS_PREFIX_CREATE, ekind, emsg);
}

/* --- Aliases --- */

static int
users_is_true(json_t *attrs, const char *name)
{
	const char	*v = json_string_value(json_object_get(attrs, name));

	return v != NULL && strcmp(v, "true") == 0;
}

static char *
users_lower_dup(const char *s)
{
	char	*k = xstrdup(s);

	users_lower(k);
	return k;
}

void
users_alias_columns(const struct users_rules *r, json_t *attrs,
    struct users_aliases *al)
{
	const char	*em = json_string_value(json_object_get(attrs,
			    "email"));
	const char	*ph = json_string_value(json_object_get(attrs,
			    "phone_number"));
	const char	*pr = json_string_value(json_object_get(attrs,
			    "preferred_username"));

	memset(al, 0, sizeof *al);
	if (em != NULL && *em != '\0' && (r->username_email ||
	    (r->alias_email && users_is_true(attrs, "email_verified"))))
		al->email = users_lower_dup(em);
	if (ph != NULL && *ph != '\0' && (r->username_phone ||
	    (r->alias_phone && users_is_true(attrs,
	    "phone_number_verified"))))
		al->phone = users_lower_dup(ph);
	if (pr != NULL && *pr != '\0' && r->alias_preferred)
		al->preferred = users_key(r, pr);
}

void
users_aliases_clear(struct users_aliases *al)
{
	free(al->email);
	free(al->phone);
	free(al->preferred);
	memset(al, 0, sizeof *al);
}

/* The unique indexes on the alias columns (sql/002_users.sql). */
static const struct {
	const char	*constraint;
	const char	*attr;
} users_unique[] = {
	{ "users_alias_email", "email" },
	{ "users_alias_phone", "phone_number" },
	{ "users_alias_preferred", "preferred_username" },
};

const char *
users_unique_attribute(const char *constraint)
{
	size_t	i;

	for (i = 0; constraint != NULL && i < nitems(users_unique); i++)
		if (strcmp(users_unique[i].constraint, constraint) == 0)
			return users_unique[i].attr;
	return NULL;
}

/* --- Verification and recovery --- */

int
users_verified(json_t *attrs, const char *name)
{
	char	flag[64];

	snprintf(flag, sizeof flag, "%s_verified", name);
	return json_string_value(json_object_get(attrs, name)) != NULL &&
	    users_is_true(attrs, flag);
}

int
users_verify_due(const struct users_rules *r, json_t *was, json_t *now,
    const char *attr)
{
	const char	*old = json_string_value(json_object_get(was, attr));
	const char	*new = json_string_value(json_object_get(now, attr));
	int		 auto_verify = strcmp(attr, "email") == 0 ?
			    r->auto_verify_email : r->auto_verify_phone;

	return auto_verify && new != NULL && (old == NULL ||
	    strcmp(old, new) != 0) && !users_verified(now, attr);
}

/* The Priority of a recovery mechanism, def when it has none. */
static long long
users_priority(json_t *m, long long def)
{
	json_t	*v = json_object_get(m, "Priority");

	return json_is_integer(v) ? json_integer_value(v) : def;
}

const char *
users_recovery_attr(json_t *config, json_t *attrs, int *admin_only)
{
	json_t		*list, *m, *best[2] = { NULL, NULL };
	const char	*name;
	size_t		 i;

	*admin_only = 0;
	list = json_object_get(json_object_get(config,
	    "AccountRecoverySetting"), "RecoveryMechanisms");
	if (json_array_size(list) == 0)
		return users_verified(attrs, "phone_number") ? "phone_number" :
		    users_verified(attrs, "email") ? "email" : NULL;
	json_array_foreach(list, i, m) {
		if (i >= 2)
			break;
		best[i] = m;
	}
	if (best[1] != NULL && users_priority(best[1], 2) <
	    users_priority(best[0], 1)) {
		m = best[0];
		best[0] = best[1];
		best[1] = m;
	}
	for (i = 0; i < 2 && best[i] != NULL; i++) {
		name = json_string_value(json_object_get(best[i], "Name"));
		if (name == NULL)
			continue;
		if (strcmp(name, "admin_only") == 0)
			*admin_only = 1;
		else if (strcmp(name, "verified_email") == 0 &&
		    users_verified(attrs, "email"))
			return "email";
		else if (strcmp(name, "verified_phone_number") == 0 &&
		    users_verified(attrs, "phone_number"))
			return "phone_number";
	}
	return NULL;
}

/* --- Users and answers --- */

void
users_copy(struct user *to, const struct user *from)
{
	*to = *from;
	to->sub = xstrdup_null(from->sub);
	to->username = xstrdup_null(from->username);
	to->username_key = xstrdup_null(from->username_key);
	to->status = xstrdup_null(from->status);
	to->attributes = from->attributes != NULL ?
	    json_deep_copy(from->attributes) : json_object();
	to->password_hash = xstrdup_null(from->password_hash);
	to->srp_salt = xstrdup_null(from->srp_salt);
	to->srp_verifier = xstrdup_null(from->srp_verifier);
	to->mfa = from->mfa != NULL ? json_deep_copy(from->mfa) :
	    json_object();
}

void
users_clear(struct user *u)
{
	free(u->sub);
	free(u->username);
	free(u->username_key);
	free(u->status);
	json_decref(u->attributes);
	if (u->password_hash != NULL)
		wipe_free(u->password_hash);
	free(u->srp_salt);
	if (u->srp_verifier != NULL)
		wipe_free(u->srp_verifier);
	json_decref(u->mfa);
	memset(u, 0, sizeof *u);
}

json_t *
users_attribute_list(const struct user *u, json_t *readable)
{
	json_t		*out = json_array(), *v;
	const char	*name;

	if (u->sub != NULL)
		json_array_append_new(out, json_pack("{s:s, s:s}", "Name",
		    "sub", "Value", u->sub));
	json_object_foreach(u->attributes, name, v) {
		if (!json_is_string(v) || strcmp(name, "sub") == 0)
			continue;
		if (readable != NULL && !strarray_has(readable, name))
			continue;
		json_array_append_new(out, json_pack("{s:s, s:O}", "Name",
		    name, "Value", v));
	}
	return out;
}

/* Epoch seconds as Cognito sends them: a number, milliseconds kept. */
static json_t *
users_time(double t)
{
	return json_real((double)(long long)(t * 1000) / 1000.0);
}

json_t *
users_describe(const struct user *u, json_t *readable, int get)
{
	json_t	*out;

	out = json_pack("{s:s, s:o, s:o, s:o, s:b, s:s}",
	    "Username", u->username != NULL ? u->username : "",
	    get ? "UserAttributes" : "Attributes",
	    users_attribute_list(u, readable),
	    "UserCreateDate", users_time(u->created_at),
	    "UserLastModifiedDate", users_time(u->modified_at),
	    "Enabled", u->enabled,
	    "UserStatus", u->status != NULL ? u->status : "UNKNOWN");
	/* AdminGetUser shows the MFA settings; ListUsers only MFAOptions. */
	if (get)
		json_object_update_new(out, mfa_user_settings(NULL, u->mfa,
		    u->attributes));
	return out;
}
