/*
 * console_wizard.c: the console's two ways to create a user pool, as the
 * seed walkthroughs click through them (wording: console.md).
 *
 * The classic wizard (/console/create): steps Name, Attributes,
 * Policies, MFA and verifications, Message customizations, Tags, Devices,
 * App clients, Triggers and Review, a left navigation of links between
 * them, Review defaults and Step through settings on the Name step, and
 * Create pool on Review. The new wizard (/console/create?wizard=new):
 * Configure sign-in experience, Configure security requirements,
 * Configure sign-up experience, Configure message delivery, Integrate
 * your app (pool name, Cognito Hosted UI, Cognito domain, app client)
 * and Review and create, with Next, Previous and Create user pool.
 *
 * Nothing is stored before the last button. The choices so far travel
 * with the page as one flat JSON object (base64url) in a hidden field
 * "state" and in the navigation links; each step's form posts its own
 * fields (named in the step's table of fields, so an unchecked box of
 * the posted step reads as false) and the step to show next. The state
 * is untrusted input like any form: it only selects what the pages show
 * and what input CreateUserPool gets, and that input goes through the
 * API's own shape and rules (console_op), whose messages the pages show.
 * Cognito's defaults are the state's defaults: email required and
 * verified, passwords of 8 characters with every class, users may sign
 * themselves up, MFA off (seed 004's review table).
 *
 * Creation runs CreateUserPool, then CreateUserPoolClient for each app
 * client, then CreateUserPoolDomain for the new wizard's hosted UI, each
 * through console_op (the API's validation, messages and audit). If a
 * client or the domain is refused, the pool is deleted again
 * (DeleteUserPool takes its clients with it) before the page shows the
 * refusal beside the field concerned, with everything typed kept: no
 * half-made pool is left behind.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "conf.h"
#include "crypto/b64.h"
#include "log.h"
#include "ui/console.h"
#include "ui/console_pool.h"
#include "util.h"

#define WIZ_MAX_STATE	(32 * 1024)	/* bytes of decoded state */
#define WIZ_MAX_TAGS	50
#define WIZ_MAX_CLIENTS	10
#define WIZ_TAG_ROWS	2		/* empty tag rows offered */

/* How a step's form field reads into the state. */
enum wiz_kind {
	WIZ_TEXT,	/* a string as typed */
	WIZ_BOOL,	/* a checkbox: present or not */
	WIZ_LIST,	/* checkboxes of one name: the values checked */
	WIZ_CHOICE,	/* radios: one of the values listed */
};

struct wiz_field {
	const char	*name;		/* form field and state key */
	enum wiz_kind	 kind;
	const char	*const *values;	/* WIZ_CHOICE and WIZ_LIST */
};

struct wiz_step;
typedef void	(*wiz_hook)(struct console_req *, json_t *);

struct wiz_step {
	const char		*id;
	const char		*title;
	const struct wiz_field	*fields;
	wiz_hook		 read;	/* fields no table can say */
	wiz_hook		 show;	/* what else the template needs */
};

static const char *const wiz_v_signin[] = { "username", "email_phone",
	NULL };
static const char *const wiz_v_ep[] = { "email", "phone", "both", NULL };
static const char *const wiz_v_alias[] = { "email", "phone_number",
	"preferred_username", NULL };
static const char *const wiz_v_signup[] = { "self", "admin", NULL };
static const char *const wiz_v_mfa[] = { "OFF", "OPTIONAL", "ON", NULL };
static const char *const wiz_v_verify[] = { "email", "phone", "both", "none",
	NULL };
static const char *const wiz_v_devices[] = { "always", "opt_in", "no",
	NULL };

/* The standard attributes, as the Attributes step names them. */
static const struct {
	const char	*name;
	const char	*label;
} wiz_attrs[] = {
	{ "address", "address" }, { "birthdate", "birthdate" },
	{ "email", "email" }, { "family_name", "family name" },
	{ "gender", "gender" }, { "given_name", "given name" },
	{ "locale", "locale" }, { "middle_name", "middle name" },
	{ "name", "name" }, { "nickname", "nickname" },
	{ "phone_number", "phone number" }, { "picture", "picture" },
	{ "preferred_username", "preferred username" },
	{ "profile", "profile" }, { "zoneinfo", "zoneinfo" },
	{ "updated_at", "updated at" }, { "website", "website" },
};
static const char *const wiz_v_attrs[] = { "address", "birthdate", "email",
	"family_name", "gender", "given_name", "locale", "middle_name", "name",
	"nickname", "phone_number", "picture", "preferred_username", "profile",
	"zoneinfo", "updated_at", "website", NULL };

/* The triggers: LambdaConfig member and its label, one field each. */
static const struct {
	const char	*member;
	const char	*label;
} wiz_triggers[] = {
	{ "PreSignUp", "Pre sign-up" },
	{ "PreAuthentication", "Pre authentication" },
	{ "CustomMessage", "Custom message" },
	{ "PostAuthentication", "Post authentication" },
	{ "PostConfirmation", "Post confirmation" },
	{ "DefineAuthChallenge", "Define Auth Challenge" },
	{ "CreateAuthChallenge", "Create Auth Challenge" },
	{ "VerifyAuthChallengeResponse", "Verify Auth Challenge Response" },
	{ "UserMigration", "User Migration" },
	{ "PreTokenGeneration", "Pre Token Generation" },
};

