/*
 * group_ops.c: groups of a pool and their members (CreateGroup,
 * GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
 * AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup).
 *
 * A membership row (user_groups) names the user by sub and the group by
 * name, with foreign keys that cascade: deleting a user or a group
 * removes its memberships in the same statement. The operations that
 * name a user take its username or a sign-in alias, so they first read
 * the pool's configuration to normalise it (users_key) and then run one
 * statement that finds the user and does the work. A pool has at most
 * 10,000 groups and a user belongs to at most 100. The statements are
 * db/groups.c's.
 *
 * Lists page in a stable keyset order: groups by name, members by
 * their normalised username. The NextToken is the last key shown.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "core/users.h"
#include "db/groups.h"
#include "db/pg.h"
#include "db/users.h"
#include "util.h"

#define GROUP_PAGE_MAX		60

/* --- Input shapes (from the service model) --- */

static const struct shape s_group_name = { .kind = SHAPE_STRING,
	.min = 1, .max = 128, .has_min = 1, .has_max = 1,
	.check = shape_check_name,
	.pattern = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+" };
static const struct shape s_description = { .kind = SHAPE_STRING,
	.max = 2048, .has_max = 1 };
static const struct shape s_arn = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .check = shape_check_arn,
	.pattern = "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:"
	    "[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?" };
static const struct shape s_precedence = { .kind = SHAPE_INT, .min = 0,
	.max = 2147483647LL, .has_min = 1, .has_max = 1 };
static const struct shape s_limit = { .kind = SHAPE_INT, .min = 0,
	.max = GROUP_PAGE_MAX, .has_min = 1, .has_max = 1 };

/* What every list operation takes after its own members. */
#define GROUP_PAGE_MEMBERS						\
	{ "Limit", &s_limit, 0 },					\
	{ "NextToken", &ops_shape_next_token, 0 }

