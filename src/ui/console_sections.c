/*
 * console_sections.c: the pool page's settings sections of the admin
 * console, /console/pools/<id>/<section>: Attributes, Policies, MFA and
 * verifications, Message customizations, Tags, Devices and Triggers.
 *
 * Every section is a form over DescribeUserPool (and, for MFA,
 * GetUserPoolMfaConfig), saved by the JSON API's own operations through
 * console_op, so the validation and the messages are the API's. Most
 * sections are rows of a field table: a field names its form control,
 * its kind and the dotted path of the pool member it shows and edits,
 * so one reader fills the form from the pool and one writer puts the
 * form into the operation's input. UpdateUserPool has replacement
 * semantics: a save copies every updatable member from the pool just
 * described, lets the form change its own, and sends the whole.
 *
 * MFA and verifications changes two things the API keeps apart: the
 * factors (SetUserPoolMfaConfig) and the pool (UpdateUserPool, which
 * re-derives SMS MFA from the pool's SmsConfiguration). So it sets the
 * factors first (their refusal changes nothing), then updates the pool,
 * then sets the factors again to exactly what was chosen; should the
 * update be refused, the factors as they were are set back. Tags are
 * changed by TagResource (new and changed tags first, whose refusal
 * changes nothing) and then UntagResource; custom attributes are only
 * ever added (AddCustomAttributes), as Cognito allows after creation.
 *
 * A refused save shows the exception's message next to the field it
 * names (found by the member's name in the message, as the API's
 * validation words it) with everything as typed, answered 400; a save
 * that passes redirects to the section with a saved notice.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <jansson.h>

#include "ui/console.h"
#include "ui/console_sections.h"
#include "util.h"

#define CS_TAG_ROWS_NEW	3	/* empty tag rows below the pool's tags */
#define CS_TAG_ROWS_MAX	50	/* the pool's limit; more rows are refused */
#define CS_PATH_MAX	128	/* bytes of a field's member path */

enum cs_kind {
	CS_TEXT,	/* a string member; empty removes it */
	CS_INT,		/* an integer member; empty removes it */
	CS_CHECK,	/* a boolean (or a present object) */
	CS_CHOICE,	/* radios or a select: one of a table of values */
};

/* A choice: its form value and the JSON it stores (NULL: absent). */
struct cs_choice {
	const char	*value;
	const char	*json;
};

struct cs_field {
	const char		*name;	/* the form control and its ctx key */
	enum cs_kind		 kind;
	const char		*path;	/* the member, dotted */
	const struct cs_choice	*choices;
	int			 own;	/* the section's ops write it */
};

struct cs_state;

struct cs_section {
	const char		*slug;		/* /pools/<id>/<slug> */
	const char		*tmpl;		/* templates/console/<tmpl> */
	const char		*title;		/* console.md's name */
	const struct cs_field	*fields;
	const char		*err_field;	/* for an unplaced message */
	const char		*defaults;	/* form source (no pool) */
	int			 mfa;		/* also GetUserPoolMfaConfig */
	void			(*fix)(json_t *);
	console_fn		 save;
	void			(*view)(struct cs_state *, json_t *);
};

/* One request's state, across its operations. */
struct cs_state {
	const struct cs_section	*sec;
	int			 post;
	json_t			*pool;	/* DescribeUserPool's UserPool */
	json_t			*mfa;	/* GetUserPoolMfaConfig's answer */
	json_t			*form;	/* field name: its text */
	json_t			*update; /* UpdateUserPool's input, to send */
	json_t			*set;	/* SetUserPoolMfaConfig's input */
	json_t			*tags;	/* the tag rows as typed */
	json_t			*untag;	/* tag keys to remove */
	char			*msg;	/* a refusal, while undoing */
};

/* The UserPoolType members UpdateUserPool takes (api/pool_ops.c). */
static const char *const cs_updatable[] = {
	"Policies", "DeletionProtection", "LambdaConfig",
	"AutoVerifiedAttributes", "SmsVerificationMessage",
	"EmailVerificationMessage", "EmailVerificationSubject",
	"VerificationMessageTemplate", "SmsAuthenticationMessage",
	"MfaConfiguration", "UserAttributeUpdateSettings",
	"DeviceConfiguration", "EmailConfiguration", "SmsConfiguration",
	"AdminCreateUserConfig", "UserPoolAddOns", "AccountRecoverySetting",
	"UserPoolTier",
};

/* ---------------------------------------------------------------- */
/* Members by dotted path.                                           */

static json_t *
cs_path_get(json_t *root, const char *path)
{
	char		 buf[CS_PATH_MAX], *key, *dot;
	json_t		*v = root;

	if (strlcpy(buf, path, sizeof buf) >= sizeof buf)
		fatalx("cs_path_get: path too long: %s", path);
	for (key = buf; v != NULL; key = dot + 1) {
		if ((dot = strchr(key, '.')) != NULL)
			*dot = '\0';
		v = json_object_get(v, key);
		if (dot == NULL)
			break;
	}
	return v;
}