/* The defaults: Cognito's, as Review defaults shows them. */
static json_t *
wiz_defaults(void)
{
	return json_pack("{s:s, s:s, s:s, s:[], s:b, s:[s], s:s, s:b, s:b, "
	    "s:b, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:[]}",
	    "name", "", "signin", "username", "ep", "email", "alias",
	    "case", 0, "required", "email", "minlen", "8", "numbers", 1,
	    "symbols", 1, "upper", 1, "lower", 1, "signup", "self", "days", "7",
	    "mfa", "OFF", "verify", "email", "devices", "no", "role", "",
	    "clients");
}

/* The state's other keys, empty at first. */
static const char *const wiz_texts[] = { "email_subject", "email_message",
	"sms_message", "invite_subject", "invite_email", "invite_sms",
	"domain", NULL };

static json_t *
wiz_initial(void)
{
	json_t	*s = wiz_defaults();
	size_t	 i;

	for (i = 0; wiz_texts[i] != NULL; i++)
		json_object_set_new(s, wiz_texts[i], json_string(""));
	json_object_set_new(s, "tags", json_array());
	json_object_set_new(s, "triggers", json_object());
	json_object_set_new(s, "hosted", json_false());
	return s;
}

/* Whether v may replace the state's value d: the same JSON type. */
static int
wiz_same_type(json_t *d, json_t *v)
{
	if (json_is_boolean(d))
		return json_is_boolean(v);
	return d != NULL && json_typeof(d) == json_typeof(v);
}

/* --- The state ------------------------------------------------------- */

/* The posted or linked state over the defaults (unknown keys dropped). */
static json_t *
wiz_state_load(struct console_req *cr)
{
	json_t		*s = wiz_initial(), *in, *v, *c;
	const char	*text = console_param(cr, "state"), *k;
	unsigned char	*buf;
	size_t		 len, i;

	if (text == NULL || b64url_decode(text, &buf, &len) != 0)
		return s;
	in = len <= WIZ_MAX_STATE ? json_loadb((char *)buf, len, 0, NULL) :
	    NULL;
	free(buf);
	json_object_foreach(in, k, v)
		if (wiz_same_type(json_object_get(s, k), v))
			json_object_set(s, k, v);
	json_decref(in);
	/* Only app clients that are objects with a name string. */
	json_array_foreach(json_object_get(s, "clients"), i, c)
		if (!json_is_string(json_object_get(c, "name"))) {
			json_object_set_new(s, "clients", json_array());
			break;
		}
	return s;
}

static char *
wiz_state_text(json_t *s)
{
	char	*j = compact_json(s), *t;

	t = b64url_encode(j, strlen(j));
	free(j);
	return t;
}

static const char *
wiz_str(json_t *s, const char *k)
{
	const char	*v = json_string_value(json_object_get(s, k));

	return v != NULL ? v : "";
}

static int
wiz_is(json_t *s, const char *k, const char *v)
{
	return strcmp(wiz_str(s, k), v) == 0;
}

static int
wiz_listed(const char *const *values, const char *v)
{
	size_t	i;

	for (i = 0; values != NULL && values[i] != NULL; i++)
		if (strcmp(values[i], v) == 0)
			return 1;
	return 0;
}

/* The posted step's fields into the state. */
static void
wiz_read_fields(struct console_req *cr, const struct wiz_field *f,
    json_t *s)
{
	json_t		*list, *v;
	const char	*p;
	size_t		 i;

	for (; f != NULL && f->name != NULL; f++) {
		p = console_param(cr, f->name);
		switch (f->kind) {
		case WIZ_TEXT:
			json_object_set_new(s, f->name, json_string(p != NULL ?
			    p : ""));
			break;
		case WIZ_BOOL:
			json_object_set_new(s, f->name, json_boolean(p !=
			    NULL));
			break;
		case WIZ_CHOICE:
			if (p != NULL && wiz_listed(f->values, p))
				json_object_set_new(s, f->name,
				    json_string(p));
			break;
		case WIZ_LIST:
			list = json_array();
			json_array_foreach(console_params(cr, f->name), i, v)
				if (json_is_string(v) && wiz_listed(f->values,
				    json_string_value(v)) &&
				    !strarray_has(list, json_string_value(v)))
					json_array_append(list, v);
			json_object_set_new(s, f->name, list);
			break;
		}
	}
}

/*
 * What the templates test: "f" holds each string as itself and as
 * <key>_<value>: true (radios), each true boolean, and <key>_<item>:
 * true for each item of a list (checkboxes).
 */
static json_t *
wiz_flags(json_t *s)
{
	json_t		*f = json_object(), *v, *item;
	const char	*k;
	char		*name;
	size_t		 i;

	json_object_foreach(s, k, v) {
		if (json_is_string(v)) {
			json_object_set(f, k, v);
			name = xasprintf("%s_%s", k, json_string_value(v));
			json_object_set_new(f, name, json_true());
			free(name);
		} else if (json_is_true(v))
			json_object_set_new(f, k, json_true());
		else if (json_is_array(v))
			json_array_foreach(v, i, item) {
				if (!json_is_string(item))
					continue;
				name = xasprintf("%s_%s", k,
				    json_string_value(item));
				json_object_set_new(f, name, json_true());
				free(name);
			}
	}
	return f;
}

/* --- Step hooks: what a table of fields cannot say ------------------- */