static const struct shape_member s_write_members[] = {
	{ "GroupName", &s_group_name, 1 },
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Description", &s_description, 0 },
	{ "RoleArn", &s_arn, 0 },
	{ "Precedence", &s_precedence, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_write = { .kind = SHAPE_STRUCT,
	.members = s_write_members };

static const struct shape_member s_ref_members[] = {
	{ "GroupName", &s_group_name, 1 },
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_ref = { .kind = SHAPE_STRUCT,
	.members = s_ref_members };

static const struct shape_member s_list_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	GROUP_PAGE_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_list = { .kind = SHAPE_STRUCT,
	.members = s_list_members };

static const struct shape_member s_member_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Username", &ops_shape_username, 1 },
	{ "GroupName", &s_group_name, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_member = { .kind = SHAPE_STRUCT,
	.members = s_member_members };

static const struct shape_member s_user_list_members[] = {
	{ "Username", &ops_shape_username, 1 },
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	GROUP_PAGE_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_user_list = { .kind = SHAPE_STRUCT,
	.members = s_user_list_members };

static const struct shape_member s_group_list_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "GroupName", &s_group_name, 1 },
	GROUP_PAGE_MEMBERS,
	{ NULL, NULL, 0 }
};
static const struct shape s_group_list = { .kind = SHAPE_STRUCT,
	.members = s_group_list_members };

/* --- Helpers --- */

/*
 * GroupType from the group's columns (db/groups.h) of row i starting at
 * column c.
 */
static json_t *
group_output(const char *pool_id, const PGresult *r, int i, int c)
{
	json_t		*g;
	const char	*v;

	g = json_pack("{s:s, s:s}", "GroupName", pg_val(r, i,
	    c + DB_GROUPS_NAME), "UserPoolId", pool_id);
	if ((v = pg_val(r, i, c + DB_GROUPS_DESCRIPTION)) != NULL)
		json_object_set_new(g, "Description", json_string(v));
	if ((v = pg_val(r, i, c + DB_GROUPS_ROLE_ARN)) != NULL)
		json_object_set_new(g, "RoleArn", json_string(v));
	if ((v = pg_val(r, i, c + DB_GROUPS_PRECEDENCE)) != NULL)
		json_object_set_new(g, "Precedence",
		    json_integer(strtoll(v, NULL, 10)));
	json_object_set_new(g, "LastModifiedDate", api_time(pg_val(r, i,
	    c + DB_GROUPS_MODIFIED)));
	json_object_set_new(g, "CreationDate", api_time(pg_val(r, i,
	    c + DB_GROUPS_CREATED)));
	return g;
}

static void
group_fail_missing(struct api_call *call)
{
	api_fail(call, "ResourceNotFoundException", "Group not found.");
}

/* The page size: Limit, where 0 or absent means the largest page. */
static int
group_limit(struct api_call *call)
{
	long long	n = api_int(call->in, "Limit", 0);

	return n > 0 && n <= GROUP_PAGE_MAX ? (int)n : GROUP_PAGE_MAX;
}

/*
 * Answer {member: items}, with a NextToken after the key in column c
 * of the page's last row when a row follows the page.
 */
static void
group_page(struct api_call *call, const char *member, json_t *items,
    const PGresult *r, int c)
{
	json_t		*out = json_pack("{s:o}", member, items);
	int		 max = group_limit(call);
	const char	*last;

	if (pg_rows(r) > max && (last = pg_val(r, max - 1, c)) != NULL)
		ops_page_next(out, "NextToken", last, NULL);
	api_ok(call, out);
}

/* A decimal parameter. */
static void
group_num(char *buf, size_t len, long long n)
{
	snprintf(buf, len, "%lld", n);
}

/* The Precedence input as a parameter in buf, or NULL when absent. */
static const char *
group_precedence(struct api_call *call, char *buf, size_t len)
{
	json_t	*prec = json_object_get(call->in, "Precedence");

	if (prec == NULL)
		return NULL;
	group_num(buf, len, json_integer_value(prec));
	return buf;
}

/* --- CreateGroup --- */

static void
group_create_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		if (strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
			api_fail(call, "GroupExistsException",
			    "A group with the name already exists.");
		else
			api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0)
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
	else if (ops_true(r, 0, DB_GROUPS_CREATE_DUP))
		api_fail(call, "GroupExistsException",
		    "A group with the name already exists.");
	else if (pg_val(r, 0, DB_GROUPS_CREATE_GROUP) == NULL)
		api_fail(call, "LimitExceededException", "A user pool can have "
		    "at most %d groups.", DB_GROUPS_MAX_PER_POOL);
	else
		api_ok(call, json_pack("{s:o}", "Group", group_output(
		    api_str(call->in, "UserPoolId"), r, 0,
		    DB_GROUPS_CREATE_GROUP)));
}

static void
group_create(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();
	char		 num[32];

	db_groups_create(batch,
	    api_str(call->in, "UserPoolId"), api_str(call->in, "GroupName"),
	    api_str(call->in, "Description"), api_str(call->in, "RoleArn"),
	    group_precedence(call, num, sizeof num));
	api_query(call, batch, group_create_done);
}

/* --- GetGroup and UpdateGroup --- */

/* Both answer {Group} from the row (DB_GROUPS_ONE_*) or no pool. */
static void
group_one_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0 || pg_val(r, 0, DB_GROUPS_ONE_POOL) == NULL)
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
	else if (pg_val(r, 0, DB_GROUPS_ONE_GROUP) == NULL)
		group_fail_missing(call);
	else
		api_ok(call, json_pack("{s:o}", "Group", group_output(
		    pg_val(r, 0, DB_GROUPS_ONE_POOL), r, 0,
		    DB_GROUPS_ONE_GROUP)));
}

static void
group_get(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_groups_get(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "GroupName"));
	api_query(call, batch, group_one_done);
}

/* Only the members given change; the others keep their values. */
static void
group_update(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();
	char		 num[32];

	db_groups_update(batch, api_str(call->in, "UserPoolId"), api_str(call->in, "GroupName"),
	    api_str(call->in, "Description"), api_str(call->in, "RoleArn"),
	    group_precedence(call, num, sizeof num));
	api_query(call, batch, group_one_done);
}

