/*
 * federation.c: a federated sign-in's effect on the user directory
 * (see federation.h), in three steps on the caller's task: the pool's
 * configuration (its schema, and whether usernames are case
 * sensitive); the user a link gives the identity and the identity's
 * own user, read together; then, unless a link decided, one batch that
 * makes or updates the federated user with its group and membership.
 *
 * The write is an upsert keyed on the username (db/fed_users.c), so two
 * first sign-ins of one identity at once are one insert and one update,
 * never a duplicate or a unique violation. Its attributes come from the
 * provider's claims through the AttributeMapping and are checked
 * before anything is written; a required attribute the mapping does not
 * give ends the sign-in with nothing written. A linked sign-in writes
 * the mapped mutable attributes the linked user does not have yet, as
 * an administrator's update would (a changed e-mail address unverified
 * unless email_verified is mapped too), guarded by the row as read; and
 * the first sign-in through a link by another attribute than
 * Cognito_Subject turns it into a link by the identity's subject (its
 * identities element renamed), as Cognito does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/federation.h"
#include "core/task.h"
#include "core/users.h"
#include "crypto/random.h"
#include "db/fed_users.h"
#include "db/pg.h"
#include "db/users.h"
#include "util.h"

#define FED_SUBJECT		"Cognito_Subject"
#define FED_NAME_MAX		32	/* ProviderNameType */
#define FED_SUBJECT_MAX		2048

static const char *const federation_types[FED_NTYPES] = {
	[FED_OIDC] = "OIDC",
	[FED_SAML] = "SAML",
	[FED_GOOGLE] = "Google",
	[FED_FACEBOOK] = "Facebook",
	[FED_AMAZON] = "LoginWithAmazon",
	[FED_APPLE] = "SignInWithApple",
};

/* Mapping keys that name no attribute to write. */
static const char *const federation_unmapped[] = {
	"username", "sub", "identities",
};

const char *
federation_type_name(enum fed_type type)
{
	if ((unsigned)type >= FED_NTYPES)
		return NULL;
	return federation_types[type];
}

int
federation_type_of(const char *name, enum fed_type *type)
{
	size_t	i;

	for (i = 0; name != NULL && i < FED_NTYPES; i++)
		if (strcmp(federation_types[i], name) == 0) {
			*type = (enum fed_type)i;
			return 0;
		}
	return -1;
}

/* --- The pure parts ---------------------------------------------------- */

static char *
federation_scalar_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.17g", json_real_value(v));
	if (json_is_object(v) || json_is_array(v))
		return json_dumps(v, JSON_COMPACT);
	return NULL;
}

/* Several values: "[a, b]", as Cognito writes a multi-valued attribute. */
static char *
federation_list_text(json_t *a)
{
	json_t	*v;
	char	*out = xstrdup("["), *item, *next;
	size_t	 i;

	json_array_foreach(a, i, v) {
		if ((item = federation_scalar_text(v)) == NULL)
			item = xstrdup("");
		next = xasprintf("%s%s%s", out, i > 0 ? ", " : "", item);
		free(item);
		free(out);
		out = next;
	}
	next = xasprintf("%s]", out);
	free(out);
	return next;
}

char *
federation_claim_text(json_t *v)
{
	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			return NULL;
		if (json_array_size(v) == 1)
			return federation_scalar_text(json_array_get(v, 0));
		return federation_list_text(v);
	}
	return federation_scalar_text(v);
}

static int
federation_is_unmapped(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(federation_unmapped); i++)
		if (strcmp(federation_unmapped[i], name) == 0)
			return 1;
	return 0;
}

/* [{Name, Value}] of the mapped attributes the claims give. */
static json_t *
federation_mapped_list(const struct fed_identity *id)
{
	json_t		*list = json_array(), *from;
	const char	*attr;
	char		*text;

	json_object_foreach(id->mapping, attr, from) {
		if (federation_is_unmapped(attr) || !json_is_string(from))
			continue;
		text = federation_claim_text(json_object_get(id->claims,
		    json_string_value(from)));
		if (text == NULL)
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s}", "Name",
		    attr, "Value", text));
		free(text);
	}
	return list;
}

