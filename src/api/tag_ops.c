/*
 * tag_ops.c: tags of user pools by ARN (TagResource, UntagResource,
 * ListTagsForResource).
 *
 * The tags live in pools.tags, the same object CreateUserPool's
 * UserPoolTags fills and DescribeUserPool returns, so either way of
 * tagging sees the other. Only user pools are taggable here: an ARN
 * must be one this service would hand out, with our region and account,
 * which keeps the pool id in it from being anything but a pool id.
 * Tag and untag change one row with one statement (db/pools.c), so
 * concurrent calls merge instead of overwriting each other.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/ops_common.h"
#include "api/shape.h"
#include "db/pg.h"
#include "db/pools.h"
#include "util.h"

#define TAG_ARN_PREFIX		"arn:aws:cognito-idp:"
#define TAG_ARN_RESOURCE	":userpool/"

/* --- Input shapes (from the service model) --- */

static const struct shape s_arn = { .kind = SHAPE_STRING, .min = 20,
	.max = 2048, .has_min = 1, .has_max = 1, .check = shape_check_arn,
	.pattern = "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:"
	    "[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?" };
static const struct shape s_key = SHAPE_STR(1, 128);
static const struct shape s_value = SHAPE_STR(0, 256);
static const struct shape s_tags = { .kind = SHAPE_MAP, .key = &s_key,
	.item = &s_value };
static const struct shape s_keys = { .kind = SHAPE_LIST, .item = &s_key };

static const struct shape_member s_tag_members[] = {
	{ "ResourceArn", &s_arn, 1 },
	{ "Tags", &s_tags, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_tag = { .kind = SHAPE_STRUCT,
	.members = s_tag_members };

static const struct shape_member s_untag_members[] = {
	{ "ResourceArn", &s_arn, 1 },
	{ "TagKeys", &s_keys, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_untag = { .kind = SHAPE_STRUCT,
	.members = s_untag_members };

static const struct shape_member s_list_members[] = {
	{ "ResourceArn", &s_arn, 1 },
	{ NULL, NULL, 0 }
};
static const struct shape s_list = { .kind = SHAPE_STRUCT,
	.members = s_list_members };

/* --- The resource --- */

/*
 * The pool id of ResourceArn, malloc'd; NULL after answering. A
 * cognito-idp user pool ARN of another region or account names no pool
 * here (ResourceNotFoundException); anything else is not a taggable
 * resource at all (InvalidParameterException).
 */
static char *
tag_pool_id(struct api_call *call)
{
	const char	*arn = api_str(call->in, "ResourceArn"), *res;
	char		*id, *ours;
	int		 same;

	res = strstr(arn, TAG_ARN_RESOURCE);
	if (strncmp(arn, TAG_ARN_PREFIX, strlen(TAG_ARN_PREFIX)) != 0 ||
	    res == NULL || shape_check_pool_id(res +
	    strlen(TAG_ARN_RESOURCE)) != 0) {
		api_fail(call, "InvalidParameterException",
		    "%s is not the ARN of a user pool.", arn);
		return NULL;
	}
	id = xstrdup(res + strlen(TAG_ARN_RESOURCE));
	ours = api_pool_arn(id);
	same = strcmp(ours, arn) == 0;
	free(ours);
	if (!same) {
		ops_fail_no_pool(call, id);
		free(id);
		return NULL;
	}
	return id;
}

static void
tag_data_free(void *p)
{
	free(p);
}

/* Keys starting with "aws:" belong to AWS, as everywhere on AWS. */
static int
tag_keys_ok(struct api_call *call)
{
	const char	*key;
	json_t		*v;

	json_object_foreach(json_object_get(call->in, "Tags"), key, v) {
		if (strncasecmp(key, "aws:", 4) == 0) {
			api_fail(call, "InvalidParameterException",
			    "Tag keys starting with aws: are reserved.");
			return 0;
		}
	}
	return 1;
}

/* --- TagResource --- */

static void
tag_resource_done(struct api_call *call, struct pg_reply *reply)
{
	const PGresult	*r;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	r = reply->res[0];
	if (pg_rows(r) == 0)
		ops_fail_no_pool(call, call->data);
	else if (ops_count(r, 0, DB_POOLS_TAGGED) == 0)
		api_fail(call, "InvalidParameterException", "A user pool can "
		    "have at most %d tags.", DB_POOLS_MAX_TAGS);
	else
		api_ok(call, NULL);
}

static void
tag_resource(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*id, *tags;

	if (!tag_keys_ok(call) || (id = tag_pool_id(call)) == NULL)
		return;
	api_set_data(call, id, tag_data_free);
	tags = ops_json_text(json_object_get(call->in, "Tags"));
	batch = pg_batch_new();
	db_pools_tag(batch, id, tags);
	free(tags);
	api_query(call, batch, tag_resource_done);
}

/* --- UntagResource --- */

static void
tag_untag_done(struct api_call *call, struct pg_reply *reply)
{
	if (!reply->ok)
		api_fail_db(call, reply);
	else if (pg_rows(reply->res[0]) == 0)
		ops_fail_no_pool(call, call->data);
	else
		api_ok(call, NULL);
}

static void
tag_untag(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*id, *keys;

	if ((id = tag_pool_id(call)) == NULL)
		return;
	api_set_data(call, id, tag_data_free);
	keys = ops_json_text(json_object_get(call->in, "TagKeys"));
	batch = pg_batch_new();
	db_pools_untag(batch, id, keys);
	free(keys);
	api_query(call, batch, tag_untag_done);
}

/* --- ListTagsForResource --- */

static void
tag_list_done(struct api_call *call, struct pg_reply *reply)
{
	json_t	*tags;

	if (!reply->ok) {
		api_fail_db(call, reply);
		return;
	}
	if (pg_rows(reply->res[0]) == 0) {
		ops_fail_no_pool(call, call->data);
		return;
	}
	tags = json_loads(pg_val(reply->res[0], 0, DB_POOLS_TAGS), 0, NULL);
	if (!json_is_object(tags)) {
		json_decref(tags);
		tags = json_object();
	}
	api_ok(call, json_pack("{s:o}", "Tags", tags));
}

static void
tag_list(struct api_call *call)
{
	struct pg_batch	*batch;
	char		*id;

	if ((id = tag_pool_id(call)) == NULL)
		return;
	api_set_data(call, id, tag_data_free);
	batch = pg_batch_new();
	db_pools_tags(batch, id);
	api_query(call, batch, tag_list_done);
}

const struct api_op tag_ops[] = {
	{ "TagResource", tag_resource, API_SIGNED, &s_tag },
	{ "UntagResource", tag_untag, API_SIGNED, &s_untag },
	{ "ListTagsForResource", tag_list, API_SIGNED, &s_list },
	{ NULL, NULL, 0, NULL }
};
