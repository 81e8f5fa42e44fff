/*
 * rs_ops.c: resource servers of a pool and their custom scopes
 * (CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
 * DeleteResourceServer, ListResourceServers).
 *
 * A custom scope is "<identifier>/<scope name>": app clients name it in
 * AllowedOAuthScopes (checked against this table when the client is
 * written) and the token endpoint grants it. Scope names cannot hold a
 * '/', so the last '/' of a custom scope always separates the two parts
 * even when the identifier is a URL. A pool has at most 25 resource
 * servers of at most 100 scopes each. The statements are
 * db/resource_servers.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "db/pg.h"
#include "db/resource_servers.h"
#include "util.h"

#define RS_MAX_SCOPES		100
#define RS_PAGE_MAX		50

/* --- Input shapes (from the service model) --- */

static const struct shape s_identifier = { .kind = SHAPE_STRING, .min = 1,
	.max = 256, .has_min = 1, .has_max = 1, .check = ops_check_scope,
	.pattern = "[\\x21\\x23-\\x5B\\x5D-\\x7E]+" };
static const struct shape s_name = { .kind = SHAPE_STRING, .min = 1,
	.max = 256, .has_min = 1, .has_max = 1,
	.check = shape_check_pool_name, .pattern = "[\\w\\s+=,.@-]+" };
static const struct shape s_scope_name = { .kind = SHAPE_STRING, .min = 1,
	.max = 256, .has_min = 1, .has_max = 1,
	.check = ops_check_scope_name,
	.pattern = "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+" };
static const struct shape s_scope_desc = SHAPE_STR(1, 256);
static const struct shape_member s_scope_members[] = {
	{ "ScopeName", &s_scope_name, 1 },
	{ "ScopeDescription", &s_scope_desc, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_scope = { .kind = SHAPE_STRUCT,
	.members = s_scope_members };
static const struct shape s_scopes = { .kind = SHAPE_LIST,
	.max = RS_MAX_SCOPES, .has_max = 1, .item = &s_scope };
static const struct shape s_limit = { .kind = SHAPE_INT, .min = 1,
	.max = RS_PAGE_MAX, .has_min = 1, .has_max = 1 };

static const struct shape_member s_write_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Identifier", &s_identifier, 1 },
	{ "Name", &s_name, 1 },
	{ "Scopes", &s_scopes, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_write = { .kind = SHAPE_STRUCT,
	.members = s_write_members };

static const struct shape_member s_ref_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "Identifier", &s_identifier, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_ref = { .kind = SHAPE_STRUCT,
	.members = s_ref_members };

static const struct shape_member s_list_members[] = {
	{ "UserPoolId", &ops_shape_pool_id, 1 },
	{ "MaxResults", &s_limit, 0 },
	{ "NextToken", &ops_shape_next_token, 0 },
	{ NULL, NULL, 0 }
};
static const struct shape s_list = { .kind = SHAPE_STRUCT,
	.members = s_list_members };

/* --- Helpers --- */

/*
 * The scopes as stored: only the two declared members, each name once.
 * NULL after answering InvalidParameterException for a duplicate.
 */
static char *
rs_scopes_param(struct api_call *call)
{
	json_t		*out = json_array(), *v;
	const char	*name;
	size_t		 i, j;
	char		*text;

	json_array_foreach(json_object_get(call->in, "Scopes"), i, v) {
		name = api_str(v, "ScopeName");
		for (j = 0; j < i; j++) {
			if (strcmp(name, api_str(json_array_get(out, j),
			    "ScopeName")) != 0)
				continue;
			api_fail(call, "InvalidParameterException",
			    "Duplicate scope name %s.", name);
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, json_pack("{s:s, s:s}",
		    "ScopeName", name, "ScopeDescription",
		    api_str(v, "ScopeDescription")));
	}
	text = ops_json_text(out);
	json_decref(out);
	return text;
}

/* ResourceServerType; scopes is the stored JSON text. */
static json_t *
rs_output(const char *pool_id, const char *identifier, const char *name,
    const char *scopes)
{
	json_t	*s = scopes != NULL ? json_loads(scopes, 0, NULL) : NULL;

	if (!json_is_array(s)) {
		json_decref(s);
		s = json_array();
	}
	return json_pack("{s:s, s:s, s:s, s:o}", "UserPoolId", pool_id,
	    "Identifier", identifier, "Name", name, "Scopes", s);
}

static void
rs_fail_missing(struct api_call *call)
{
	api_fail(call, "ResourceNotFoundException",
	    "Resource server %s does not exist in user pool %s.",
	    api_str(call->in, "Identifier"), api_str(call->in, "UserPoolId"));
}

static void
rs_fail_duplicate(struct api_call *call)
{
	api_fail(call, "InvalidParameterException",
	    "A resource server with identifier %s already exists in user "
	    "pool %s.", api_str(call->in, "Identifier"),
	    api_str(call->in, "UserPoolId"));
}

/* The written server, echoed from the input. */
static void
rs_ok_input(struct api_call *call, const char *scopes)
{
	api_ok(call, json_pack("{s:o}", "ResourceServer", rs_output(
	    api_str(call->in, "UserPoolId"), api_str(call->in, "Identifier"),
	    api_str(call->in, "Name"), scopes)));
}

static void
rs_data_free(void *p)
{
	free(p);
}

/* --- CreateResourceServer --- */

static void
rs_create_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		if (strcmp(reply->sqlstate, PG_STATE_UNIQUE) == 0)
			rs_fail_duplicate(call);
		else
			api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0)
		ops_fail_no_pool(call, api_str(call->in, "UserPoolId"));
	else if (ops_true(r, 0, DB_RESOURCE_SERVERS_CREATE_DUP))
		rs_fail_duplicate(call);
	else if (ops_count(r, 0, DB_RESOURCE_SERVERS_CREATE_ADDED) == 0)
		api_fail(call, "LimitExceededException", "A user pool can have "
		    "at most %d resource servers.",
		    DB_RESOURCE_SERVERS_MAX_PER_POOL);
	else
		rs_ok_input(call, call->data);
}

static void
rs_create(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*scopes;

	if ((scopes = rs_scopes_param(call)) == NULL)
		return;
	api_set_data(call, scopes, rs_data_free);
	batch = pg_batch_new();
	db_resource_servers_create(batch, api_str(call->in, "UserPoolId"), api_str(call->in, "Identifier"),
	    api_str(call->in, "Name"), scopes);
	api_query(call, batch, rs_create_done);
}

/* --- DescribeResourceServer --- */

static void
rs_describe_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	if (pg_val(r, 0, DB_RESOURCE_SERVERS_GET_NAME) == NULL)
		rs_fail_missing(call);
	else
		api_ok(call, json_pack("{s:o}", "ResourceServer", rs_output(
		    pg_val(r, 0, DB_RESOURCE_SERVERS_GET_POOL),
		    api_str(call->in, "Identifier"),
		    pg_val(r, 0, DB_RESOURCE_SERVERS_GET_NAME),
		    pg_val(r, 0, DB_RESOURCE_SERVERS_GET_SCOPES))));
}