/* The object holding the path's last member (made if make); its key. */
static json_t *
cs_path_parent(json_t *root, const char *path, char *buf, size_t size,
    const char **last, int make)
{
	char		*key, *dot;
	json_t		*o = root, *sub;

	if (strlcpy(buf, path, size) >= size)
		fatalx("cs_path_parent: path too long: %s", path);
	for (key = buf; (dot = strchr(key, '.')) != NULL; key = dot + 1) {
		*dot = '\0';
		if ((sub = json_object_get(o, key)) == NULL ||
		    !json_is_object(sub)) {
			if (!make)
				return NULL;
			sub = json_object();
			json_object_set_new(o, key, sub);
		}
		o = sub;
	}
	*last = key;
	return o;
}

/* Set the member at path to v (stolen), making its parents. */
static void
cs_path_set(json_t *root, const char *path, json_t *v)
{
	char		 buf[CS_PATH_MAX];
	const char	*last;
	json_t		*o;

	o = cs_path_parent(root, path, buf, sizeof buf, &last, 1);
	json_object_set_new(o, last, v);
}

static void
cs_path_del(json_t *root, const char *path)
{
	char		 buf[CS_PATH_MAX];
	const char	*last;
	json_t		*o;

	if ((o = cs_path_parent(root, path, buf, sizeof buf, &last, 0)) !=
	    NULL)
		json_object_del(o, last);
}

/* ---------------------------------------------------------------- */
/* Fields: from the pool to the form, from the form to the input.    */

static json_t *
cs_choice_json(const struct cs_choice *c)
{
	json_t	*v;

	if (c->json == NULL)
		return NULL;
	if ((v = json_loads(c->json, JSON_DECODE_ANY, NULL)) == NULL)
		fatalx("cs_choice_json: bad choice %s", c->value);
	return v;
}

/*
 * Whether a stored value is the one a choice stands for: an object's
 * members as in the choice (a false member may be absent, Cognito's
 * default), a list's items in any order, anything else equal.
 */
static int
cs_like(json_t *want, json_t *have)
{
	const char	*key;
	json_t		*w, *h;
	size_t		 i, j;

	if (json_is_false(want))
		return have == NULL || json_is_false(have);
	if (json_is_object(want)) {
		if (!json_is_object(have))
			return 0;
		json_object_foreach(want, key, w)
			if (!cs_like(w, json_object_get(have, key)))
				return 0;
		return 1;
	}
	if (json_is_array(want)) {
		if (!json_is_array(have) ||
		    json_array_size(have) != json_array_size(want))
			return 0;
		json_array_foreach(want, i, w) {
			json_array_foreach(have, j, h)
				if (json_equal(w, h))
					break;
			if (j == json_array_size(have))
				return 0;
		}
		return 1;
	}
	return have != NULL && json_equal(want, have);
}

/* The choice a stored value stands for; the first when none does. */
static const struct cs_choice *
cs_choice_of(const struct cs_field *f, json_t *have)
{
	const struct cs_choice	*c;
	json_t			*want;
	int			 like;

	for (c = f->choices; c->value != NULL; c++) {
		if ((want = cs_choice_json(c)) == NULL)
			like = have == NULL;
		else
			like = cs_like(want, have);
		json_decref(want);
		if (like)
			return c;
	}
	return f->choices;
}

static const struct cs_choice *
cs_choice_find(const struct cs_field *f, const char *value)
{
	const struct cs_choice	*c;

	for (c = f->choices; c->value != NULL; c++)
		if (strcmp(c->value, value) == 0)
			return c;
	return NULL;
}

static json_t *
cs_int_text(json_int_t n)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%lld", (long long)n);
	return json_string(buf);
}

/* A field's text from a stored value. */
static json_t *
cs_field_text(const struct cs_field *f, json_t *v)
{
	switch (f->kind) {
	case CS_TEXT:
	case CS_INT:
		if (json_is_string(v))
			return json_string(json_string_value(v));
		if (json_is_integer(v))
			return cs_int_text(json_integer_value(v));
		return json_string("");
	case CS_CHECK:
		return json_string(json_is_true(v) || json_is_object(v) ?
		    "on" : "");
	case CS_CHOICE:
		return json_string(cs_choice_of(f, v)->value);
	}
	return json_string("");
}

/* The form as the pool (or another source object) has it. */
static json_t *
cs_form_read(const struct cs_field *fields, json_t *src)
{
	const struct cs_field	*f;
	json_t			*form = json_object();

	for (f = fields; f->name != NULL; f++)
		json_object_set_new(form, f->name,
		    cs_field_text(f, cs_path_get(src, f->path)));
	return form;
}

/* The form as posted. */
static json_t *
cs_form_posted(struct console_req *cr, const struct cs_field *fields)
{
	const struct cs_field	*f;
	const char		*v;
	json_t			*form = json_object();

	for (f = fields; f->name != NULL; f++) {
		v = console_param(cr, f->name);
		json_object_set_new(form, f->name, json_string(v != NULL ?
		    v : ""));
	}
	return form;
}

static const char *
cs_form_text(json_t *form, const char *name)
{
	const char	*v = json_string_value(json_object_get(form, name));

	return v != NULL ? v : "";
}

/*
 * An integer field's value: the number typed, or the text itself, for
 * the API to refuse with its own words.
 */