/* Checkboxes of the standard attributes, with those required checked. */
static void
wiz_show_attrs(struct console_req *cr, json_t *ctx)
{
	json_t	*s = json_object_get(ctx, "s"), *list = json_array();
	json_t	*req = json_object_get(s, "required");
	size_t	 i;

	(void)cr;
	for (i = 0; i < nitems(wiz_attrs); i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}",
		    "name", wiz_attrs[i].name, "label", wiz_attrs[i].label,
		    "checked", strarray_has(req, wiz_attrs[i].name)));
	json_object_set_new(ctx, "attrs", list);
}

/* Tag rows: the pairs so far, then empty rows. */
static void
wiz_read_tags(struct console_req *cr, json_t *s)
{
	json_t	*keys = console_params(cr, "tag_key");
	json_t	*vals = console_params(cr, "tag_value");
	json_t	*tags = json_array();
	size_t	 i;

	for (i = 0; i < json_array_size(keys) && i < WIZ_MAX_TAGS; i++) {
		if (!json_is_string(json_array_get(keys, i)) ||
		    json_string_length(json_array_get(keys, i)) == 0)
			continue;
		json_array_append_new(tags, json_pack("[O, s]",
		    json_array_get(keys, i), json_is_string(json_array_get(vals,
		    i)) ? json_string_value(json_array_get(vals, i)) : ""));
	}
	json_object_set_new(s, "tags", tags);
}

static void
wiz_show_tags(struct console_req *cr, json_t *ctx)
{
	json_t	*rows = json_array(), *t;
	size_t	 i;
	int	 n = 0;

	(void)cr;
	json_array_foreach(json_object_get(json_object_get(ctx, "s"), "tags"),
	    i, t)
		json_array_append_new(rows, json_pack("{s:i, s:O, s:O}", "n",
		    ++n, "key", json_array_get(t, 0), "value",
		    json_array_get(t, 1)));
	for (i = 0; i < WIZ_TAG_ROWS; i++)
		json_array_append_new(rows, json_pack("{s:i, s:s, s:s}", "n",
		    ++n, "key", "", "value", ""));
	json_object_set_new(ctx, "tags", rows);
}

static void
wiz_read_triggers(struct console_req *cr, json_t *s)
{
	json_t		*t = json_object();
	const char	*v;
	size_t		 i;

	for (i = 0; i < nitems(wiz_triggers); i++)
		if ((v = console_param(cr, wiz_triggers[i].member)) != NULL &&
		    v[0] != '\0')
			json_object_set_new(t, wiz_triggers[i].member,
			    json_string(v));
	json_object_set_new(s, "triggers", t);
}

static void
wiz_show_triggers(struct console_req *cr, json_t *ctx)
{
	json_t	*s = json_object_get(ctx, "s");
	json_t	*t = json_object_get(s, "triggers"), *list = json_array();
	size_t	 i;

	(void)cr;
	for (i = 0; i < nitems(wiz_triggers); i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}",
		    "member", wiz_triggers[i].member, "label",
		    wiz_triggers[i].label, "value", json_is_string(
		    json_object_get(t, wiz_triggers[i].member)) ?
		    json_string_value(json_object_get(t,
		    wiz_triggers[i].member)) : ""));
	json_object_set_new(ctx, "triggers", list);
}

/* The app clients added so far, each with its index for Remove. */
static void
wiz_show_clients(struct console_req *cr, json_t *ctx)
{
	json_t	*list = json_array(), *c;
	size_t	 i;

	(void)cr;
	json_array_foreach(json_object_get(json_object_get(ctx, "s"),
	    "clients"), i, c)
		json_array_append_new(list, json_pack("{s:s, s:i}", "name",
		    wiz_str(c, "name"), "index", (int)i));
	json_object_set_new(ctx, "clients", list);
}

/* The explicit auth flows of Add an app client (legacy values). */
static const char *const wiz_v_flows[] = { "ADMIN_NO_SRP_AUTH",
	"CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH", NULL };

/* Create app client (in the wizard: kept for Create pool). */
static void
wiz_read_client(struct console_req *cr, json_t *s)
{
	json_t		*clients = json_object_get(s, "clients");
	json_t		*c, *flows, *v;
	const char	*p, *r;
	size_t		 i;

	if (!json_is_array(clients) || json_array_size(clients) >=
	    WIZ_MAX_CLIENTS)
		return;
	p = console_param(cr, "client_name");
	r = console_param(cr, "refresh");
	c = json_pack("{s:s, s:s, s:b}", "name", p != NULL ? p : "",
	    "refresh", r != NULL ? r : "",
	    "secret", console_param(cr, "secret") != NULL);
	flows = json_array();
	json_array_foreach(console_params(cr, "flows"), i, v)
		if (json_is_string(v) && wiz_listed(wiz_v_flows,
		    json_string_value(v)))
			json_array_append(flows, v);
	json_object_set_new(c, "flows", flows);
	json_array_append_new(clients, c);
}

/* The new wizard's sign-in options as the classic state keeps them. */
static void
wiz_read_signin_new(struct console_req *cr, json_t *s)
{
	int	 user = console_param(cr, "opt_username") != NULL;
	int	 email = console_param(cr, "opt_email") != NULL;
	int	 phone = console_param(cr, "opt_phone") != NULL;
	json_t	*alias = json_array();

	json_object_set_new(s, "signin", json_string(user || (!email &&
	    !phone) ? "username" : "email_phone"));
	json_object_set_new(s, "ep", json_string(email && phone ? "both" :
	    phone ? "phone" : "email"));
	if (user && email)
		json_array_append_new(alias, json_string("email"));
	if (user && phone)
		json_array_append_new(alias, json_string("phone_number"));
	if (user && console_param(cr, "opt_preferred") != NULL)
		json_array_append_new(alias,
		    json_string("preferred_username"));
	json_object_set_new(s, "alias", alias);
}

