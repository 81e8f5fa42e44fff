/*
 * link_ops.c: links of external provider identities to users of a pool
 * (AdminLinkProviderForUser, AdminDisableProviderForUser).
 *
 * A link (table federated_links, sql/013) makes the identity of a
 * provider, named by its user id (ProviderAttributeName
 * Cognito_Subject) or by another of its attributes, sign in as a
 * native user of the pool instead of as a federated user of its own
 * (core/federation.c reads the links). The destination's identities
 * attribute shows each linked identity, as Cognito's AdminGetUser does.
 *
 * Each operation reads the pool's configuration (a missing pool is
 * ResourceNotFoundException; the rules normalise usernames), then runs
 * one statement of db/fed_users.c that checks and writes together, so
 * two links of one identity at once end in one link and one
 * AliasExistsException.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/federation.h"
#include "core/users.h"
#include "db/fed_users.h"
#include "db/pg.h"
#include "util.h"

#define LINK_COGNITO		"Cognito"
#define LINK_SUBJECT		"Cognito_Subject"
#define LINK_MAX_PER_USER	"5"
#define LINK_VALUE_MAX		131072

/* --- Input shapes (from the service model) --- */

static const struct shape s_provider_name = { .kind = SHAPE_STRING,
	.min = 1, .max = 32, .has_min = 1, .has_max = 1,
	.check = shape_check_name,
	.pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+" };
static const struct shape s_attr = { .kind = SHAPE_STRING,
	.max = LINK_VALUE_MAX, .has_max = 1 };

static const struct shape_member s_provider_user_members[] = {
	{ "ProviderName", &s_provider_name, 0 },
	{ "ProviderAttributeName", &s_attr, 0 },
	{ "ProviderAttributeValue", &s_attr, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_provider_user = { .kind = SHAPE_STRUCT,
	.members = s_provider_user_members };

static const struct shape_member s_link_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "DestinationUser", &s_provider_user, 1 },
	{ "SourceUser", &s_provider_user, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_link = { .kind = SHAPE_STRUCT,
	.members = s_link_members };

static const struct shape_member s_disable_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "User", &s_provider_user, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_disable = { .kind = SHAPE_STRUCT,
	.members = s_disable_members };

/* --- Shared --- */

/* A ProviderUserIdentifierType input. */
struct link_user {
	const char	*provider;
	const char	*attr_name;
	const char	*attr_value;
};

static void
link_user_of(struct api_call *call, const char *member, struct link_user *u)
{
	json_t	*o = json_object_get(call->in, member);

	u->provider = api_str(o, "ProviderName");
	u->attr_name = api_str(o, "ProviderAttributeName");
	u->attr_value = api_str(o, "ProviderAttributeValue");
}

static int
link_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

static void
link_pool_free(void *p)
{
	ops_pool_clear(p);
	free(p);
}

/* Read the pool's rules into the call's data, then run next. */
static void
link_begin(struct api_call *call,
    void (*loaded)(struct api_call *, struct pg_reply *))
{
	api_set_data(call, xcalloc(1, sizeof(struct ops_pool)),
	    link_pool_free);
	ops_pool_query(call, loaded);
}

/* The key of the federated user <provider>_<value>, malloc'd. */
static char *
link_fed_key(struct ops_pool *p, const struct link_user *u)
{
	char	*name = xasprintf("%s_%s", u->provider, u->attr_value), *key;

	key = users_key(&p->rules, name);
	free(name);
	return key;
}

/* --- AdminLinkProviderForUser --- */

/* 0 when both users are well named, else answered. */
static int
link_check(struct api_call *call, const struct link_user *dest,
    const struct link_user *src)
{
	if (dest->provider == NULL || strcmp(dest->provider, LINK_COGNITO)) {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "DestinationUser: its ProviderName must be Cognito.");
		return -1;
	}
	if (link_empty(dest->attr_value)) {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "DestinationUser: a ProviderAttributeValue is required.");
		return -1;
	}
	if (link_empty(src->provider)) {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "SourceUser: a ProviderName is required.");
		return -1;
	}
	if (strcmp(src->provider, LINK_COGNITO) == 0) {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "SourceUser: Cognito users with a username/password may "
		    "not be passed in as a SourceUser, only as a "
		    "DestinationUser");
		return -1;
	}
	if (link_empty(src->attr_name) || link_empty(src->attr_value)) {
		api_fail(call, "InvalidParameterException", "Invalid "
		    "SourceUser: a ProviderAttributeName and its "
		    "ProviderAttributeValue are required.");
		return -1;
	}
	return 0;
}

static void
link_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	const char	*status;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[DB_FED_USERS_LINK_ROW];
	status = pg_val(r, 0, DB_FED_USERS_LINK_STATUS);
	if (!ops_true(r, 0, DB_FED_USERS_LINK_DEST))
		ops_fail_no_user(call);
	else if (status != NULL && strcmp(status, "EXTERNAL_PROVIDER") == 0)
		api_fail(call, "InvalidParameterException", "Invalid "
		    "DestinationUser: a federated user may not be a "
		    "DestinationUser.");
	else if (ops_count(r, 0, DB_FED_USERS_LINK_DONE) > 0)
		api_ok(call, NULL);
	else if (!ops_true(r, 0, DB_FED_USERS_LINK_TAKEN) &&
	    !ops_true(r, 0, DB_FED_USERS_LINK_FED) &&
	    ops_count(r, 0, DB_FED_USERS_LINK_COUNT) >=
	    atoi(LINK_MAX_PER_USER))
		api_fail(call, "LimitExceededException", "A user may be "
		    "linked to at most " LINK_MAX_PER_USER " identities.");
	else
		api_fail(call, "AliasExistsException", "Already found an "
		    "entry for the provided username.");
}