static json_t *
cs_int_value(const char *s)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 ||
	    isspace((unsigned char)*s))
		return json_string(s);
	return json_integer(n);
}

/* Put one field into the input; -1 for a value no choice has. */
static int
cs_field_apply(const struct cs_field *f, const char *s, json_t *in)
{
	const struct cs_choice	*c;
	json_t			*v, *old;

	switch (f->kind) {
	case CS_TEXT:
	case CS_INT:
		if (*s == '\0')
			cs_path_del(in, f->path);
		else
			cs_path_set(in, f->path, f->kind == CS_TEXT ?
			    json_string(s) : cs_int_value(s));
		return 0;
	case CS_CHECK:
		cs_path_set(in, f->path, json_boolean(*s != '\0'));
		return 0;
	case CS_CHOICE:
		if ((c = cs_choice_find(f, s)) == NULL)
			return -1;
		if ((v = cs_choice_json(c)) == NULL)
			cs_path_del(in, f->path);
		else if (json_is_object(v) && json_is_object(old =
		    cs_path_get(in, f->path))) {
			json_object_update(old, v);
			json_decref(v);
		} else
			cs_path_set(in, f->path, v);
		return 0;
	}
	return 0;
}

/* Put the form's fields (not the section's own) into the input. */
static int
cs_form_apply(const struct cs_field *fields, json_t *form, json_t *in)
{
	const struct cs_field	*f;

	for (f = fields; f->name != NULL; f++)
		if (!f->own && cs_field_apply(f, cs_form_text(form, f->name),
		    in) != 0)
			return -1;
	return 0;
}

/* The form for a template: texts, checks as booleans, choices as flags. */
static json_t *
cs_form_view(const struct cs_field *fields, json_t *form)
{
	const struct cs_field	*f;
	const char		*s;
	json_t			*view = json_object();
	char			*key;

	for (f = fields; f->name != NULL; f++) {
		s = cs_form_text(form, f->name);
		if (f->kind == CS_CHECK) {
			json_object_set_new(view, f->name,
			    json_boolean(*s != '\0'));
			continue;
		}
		json_object_set_new(view, f->name, json_string(s));
		if (f->kind == CS_CHOICE) {
			key = xasprintf("%s_%s", f->name, s);
			json_object_set_new(view, key, json_true());
			free(key);
		}
	}
	return view;
}

/*
 * Whether a message names a member: the last two parts of its path
 * ("PasswordPolicy.MinimumLength"), in any case, as a whole word, the
 * dot also matching a space ("StringAttributeConstraints MaxLength").
 */
static int
cs_names(const char *msg, const char *path)
{
	const char	*key = path, *p, *m, *k, *dot;
	size_t		 n = 0;

	for (p = path; (dot = strchr(p, '.')) != NULL; p = dot + 1)
		n++;
	for (p = path; n > 1; n--)
		p = strchr(p, '.') + 1;
	key = p;
	for (m = msg; *m != '\0'; m++) {
		if (m != msg && isalnum((unsigned char)m[-1]))
			continue;
		for (p = m, k = key; *k != '\0' && *p != '\0'; p++, k++)
			if (*k == '.' ? (*p != '.' && *p != ' ') :
			    tolower((unsigned char)*p) !=
			    tolower((unsigned char)*k))
				break;
		if (*k == '\0' && !isalnum((unsigned char)*p))
			return 1;
	}
	return 0;
}

/* The field a refusal is about: the first one its message names. */
static const char *
cs_error_field(const struct cs_section *sec, const char *msg)
{
	const struct cs_field	*f;

	for (f = sec->fields; f->name != NULL; f++)
		if (cs_names(msg, f->path))
			return f->name;
	return sec->err_field;
}

/* ---------------------------------------------------------------- */
/* The request: load, render, save.                                  */

static void
cs_state_free(void *p)
{
	struct cs_state	*st = p;

	json_decref(st->pool);
	json_decref(st->mfa);
	json_decref(st->form);
	json_decref(st->update);
	json_decref(st->set);
	json_decref(st->tags);
	json_decref(st->untag);
	free(st->msg);
	free(st);
}

static const char *
cs_pool_id(struct cs_state *st)
{
	return json_string_value(json_object_get(st->pool, "Id"));
}

static void
cs_render(struct console_req *cr, int status, json_t *errors, int saved)
{
	struct cs_state	*st = console_data(cr);
	json_t		*ctx;

	ctx = json_pack("{s:s, s:{s:b}, s:{s:O?, s:O?, s:O?}, s:o, s:o, s:b}",
	    "title", st->sec->title, "nav", st->sec->slug, 1,
	    "pool", "id", json_object_get(st->pool, "Id"),
	    "name", json_object_get(st->pool, "Name"),
	    "arn", json_object_get(st->pool, "Arn"),
	    "f", cs_form_view(st->sec->fields, st->form),
	    "errors", errors != NULL ? errors : json_object(),
	    "saved", saved);
	if (st->sec->view != NULL)
		st->sec->view(st, ctx);
	console_render(cr, status, st->sec->tmpl, ctx);
}

/* A refused save: the form again, as typed, the message at its field. */
static void
cs_refused(struct console_req *cr, const char *msg)
{
	struct cs_state	*st = console_data(cr);

	cs_render(cr, 400, json_pack("{s:s}", cs_error_field(st->sec, msg),
	    msg), 0);
}

