/*
 * clients.c: SQL of app clients as a pool domain sees them (see
 * clients.h): the domain's pool with the settings its pages show, and
 * a client only when it belongs to that pool (a client of another pool
 * is unknown on this pool's domain); the client operations' update,
 * description, deletion and pages. What needs the database of an
 * update (the pool, the custom scopes of resource servers, custom
 * attributes of the schema, the identity providers) is checked by the
 * statement that writes, so a client is never stored against a scope
 * or attribute that is gone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/clients.h"
#include "db/mfa.h"
#include "db/pg.h"
#include "db/pools.h"
#include "db/users.h"
#include "util.h"

void
db_clients_of_domain(struct pg_batch *b, const char *domain,
    const char *client_id)
{
	pg_batch_add(b, "SELECT d.pool_id, p.name, c.config, c.name, "
	    "c.secret_sealed IS NOT NULL, p.config->'UsernameAttributes', "
	    "p.config->'Policies'->'PasswordPolicy', "
	    "p.config->'SchemaAttributes', "
	    "p.config->'AdminCreateUserConfig'->'AllowAdminCreateUserOnly' "
	    "= 'true'::jsonb, (SELECT u.image IS NOT NULL FROM "
	    "ui_customizations u WHERE u.pool_id = d.pool_id AND u.client_id "
	    "IN (coalesce($2, ''), '') ORDER BY u.client_id DESC LIMIT 1), "
	    "p.config->'AutoVerifiedAttributes', EXISTS (SELECT 1 FROM "
	    "idp_identifiers x WHERE x.pool_id = d.pool_id AND "
	    "coalesce(c.config->'SupportedIdentityProviders', '[]') ? "
	    "x.provider_name), (SELECT json_agg(ip.provider_name) FROM "
	    "identity_providers ip WHERE ip.pool_id = d.pool_id AND "
	    "coalesce(c.config->'SupportedIdentityProviders', '[]') ? "
	    "ip.provider_name) "
	    "FROM domains d JOIN pools p ON p.id = d.pool_id "
	    "LEFT JOIN clients c ON c.pool_id = d.pool_id AND c.id = $2 "
	    "WHERE d.domain = $1", 2, domain, client_id);
}

static json_t *
db_clients_json(const PGresult *r, int col)
{
	const char	*v = pg_val(r, 0, col);

	return v != NULL ? json_loads(v, 0, NULL) : NULL;
}

static int
db_clients_true(const PGresult *r, int col)
{
	const char	*v = pg_val(r, 0, col);

	return v != NULL && strcmp(v, "t") == 0;
}

int
db_clients_domain_row(const PGresult *r, struct db_domain_client *d)
{
	memset(d, 0, sizeof *d);
	if (pg_rows(r) != 1)
		return -1;
	d->pool_id = xstrdup(pg_val(r, 0, 0));
	d->pool_name = xstrdup(pg_val(r, 0, 1));
	d->client_config = db_clients_json(r, 2);
	if (pg_val(r, 0, 3) != NULL)
		d->client_name = xstrdup(pg_val(r, 0, 3));
	d->has_secret = db_clients_true(r, 4);
	d->username_attributes = db_clients_json(r, 5);
	d->password_policy = db_clients_json(r, 6);
	d->schema = db_clients_json(r, 7);
	d->admin_only = db_clients_true(r, 8);
	d->has_logo = db_clients_true(r, 9);
	d->auto_verified = db_clients_json(r, 10);
	d->has_idp_identifiers = db_clients_true(r, 11);
	d->providers = db_clients_json(r, 12);
	return 0;
}

void
db_clients_domain_clear(struct db_domain_client *d)
{
	free(d->pool_id);
	free(d->pool_name);
	free(d->client_name);
	json_decref(d->username_attributes);
	json_decref(d->password_policy);
	json_decref(d->schema);
	json_decref(d->auto_verified);
	json_decref(d->client_config);
	json_decref(d->providers);
	memset(d, 0, sizeof *d);
}

void
db_clients_on_domain(struct pg_batch *b, const char *domain,
    const char *client_id)
{
	pg_batch_add(b, "SELECT 1 FROM domains d JOIN clients c ON c.pool_id "
	    "= d.pool_id WHERE d.domain = $1 AND c.id = $2", 2, domain,
	    client_id);
}

void
db_clients_domain_of_pool(struct pg_batch *b, const char *domain,
    const char *pool_id)
{
	pg_batch_add(b, "SELECT 1 FROM domains WHERE domain = $1 AND "
	    "pool_id = $2", 2, domain, pool_id);
}

void
db_clients_signin(struct pg_batch *b, const char *client_id)
{
	pg_batch_add(b, DB_CLIENTS_SIGNIN_SQL, 1, client_id);
}

void
db_clients_signin_on_domain(struct pg_batch *b, const char *client_id,
    const char *domain)
{
	pg_batch_add(b, DB_CLIENTS_SIGNIN_SQL " AND c.pool_id = (SELECT "
	    "d.pool_id FROM domains d WHERE d.domain = $2)", 2, client_id,
	    domain);
}

void
db_clients_signin_user(struct pg_batch *b, const char *client_id,
    const char *pool_id, const char *sub)
{
	pg_batch_add(b, "SELECT " DB_USERS_COLUMNS ", s.* FROM users u, ("
	    DB_CLIENTS_SIGNIN_SQL ") s WHERE u.pool_id = $2 AND u.sub = "
	    "$3::uuid AND s.pool_id = u.pool_id", 3, client_id, pool_id, sub);
}

void
db_clients_update(struct pg_batch *b, const struct db_clients_update *u)
{
	pg_batch_add(b, "WITH chk AS (SELECT p.id AS pool_id, "
	    "  (SELECT c.secret_sealed IS NOT NULL FROM clients c "
	    "    WHERE c.pool_id = p.id AND c.id = $2::text) AS has_secret, "
	    DB_POOLS_CLIENT_CHECKS
	    "  FROM pools p WHERE p.id = $1::text), "
	    "upd AS (UPDATE clients c SET name = coalesce($3::text, c.name), "
	    "    config = $4::jsonb, "
	    "    modified_at = extract(epoch FROM clock_timestamp()) "
	    "  FROM chk WHERE c.pool_id = chk.pool_id AND c.id = $2::text "
	    "  AND chk.bad_scope IS NULL AND chk.bad_attr IS NULL "
	    "  AND chk.bad_idp IS NULL "
	    "  AND (NOT $8::boolean OR c.secret_sealed IS NOT NULL) "
	    "  RETURNING c.name, c.secret_sealed, c.created_at, c.modified_at) "
	    "SELECT chk.has_secret, chk.bad_scope, chk.bad_attr, upd.name, "
	    "  upd.secret_sealed, upd.created_at, upd.modified_at, chk.bad_idp "
	    "FROM chk LEFT JOIN upd ON true", 8, u->pool_id, u->id, u->name,
	    u->config, u->custom_scopes, u->read_attrs, u->write_attrs,
	    u->need_secret);
}

void
db_clients_describe(struct pg_batch *b, const char *pool_id,
    const char *client_id)
{
	pg_batch_add(b, "SELECT c.name, c.secret_sealed, c.config, "
	    "c.created_at, c.modified_at FROM pools p LEFT JOIN clients c "
	    "ON c.pool_id = p.id AND c.id = $2::text WHERE p.id = $1::text",
	    2, pool_id, client_id);
}

void
db_clients_delete(struct pg_batch *b, const char *pool_id,
    const char *client_id)
{
	pg_batch_add(b, "WITH d AS (DELETE FROM clients "
	    "  WHERE pool_id = $1::text AND id = $2::text RETURNING id), "
	    "u AS (DELETE FROM ui_customizations "
	    "  WHERE pool_id = $1::text AND client_id = $2::text "
	    "  AND EXISTS (SELECT 1 FROM d)) "
	    "SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1::text), "
	    "(SELECT count(*) FROM d)", 2, pool_id, client_id);
}

void
db_clients_list(struct pg_batch *b, const char *pool_id, const char *at,
    const char *id, const char *limit)
{
	pg_batch_add(b, "SELECT p.id, c.id, c.name, c.created_at "
	    "FROM pools p LEFT JOIN LATERAL (SELECT id, name, created_at "
	    "  FROM clients WHERE pool_id = p.id AND ($2::float8 IS NULL OR "
	    "  (created_at, id) > ($2::float8, $3::text)) "
	    "  ORDER BY created_at, id LIMIT $4::int) AS c ON true "
	    "WHERE p.id = $1::text ORDER BY c.created_at, c.id", 4, pool_id,
	    at, id, limit);
}
