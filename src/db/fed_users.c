/*
 * fed_users.c: the SQL of federated users and of provider links (see
 * fed_users.h): what a federated sign-in reads and writes, the lock
 * and the statement AdminLinkProviderForUser runs, and the one
 * statement of AdminDisableProviderForUser.
 */
#include "config.h"

#include "db/fed_users.h"
#include "db/pg.h"
#include "db/users.h"

#define FED_NOW		"extract(epoch FROM clock_timestamp())"

void
db_fed_users_pool(struct pg_batch *b, const char *pool_id)
{
	pg_batch_add(b, "SELECT config FROM pools WHERE id = $1", 1, pool_id);
}

void
db_fed_users_pool_provider(struct pg_batch *b, const char *pool_id,
    const char *provider)
{
	db_fed_users_pool(b, pool_id);
	pg_batch_add(b, "SELECT provider_type FROM identity_providers WHERE "
	    "pool_id = $1 AND provider_name = $2", 2, pool_id, provider);
}

/*
 * A link by another attribute than Cognito_Subject matches when the
 * identity's value of that attribute (a string, or an array of them
 * for a SAML attribute of several values) holds the linked value.
 */
void
db_fed_users_find(struct pg_batch *b, const struct db_fed_users_find *f)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS ", l.attribute_name, "
	    "l.attribute_value FROM federated_links l JOIN users u ON "
	    "u.pool_id = l.pool_id AND u.sub = l.sub "
	    "WHERE l.pool_id = $1 AND l.provider_name = $2 AND "
	    "((l.attribute_name = 'Cognito_Subject' AND "
	    "l.attribute_value = $3) OR ($4::jsonb -> l.attribute_name) @> "
	    "to_jsonb(l.attribute_value)) ORDER BY (l.attribute_name = "
	    "'Cognito_Subject') DESC, l.created_at LIMIT 1", 4, f->pool_id,
	    f->provider, f->subject, f->match);
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS " FROM users u WHERE "
	    "u.pool_id = $1 AND u.username_key = $2", 2, f->pool_id, f->key);
}

/*
 * A delete and an insert rather than an update: a second sign-in doing
 * the same at once finds no row to delete, and an identity linked by
 * its subject meanwhile keeps that link (ON CONFLICT).
 */
void
db_fed_users_relink(struct pg_batch *b, const struct db_fed_users_relink *r)
{
	pg_batch_add(b, "WITH d AS (DELETE FROM federated_links WHERE "
	    "pool_id = $1 AND provider_name = $2 AND attribute_name = $3 AND "
	    "attribute_value = $4 RETURNING sub), "
	    "i AS (INSERT INTO federated_links (pool_id, provider_name, "
	    "attribute_name, attribute_value, sub) SELECT $1, $2, "
	    "'Cognito_Subject', $5, d.sub FROM d ON CONFLICT DO NOTHING "
	    "RETURNING sub) "
	    "UPDATE users u SET attributes = jsonb_set(u.attributes, "
	    "'{identities}', to_jsonb($7::text)), modified_at = " FED_NOW " "
	    "FROM i WHERE u.pool_id = $1 AND u.sub = i.sub AND $7::text IS "
	    "NOT NULL AND u.attributes->>'identities' = $6::text", 7,
	    r->pool_id, r->provider, r->attr_name, r->attr_value, r->subject,
	    r->old_ids, r->new_ids);
}

void
db_fed_users_refresh(struct pg_batch *b, const struct db_fed_users_refresh *r)
{
	pg_batch_add(b, "UPDATE users SET attributes = $3::jsonb, "
	    "alias_email = $4, alias_phone = $5, alias_preferred = $6, "
	    "modified_at = " FED_NOW " WHERE pool_id = $1 AND sub = $2::uuid "
	    "AND modified_at = $7::float8 RETURNING 1", 7, r->pool_id, r->sub,
	    r->attributes, r->email, r->phone, r->preferred, r->modified);
}

void
db_fed_users_upsert(struct pg_batch *b, const struct db_fed_users_new *n)
{
	pg_batch_add(b, "INSERT INTO groups (pool_id, name, description) "
	    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, n->pool_id,
	    n->group, n->group_description);
	pg_batch_add(b, "INSERT INTO users AS u (pool_id, sub, username, "
	    "username_key, status, attributes) VALUES ($1, $2::uuid, $3, $4, "
	    "'EXTERNAL_PROVIDER', $5::jsonb) ON CONFLICT (pool_id, "
	    "username_key) DO UPDATE SET attributes = u.attributes || "
	    "$6::jsonb, modified_at = CASE WHEN u.attributes @> $6::jsonb "
	    "THEN u.modified_at ELSE " FED_NOW " END WHERE u.status = "
	    "'EXTERNAL_PROVIDER' RETURNING " DB_USERS_COLUMNS, 6, n->pool_id,
	    n->sub, n->username, n->key, n->attributes, n->update);
	pg_batch_add(b, "INSERT INTO user_groups (pool_id, sub, group_name) "
	    "SELECT u.pool_id, u.sub, $3 FROM users u WHERE u.pool_id = $1 "
	    "AND u.username_key = $2 AND u.status = 'EXTERNAL_PROVIDER' "
	    "ON CONFLICT DO NOTHING", 3, n->pool_id, n->key, n->group);
}

