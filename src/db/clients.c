/*
 * clients.c: SQL of app clients as a pool domain sees them (see
 * clients.h): the domain's pool with the settings its pages show, and
 * a client only when it belongs to that pool (a client of another pool
 * is unknown on this pool's domain).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/clients.h"
#include "db/mfa.h"
#include "db/pg.h"
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
	    "x.provider_name) "
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