/* --- DeleteGroup --- */

static void
group_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (ops_pool_changed(call, reply, group_fail_missing))
		api_ok(call, NULL);
}

/* The memberships go with the group (the foreign key cascades). */
static void
group_delete(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_groups_delete(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "GroupName"));
	api_query(call, batch, group_delete_done);
}

/* --- ListGroups --- */

static void
group_list_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*items;
	int		 i, n, max = group_limit(call);

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	n = pg_rows(r);
	items = json_array();
	for (i = 0; i < n && i < max && pg_val(r, i, DB_GROUPS_ONE_GROUP) !=
	    NULL; i++)
		json_array_append_new(items, group_output(pg_val(r, i,
		    DB_GROUPS_ONE_POOL), r, i, DB_GROUPS_ONE_GROUP));
	group_page(call, "Groups", items, r, DB_GROUPS_ONE_GROUP +
	    DB_GROUPS_NAME);
}

/* Pages in name order; one row more tells a page follows. */
static void
group_list(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*after, limit[16];

	if (ops_page_after(call, &after, NULL) != 0)
		return;
	group_num(limit, sizeof limit, group_limit(call) + 1);
	batch = pg_batch_new();
	db_groups_list(batch, api_str(call->in, "UserPoolId"), after, limit);
	free(after);
	api_query(call, batch, group_list_done);
}

/* --- Finding a user by username or alias --- */

typedef void	(*group_user_fn)(struct api_call *, const char *);

struct group_user {
	group_user_fn	 step;
};

static void
group_user_free(void *p)
{
	free(p);
}

/* The pool's rules normalise Username; then the step runs with it. */
static void
group_user_done(struct api_call *call, struct pg_reply *reply)
{
	struct group_user	*gu = call->data;
	struct ops_pool		 pool;

	if (ops_pool_read(call, reply, &pool) != 0)
		return;
	gu->step(call, pool.key);
	ops_pool_clear(&pool);
}

/* Read the pool's configuration, then run step with the user's key. */
static void
group_with_user(struct api_call *call, group_user_fn step)
{
	struct group_user	*gu = xcalloc(1, sizeof *gu);

	gu->step = step;
	api_set_data(call, gu, group_user_free);
	ops_pool_query(call, group_user_done);
}

/* 1 when the group and the user of a membership statement exist. */
static int
group_member_found(struct api_call *call, const PGresult *r)
{
	if (!ops_true(r, 0, DB_GROUPS_MEMBER_GROUP))
		group_fail_missing(call);
	else if (!ops_true(r, 0, DB_GROUPS_MEMBER_USER))
		ops_fail_no_user(call);
	else
		return 1;
	return 0;
}

/* --- AdminAddUserToGroup --- */

static void
group_add_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		/* The user or group went away since the statement began. */
		if (strcmp(reply->sqlstate, PG_STATE_FOREIGN_KEY) == 0 &&
		    reply->constraint != NULL &&
		    strstr(reply->constraint, "group_name") != NULL)
			group_fail_missing(call);
		else if (strcmp(reply->sqlstate, PG_STATE_FOREIGN_KEY) == 0)
			ops_fail_no_user(call);
		else if (strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
			api_ok(call, NULL);	/* added twice at once */
		else
			api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (!group_member_found(call, r))
		return;
	if (!ops_true(r, 0, DB_GROUPS_ADD_MEMBER) &&
	    ops_count(r, 0, DB_GROUPS_ADD_COUNT) == 0)
		api_fail(call, "LimitExceededException", "A user can be a "
		    "member of at most %d groups.", DB_GROUPS_MAX_PER_USER);
	else
		api_ok(call, NULL);
}

/* Adding a member again changes nothing and is no error. */
static void
group_add_step(struct api_call *call, const char *key)
{
	struct pg_batch	*batch = pg_batch_new();

	db_groups_add_member(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "GroupName"), key);
	api_query(call, batch, group_add_done);
}