/*
 * The insert runs only when every check passed; ON CONFLICT covers a
 * link of the same identity made at the same moment (nothing is
 * inserted, and the caller answers as for a taken identity).
 */
void
db_fed_users_link(struct pg_batch *b, const struct db_fed_users_link *l)
{
	/* Concurrent links to one user wait here, so each counts the
	 * links the one before committed (a statement's own snapshot). */
	pg_batch_add(b, "SELECT 1 FROM users u WHERE " DB_USERS_MATCH("1",
	    "2") " ORDER BY u.sub FOR UPDATE", 2, l->pool_id, l->dest_key);
	pg_batch_add(b, "WITH dest AS (SELECT u.sub, u.status FROM users u "
	    "WHERE " DB_USERS_MATCH("1", "2") " ORDER BY (u.username_key = $2) "
	    "DESC LIMIT 1), "
	    "taken AS (SELECT 1 FROM federated_links t WHERE t.pool_id = $1 "
	    "AND t.provider_name = $3 AND t.attribute_name = $4 AND "
	    "t.attribute_value = $5), "
	    "fed AS (SELECT 1 FROM users f WHERE f.pool_id = $1 AND "
	    "f.username_key = $6::text AND f.status = 'EXTERNAL_PROVIDER'), "
	    "cnt AS (SELECT count(*) AS n FROM federated_links c, dest WHERE "
	    "c.pool_id = $1 AND c.sub = dest.sub), "
	    "ins AS (INSERT INTO federated_links (pool_id, provider_name, "
	    "attribute_name, attribute_value, sub) SELECT $1, $3, $4, $5, "
	    "dest.sub FROM dest, cnt WHERE dest.status <> 'EXTERNAL_PROVIDER' "
	    "AND NOT EXISTS (SELECT 1 FROM taken) AND NOT EXISTS (SELECT 1 "
	    "FROM fed) AND cnt.n < $8::int ON CONFLICT DO NOTHING RETURNING "
	    "sub), "
	    "upd AS (UPDATE users x SET attributes = jsonb_set(x.attributes, "
	    "'{identities}', to_jsonb(fed_identities_with(x.attributes->>"
	    "'identities', $7::text))), modified_at = " FED_NOW " FROM ins "
	    "WHERE x.pool_id = $1 AND x.sub = ins.sub RETURNING 1) "
	    "SELECT EXISTS (SELECT 1 FROM dest), (SELECT status FROM dest), "
	    "EXISTS (SELECT 1 FROM taken), EXISTS (SELECT 1 FROM fed), "
	    "(SELECT n FROM cnt), (SELECT count(*) FROM upd)", 8, l->pool_id,
	    l->dest_key, l->provider, l->attr_name, l->attr_value, l->fed_key,
	    l->identity, l->max);
}

void
db_fed_users_unlink(struct pg_batch *b, const char *pool_id,
    const char *provider, const char *attr_name, const char *attr_value,
    const char *fed_key)
{
	pg_batch_add(b, "WITH del AS (DELETE FROM federated_links WHERE "
	    "pool_id = $1 AND provider_name = $2 AND attribute_name = $3 AND "
	    "attribute_value = $4 RETURNING sub), "
	    "upd AS (UPDATE users x SET attributes = CASE WHEN "
	    "fed_identities_without(x.attributes->>'identities', $2, $4) IS "
	    "NULL THEN x.attributes - 'identities' ELSE jsonb_set("
	    "x.attributes, '{identities}', to_jsonb(fed_identities_without("
	    "x.attributes->>'identities', $2, $4))) END, modified_at = "
	    FED_NOW " FROM del WHERE x.pool_id = $1 AND x.sub = del.sub "
	    "RETURNING 1), "
	    "dis AS (UPDATE users f SET enabled = false, modified_at = "
	    FED_NOW " WHERE f.pool_id = $1 AND f.username_key = $5::text AND "
	    "(f.status = 'EXTERNAL_PROVIDER' OR $2 = 'Cognito') RETURNING "
	    "f.sub), "
	    "rt AS (DELETE FROM refresh_tokens r USING dis WHERE r.pool_id = "
	    "$1 AND r.sub = dis.sub) "
	    "SELECT (SELECT count(*) FROM del), (SELECT count(*) FROM dis)", 5,
	    pool_id, provider, attr_name, attr_value, fed_key);
}