static void
wiz_show_signin_new(struct console_req *cr, json_t *ctx)
{
	json_t	*s = json_object_get(ctx, "s");
	json_t	*f = json_object_get(ctx, "f");
	json_t	*alias = json_object_get(s, "alias");
	int	 user = wiz_is(s, "signin", "username");

	(void)cr;
	json_object_set_new(f, "opt_username", json_boolean(user));
	json_object_set_new(f, "opt_email", json_boolean(user ?
	    strarray_has(alias, "email") : !wiz_is(s, "ep", "phone")));
	json_object_set_new(f, "opt_phone", json_boolean(user ?
	    strarray_has(alias, "phone_number") : !wiz_is(s, "ep", "email")));
	json_object_set_new(f, "opt_preferred", json_boolean(user &&
	    strarray_has(alias, "preferred_username")));
}

/* Enable self-registration; automatic verification and what it sends. */
static void
wiz_read_signup_new(struct console_req *cr, json_t *s)
{
	const char	*v = console_param(cr, "verify");

	json_object_set_new(s, "signup", json_string(console_param(cr,
	    "selfreg") != NULL ? "self" : "admin"));
	if (console_param(cr, "autoverify") == NULL)
		v = "none";
	else if (v == NULL || !wiz_listed(wiz_v_verify, v) ||
	    strcmp(v, "none") == 0)
		v = "email";
	json_object_set_new(s, "verify", json_string(v));
}

/* Integrate your app: the one app client of the new wizard. */
static void
wiz_read_app_new(struct console_req *cr, json_t *s)
{
	const char	*name = console_param(cr, "client_name");
	const char	*cb = console_param(cr, "callback");
	int		 hosted = console_param(cr, "hosted") != NULL;

	json_object_set_new(s, "clients", json_pack("[{s:s, s:s, s:b, s:[], "
	    "s:b, s:s}]", "name", name != NULL ? name : "", "refresh", "",
	    "secret", console_param(cr, "secret") != NULL, "flows",
	    "hosted", hosted, "callback", cb != NULL ? cb : ""));
}

static void
wiz_show_app_new(struct console_req *cr, json_t *ctx)
{
	json_t	*s = json_object_get(ctx, "s");
	json_t	*c = json_array_get(json_object_get(s, "clients"), 0);

	(void)cr;
	json_object_set_new(ctx, "client", c != NULL ? json_incref(c) :
	    json_pack("{s:s, s:s}", "name", "", "callback", ""));
}

/* --- The steps ----------------------------------------------------------- */

static const struct wiz_field wiz_f_name[] = {
	{ "name", WIZ_TEXT, NULL }, { NULL, 0, NULL }
};
static const struct wiz_field wiz_f_attributes[] = {
	{ "signin", WIZ_CHOICE, wiz_v_signin },
	{ "ep", WIZ_CHOICE, wiz_v_ep },
	{ "alias", WIZ_LIST, wiz_v_alias },
	{ "case", WIZ_BOOL, NULL },
	{ "required", WIZ_LIST, wiz_v_attrs },
	{ NULL, 0, NULL }
};
#define WIZ_F_PASSWORD							\
	{ "minlen", WIZ_TEXT, NULL }, { "numbers", WIZ_BOOL, NULL },	\
	{ "symbols", WIZ_BOOL, NULL }, { "upper", WIZ_BOOL, NULL },	\
	{ "lower", WIZ_BOOL, NULL }, { "days", WIZ_TEXT, NULL }
static const struct wiz_field wiz_f_policies[] = {
	WIZ_F_PASSWORD,
	{ "signup", WIZ_CHOICE, wiz_v_signup },
	{ NULL, 0, NULL }
};
static const struct wiz_field wiz_f_mfa[] = {
	{ "mfa", WIZ_CHOICE, wiz_v_mfa },
	{ "verify", WIZ_CHOICE, wiz_v_verify },
	{ "role", WIZ_TEXT, NULL },
	{ NULL, 0, NULL }
};
static const struct wiz_field wiz_f_messages[] = {
	{ "email_subject", WIZ_TEXT, NULL },
	{ "email_message", WIZ_TEXT, NULL },
	{ "sms_message", WIZ_TEXT, NULL },
	{ "invite_subject", WIZ_TEXT, NULL },
	{ "invite_email", WIZ_TEXT, NULL },
	{ "invite_sms", WIZ_TEXT, NULL },
	{ NULL, 0, NULL }
};
static const struct wiz_field wiz_f_devices[] = {
	{ "devices", WIZ_CHOICE, wiz_v_devices }, { NULL, 0, NULL }
};
static const struct wiz_field wiz_f_signin_new[] = {
	{ "case", WIZ_BOOL, NULL }, { NULL, 0, NULL }
};
static const struct wiz_field wiz_f_security_new[] = {
	WIZ_F_PASSWORD,
	{ "mfa", WIZ_CHOICE, wiz_v_mfa },
	{ "role", WIZ_TEXT, NULL },
	{ NULL, 0, NULL }
};
static const struct wiz_field wiz_f_signup_new[] = {
	{ "required", WIZ_LIST, wiz_v_attrs }, { NULL, 0, NULL }
};
static const struct wiz_field wiz_f_delivery_new[] = {
	{ "email_subject", WIZ_TEXT, NULL },
	{ "email_message", WIZ_TEXT, NULL },
	{ NULL, 0, NULL }
};
static const struct wiz_field wiz_f_app_new[] = {
	{ "name", WIZ_TEXT, NULL }, { "hosted", WIZ_BOOL, NULL },
	{ "domain", WIZ_TEXT, NULL }, { NULL, 0, NULL }
};

