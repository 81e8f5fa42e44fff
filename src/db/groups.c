/*
 * groups.c: the groups and user_groups tables (see groups.h). A
 * statement that names a user finds it and does the work at once, so
 * each operation is one statement; the limits on groups per pool and
 * per user are checked inside it.
 */
#include "config.h"

#include "db/groups.h"
#include "db/pg.h"
#include "db/users.h"

#define GROUP_STR(x)		GROUP_STR2(x)
#define GROUP_STR2(x)		#x

/* The columns DB_GROUPS_NAME... number, over "g". */
#define GROUP_COLUMNS							\
	"g.name, g.description, g.role_arn, g.precedence, "		\
	"g.created_at, g.modified_at"

/* The one user a Username names: its username first, then an alias. */
#define GROUP_FIND_USER							\
	"SELECT u.sub FROM users u WHERE " DB_USERS_MATCH("1", "3") " "	\
	"ORDER BY u.username_key = $3::text DESC LIMIT 1"

/*
 * A membership statement ($1 pool, $2 group name, $3 the user's key)
 * starts with the group g and the user u, and answers first whether
 * each exists.
 */
#define GROUP_MEMBER_WITH						\
	"WITH g AS (SELECT name FROM groups "				\
	"  WHERE pool_id = $1::text AND name = $2::text), "		\
	"u AS (" GROUP_FIND_USER "), "
#define GROUP_MEMBER_FOUND						\
	"SELECT EXISTS (SELECT 1 FROM g), EXISTS (SELECT 1 FROM u), "

void
db_groups_create(struct pg_batch *b, const char *pool_id, const char *name,
    const char *description, const char *role_arn, const char *precedence)
{
	pg_batch_add(b, "WITH chk AS (SELECT p.id AS pool_id, "
	    "  (SELECT count(*) FROM groups g "
	    "    WHERE g.pool_id = p.id) AS n, "
	    "  EXISTS (SELECT 1 FROM groups g "
	    "    WHERE g.pool_id = p.id AND g.name = $2::text) AS dup "
	    "  FROM pools p WHERE p.id = $1::text), "
	    "g AS (INSERT INTO groups (pool_id, name, description, role_arn, "
	    "    precedence) "
	    "  SELECT pool_id, $2::text, $3::text, $4::text, $5::int FROM chk "
	    "  WHERE NOT dup AND n < " GROUP_STR(DB_GROUPS_MAX_PER_POOL) " "
	    "  RETURNING *) "
	    "SELECT chk.n, chk.dup, " GROUP_COLUMNS " FROM chk "
	    "LEFT JOIN g ON true", 5, pool_id, name, description, role_arn,
	    precedence);
}

void
db_groups_get(struct pg_batch *b, const char *pool_id, const char *name)
{
	pg_batch_add(b, "SELECT p.id, " GROUP_COLUMNS " FROM pools p "
	    "LEFT JOIN groups g ON g.pool_id = p.id AND g.name = $2::text "
	    "WHERE p.id = $1::text", 2, pool_id, name);
}

void
db_groups_update(struct pg_batch *b, const char *pool_id, const char *name,
    const char *description, const char *role_arn, const char *precedence)
{
	pg_batch_add(b, "WITH g AS (UPDATE groups SET "
	    "  description = COALESCE($3::text, description), "
	    "  role_arn = COALESCE($4::text, role_arn), "
	    "  precedence = COALESCE($5::int, precedence), "
	    "  modified_at = extract(epoch FROM clock_timestamp()) "
	    "  WHERE pool_id = $1::text AND name = $2::text "
	    "  RETURNING *) "
	    "SELECT p.id, " GROUP_COLUMNS " FROM (SELECT 1) AS one "
	    "LEFT JOIN pools p ON p.id = $1::text LEFT JOIN g ON true", 5,
	    pool_id, name, description, role_arn, precedence);
}