static void
cs_saved(struct console_req *cr, json_t *out)
{
	struct cs_state	*st = console_data(cr);

	(void)out;
	console_redirect(cr, "/pools/%s/%s?saved=1", cs_pool_id(st),
	    st->sec->slug);
}

static void
cs_loaded(struct console_req *cr)
{
	struct cs_state		*st = console_data(cr);
	const struct cs_section	*sec = st->sec;
	json_t			*src;
	const char		*saved;

	if (st->post) {
		st->form = cs_form_posted(cr, sec->fields);
		sec->save(cr);
		return;
	}
	if (sec->defaults != NULL)
		src = json_loads(sec->defaults, 0, NULL);
	else
		src = json_deep_copy(st->pool);
	if (src == NULL)
		fatalx("cs_loaded: bad defaults of %s", sec->slug);
	if (st->mfa != NULL)
		json_object_set(src, "_Mfa", st->mfa);
	st->form = cs_form_read(sec->fields, src);
	json_decref(src);
	saved = console_param(cr, "saved");
	cs_render(cr, 200, NULL, saved != NULL && strcmp(saved, "1") == 0);
}

static void
cs_load_failed(struct console_req *cr, const char *msg)
{
	console_fail_page(cr, 404, msg);
}

static void
cs_mfa_loaded(struct console_req *cr, json_t *out)
{
	struct cs_state	*st = console_data(cr);

	st->mfa = json_deep_copy(out);
	cs_loaded(cr);
}

static void
cs_described(struct console_req *cr, json_t *out)
{
	struct cs_state	*st = console_data(cr);

	st->pool = json_deep_copy(json_object_get(out, "UserPool"));
	if (st->sec->mfa) {
		console_op(cr, "GetUserPoolMfaConfig", json_pack("{s:s}",
		    "UserPoolId", cs_pool_id(st)), cs_mfa_loaded,
		    cs_load_failed);
		return;
	}
	cs_loaded(cr);
}

static void
cs_start(struct console_req *cr, const struct cs_section *sec, int post)
{
	struct cs_state	*st = xcalloc(1, sizeof *st);

	st->sec = sec;
	st->post = post;
	console_set_data(cr, st, cs_state_free);
	console_op(cr, "DescribeUserPool", json_pack("{s:s}", "UserPoolId",
	    console_arg(cr, 0)), cs_described, cs_load_failed);
}

/* UpdateUserPool's input: every updatable member as the pool has it. */
static json_t *
cs_update_input(struct cs_state *st)
{
	json_t	*in, *v;
	size_t	 i;

	in = json_pack("{s:s}", "UserPoolId", cs_pool_id(st));
	for (i = 0; i < nitems(cs_updatable); i++)
		if ((v = json_object_get(st->pool, cs_updatable[i])) != NULL)
			json_object_set_new(in, cs_updatable[i],
			    json_deep_copy(v));
	return in;
}

/* The update input with the form in it; NULL (answered) if unusable. */
static json_t *
cs_update_made(struct console_req *cr)
{
	struct cs_state	*st = console_data(cr);
	json_t		*in = cs_update_input(st);

	if (cs_form_apply(st->sec->fields, st->form, in) != 0) {
		json_decref(in);
		console_fail_page(cr, 400, "The form has a value none of "
		    "its choices has.");
		return NULL;
	}
	if (st->sec->fix != NULL)
		st->sec->fix(in);
	return in;
}

/* Policies, Message customizations, Devices, Triggers. */
static void
cs_update_save(struct console_req *cr)
{
	json_t	*in;

	if ((in = cs_update_made(cr)) != NULL)
		console_op(cr, "UpdateUserPool", in, cs_saved, cs_refused);
}

/* ---------------------------------------------------------------- */
/* MFA and verifications.                                            */

static void
cs_mfa_undone(struct console_req *cr, json_t *out)
{
	struct cs_state	*st = console_data(cr);

	(void)out;
	cs_refused(cr, st->msg);
}

static void
cs_mfa_undo_failed(struct console_req *cr, const char *msg)
{
	(void)msg;
	cs_mfa_undone(cr, NULL);
}

/* The pool refused: set the factors back as they were. */
static void
cs_mfa_update_refused(struct console_req *cr, const char *msg)
{
	struct cs_state	*st = console_data(cr);
	json_t		*old = json_deep_copy(st->mfa);

	st->msg = xstrdup(msg);
	json_object_set_new(old, "UserPoolId", json_string(cs_pool_id(st)));
	console_op(cr, "SetUserPoolMfaConfig", old, cs_mfa_undone,
	    cs_mfa_undo_failed);
}

static void
cs_mfa_updated(struct console_req *cr, json_t *out)
{
	struct cs_state	*st = console_data(cr);
	json_t		*set = st->set;

	(void)out;
	st->set = NULL;
	console_op(cr, "SetUserPoolMfaConfig", set, cs_saved, cs_refused);
}