/* The classic wizard, in its navigation's order; then its hidden step. */
static const struct wiz_step wiz_classic[] = {
	{ "name", "Name", wiz_f_name, NULL, NULL },
	{ "attributes", "Attributes", wiz_f_attributes, NULL, wiz_show_attrs },
	{ "policies", "Policies", wiz_f_policies, NULL, NULL },
	{ "mfa", "MFA and verifications", wiz_f_mfa, NULL, NULL },
	{ "messages", "Message customizations", wiz_f_messages, NULL, NULL },
	{ "tags", "Tags", NULL, wiz_read_tags, wiz_show_tags },
	{ "devices", "Devices", wiz_f_devices, NULL, NULL },
	{ "clients", "App clients", NULL, NULL, wiz_show_clients },
	{ "triggers", "Triggers", NULL, wiz_read_triggers, wiz_show_triggers },
	{ "review", "Review", NULL, NULL, NULL },
	{ "client_new", "Add an app client", NULL, wiz_read_client, NULL },
};
#define WIZ_CLASSIC_NAV	10	/* the steps in the navigation */

static const struct wiz_step wiz_new[] = {
	{ "signin", "Configure sign-in experience", wiz_f_signin_new,
	  wiz_read_signin_new, wiz_show_signin_new },
	{ "security", "Configure security requirements", wiz_f_security_new,
	  NULL, NULL },
	{ "signup", "Configure sign-up experience", wiz_f_signup_new,
	  wiz_read_signup_new, wiz_show_attrs },
	{ "delivery", "Configure message delivery", wiz_f_delivery_new, NULL,
	  NULL },
	{ "app", "Integrate your app", wiz_f_app_new, wiz_read_app_new,
	  wiz_show_app_new },
	{ "review", "Review and create", NULL, NULL, NULL },
};

/* A wizard: its steps, template and URL query. */
struct wiz_kind_def {
	const struct wiz_step	*steps;
	size_t			 nsteps;
	size_t			 nnav;
	const char		*tmpl;
	const char		*query;	/* "wizard=new&" or "" */
};

static const struct wiz_kind_def wiz_kinds[] = {
	{ wiz_classic, nitems(wiz_classic), WIZ_CLASSIC_NAV, "wizard", "" },
	{ wiz_new, nitems(wiz_new), nitems(wiz_new), "wizard_new",
	  "wizard=new&" },
};

static const struct wiz_kind_def *
wiz_kind(struct console_req *cr)
{
	const char	*w = console_param(cr, "wizard");

	return &wiz_kinds[w != NULL && strcmp(w, "new") == 0];
}

static const struct wiz_step *
wiz_find(const struct wiz_kind_def *k, const char *id)
{
	size_t	i;

	for (i = 0; id != NULL && i < k->nsteps; i++)
		if (strcmp(k->steps[i].id, id) == 0)
			return &k->steps[i];
	return NULL;
}

/* --- The operations' inputs ------------------------------------------ */

/* A number as typed: an integer when it is one, else the text for the
 * API's shape to refuse in its own words. */
static json_t *
wiz_num(json_t *s, const char *k)
{
	const char	*v = wiz_str(s, k);
	size_t		 n = strspn(v, "0123456789");

	if (n > 0 && n < 10 && v[n] == '\0')
		return json_integer(strtol(v, NULL, 10));
	return json_string(v);
}

/* Set k to v in o when v is a non-empty string of the state. */
static void
wiz_set_text(json_t *o, const char *k, json_t *s, const char *sk)
{
	if (wiz_str(s, sk)[0] != '\0')
		json_object_set_new(o, k, json_string(wiz_str(s, sk)));
}

static json_t *
wiz_verified(json_t *s, const char *email, const char *phone)
{
	json_t	*a = json_array();

	if (wiz_is(s, "verify", "email") || wiz_is(s, "verify", "both"))
		json_array_append_new(a, json_string(email));
	if (wiz_is(s, "verify", "phone") || wiz_is(s, "verify", "both"))
		json_array_append_new(a, json_string(phone));
	return a;
}

/* Sign-in: a username with aliases, or the email/phone as username. */
static void
wiz_input_signin(json_t *in, json_t *s)
{
	json_t	*a, *schema = json_array(), *v;
	size_t	 i;

	if (wiz_is(s, "signin", "email_phone")) {
		a = json_array();
		if (!wiz_is(s, "ep", "phone"))
			json_array_append_new(a, json_string("email"));
		if (!wiz_is(s, "ep", "email"))
			json_array_append_new(a, json_string("phone_number"));
		json_object_set_new(in, "UsernameAttributes", a);
	} else if (json_array_size(json_object_get(s, "alias")) > 0)
		json_object_set(in, "AliasAttributes",
		    json_object_get(s, "alias"));
	json_object_set_new(in, "UsernameConfiguration", json_pack("{s:b}",
	    "CaseSensitive", json_is_true(json_object_get(s, "case"))));
	json_array_foreach(json_object_get(s, "required"), i, v)
		json_array_append_new(schema, json_pack("{s:O, s:b}", "Name",
		    v, "Required", 1));
	if (json_array_size(schema) > 0)
		json_object_set(in, "Schema", schema);
	json_decref(schema);
}