static void
rs_describe(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_resource_servers_get(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "Identifier"));
	api_query(call, batch, rs_describe_done);
}

/* --- UpdateResourceServer and DeleteResourceServer --- */

/* Both answer from (pool exists, rows changed). */
static void
rs_update_done(struct api_call *call, struct pg_reply *reply)
{
	if (ops_pool_changed(call, reply, rs_fail_missing))
		rs_ok_input(call, call->data);
}

/* Full replacement of the name and scopes, as on Cognito. */
static void
rs_update(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*scopes;

	if ((scopes = rs_scopes_param(call)) == NULL)
		return;
	api_set_data(call, scopes, rs_data_free);
	batch = pg_batch_new();
	db_resource_servers_update(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "Identifier"), api_str(call->in, "Name"),
	    scopes);
	api_query(call, batch, rs_update_done);
}

static void
rs_delete_done(struct api_call *call, struct pg_reply *reply)
{
	if (ops_pool_changed(call, reply, rs_fail_missing))
		api_ok(call, NULL);
}

static void
rs_delete(struct api_call *call)
{
	struct pg_batch	*batch = pg_batch_new();

	db_resource_servers_delete(batch, api_str(call->in, "UserPoolId"),
	    api_str(call->in, "Identifier"));
	api_query(call, batch, rs_delete_done);
}

/* --- ListResourceServers --- */

static void
rs_list_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;
	json_t		*items, *out;
	int		 i, n, max;

	if ((r = ops_pool_result(call, reply)) == NULL)
		return;
	n = pg_rows(r);
	max = (int)api_int(call->in, "MaxResults", RS_PAGE_MAX);
	items = json_array();
	for (i = 0; i < n && i < max && pg_val(r, i,
	    DB_RESOURCE_SERVERS_LIST_IDENTIFIER) != NULL; i++)
		json_array_append_new(items, rs_output(
		    pg_val(r, i, DB_RESOURCE_SERVERS_LIST_POOL),
		    pg_val(r, i, DB_RESOURCE_SERVERS_LIST_IDENTIFIER),
		    pg_val(r, i, DB_RESOURCE_SERVERS_LIST_NAME),
		    pg_val(r, i, DB_RESOURCE_SERVERS_LIST_SCOPES)));
	out = json_pack("{s:o}", "ResourceServers", items);
	if (n > max)
		ops_page_next(out, "NextToken", pg_val(r, max - 1,
		    DB_RESOURCE_SERVERS_LIST_IDENTIFIER), NULL);
	api_ok(call, out);
}

/* Pages in identifier order; one row more tells a page follows. */
static void
rs_list(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*after, limit[16];

	if (ops_page_after(call, &after, NULL) != 0)
		return;
	snprintf(limit, sizeof limit, "%d", (int)api_int(call->in,
	    "MaxResults", RS_PAGE_MAX) + 1);
	batch = pg_batch_new();
	db_resource_servers_list(batch, api_str(call->in, "UserPoolId"),
	    after, limit);
	free(after);
	api_query(call, batch, rs_list_done);
}

const struct api_op rs_ops[] = {
	{ "CreateResourceServer", rs_create, API_SIGNED, &s_write },
	{ "DescribeResourceServer", rs_describe, API_SIGNED, &s_ref },
	{ "UpdateResourceServer", rs_update, API_SIGNED, &s_write },
	{ "DeleteResourceServer", rs_delete, API_SIGNED, &s_ref },
	{ "ListResourceServers", rs_list, API_SIGNED, &s_list },
	{ NULL, NULL, 0, NULL }
};