static void
cs_mfa_set(struct console_req *cr, json_t *out)
{
	struct cs_state	*st = console_data(cr);
	json_t		*in = st->update;

	(void)out;
	st->update = NULL;
	console_op(cr, "UpdateUserPool", in, cs_mfa_updated,
	    cs_mfa_update_refused);
}

/* SetUserPoolMfaConfig's input: the mode and the factors chosen. */
static json_t *
cs_mfa_input(struct cs_state *st, json_t *in)
{
	const char	*mode = json_string_value(json_object_get(in,
			    "MfaConfiguration"));
	json_t		*set, *sms, *v;

	set = json_pack("{s:s, s:s}", "UserPoolId", cs_pool_id(st),
	    "MfaConfiguration", mode != NULL ? mode : "OFF");
	if (mode == NULL || strcmp(mode, "OFF") == 0)
		return set;
	if (*cs_form_text(st->form, "totp") != '\0')
		json_object_set_new(set, "SoftwareTokenMfaConfiguration",
		    json_pack("{s:b}", "Enabled", 1));
	if (*cs_form_text(st->form, "sms") != '\0') {
		sms = json_object();
		if ((v = json_object_get(in, "SmsConfiguration")) != NULL)
			json_object_set_new(sms, "SmsConfiguration",
			    json_deep_copy(v));
		if ((v = json_object_get(in, "SmsAuthenticationMessage")) !=
		    NULL)
			json_object_set_new(sms, "SmsAuthenticationMessage",
			    json_deep_copy(v));
		json_object_set_new(set, "SmsMfaConfiguration", sms);
	}
	return set;
}

static void
cs_mfa_save(struct console_req *cr)
{
	struct cs_state	*st = console_data(cr);
	json_t		*in;

	if ((in = cs_update_made(cr)) == NULL)
		return;
	st->update = in;
	st->set = cs_mfa_input(st, in);
	console_op(cr, "SetUserPoolMfaConfig", json_deep_copy(st->set),
	    cs_mfa_set, cs_refused);
}

/* An SMS configuration without its role is none. */
static void
cs_mfa_fix(json_t *in)
{
	json_t	*sms = json_object_get(in, "SmsConfiguration");

	if (sms != NULL && json_object_get(sms, "SnsCallerArn") == NULL)
		json_object_del(in, "SmsConfiguration");
}

/* ---------------------------------------------------------------- */
/* Message customizations, Triggers.                                 */

/* The template is the truth; the legacy members follow it. */
static void
cs_messages_fix(json_t *in)
{
	static const char *const	 legacy[] = {
		"EmailVerificationMessage", "EmailVerificationSubject",
		"SmsVerificationMessage" };
	size_t				 i;

	for (i = 0; i < nitems(legacy); i++)
		json_object_del(in, legacy[i]);
}

/*
 * The pre token generation trigger's version goes with its URL; the
 * sender and inbound federation triggers are V1_0 objects, present only
 * with a URL.
 */
static void
cs_triggers_fix(json_t *in)
{
	static const char *const	 senders[] = {
		"CustomSMSSender", "CustomEmailSender", "InboundFederation" };
	json_t				*lc, *pre, *o;
	size_t				 i;

	if ((lc = json_object_get(in, "LambdaConfig")) == NULL)
		return;
	pre = json_object_get(lc, "PreTokenGeneration");
	o = json_object_get(lc, "PreTokenGenerationConfig");
	if (pre == NULL)
		json_object_del(lc, "PreTokenGenerationConfig");
	else if (o != NULL)
		json_object_set(o, "LambdaArn", pre);
	for (i = 0; i < nitems(senders); i++) {
		o = json_object_get(lc, senders[i]);
		if (o == NULL)
			continue;
		if (json_object_get(o, "LambdaArn") == NULL)
			json_object_del(lc, senders[i]);
		else
			json_object_set_new(o, "LambdaVersion",
			    json_string("V1_0"));
	}
}

/* ---------------------------------------------------------------- */
/* Attributes.                                                       */

static json_t *
cs_attr_row(json_t *a)
{
	const char	*name = json_string_value(json_object_get(a, "Name"));

	return json_pack("{s:s, s:O?, s:b, s:b}", "name", name != NULL ?
	    name : "", "type", json_object_get(a, "AttributeDataType"),
	    "required", json_is_true(json_object_get(a, "Required")),
	    "mutable", json_is_true(json_object_get(a, "Mutable")));
}

/* The schema, standard and custom attributes apart, read-only. */
static void
cs_attrs_view(struct cs_state *st, json_t *ctx)
{
	json_t		*std = json_array(), *custom = json_array(), *a;
	const char	*name;
	size_t		 i;

	json_array_foreach(json_object_get(st->pool, "SchemaAttributes"),
	    i, a) {
		name = json_string_value(json_object_get(a, "Name"));
		json_array_append_new(name != NULL &&
		    (strncmp(name, "custom:", 7) == 0 ||
		    strncmp(name, "dev:", 4) == 0) ? custom : std,
		    cs_attr_row(a));
	}
	json_object_set_new(ctx, "has_custom",
	    json_boolean(json_array_size(custom) > 0));
	json_object_set_new(ctx, "standard", std);
	json_object_set_new(ctx, "custom", custom);
}