int
federation_map(const struct users_rules *rules, const struct fed_identity *id,
    json_t **create, json_t **update, enum core_err_kind *ekind, char **emsg)
{
	json_t		*list = federation_mapped_list(id), *attrs, *v;
	const char	*name;

	*create = *update = NULL;
	attrs = json_object();
	/*
	 * As an administrator's write of a new user: the schema's names,
	 * types and bounds, e-mail and phone formats; no client's
	 * WriteAttributes, and no *_verified the mapping does not give.
	 */
	if (users_apply_attributes(rules, attrs, list, USERS_CREATE_ADMIN,
	    NULL, ekind, emsg) != 0) {
		json_decref(list);
		json_decref(attrs);
		return -1;
	}
	json_decref(list);
	*update = json_object();
	json_object_foreach(attrs, name, v)
		if (users_attr_mutable(rules, name))
			json_object_set(*update, name, v);
	*create = attrs;
	return 0;
}

int
federation_check_required(const struct users_rules *rules, json_t *attrs,
    char **emsg)
{
	json_t		*schema = json_object_get(rules->config,
			    "SchemaAttributes"), *a;
	const char	*name, *v;
	char		*list = NULL, *next;
	size_t		 i;

	json_array_foreach(schema, i, a) {
		name = json_string_value(json_object_get(a, "Name"));
		if (name == NULL || strcmp(name, "sub") == 0 ||
		    !json_is_true(json_object_get(a, "Required")))
			continue;
		v = json_string_value(json_object_get(attrs, name));
		if (v != NULL && *v != '\0')
			continue;
		next = xasprintf("%s%s%s", list != NULL ? list : "",
		    list != NULL ? ", " : "", name);
		free(list);
		list = next;
	}
	if (list == NULL)
		return 0;
	*emsg = xasprintf("attributes required: [%s]", list);
	free(list);
	return -1;
}

char *
federation_identity_text(const char *user_id, const char *provider,
    enum fed_type type, const char *issuer, int primary, long long ms)
{
	json_t	*o;
	char	*text;