static void
group_add(struct api_call *call)
{
	group_with_user(call, group_add_step);
}

/* --- AdminRemoveUserFromGroup --- */

static void
group_remove_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (group_member_found(call, reply->res[0]))
		api_ok(call, NULL);
}

/* Removing a user who is not a member is no error. */
static void
group_remove_step(struct api_call *call, const char *key)
{
	struct pg_batch	*batch = pg_batch_new();

	db_groups_remove_member(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "GroupName"), key);
	api_query(call, batch, group_remove_done);
}

static void
group_remove(struct api_call *call)
{
	group_with_user(call, group_remove_step);
}

/* --- AdminListGroupsForUser --- */

static void
group_user_list_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	const char	*pool_id = api_str(call->in, "UserPoolId");
	json_t		*items;
	int		 i, n, max = group_limit(call);

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if ((n = pg_rows(r)) == 0) {
		ops_fail_no_user(call);
		return;
	}
	items = json_array();
	for (i = 0; i < n && i < max && pg_val(r, i, DB_GROUPS_NAME) != NULL;
	    i++)
		json_array_append_new(items, group_output(pool_id, r, i, 0));
	group_page(call, "Groups", items, r, DB_GROUPS_NAME);
}

/* The user's groups in name order. */
static void
group_user_list_step(struct api_call *call, const char *key)
{
	struct pg_batch	*batch;
	char		*after, limit[16];

	if (ops_page_after(call, &after, NULL) != 0)
		return;
	group_num(limit, sizeof limit, group_limit(call) + 1);
	batch = pg_batch_new();
	db_groups_of_user(batch, api_str(call->in, "UserPoolId"), key, after,
	    limit);
	free(after);
	api_query(call, batch, group_user_list_done);
}

static void
group_user_list(struct api_call *call)
{
	char	*after;

	/* A bad token is refused before any database work. */
	if (ops_page_after(call, &after, NULL) != 0)
		return;
	free(after);
	group_with_user(call, group_user_list_step);
}

/* --- ListUsersInGroup --- */

static void
group_members_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	struct user	 u;
	json_t		*items;
	int		 i, n, max = group_limit(call);

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	n = pg_rows(r);
	if (pg_val(r, 0, DB_GROUPS_MEMBERS_GROUP) == NULL) {
		group_fail_missing(call);
		return;
	}
	items = json_array();
	for (i = 0; i < n && i < max && pg_val(r, i, DB_GROUPS_MEMBERS_USER)
	    != NULL; i++) {
		db_users_from_row(&u, r, i, DB_GROUPS_MEMBERS_USER);
		json_array_append_new(items, users_describe(&u, NULL, 0));
		users_clear(&u);
	}
	group_page(call, "Users", items, r, DB_GROUPS_MEMBERS_KEY);
}

/* The members in username order. */
static void
group_members(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*after, limit[16];

	if (ops_page_after(call, &after, NULL) != 0)
		return;
	group_num(limit, sizeof limit, group_limit(call) + 1);
	batch = pg_batch_new();
	db_groups_members(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "GroupName"), after, limit);
	free(after);
	api_query(call, batch, group_members_done);
}

const struct api_op group_ops[] = {
	{ "CreateGroup", group_create, API_SIGNED, &s_write },
	{ "GetGroup", group_get, API_SIGNED, &s_ref },
	{ "UpdateGroup", group_update, API_SIGNED, &s_write },
	{ "DeleteGroup", group_delete, API_SIGNED, &s_ref },
	{ "ListGroups", group_list, API_SIGNED, &s_list },
	{ "AdminAddUserToGroup", group_add, API_SIGNED, &s_member },
	{ "AdminRemoveUserFromGroup", group_remove, API_SIGNED, &s_member },
	{ "AdminListGroupsForUser", group_user_list, API_SIGNED,
	    &s_user_list },
	{ "ListUsersInGroup", group_members, API_SIGNED, &s_group_list },
	{ NULL, NULL, 0, NULL }
};