/* Verification and invitation messages, when any was typed. */
static void
wiz_input_messages(json_t *in, json_t *s)
{
	json_t	*t = json_object(), *inv = json_object();

	wiz_set_text(t, "EmailSubject", s, "email_subject");
	wiz_set_text(t, "EmailMessage", s, "email_message");
	wiz_set_text(t, "SmsMessage", s, "sms_message");
	if (json_object_size(t) > 0) {
		json_object_set_new(t, "DefaultEmailOption",
		    json_string("CONFIRM_WITH_CODE"));
		json_object_set(in, "VerificationMessageTemplate", t);
	}
	wiz_set_text(inv, "EmailSubject", s, "invite_subject");
	wiz_set_text(inv, "EmailMessage", s, "invite_email");
	wiz_set_text(inv, "SMSMessage", s, "invite_sms");
	json_object_set_new(in, "AdminCreateUserConfig", json_pack("{s:b}",
	    "AllowAdminCreateUserOnly", wiz_is(s, "signup", "admin")));
	if (json_object_size(inv) > 0)
		json_object_set(json_object_get(in, "AdminCreateUserConfig"),
		    "InviteMessageTemplate", inv);
	json_decref(t);
	json_decref(inv);
}

/* MFA, with the SMS role the MFA step names; devices; tags; triggers. */
static void
wiz_input_extras(json_t *in, json_t *s)
{
	json_t		*tags = json_object(), *t;
	size_t		 i;
	char		 arn[128];

	snprintf(arn, sizeof arn, "arn:aws:iam::%s:role/service-role/",
	    conf->account_id);
	json_object_set_new(in, "MfaConfiguration",
	    json_string(wiz_str(s, "mfa")));
	if (!wiz_is(s, "mfa", "OFF") && wiz_str(s, "role")[0] != '\0')
		json_object_set_new(in, "SmsConfiguration", json_pack("{s:s+}",
		    "SnsCallerArn", arn, wiz_str(s, "role")));
	if (!wiz_is(s, "devices", "no"))
		json_object_set_new(in, "DeviceConfiguration",
		    json_pack("{s:b, s:b}", "ChallengeRequiredOnNewDevice", 0,
		    "DeviceOnlyRememberedOnUserPrompt",
		    wiz_is(s, "devices", "opt_in")));
	json_array_foreach(json_object_get(s, "tags"), i, t)
		if (json_is_string(json_array_get(t, 0)))
			json_object_set(tags, json_string_value(
			    json_array_get(t, 0)), json_array_get(t, 1));
	if (json_object_size(tags) > 0)
		json_object_set(in, "UserPoolTags", tags);
	json_decref(tags);
	if (json_object_size(json_object_get(s, "triggers")) > 0)
		json_object_set(in, "LambdaConfig",
		    json_object_get(s, "triggers"));
}

/* CreateUserPool's input: what the steps chose. */
static json_t *
wiz_pool_input(json_t *s)
{
	json_t	*in, *rec, *verified;
	size_t	 i;

	in = json_pack("{s:s, s:{s:{s:o, s:b, s:b, s:b, s:b, s:o}}}",
	    "PoolName", wiz_str(s, "name"), "Policies", "PasswordPolicy",
	    "MinimumLength", wiz_num(s, "minlen"),
	    "RequireUppercase", json_is_true(json_object_get(s, "upper")),
	    "RequireLowercase", json_is_true(json_object_get(s, "lower")),
	    "RequireNumbers", json_is_true(json_object_get(s, "numbers")),
	    "RequireSymbols", json_is_true(json_object_get(s, "symbols")),
	    "TemporaryPasswordValidityDays", wiz_num(s, "days"));
	wiz_input_signin(in, s);
	json_object_set_new(in, "AutoVerifiedAttributes",
	    wiz_verified(s, "email", "phone_number"));
	verified = wiz_verified(s, "verified_email", "verified_phone_number");
	if (json_array_size(verified) > 0) {
		rec = json_array();
		for (i = 0; i < json_array_size(verified); i++)
			json_array_append_new(rec, json_pack("{s:O, s:i}",
			    "Name", json_array_get(verified, i), "Priority",
			    (int)i + 1));
		json_object_set_new(in, "AccountRecoverySetting",
		    json_pack("{s:o}", "RecoveryMechanisms", rec));
	}
	json_decref(verified);
	wiz_input_messages(in, s);
	wiz_input_extras(in, s);
	return in;
}

/* CreateUserPoolClient's input for app client c of the state. */
static json_t *
wiz_client_input(const char *pool_id, json_t *c)
{
	json_t	*in;

	in = json_pack("{s:s, s:s, s:b}", "UserPoolId", pool_id,
	    "ClientName", wiz_str(c, "name"), "GenerateSecret",
	    json_is_true(json_object_get(c, "secret")));
	if (wiz_str(c, "refresh")[0] != '\0')
		json_object_set_new(in, "RefreshTokenValidity",
		    wiz_num(c, "refresh"));
	if (json_array_size(json_object_get(c, "flows")) > 0)
		json_object_set(in, "ExplicitAuthFlows",
		    json_object_get(c, "flows"));
	if (!json_is_true(json_object_get(c, "hosted")))
		return in;
	json_object_set_new(in, "AllowedOAuthFlows", json_pack("[s]",
	    "code"));
	json_object_set_new(in, "AllowedOAuthScopes", json_pack("[s, s, s]",
	    "openid", "email", "phone"));
	json_object_set_new(in, "AllowedOAuthFlowsUserPoolClient",
	    json_true());
	json_object_set_new(in, "SupportedIdentityProviders",
	    json_pack("[s]", "COGNITO"));
	if (wiz_str(c, "callback")[0] != '\0')
		json_object_set_new(in, "CallbackURLs", json_pack("[s]",
		    wiz_str(c, "callback")));
	return in;
}