void
db_groups_delete(struct pg_batch *b, const char *pool_id, const char *name)
{
	pg_batch_add(b, "WITH d AS (DELETE FROM groups "
	    "  WHERE pool_id = $1::text AND name = $2::text RETURNING 1) "
	    "SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1::text), "
	    "(SELECT count(*) FROM d)", 2, pool_id, name);
}

void
db_groups_list(struct pg_batch *b, const char *pool_id, const char *after,
    const char *limit)
{
	pg_batch_add(b, "SELECT p.id, " GROUP_COLUMNS " FROM pools p "
	    "LEFT JOIN LATERAL (SELECT * FROM groups "
	    "  WHERE pool_id = p.id "
	    "  AND ($2::text IS NULL OR name > $2::text) "
	    "  ORDER BY name LIMIT $3::int) AS g ON true "
	    "WHERE p.id = $1::text ORDER BY g.name", 3, pool_id, after, limit);
}

/* Adding a member again changes nothing. */
void
db_groups_add_member(struct pg_batch *b, const char *pool_id,
    const char *group, const char *key)
{
	pg_batch_add(b, GROUP_MEMBER_WITH
	    "m AS (SELECT count(*) AS n, "
	    "  bool_or(ug.group_name = $2::text) AS member "
	    "  FROM user_groups ug, u "
	    "  WHERE ug.pool_id = $1::text AND ug.sub = u.sub), "
	    "ins AS (INSERT INTO user_groups (pool_id, sub, group_name) "
	    "  SELECT $1::text, u.sub, g.name FROM u, g, m "
	    "  WHERE NOT coalesce(m.member, false) "
	    "  AND m.n < " GROUP_STR(DB_GROUPS_MAX_PER_USER) " "
	    "  ON CONFLICT DO NOTHING RETURNING 1) "
	    GROUP_MEMBER_FOUND "coalesce((SELECT member FROM m), false), "
	    "(SELECT count(*) FROM ins)", 3, pool_id, group, key);
}

void
db_groups_remove_member(struct pg_batch *b, const char *pool_id,
    const char *group, const char *key)
{
	pg_batch_add(b, GROUP_MEMBER_WITH
	    "d AS (DELETE FROM user_groups ug USING u, g "
	    "  WHERE ug.pool_id = $1::text AND ug.sub = u.sub "
	    "  AND ug.group_name = g.name RETURNING 1) "
	    GROUP_MEMBER_FOUND "(SELECT count(*) FROM d)", 3, pool_id, group,
	    key);
}

void
db_groups_of_user(struct pg_batch *b, const char *pool_id, const char *key,
    const char *after, const char *limit)
{
	pg_batch_add(b, "WITH u AS (" GROUP_FIND_USER ") "
	    "SELECT " GROUP_COLUMNS " FROM u LEFT JOIN LATERAL "
	    "  (SELECT gr.* FROM user_groups ug JOIN groups gr "
	    "    ON gr.pool_id = ug.pool_id AND gr.name = ug.group_name "
	    "  WHERE ug.pool_id = $1::text AND ug.sub = u.sub "
	    "  AND ($2::text IS NULL OR ug.group_name > $2::text) "
	    "  ORDER BY ug.group_name LIMIT $4::int) AS g ON true "
	    "ORDER BY g.name", 4, pool_id, after, key, limit);
}

void
db_groups_members(struct pg_batch *b, const char *pool_id,
    const char *group, const char *after, const char *limit)
{
	pg_batch_add(b, "SELECT g.name, " DB_USERS_COLUMNS " FROM pools p "
	    "LEFT JOIN groups g ON g.pool_id = p.id AND g.name = $2::text "
	    "LEFT JOIN LATERAL (SELECT us.* FROM user_groups ug "
	    "  JOIN users us ON us.pool_id = ug.pool_id AND us.sub = ug.sub "
	    "  WHERE ug.pool_id = g.pool_id AND ug.group_name = g.name "
	    "  AND ($3::text IS NULL OR us.username_key > $3::text) "
	    "  ORDER BY us.username_key LIMIT $4::int) AS u ON true "
	    "WHERE p.id = $1::text ORDER BY u.username_key", 4, pool_id, group,
	    after, limit);
}