static void
cs_attrs_save(struct console_req *cr)
{
	struct cs_state	*st = console_data(cr);
	const char	*type;
	json_t		*attr = json_object();

	if (cs_form_apply(st->sec->fields, st->form, attr) != 0) {
		json_decref(attr);
		console_fail_page(cr, 400, "The form has a value none of "
		    "its choices has.");
		return;
	}
	type = json_string_value(json_object_get(attr, "AttributeDataType"));
	if (type == NULL || strcmp(type, "String") != 0)
		json_object_del(attr, "StringAttributeConstraints");
	if (type == NULL || strcmp(type, "Number") != 0)
		json_object_del(attr, "NumberAttributeConstraints");
	console_op(cr, "AddCustomAttributes", json_pack("{s:s, s:[o]}",
	    "UserPoolId", cs_pool_id(st), "CustomAttributes", attr),
	    cs_saved, cs_refused);
}

/* ---------------------------------------------------------------- */
/* Tags.                                                             */

static json_t *
cs_tag_row(size_t n, const char *key, const char *value, int remove)
{
	return json_pack("{s:I, s:s, s:s, s:b}", "n", (json_int_t)n,
	    "key", key, "value", value, "remove", remove);
}

/* The rows: as typed after a refusal, else the pool's and empty ones. */
static void
cs_tags_view(struct cs_state *st, json_t *ctx)
{
	json_t		*rows, *tags, *v;
	const char	*key;
	size_t		 n = 0, i;

	if (st->tags != NULL) {
		json_object_set(ctx, "tags", st->tags);
		return;
	}
	rows = json_array();
	tags = json_object_get(st->pool, "UserPoolTags");
	json_object_foreach(tags, key, v)
		json_array_append_new(rows, cs_tag_row(++n, key,
		    json_string_value(v) != NULL ? json_string_value(v) : "",
		    0));
	for (i = 0; i < CS_TAG_ROWS_NEW; i++)
		json_array_append_new(rows, cs_tag_row(++n, "", "", 0));
	json_object_set_new(ctx, "tags", rows);
}

static int
cs_tag_removed(json_t *removed, size_t n)
{
	json_t		*v;
	size_t		 i;
	char		 num[32];

	snprintf(num, sizeof num, "%zu", n);
	json_array_foreach(removed, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), num) == 0)
			return 1;
	return 0;
}

/* The rows as typed; the tags they leave (new or changed in *changed). */
static json_t *
cs_tags_posted(struct console_req *cr, struct cs_state *st,
    json_t **changed)
{
	json_t		*keys, *values, *removed, *want = json_object(), *old;
	const char	*k, *v;
	size_t		 i;
	int		 rm;

	keys = console_params(cr, "tag_key");
	values = console_params(cr, "tag_value");
	removed = console_params(cr, "tag_remove");
	old = json_object_get(st->pool, "UserPoolTags");
	st->tags = json_array();
	*changed = json_object();
	for (i = 0; i < json_array_size(keys) && i < CS_TAG_ROWS_MAX; i++) {
		k = json_string_value(json_array_get(keys, i));
		v = json_string_value(json_array_get(values, i));
		k = k != NULL ? k : "";
		v = v != NULL ? v : "";
		rm = cs_tag_removed(removed, i + 1);
		json_array_append_new(st->tags, cs_tag_row(i + 1, k, v, rm));
		if (rm || (*k == '\0' && *v == '\0'))
			continue;
		json_object_set_new(want, k, json_string(v));
		if (!json_equal(json_object_get(old, k), json_object_get(want,
		    k)))
			json_object_set_new(*changed, k, json_string(v));
	}
	return want;
}

static void
cs_tags_untag(struct console_req *cr, json_t *out)
{
	struct cs_state	*st = console_data(cr);
	json_t		*keys = st->untag;

	(void)out;
	if (json_array_size(keys) == 0) {
		cs_saved(cr, NULL);
		return;
	}
	st->untag = NULL;
	console_op(cr, "UntagResource", json_pack("{s:O?, s:o}",
	    "ResourceArn", json_object_get(st->pool, "Arn"), "TagKeys",
	    keys), cs_saved, cs_refused);
}

static void
cs_tags_save(struct console_req *cr)
{
	struct cs_state	*st = console_data(cr);
	json_t		*want, *changed, *v;
	const char	*key;

	want = cs_tags_posted(cr, st, &changed);
	st->untag = json_array();
	json_object_foreach(json_object_get(st->pool, "UserPoolTags"), key,
	    v)
		if (json_object_get(want, key) == NULL)
			json_array_append_new(st->untag, json_string(key));
	json_decref(want);
	if (json_object_size(changed) == 0) {
		json_decref(changed);
		cs_tags_untag(cr, NULL);
		return;
	}
	console_op(cr, "TagResource", json_pack("{s:O?, s:o}", "ResourceArn",
	    json_object_get(st->pool, "Arn"), "Tags", changed),
	    cs_tags_untag, cs_refused);
}

/* ---------------------------------------------------------------- */
/* The sections.                                                     */

static const struct cs_choice cs_c_signup[] = {
	{ "self", "false" },
	{ "admin", "true" },
	{ NULL, NULL }
};

