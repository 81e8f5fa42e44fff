/*
 * groups.h: the groups table (a pool's groups, keyed by pool and name)
 * and user_groups (memberships, naming the user by sub and the group by
 * name, with foreign keys that cascade): the statements of the JSON
 * API's group operations (api/group_ops.c) and the columns of their
 * rows. Functions are prefixed db_groups_.
 */
#ifndef DB_GROUPS_H
#define DB_GROUPS_H

struct pg_batch;

#define DB_GROUPS_MAX_PER_POOL	10000
#define DB_GROUPS_MAX_PER_USER	100

/*
 * A group's columns, numbered from the first (the rows below say where
 * that is): PRECEDENCE and the texts NULL when unset, the times epoch
 * seconds; the name NULL when a row has no group.
 */
#define DB_GROUPS_NAME		0
#define DB_GROUPS_DESCRIPTION	1
#define DB_GROUPS_ROLE_ARN	2
#define DB_GROUPS_PRECEDENCE	3
#define DB_GROUPS_CREATED	4
#define DB_GROUPS_MODIFIED	5

/*
 * Create group name of pool with description, role ARN and precedence
 * (text; NULL: none) unless the pool has it or DB_GROUPS_MAX_PER_POOL
 * groups. No row: no such pool; columns: the pool's group count,
 * whether the name is taken, and the new group's from CREATE_GROUP
 * (NULL: not created). A race the check cannot see fails on the
 * primary key (PG_STATE_UNIQUE).
 */
#define DB_GROUPS_CREATE_COUNT	0
#define DB_GROUPS_CREATE_DUP	1
#define DB_GROUPS_CREATE_GROUP	2
void	db_groups_create(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);
/*
 * The rows of db_groups_get and db_groups_update: one row of the pool
 * id (NULL: no such pool; get: no row) and the group's columns from
 * ONE_GROUP (NULL: no such group).
 */
#define DB_GROUPS_ONE_POOL	0
#define DB_GROUPS_ONE_GROUP	1
void	db_groups_get(struct pg_batch *, const char *, const char *);
/* Update the group's members given (NULL: keep). */
void	db_groups_update(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);
/*
 * Delete the group (its memberships cascade): one row, whether the
 * pool exists and the groups deleted.
 */
void	db_groups_delete(struct pg_batch *, const char *, const char *);
/*
 * The pool's groups in name order after name after (NULL: from the
 * start), at most limit (text) of them: rows of the pool id and the
 * group's columns from ONE_GROUP (one row of NULLs when there is none);
 * no row: no such pool.
 */
void	db_groups_list(struct pg_batch *, const char *, const char *,
	    const char *);

/*
 * The membership statements find group name of pool and the user whose
 * normalised username or sign-in alias is key (the username first),
 * and answer first whether each exists (MEMBER_GROUP, MEMBER_USER).
 * Add: then whether the user was a member already and the rows added
 * (0 with ADD_MEMBER false: the user has DB_GROUPS_MAX_PER_USER
 * groups); a race fails on the foreign keys (PG_STATE_FOREIGN_KEY, the
 * constraint naming group_name when the group went) or the primary key
 * (PG_STATE_UNIQUE: added twice at once). Remove: the rows removed.
 */
#define DB_GROUPS_MEMBER_GROUP	0
#define DB_GROUPS_MEMBER_USER	1
#define DB_GROUPS_ADD_MEMBER	2
#define DB_GROUPS_ADD_COUNT	3
void	db_groups_add_member(struct pg_batch *, const char *, const char *,
	    const char *);
void	db_groups_remove_member(struct pg_batch *, const char *,
	    const char *, const char *);
/*
 * The groups of the user of pool key names (as above), in name order
 * after after (NULL: from the start), at most limit (text): rows of the
 * group's columns from 0 (one row of NULLs when there is none); no row:
 * no such user.
 */
void	db_groups_of_user(struct pg_batch *, const char *, const char *,
	    const char *, const char *);
/*
 * The members of group name of pool in username_key order after after
 * (NULL: from the start), at most limit (text): rows of the group name
 * (NULL: no such group) and DB_USERS_COLUMNS from MEMBERS_USER (NULL:
 * no member), MEMBERS_KEY being the user's username_key; no row: no
 * such pool.
 */
#define DB_GROUPS_MEMBERS_GROUP	0
#define DB_GROUPS_MEMBERS_USER	1
#define DB_GROUPS_MEMBERS_KEY	(DB_GROUPS_MEMBERS_USER + 2)
void	db_groups_members(struct pg_batch *, const char *, const char *,
	    const char *, const char *);

#endif
