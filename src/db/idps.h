/*
 * idps.h: the identity providers of a pool (sql/012): the statements
 * api/idp_ops.c runs for CreateIdentityProvider and its family, the
 * decoding of a provider's row (for the federated sign-in too), and
 * the check an app client's SupportedIdentityProviders passes.
 * Functions are prefixed db_idps_.
 */
#ifndef DB_IDPS_H
#define DB_IDPS_H

#include <jansson.h>
#include <libpq-fe.h>

struct pg_batch;

/* Providers a pool may have. */
#define DB_IDPS_MAX	300

/*
 * A provider's columns, over "identity_providers ip", in the order
 * db_idps_from_row() reads them; the identifiers as a JSON array.
 */
#define DB_IDPS_COLUMNS							\
	"ip.provider_name, ip.provider_type, ip.provider_details, "	\
	"ip.secrets_sealed, ip.attribute_mapping, (SELECT "		\
	"coalesce(jsonb_agg(i.identifier ORDER BY i.position), '[]') "	\
	"FROM idp_identifiers i WHERE i.pool_id = ip.pool_id AND "	\
	"i.provider_name = ip.provider_name), ip.created_at, "		\
	"ip.modified_at, ip.metadata"

/*
 * Column bad_idp of the pool row p: the first name in the client
 * configuration $4's SupportedIdentityProviders that is neither
 * COGNITO nor a provider of the pool (NULL: all exist).
 */
#define DB_IDPS_CLIENT_CHECK						\
	"(SELECT t.s FROM jsonb_array_elements_text(coalesce("		\
	"  $4::jsonb->'SupportedIdentityProviders', '[]')) AS t(s) "	\
	"  WHERE t.s <> 'COGNITO' AND NOT EXISTS (SELECT 1 FROM "	\
	"    identity_providers ip WHERE ip.pool_id = p.id "		\
	"    AND ip.provider_name = t.s) LIMIT 1) AS bad_idp "

/* A provider as written (strings borrowed; JSON as text). */
struct db_idp_new {
	const char	*pool_id;
	const char	*name;
	const char	*type;
	const char	*details;	/* NULL on update: unchanged */
	const char	*sealed;	/* secrets; NULL on update: unchanged */
	const char	*mapping;	/* NULL on update: unchanged */
	const char	*identifiers;	/* JSON array; NULL: unchanged */
	const char	*metadata;	/* SAML; changes with details */
};

/* A provider's row decoded (owned). */
struct db_idp {
	char	*name;
	char	*type;
	json_t	*details;
	char	*sealed;	/* NULL: no secret */
	json_t	*mapping;
	json_t	*identifiers;
	char	*created;
	char	*modified;
	char	*metadata;	/* NULL: none */
};

/*
 * Insert the provider and its identifiers: three statements, the last
 * one row of "p.id, " DB_IDPS_COLUMNS. A taken name fails on
 * identity_providers_pkey, a taken identifier on idp_identifiers_pkey
 * (PG_STATE_UNIQUE), a missing pool on the foreign key.
 */
void	db_idps_insert(struct pg_batch *, const struct db_idp_new *);
/* Change what is not NULL; the last statement as db_idps_get(). */
void	db_idps_update(struct pg_batch *, const struct db_idp_new *);
/* One row "p.id, " DB_IDPS_COLUMNS when the pool exists (NULLs: none). */
void	db_idps_get(struct pg_batch *, const char *, const char *);
/* The same for the provider an identifier names. */
void	db_idps_by_identifier(struct pg_batch *, const char *, const char *);
/*
 * A page of providers after a name (NULL: the first), at most limit
 * rows: p.id, name, type, created_at, modified_at (NULLs: none).
 */
void	db_idps_list(struct pg_batch *, const char *, const char *,
	    const char *);
/* One row: whether the pool exists, how many providers went. */
void	db_idps_delete(struct pg_batch *, const char *, const char *);

/* Decode DB_IDPS_COLUMNS from column c of row i; -1: no provider. */
int	db_idps_from_row(const PGresult *, int, int, struct db_idp *);
void	db_idps_clear(struct db_idp *);

#endif