static json_t *
wiz_client_names(json_t *s)
{
	json_t	*names = json_array(), *c;
	size_t	 i;

	json_array_foreach(json_object_get(s, "clients"), i, c)
		json_array_append(names, json_object_get(c, "name"));
	return names;
}

/* --- The pages ----------------------------------------------------------- */

/* A link to step id of the wizard with the state. */
static char *
wiz_href(const struct wiz_kind_def *k, const char *id, const char *state)
{
	return xasprintf("/console/create?%sstep=%s&state=%s", k->query, id,
	    state);
}

/* The review table, each unset row linking to the step that sets it. */
static json_t *
wiz_review_rows(const struct wiz_kind_def *k, json_t *s, const char *state)
{
	json_t		*in = wiz_pool_input(s);
	json_t		*names = wiz_client_names(s);
	json_t		*rows = console_pool_summary(in, names), *row;
	const char	*step;
	char		*href;
	size_t		 i;

	json_array_foreach(rows, i, row) {
		if ((step = json_string_value(json_object_get(row, "step"))) ==
		    NULL || wiz_find(k, step) == NULL)
			continue;
		href = wiz_href(k, step, state);
		json_object_set_new(row, "href", json_string(href));
		free(href);
	}
	json_decref(in);
	json_decref(names);
	return rows;
}

/* The navigation: each step a link, the one shown marked current. */
static json_t *
wiz_nav(const struct wiz_kind_def *k, const struct wiz_step *at,
    const char *state)
{
	json_t	*nav = json_array();
	size_t	 i;
	char	*href;

	for (i = 0; i < k->nnav; i++) {
		href = wiz_href(k, k->steps[i].id, state);
		json_array_append_new(nav, json_pack("{s:s, s:s, s:s, s:b}",
		    "id", k->steps[i].id, "title", k->steps[i].title, "href",
		    href, "current", &k->steps[i] == at));
		free(href);
	}
	return nav;
}

/*
 * Show step at of wizard k with state s (stolen); err: a message to
 * show beside field (NULL: none), with HTTP 400.
 */
static void
wiz_show(struct console_req *cr, const struct wiz_kind_def *k,
    const struct wiz_step *at, json_t *s, const char *field,
    const char *err)
{
	json_t	*ctx;
	char	*state = wiz_state_text(s), *flag;
	size_t	 i = (size_t)(at - k->steps);

	ctx = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}",
	    "title", "Create a user pool", "step", at->id, "step_title",
	    at->title, "state", state, "nav", wiz_nav(k, at, state),
	    "s", s, "f", wiz_flags(s), "new", k != &wiz_kinds[0]);
	flag = xasprintf("is_%s", at->id);
	json_object_set_new(ctx, flag, json_true());
	free(flag);
	if (i > 0 && i < k->nnav)
		json_object_set_new(ctx, "prev",
		    json_string(k->steps[i - 1].id));
	if (i + 1 < k->nnav)
		json_object_set_new(ctx, "next",
		    json_string(k->steps[i + 1].id));
	if (strcmp(at->id, "review") == 0)
		json_object_set_new(ctx, "rows", wiz_review_rows(k, s, state));
	if (at->show != NULL)
		at->show(cr, ctx);
	if (err != NULL)
		json_object_set_new(ctx, "err", json_pack("{s:s, s:s}", "msg",
		    err, field, err));
	free(state);
	console_render(cr, err != NULL ? 400 : 200, k->tmpl, ctx);
}

/* GET /console/create[?wizard=new][&step=<id>&state=<...>] */
static void
wiz_get(struct console_req *cr)
{
	const struct wiz_kind_def	*k = wiz_kind(cr);
	const struct wiz_step		*at;

	if ((at = wiz_find(k, console_param(cr, "step"))) == NULL)
		at = &k->steps[0];
	wiz_show(cr, k, at, wiz_state_load(cr), NULL, NULL);
}

static void	wiz_create(struct console_req *, const struct wiz_kind_def *,
		    json_t *);

/* Remove app client n of the classic wizard's list ("remove-<n>"). */
static void
wiz_remove_client(json_t *s, const char *go)
{
	char	*end;
	long	 n = strtol(go + 7, &end, 10);

	if (*end == '\0' && end != go + 7 && n >= 0)
		json_array_remove(json_object_get(s, "clients"), (size_t)n);
}

/*
 * POST /console/create: the posted step's fields into the state, then
 * the step named by the button pressed ("go"), or creation.
 */
static void
wiz_post(struct console_req *cr)
{
	const struct wiz_kind_def	*k = wiz_kind(cr);
	const struct wiz_step		*posted, *at;
	const char			*go = console_param(cr, "go");
	json_t				*s = wiz_state_load(cr);

	if ((posted = wiz_find(k, console_param(cr, "step"))) != NULL) {
		wiz_read_fields(cr, posted->fields, s);
		if (posted->read != NULL)
			posted->read(cr, s);
	}
	if (go != NULL && strcmp(go, "create") == 0) {
		wiz_create(cr, k, s);
		return;
	}
	if (go != NULL && strncmp(go, "remove-", 7) == 0) {
		wiz_remove_client(s, go);
		go = "clients";
	}
	if ((at = wiz_find(k, go)) == NULL && (at = posted) == NULL)
		at = &k->steps[0];
	wiz_show(cr, k, at, s, NULL, NULL);
}

