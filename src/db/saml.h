/*
 * saml.h: the tables of a pool's SAML service provider (sql/015): its
 * key pair and certificate (saml_keys), the assertion IDs already used
 * (saml_assertions), the SAML sessions behind hosted-UI sessions
 * (saml_sessions), and a provider's metadata fetched again. The
 * statements src/fed/saml_idp.c and core/sessions.c run. Functions are
 * prefixed db_saml_.
 */
#ifndef DB_SAML_H
#define DB_SAML_H

struct pg_batch;

/*
 * One row when the pool exists: p.id, the sealed private key and the
 * certificate (NULLs: no key yet).
 */
void	db_saml_key_get(struct pg_batch *, const char *);
/* The same for the pool of a domain (prefix or custom domain). */
void	db_saml_key_of_domain(struct pg_batch *, const char *);
/* Keep a new key unless the pool has one; then the row of _get. */
void	db_saml_key_insert(struct pg_batch *, const char *, const char *,
	    const char *);
/*
 * Remember an assertion ID (pool, issuer, id) until expires (epoch
 * seconds): one row when it is new, none when it was used (a replay).
 */
void	db_saml_assertion_use(struct pg_batch *, const char *, const char *,
	    const char *, long long);
/* One row: seconds since the provider's metadata was fetched. */
void	db_saml_metadata_age(struct pg_batch *, const char *, const char *);
/*
 * One row: how many of the names (a JSON array: a client's
 * SupportedIdentityProviders) are not SAML providers of the pool
 * (COGNITO, another type, or none).
 */
void	db_saml_others(struct pg_batch *, const char *, const char *);
/*
 * Store metadata fetched again for provider (pool, name), with the SSO
 * and SLO URLs (HTTP-Redirect; NULL: none) Describe shows.
 */
void	db_saml_metadata_set(struct pg_batch *, const char *, const char *,
	    const char *, const char *, const char *);

/* What a LogoutRequest for a session names (borrowed strings). */
struct db_saml_session {
	const char	*provider_name;
	const char	*name_id;
	const char	*name_id_format;	/* NULL: none */
	const char	*session_index;		/* NULL: none */
};

/* The SAML side of the session of digest (after its ui_sessions row). */
void	db_saml_session_insert(struct pg_batch *, const char *, const char *,
	    const struct db_saml_session *);
/*
 * The SAML side of the session of digest in pool: none, or one row of
 * provider_name, name_id, name_id_format, session_index, then
 * DB_IDPS_COLUMNS of the provider (db_idps_from_row at column 4).
 */
void	db_saml_session_find(struct pg_batch *, const char *, const char *);

#endif