	o = json_object();
	json_object_set_new(o, "userId", json_string(user_id));
	json_object_set_new(o, "providerName", json_string(provider));
	json_object_set_new(o, "providerType",
	    json_string(federation_type_name(type)));
	json_object_set_new(o, "issuer", issuer != NULL ?
	    json_string(issuer) : json_null());
	json_object_set_new(o, "primary", json_boolean(primary));
	json_object_set_new(o, "dateCreated", json_integer(ms));
	if ((text = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("federation_identity_text: json");
	json_decref(o);
	return text;
}

/* A member as the string Cognito's tokens carry. */
static void
federation_stringify(json_t *o, const char *name)
{
	char	*text;

	if ((text = federation_scalar_text(json_object_get(o, name))) == NULL)
		return;
	json_object_set_new(o, name, json_string(text));
	free(text);
}

json_t *
federation_identities_claim(const char *text)
{
	json_t	*a, *e;
	size_t	 i;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return NULL;
	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, e) {
		if (!json_is_object(e))
			continue;
		federation_stringify(e, "primary");
		federation_stringify(e, "dateCreated");
	}
	return a;
}

/* --- The sign-in --------------------------------------------------------- */

struct fed {
	char			*pool_id;
	char			*provider;
	enum fed_type		 type;
	char			*issuer;
	char			*subject;
	json_t			*claims;
	json_t			*mapping;
	json_t			*pool_config;
	struct users_rules	 rules;
	char			*username;	/* <ProviderName>_<subject> */
	char			*key;
	json_t			*create;
	json_t			*update;
	json_t			*refreshed;	/* a linked user's new attributes */
	char			 sub[37];	/* drawn for a new user */
	int			 have_user;
	struct fed_outcome	 out;
};

static void
federation_free(void *p)
{
	struct fed	*f = p;

	free(f->pool_id);
	free(f->provider);
	free(f->issuer);
	free(f->subject);
	json_decref(f->claims);
	json_decref(f->mapping);
	json_decref(f->pool_config);
	free(f->username);
	free(f->key);
	json_decref(f->create);
	json_decref(f->update);
	json_decref(f->refreshed);
	if (f->have_user)
		users_clear(&f->out.user);
	free(f);
}

const struct fed_outcome *
federation_outcome(struct task *t)
{
	struct fed	*f = t->data;

	return &f->out;
}

/* The identity as fed_identity again, over f's copies. */
static void
federation_identity_of(const struct fed *f, struct fed_identity *id)
{
	id->provider_name = f->provider;
	id->provider_type = f->type;
	id->issuer = f->issuer;
	id->subject = f->subject;
	id->claims = f->claims;
	id->mapping = f->mapping;
}

/* End with a users.c-style error (kind, malloc'd message). */
static void
federation_fail(struct task *t, enum core_err_kind kind, char *emsg)
{
	task_fail(t, kind, "%s", emsg != NULL ? emsg : "");
	free(emsg);
}

/* Take the user of row 0 of r as the outcome; 0 when it may sign in. */
static int
federation_take(struct task *t, struct fed *f, const PGresult *r)
{
	db_users_from_row(&f->out.user, r, 0, 0);
	f->have_user = 1;
	f->out.auth_time = (long long)time(NULL);
	if (!f->out.user.enabled) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "User is disabled.");
		return -1;
	}
	return 0;
}

static void
federation_written(struct task *t, struct pg_reply *reply)
{
	struct fed	*f = t->data;
	const PGresult	*r;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	r = reply->res[DB_FED_USERS_UPSERT_ROW];
	if (pg_rows(r) == 0) {
		task_fail(t, CORE_ERR_USER_EXISTS, "User already exists");
		return;
	}
	if (federation_take(t, f, r) != 0)
		return;
	/* A new row has the sub this sign-in drew. */
	f->out.created = strcmp(f->out.user.sub, f->sub) == 0;
	task_ok(t);
}