static const struct cs_field cs_f_policies[] = {
	{ "min_length", CS_INT, "Policies.PasswordPolicy.MinimumLength",
	    NULL, 0 },
	{ "require_numbers", CS_CHECK, "Policies.PasswordPolicy."
	    "RequireNumbers", NULL, 0 },
	{ "require_symbols", CS_CHECK, "Policies.PasswordPolicy."
	    "RequireSymbols", NULL, 0 },
	{ "require_uppercase", CS_CHECK, "Policies.PasswordPolicy."
	    "RequireUppercase", NULL, 0 },
	{ "require_lowercase", CS_CHECK, "Policies.PasswordPolicy."
	    "RequireLowercase", NULL, 0 },
	{ "signup", CS_CHOICE, "AdminCreateUserConfig."
	    "AllowAdminCreateUserOnly", cs_c_signup, 0 },
	{ "temp_days", CS_INT, "Policies.PasswordPolicy."
	    "TemporaryPasswordValidityDays", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct cs_choice cs_c_mfa[] = {
	{ "off", "\"OFF\"" },
	{ "optional", "\"OPTIONAL\"" },
	{ "required", "\"ON\"" },
	{ NULL, NULL }
};

static const struct cs_choice cs_c_verify[] = {
	{ "email", "[\"email\"]" },
	{ "phone", "[\"phone_number\"]" },
	{ "both", "[\"email\", \"phone_number\"]" },
	{ "none", NULL },
	{ NULL, NULL }
};

static const struct cs_field cs_f_mfa[] = {
	{ "mfa", CS_CHOICE, "MfaConfiguration", cs_c_mfa, 0 },
	{ "sms", CS_CHECK, "_Mfa.SmsMfaConfiguration", NULL, 1 },
	{ "totp", CS_CHECK, "_Mfa.SoftwareTokenMfaConfiguration.Enabled",
	    NULL, 1 },
	{ "sms_role", CS_TEXT, "SmsConfiguration.SnsCallerArn", NULL, 0 },
	{ "verify", CS_CHOICE, "AutoVerifiedAttributes", cs_c_verify, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct cs_choice cs_c_email_option[] = {
	{ "code", "\"CONFIRM_WITH_CODE\"" },
	{ "link", "\"CONFIRM_WITH_LINK\"" },
	{ NULL, NULL }
};

#define CS_VMT	"VerificationMessageTemplate."
#define CS_IMT	"AdminCreateUserConfig.InviteMessageTemplate."
static const struct cs_field cs_f_messages[] = {
	{ "email_option", CS_CHOICE, CS_VMT "DefaultEmailOption",
	    cs_c_email_option, 0 },
	{ "email_subject", CS_TEXT, CS_VMT "EmailSubject", NULL, 0 },
	{ "email_message", CS_TEXT, CS_VMT "EmailMessage", NULL, 0 },
	{ "link_subject", CS_TEXT, CS_VMT "EmailSubjectByLink", NULL, 0 },
	{ "link_message", CS_TEXT, CS_VMT "EmailMessageByLink", NULL, 0 },
	{ "sms_message", CS_TEXT, CS_VMT "SmsMessage", NULL, 0 },
	{ "invite_subject", CS_TEXT, CS_IMT "EmailSubject", NULL, 0 },
	{ "invite_email", CS_TEXT, CS_IMT "EmailMessage", NULL, 0 },
	{ "invite_sms", CS_TEXT, CS_IMT "SMSMessage", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct cs_choice cs_c_devices[] = {
	{ "always", "{\"DeviceOnlyRememberedOnUserPrompt\": false}" },
	{ "user_opt_in", "{\"DeviceOnlyRememberedOnUserPrompt\": true}" },
	{ "no", NULL },
	{ NULL, NULL }
};

/* The check first: the choice then keeps or removes the object. */
static const struct cs_field cs_f_devices[] = {
	{ "bypass_mfa", CS_CHECK, "DeviceConfiguration."
	    "ChallengeRequiredOnNewDevice", NULL, 0 },
	{ "devices", CS_CHOICE, "DeviceConfiguration", cs_c_devices, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct cs_choice cs_c_pretoken[] = {
	{ "V1_0", "\"V1_0\"" },
	{ "V2_0", "\"V2_0\"" },
	{ "V3_0", "\"V3_0\"" },
	{ NULL, NULL }
};

#define CS_LC	"LambdaConfig."
static const struct cs_field cs_f_triggers[] = {
	{ "PreSignUp", CS_TEXT, CS_LC "PreSignUp", NULL, 0 },
	{ "PreAuthentication", CS_TEXT, CS_LC "PreAuthentication", NULL, 0 },
	{ "CustomMessage", CS_TEXT, CS_LC "CustomMessage", NULL, 0 },
	{ "PostAuthentication", CS_TEXT, CS_LC "PostAuthentication", NULL,
	    0 },
	{ "PostConfirmation", CS_TEXT, CS_LC "PostConfirmation", NULL, 0 },
	{ "DefineAuthChallenge", CS_TEXT, CS_LC "DefineAuthChallenge", NULL,
	    0 },
	{ "CreateAuthChallenge", CS_TEXT, CS_LC "CreateAuthChallenge", NULL,
	    0 },
	{ "VerifyAuthChallengeResponse", CS_TEXT, CS_LC
	    "VerifyAuthChallengeResponse", NULL, 0 },
	{ "PreTokenGeneration", CS_TEXT, CS_LC "PreTokenGeneration", NULL,
	    0 },
	{ "PreTokenGenerationVersion", CS_CHOICE, CS_LC
	    "PreTokenGenerationConfig.LambdaVersion", cs_c_pretoken, 0 },
	{ "UserMigration", CS_TEXT, CS_LC "UserMigration", NULL, 0 },
	{ "CustomSMSSender", CS_TEXT, CS_LC "CustomSMSSender.LambdaArn",
	    NULL, 0 },
	{ "CustomEmailSender", CS_TEXT, CS_LC "CustomEmailSender.LambdaArn",
	    NULL, 0 },
	{ "KMSKeyID", CS_TEXT, CS_LC "KMSKeyID", NULL, 0 },
	{ "InboundFederation", CS_TEXT, CS_LC "InboundFederation.LambdaArn",
	    NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct cs_choice cs_c_datatype[] = {
	{ "String", "\"String\"" },
	{ "Number", "\"Number\"" },
	{ "DateTime", "\"DateTime\"" },
	{ "Boolean", "\"Boolean\"" },
	{ NULL, NULL }
};

/* The name last: any message naming a constraint names it too. */
static const struct cs_field cs_f_attrs[] = {
	{ "attr_type", CS_CHOICE, "AttributeDataType", cs_c_datatype, 0 },
	{ "min_length", CS_TEXT, "StringAttributeConstraints.MinLength",
	    NULL, 0 },
	{ "max_length", CS_TEXT, "StringAttributeConstraints.MaxLength",
	    NULL, 0 },
	{ "min_value", CS_TEXT, "NumberAttributeConstraints.MinValue", NULL,
	    0 },
	{ "max_value", CS_TEXT, "NumberAttributeConstraints.MaxValue", NULL,
	    0 },
	{ "mutable", CS_CHECK, "Mutable", NULL, 0 },
	{ "attr_name", CS_TEXT, "Name", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct cs_field cs_f_none[] = {
	{ NULL, 0, NULL, NULL, 0 }
};

enum {
	CS_ATTRIBUTES, CS_POLICIES, CS_MFA, CS_MESSAGES, CS_TAGS,
	CS_DEVICES, CS_TRIGGERS,
};

static const struct cs_section cs_sections[] = {
	[CS_ATTRIBUTES] = { "attributes", "pool_attributes", "Attributes",
	    cs_f_attrs, "attr_name", "{\"AttributeDataType\": \"String\", "
	    "\"Mutable\": true}", 0, NULL, cs_attrs_save, cs_attrs_view },
	[CS_POLICIES] = { "policies", "pool_policies", "Policies",
	    cs_f_policies, "min_length", NULL, 0, NULL, cs_update_save,
	    NULL },
	[CS_MFA] = { "mfa", "pool_mfa", "MFA and verifications", cs_f_mfa,
	    "mfa", NULL, 1, cs_mfa_fix, cs_mfa_save, NULL },
	[CS_MESSAGES] = { "messages", "pool_messages",
	    "Message customizations", cs_f_messages, "email_message", NULL,
	    0, cs_messages_fix, cs_update_save, NULL },
	[CS_TAGS] = { "tags", "pool_tags", "Tags", cs_f_none, "tags", "{}",
	    0, NULL, cs_tags_save, cs_tags_view },
	[CS_DEVICES] = { "devices", "pool_devices", "Devices", cs_f_devices,
	    "devices", NULL, 0, NULL, cs_update_save, NULL },
	[CS_TRIGGERS] = { "triggers", "pool_triggers", "Triggers",
	    cs_f_triggers, "PreSignUp", NULL, 0, cs_triggers_fix,
	    cs_update_save, NULL },
};

/* A GET and a POST handler per section. */
#define CS_HANDLERS(name, idx)						\
static void								\
cs_##name##_get(struct console_req *cr)					\
{									\
	cs_start(cr, &cs_sections[idx], 0);				\
}									\
static void								\
cs_##name##_post(struct console_req *cr)				\
{									\
	cs_start(cr, &cs_sections[idx], 1);				\
}

CS_HANDLERS(attributes, CS_ATTRIBUTES)
CS_HANDLERS(policies, CS_POLICIES)
CS_HANDLERS(mfa, CS_MFA)
CS_HANDLERS(messages, CS_MESSAGES)
CS_HANDLERS(tags, CS_TAGS)
CS_HANDLERS(devices, CS_DEVICES)
CS_HANDLERS(triggers, CS_TRIGGERS)

#define CS_PAGES(name)							\
	{ EVHTTP_REQ_GET, "/pools/*/" #name, cs_##name##_get },	\
	{ EVHTTP_REQ_POST, "/pools/*/" #name, cs_##name##_post }

const struct console_page console_section_pages[] = {
	CS_PAGES(attributes),
	CS_PAGES(policies),
	CS_PAGES(mfa),
	CS_PAGES(messages),
	CS_PAGES(tags),
	CS_PAGES(devices),
	CS_PAGES(triggers),
	{ 0, NULL, NULL }
};