/* Cognito's dateCreated: milliseconds since the epoch. */
static long long
link_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The provider's type for the identities element: the pool's identity
 * provider of that name says it (the reply's second statement); for a
 * provider not (or no longer) there, a social preset's name is its
 * type and any other name is shown as OIDC.
 */
static enum fed_type
link_type(struct pg_reply *reply, const char *provider)
{
	enum fed_type	type;

	if (reply->nres > 1 && pg_rows(reply->res[1]) > 0 &&
	    federation_type_of(pg_val(reply->res[1], 0, 0), &type) == 0)
		return type;
	if (federation_type_of(provider, &type) != 0 ||
	    type == FED_OIDC || type == FED_SAML)
		type = FED_OIDC;
	return type;
}

static void
link_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct ops_pool			*p = call->data;
	struct link_user		 dest, src;
	struct db_fed_users_link	 l;
	struct pg_batch			*b;
	char				*dest_key, *fed_key = NULL, *elem;

	if (ops_pool_read(call, reply, p) != 0)
		return;
	link_user_of(call, "DestinationUser", &dest);
	link_user_of(call, "SourceUser", &src);
	if (link_check(call, &dest, &src) != 0)
		return;
	dest_key = users_key(&p->rules, dest.attr_value);
	if (strcmp(src.attr_name, LINK_SUBJECT) == 0)
		fed_key = link_fed_key(p, &src);
	elem = federation_identity_text(src.attr_value, src.provider,
	    link_type(reply, src.provider), NULL, 0, link_now_ms());
	memset(&l, 0, sizeof l);
	l.pool_id = api_str(call->in, "UserPoolId");
	l.dest_key = dest_key;
	l.provider = src.provider;
	l.attr_name = src.attr_name;
	l.attr_value = src.attr_value;
	l.fed_key = fed_key;
	l.identity = elem;
	l.max = LINK_MAX_PER_USER;
	b = pg_batch_new();
	db_fed_users_link(b, &l);
	free(dest_key);
	free(fed_key);
	free(elem);
	api_query(call, b, link_done);
}

/* The pool's rules and the source's provider type, then the link. */
static void
link_link(struct api_call *call)
{
	struct pg_batch	*b = pg_batch_new();
	const char	*provider;

	provider = api_str(json_object_get(call->in, "SourceUser"),
	    "ProviderName");
	api_set_data(call, xcalloc(1, sizeof(struct ops_pool)),
	    link_pool_free);
	db_fed_users_pool_provider(b, api_str(call->in, "UserPoolId"),
	    provider != NULL ? provider : "");
	api_query(call, b, link_loaded);
}

/* --- AdminDisableProviderForUser --- */

static void
link_disable_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (ops_count(reply->res[0], 0, 0) == 0 &&
	    ops_count(reply->res[0], 0, 1) == 0)
		ops_fail_no_user(call);
	else
		api_ok(call, NULL);
}

/*
 * The identity's link goes; a user of its own (found by
 * Cognito_Subject) is disabled. ProviderName Cognito with
 * Cognito_Subject names a native user by username: it is disabled.
 */
static void
link_disable_loaded(struct api_call *call, struct pg_reply *reply)
{
	struct ops_pool		*p = call->data;
	struct link_user	 u;
	struct pg_batch		*b;
	char			*fed_key = NULL;

	if (ops_pool_read(call, reply, p) != 0)
		return;
	link_user_of(call, "User", &u);
	if (link_empty(u.provider) || link_empty(u.attr_name) ||
	    link_empty(u.attr_value)) {
		api_fail(call, "InvalidParameterException", "User must name "
		    "a ProviderName, a ProviderAttributeName and its "
		    "ProviderAttributeValue.");
		return;
	}
	if (strcmp(u.provider, LINK_COGNITO) == 0) {
		if (strcmp(u.attr_name, LINK_SUBJECT) != 0) {
			api_fail(call, "InvalidParameterException", "A user "
			    "of the pool is named by " LINK_SUBJECT ".");
			return;
		}
		fed_key = users_key(&p->rules, u.attr_value);
	} else if (strcmp(u.attr_name, LINK_SUBJECT) == 0)
		fed_key = link_fed_key(p, &u);
	b = pg_batch_new();
	db_fed_users_unlink(b, api_str(call->in, "UserPoolId"), u.provider,
	    u.attr_name, u.attr_value, fed_key);
	free(fed_key);
	api_query(call, b, link_disable_done);
}

static void
link_disable(struct api_call *call)
{
	link_begin(call, link_disable_loaded);
}

const struct api_op link_ops[] = {
	{ "AdminLinkProviderForUser", link_link, API_SIGNED, &s_link },
	{ "AdminDisableProviderForUser", link_disable, API_SIGNED,
	    &s_disable },
	{ NULL, NULL, 0, NULL }
};
