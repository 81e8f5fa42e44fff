/*
 * fed_users.h: the SQL of federated users (core/federation.c) and of
 * the links of provider identities to users (api/link_ops.c, table
 * federated_links, sql/013). Statements are added to the caller's
 * batch, so what a step reads or writes stays one transaction. Rows of
 * users come back in the DB_USERS_COLUMNS order db/users.h decodes.
 * Functions are prefixed db_fed_users_.
 *
 * A user's identities attribute is a JSON array in a string, as
 * Cognito shows it. The link statements edit it in SQL with the
 * functions of sql/013 (fed_identities_with, fed_identities_without),
 * which keep each element's text as it was written, so an element's
 * member order stays Cognito's.
 */
#ifndef DB_FED_USERS_H
#define DB_FED_USERS_H

#include "db/users.h"

struct pg_batch;

/* The pool's configuration: one row (config) or none. */
void	db_fed_users_pool(struct pg_batch *, const char *);
/*
 * The same, and a second statement: the ProviderType of the pool's
 * identity provider named (one row, provider_type, or none).
 */
void	db_fed_users_pool_provider(struct pg_batch *, const char *,
	    const char *);

/*
 * What a federated sign-in reads: the user a link gives the identity
 * (a first statement: one row of DB_USERS_COLUMNS or none; a link by
 * Cognito_Subject wins over one by another attribute, then the oldest),
 * and the identity's own user <ProviderName>_<subject> (a second: one
 * row or none).
 */
struct db_fed_users_find {
	const char	*pool_id;
	const char	*provider;
	const char	*subject;
	const char	*match;		/* JSON: attribute -> string(s) */
	const char	*key;		/* the federated username's key */
};

/* The first statement's columns after DB_USERS_COLUMNS: the link matched. */
#define DB_FED_USERS_FIND_ATTR	DB_USERS_NCOLUMNS
#define DB_FED_USERS_FIND_VALUE	(DB_USERS_NCOLUMNS + 1)
void	db_fed_users_find(struct pg_batch *, const struct db_fed_users_find *);

/*
 * The first sign-in through a link by another attribute than
 * Cognito_Subject: the link becomes one by Cognito_Subject with the
 * identity's subject (AdminDisableProviderForUser then names it so, as
 * on Cognito), and the destination's identities attribute, when it is
 * still old_ids, becomes new_ids (NULL: left alone).
 */
struct db_fed_users_relink {
	const char	*pool_id;
	const char	*provider;
	const char	*attr_name;
	const char	*attr_value;
	const char	*subject;
	const char	*old_ids;
	const char	*new_ids;
};

void	db_fed_users_relink(struct pg_batch *,
	    const struct db_fed_users_relink *);

/*
 * A linked sign-in's attributes written to the linked user (pool, sub)
 * with its alias columns, when it is still as read (modified_at): one
 * row, or none when it changed meanwhile.
 */
struct db_fed_users_refresh {
	const char	*pool_id;
	const char	*sub;
	const char	*attributes;	/* JSON text: the whole attributes */
	const char	*email;		/* alias columns (NULL: none) */
	const char	*phone;
	const char	*preferred;
	const char	*modified;	/* modified_at as read */
};

void	db_fed_users_refresh(struct pg_batch *,
	    const struct db_fed_users_refresh *);

/*
 * The federated user written at a sign-in, in three statements: the
 * group (created when missing), the user (inserted with attributes on
 * first sign-in; else, when it is a federated user, update merged into
 * its attributes; the second statement's one row of DB_USERS_COLUMNS, none
 * when the name is a native user's), and its membership of the group.
 * A second first sign-in of the same identity at once waits for the
 * first and updates the row it made.
 */
struct db_fed_users_new {
	const char	*pool_id;
	const char	*sub;		/* a new sub, used only by an insert */
	const char	*username;
	const char	*key;
	const char	*attributes;	/* JSON text: the new user's */
	const char	*update;	/* JSON text: merged into an old one */
	const char	*group;
	const char	*group_description;
};

#define DB_FED_USERS_UPSERT_ROW	1	/* the statement with the user */
void	db_fed_users_upsert(struct pg_batch *,
	    const struct db_fed_users_new *);

/*
 * AdminLinkProviderForUser: the destination user (key dest_key: its
 * username or a sign-in alias) is locked (FOR UPDATE), then one
 * statement gives it the link and the identity element in its
 * identities attribute, when it is not a federated user, the identity
 * is not linked yet, no federated user fed_key (NULL: none to check)
 * exists, and it has fewer than max links. Result DB_FED_USERS_LINK_ROW
 * is one row of the columns below.
 */
#define DB_FED_USERS_LINK_ROW	1
struct db_fed_users_link {
	const char	*pool_id;
	const char	*dest_key;
	const char	*provider;
	const char	*attr_name;
	const char	*attr_value;
	const char	*fed_key;
	const char	*identity;	/* the identities element, JSON text */
	const char	*max;		/* the most links a user has */
};

enum {
	DB_FED_USERS_LINK_DEST,		/* the destination exists (t/f) */
	DB_FED_USERS_LINK_STATUS,	/* its status, or NULL */
	DB_FED_USERS_LINK_TAKEN,	/* the identity is linked already */
	DB_FED_USERS_LINK_FED,		/* its federated user exists */
	DB_FED_USERS_LINK_COUNT,	/* the destination's links before */
	DB_FED_USERS_LINK_DONE,		/* 1 when linked now */
};
void	db_fed_users_link(struct pg_batch *, const struct db_fed_users_link *);

/*
 * AdminDisableProviderForUser in one statement: the link of the
 * identity goes (and its element of the destination's identities),
 * and the user fed_key (a federated user, or any user when provider is
 * "Cognito"; NULL: none) is disabled with its refresh tokens ended.
 * One row: links removed, users disabled.
 */
void	db_fed_users_unlink(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);

#endif