/* The new user's attributes: the mapped ones and its identity. */
static void
federation_add_identity(struct fed *f)
{
	struct timespec	 ts;
	char		*elem, *ids;

	clock_gettime(CLOCK_REALTIME, &ts);
	elem = federation_identity_text(f->subject, f->provider, f->type,
	    f->issuer, 1, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	ids = xasprintf("[%s]", elem);
	json_object_set_new(f->create, "identities", json_string(ids));
	free(ids);
	free(elem);
}

static void
federation_write(struct task *t, struct fed *f)
{
	struct db_fed_users_new	 n;
	struct pg_batch		*b = pg_batch_new();
	char			*group, *desc, *attrs, *update;

	random_uuid(f->sub);
	federation_add_identity(f);
	group = xasprintf("%s_%s", f->pool_id, f->provider);
	desc = xasprintf("Autogenerated group for users who sign in using %s",
	    f->provider);
	attrs = compact_json(f->create);
	update = compact_json(f->update);
	memset(&n, 0, sizeof n);
	n.pool_id = f->pool_id;
	n.sub = f->sub;
	n.username = f->username;
	n.key = f->key;
	n.attributes = attrs;
	n.update = update;
	n.group = group;
	n.group_description = desc;
	db_fed_users_upsert(b, &n);
	free(group);
	free(desc);
	free(attrs);
	free(update);
	task_query(t, b, federation_written);
}

/*
 * The mapped mutable attributes whose values the linked user does not
 * have yet, as an administrator's update of its attributes would write
 * them (a changed e-mail address or phone number unverified unless the
 * mapping gives its *_verified too): the user's new attributes, or
 * NULL when nothing changes.
 */
static json_t *
federation_refreshed(struct fed *f)
{
	json_t			*list = json_array(), *work, *v;
	const char		*name, *had;
	enum core_err_kind	 ekind;
	char			*emsg = NULL;

	json_object_foreach(f->update, name, v) {
		had = json_string_value(json_object_get(f->out.user.attributes,
		    name));
		if (had == NULL || strcmp(had, json_string_value(v)) != 0)
			json_array_append_new(list, json_pack("{s:s, s:O}",
			    "Name", name, "Value", v));
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		return NULL;
	}
	work = json_deep_copy(f->out.user.attributes);
	if (users_apply_attributes(&f->rules, work, list, USERS_UPDATE_ADMIN,
	    NULL, &ekind, &emsg) != 0) {
		/* Checked as a new user's already: nothing to refresh. */
		free(emsg);
		json_decref(work);
		work = NULL;
	}
	json_decref(list);
	return work;
}

static void
federation_linked_written(struct task *t, struct pg_reply *reply)
{
	struct fed	*f = t->data;
	const char	*what;

	if (!reply->ok) {
		what = users_unique_attribute(reply->constraint);
		if (reply->sqlstate != NULL && what != NULL &&
		    strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
			task_fail(t, CORE_ERR_ALIAS_EXISTS, "An account with "
			    "the given %s already exists.", what);
		else
			task_fail_db(t, reply);
		return;
	}
	/* The tokens of this sign-in carry the attributes as written. */
	if (f->refreshed != NULL && pg_rows(reply->res[0]) > 0) {
		json_decref(f->out.user.attributes);
		f->out.user.attributes = f->refreshed;
		f->refreshed = NULL;
	}
	task_ok(t);
}

/* Write the refreshed attributes, when any, guarded by modified_at. */
static void
federation_refresh(struct fed *f, struct pg_batch *b)
{
	struct db_fed_users_refresh	 q;
	struct users_aliases		 al;
	char				*attrs, modified[32];

	attrs = compact_json(f->refreshed);
	users_alias_columns(&f->rules, f->refreshed, &al);
	snprintf(modified, sizeof modified, "%.17g", f->out.user.modified_at);
	memset(&q, 0, sizeof q);
	q.pool_id = f->pool_id;
	q.sub = f->out.user.sub;
	q.attributes = attrs;
	q.email = al.email;
	q.phone = al.phone;
	q.preferred = al.preferred;
	q.modified = modified;
	db_fed_users_refresh(b, &q);
	users_aliases_clear(&al);
	free(attrs);
}

/*
 * The identities text ids with the element of provider and userId from
 * renamed to userId to; NULL when it has no such element. malloc'd.
 */
static char *
federation_rename_identity(const char *ids, const char *provider,
    const char *from, const char *to)
{
	json_t		*a = ids != NULL ? json_loads(ids, 0, NULL) : NULL, *e;
	const char	*p, *u;
	char		*out = NULL;
	size_t		 i;

	json_array_foreach(a, i, e) {
		p = json_string_value(json_object_get(e, "providerName"));
		u = json_string_value(json_object_get(e, "userId"));
		if (p == NULL || u == NULL || strcmp(p, provider) != 0 ||
		    strcmp(u, from) != 0)
			continue;
		json_object_set_new(e, "userId", json_string(to));
		out = compact_json(a);
		break;
	}
	json_decref(a);
	return out;
}

/*
 * A link by another attribute than Cognito_Subject, used for the first
 * time, becomes a link by the identity's subject (db_fed_users_relink),
 * its identities element renamed; after the refresh in the batch, whose
 * identities it leaves as they were.
 */
static void
federation_relink(struct fed *f, const PGresult *r, struct pg_batch *b)
{
	struct db_fed_users_relink	 q;
	const char			*ids;
	char				*new_ids;
	json_t				*v;

	ids = json_string_value(json_object_get(f->out.user.attributes,
	    "identities"));
	new_ids = federation_rename_identity(ids, f->provider, pg_val(r, 0,
	    DB_FED_USERS_FIND_VALUE), f->subject);
	memset(&q, 0, sizeof q);
	q.pool_id = f->pool_id;
	q.provider = f->provider;
	q.attr_name = pg_val(r, 0, DB_FED_USERS_FIND_ATTR);
	q.attr_value = pg_val(r, 0, DB_FED_USERS_FIND_VALUE);
	q.subject = f->subject;
	q.old_ids = ids;
	q.new_ids = new_ids;
	db_fed_users_relink(b, &q);
	/* The tokens of this sign-in show the link as it now is. */
	if (new_ids != NULL) {
		v = json_string(new_ids);
		json_object_set(f->out.user.attributes, "identities", v);
		if (f->refreshed != NULL)
			json_object_set(f->refreshed, "identities", v);
		json_decref(v);
	}
	free(new_ids);
}

/*
 * A linked sign-in: the mapped mutable attributes the linked user
 * lacks are written to it (as Cognito does: its profile takes the
 * provider's values), and a link by another attribute is renamed; one
 * batch, or nothing to write.
 */
static void
federation_linked(struct task *t, struct fed *f, const PGresult *r)
{
	struct pg_batch	*b = NULL;

	if ((f->refreshed = federation_refreshed(f)) != NULL) {
		b = pg_batch_new();
		federation_refresh(f, b);
	}
	if (strcmp(pg_val(r, 0, DB_FED_USERS_FIND_ATTR), FED_SUBJECT) != 0) {
		if (b == NULL) {
			b = pg_batch_new();
			/* res[0] is the refresh's: keep the places. */
			pg_batch_add(b, "SELECT 1 WHERE false", 0);
		}
		federation_relink(f, r, b);
	}
	if (b == NULL)
		task_ok(t);
	else
		task_query(t, b, federation_linked_written);
}

/*
 * The identity's own user, read before writing: a native user holding
 * the name, or a disabled user, ends the sign-in with nothing written.
 */
static int
federation_check_own(struct task *t, const PGresult *r)
{
	struct user	u;
	int		rc = 0;

	db_users_from_row(&u, r, 0, 0);
	if (strcmp(u.status, "EXTERNAL_PROVIDER") != 0) {
		task_fail(t, CORE_ERR_USER_EXISTS, "User already exists");
		rc = -1;
	} else if (!u.enabled) {
		task_fail(t, CORE_ERR_NOT_AUTHORIZED, "User is disabled.");
		rc = -1;
	}
	users_clear(&u);
	return rc;
}

static void
federation_found(struct task *t, struct pg_reply *reply)
{
	struct fed	*f = t->data;
	char		*emsg = NULL;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) > 0) {
		if (federation_take(t, f, reply->res[0]) != 0)
			return;
		f->out.linked = 1;
		federation_linked(t, f, reply->res[0]);
		return;
	}
	if (pg_rows(reply->res[1]) > 0) {
		if (federation_check_own(t, reply->res[1]) != 0)
			return;
	} else if (federation_check_required(&f->rules, f->create,
	    &emsg) != 0) {
		federation_fail(t, CORE_ERR_INVALID, emsg);
		return;
	}
	federation_write(t, f);
}