/* --- Creation ------------------------------------------------------------ */

/* A creation in flight: the state, the pool made, the next client. */
struct wiz_make {
	const struct wiz_kind_def	*k;
	json_t				*s;
	char				*pool_id;
	size_t				 next;
	const char			*step;	/* a refusal's step */
	const char			*field;
	char				*msg;
};

static void
wiz_make_free(void *p)
{
	struct wiz_make	*m = p;

	json_decref(m->s);
	free(m->pool_id);
	free(m->msg);
	free(m);
}

/* The refusal shown on its step, with everything typed kept. */
static void
wiz_refused(struct console_req *cr)
{
	struct wiz_make		*m = console_data(cr);
	const struct wiz_step	*at = wiz_find(m->k, m->step);

	if (at == NULL)
		at = wiz_find(m->k, "review");
	wiz_show(cr, m->k, at, json_incref(m->s), m->field, m->msg);
}

static void
wiz_rolled_back(struct console_req *cr, json_t *out)
{
	(void)out;
	wiz_refused(cr);
}

/* The pool could not be deleted again: say so with its id. */
static void
wiz_rollback_failed(struct console_req *cr, const char *msg)
{
	struct wiz_make	*m = console_data(cr);
	char		*t;

	log_error("console: pool %s left after a refused creation: %s",
	    m->pool_id, msg);
	t = xasprintf("%s (The user pool %s was made but could not be "
	    "deleted again: %s)", m->msg, m->pool_id, msg);
	free(m->msg);
	m->msg = t;
	wiz_refused(cr);
}

/* A client or the domain was refused: delete the pool, then say why. */
static void
wiz_part_failed(struct console_req *cr, const char *msg)
{
	struct wiz_make	*m = console_data(cr);

	m->msg = xstrdup(msg);
	console_op(cr, "DeleteUserPool", json_pack("{s:s}", "UserPoolId",
	    m->pool_id), wiz_rolled_back, wiz_rollback_failed);
}

/*
 * Where a refusal of CreateUserPool shows: the step and field its
 * message names (the shape's member path, or the member the rule
 * names), else the Review with the message above the table.
 */
static const struct {
	const char	*names;		/* in the message */
	const char	*classic;	/* the classic wizard's step */
	const char	*new_step;	/* the new wizard's */
	const char	*field;
} wiz_refusals[] = {
	{ "poolName", "name", "app", "name" },
	{ "LambdaConfig", "triggers", NULL, "triggers" },
	{ "lambdaConfig", "triggers", NULL, "triggers" },
};

static void
wiz_pool_failed(struct console_req *cr, const char *msg)
{
	struct wiz_make	*m = console_data(cr);
	const char	*at;
	size_t		 i;

	m->msg = xstrdup(msg);
	m->step = m->field = "review";
	for (i = 0; i < nitems(wiz_refusals); i++) {
		at = m->k == &wiz_kinds[0] ? wiz_refusals[i].classic :
		    wiz_refusals[i].new_step;
		if (at != NULL && strstr(msg, wiz_refusals[i].names) != NULL) {
			m->step = at;
			m->field = wiz_refusals[i].field;
			break;
		}
	}
	wiz_refused(cr);
}

static void	wiz_next(struct console_req *, json_t *);

/* The next client, then the domain, then the pool page. */
static void
wiz_next(struct console_req *cr, json_t *out)
{
	struct wiz_make	*m = console_data(cr);
	json_t		*c;

	(void)out;
	c = json_array_get(json_object_get(m->s, "clients"), m->next++);
	if (c != NULL) {
		m->step = m->k == &wiz_kinds[0] ? "clients" : "app";
		m->field = "client";
		console_op(cr, "CreateUserPoolClient", wiz_client_input(
		    m->pool_id, c), wiz_next, wiz_part_failed);
	} else if (m->k != &wiz_kinds[0] &&
	    json_is_true(json_object_get(m->s, "hosted")) &&
	    m->field != NULL && strcmp(m->field, "domain") != 0) {
		m->step = "app";
		m->field = "domain";
		console_op(cr, "CreateUserPoolDomain", json_pack("{s:s, s:s}",
		    "UserPoolId", m->pool_id, "Domain", wiz_str(m->s,
		    "domain")), wiz_next, wiz_part_failed);
	} else
		console_redirect(cr, "/pools/%s", m->pool_id);
}

static void
wiz_pool_made(struct console_req *cr, json_t *out)
{
	struct wiz_make	*m = console_data(cr);
	const char	*id = json_string_value(json_object_get(
			    json_object_get(out, "UserPool"), "Id"));

	m->pool_id = xstrdup(id != NULL ? id : "");
	m->field = "pool";
	wiz_next(cr, out);
}

/* Create pool / Create user pool: the pool, its clients, its domain. */
static void
wiz_create(struct console_req *cr, const struct wiz_kind_def *k, json_t *s)
{
	struct wiz_make	*m = xcalloc(1, sizeof *m);

	m->k = k;
	m->s = s;
	console_set_data(cr, m, wiz_make_free);
	console_op(cr, "CreateUserPool", wiz_pool_input(s), wiz_pool_made,
	    wiz_pool_failed);
}

const struct console_page console_wizard_pages[] = {
	{ EVHTTP_REQ_GET, "/create", wiz_get },
	{ EVHTTP_REQ_POST, "/create", wiz_post },
	{ 0, NULL, NULL }
};