/*
 * What a link by another attribute than Cognito_Subject may match: the
 * identity's claims as strings (arrays of strings for several values),
 * and the pool attributes the mapping gives, by their pool names.
 */
static json_t *
federation_match(struct fed *f)
{
	json_t		*m = json_object(), *v, *item, *list;
	const char	*name;
	char		*text;
	size_t		 i;

	json_object_foreach(f->claims, name, v) {
		if (!json_is_array(v)) {
			if ((text = federation_scalar_text(v)) != NULL)
				json_object_set_new(m, name, json_string(text));
			free(text);
			continue;
		}
		list = json_array();
		json_array_foreach(v, i, item)
			if ((text = federation_scalar_text(item)) != NULL) {
				json_array_append_new(list, json_string(text));
				free(text);
			}
		json_object_set_new(m, name, list);
	}
	json_object_foreach(f->create, name, v)
		if (json_object_get(m, name) == NULL)
			json_object_set(m, name, v);
	return m;
}

static void
federation_find(struct task *t, struct fed *f)
{
	struct db_fed_users_find	 q;
	struct pg_batch			*b = pg_batch_new();
	json_t				*m = federation_match(f);
	char				*match = compact_json(m);

	json_decref(m);
	memset(&q, 0, sizeof q);
	q.pool_id = f->pool_id;
	q.provider = f->provider;
	q.subject = f->subject;
	q.match = match;
	q.key = f->key;
	db_fed_users_find(b, &q);
	free(match);
	task_query(t, b, federation_found);
}

static void
federation_pool_loaded(struct task *t, struct pg_reply *reply)
{
	struct fed		*f = t->data;
	struct fed_identity	 id;
	enum core_err_kind	 ekind;
	char			*emsg = NULL;

	if (!reply->ok) {
		task_fail_db(t, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		task_fail(t, CORE_ERR_NO_RESOURCE, "User pool %s does not "
		    "exist.", f->pool_id);
		return;
	}
	f->pool_config = json_loads(pg_val(reply->res[0], 0, 0), 0, NULL);
	if (!json_is_object(f->pool_config)) {
		json_decref(f->pool_config);
		f->pool_config = json_object();
	}
	users_rules_init(&f->rules, f->pool_config);
	f->username = xasprintf("%s_%s", f->provider, f->subject);
	f->key = users_key(&f->rules, f->username);
	federation_identity_of(f, &id);
	if (federation_map(&f->rules, &id, &f->create, &f->update, &ekind,
	    &emsg) != 0) {
		federation_fail(t, ekind, emsg);
		return;
	}
	federation_find(t, f);
}

/* The identity names a provider of a known type and a user. */
static int
federation_identity_ok(struct task *t, const char *pool_id,
    const struct fed_identity *id)
{
	if (pool_id == NULL || id->provider_name == NULL ||
	    *id->provider_name == '\0' ||
	    strlen(id->provider_name) > FED_NAME_MAX ||
	    strcmp(id->provider_name, "Cognito") == 0 ||
	    federation_type_name(id->provider_type) == NULL) {
		task_fail(t, CORE_ERR_INVALID, "The identity provider is not "
		    "valid.");
		return 0;
	}
	if (id->subject == NULL || *id->subject == '\0' ||
	    strlen(id->subject) > FED_SUBJECT_MAX) {
		task_fail(t, CORE_ERR_INVALID, "The identity provider named "
		    "no user.");
		return 0;
	}
	return 1;
}

void
federation_sign_in(struct task *t, const char *pool_id,
    const struct fed_identity *id)
{
	struct fed	*f;
	struct pg_batch	*b;

	if (!federation_identity_ok(t, pool_id, id))
		return;
	f = xcalloc(1, sizeof *f);
	f->pool_id = xstrdup(pool_id);
	f->provider = xstrdup(id->provider_name);
	f->type = id->provider_type;
	f->issuer = id->issuer != NULL ? xstrdup(id->issuer) : NULL;
	f->subject = xstrdup(id->subject);
	f->claims = json_is_object(id->claims) ? json_deep_copy(id->claims) :
	    json_object();
	f->mapping = json_is_object(id->mapping) ?
	    json_deep_copy(id->mapping) : json_object();
	task_set_data(t, f, federation_free);
	b = pg_batch_new();
	db_fed_users_pool(b, f->pool_id);
	task_query(t, b, federation_pool_loaded);
}
