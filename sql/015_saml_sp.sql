-- 015_saml_sp.sql: the pool's side of SAML 2.0 sign-ins
-- (src/fed/saml_idp.c, src/oauth/saml2.c).
--
-- saml_keys: each pool's SAML service-provider key pair (RSA-2048,
-- private half sealed under the master key) and its self-signed
-- certificate (base64 DER, as GetSigningCertificate and the SP metadata
-- show it), made at the first need; one per pool, so two workers making
-- it at once keep the first one written.
--
-- saml_assertions: the IDs of the assertions already used, per pool and
-- issuer, until the assertion could no longer pass anyway; inserting one
-- that is there is a replay.
--
-- saml_sessions: for a hosted-UI session that a SAML sign-in made, what
-- a LogoutRequest to that IdP names (IDPSignout); it goes with the
-- session.
--
-- fed_states: a SAML sign-in keeps the AuthnRequest's ID as its nonce and
-- has no PKCE verifier. identity_providers.metadata_fetched_at: when the
-- stored metadata was fetched again at a sign-in (its validUntil or
-- cacheDuration ended).
CREATE TABLE saml_keys (
	pool_id		text PRIMARY KEY REFERENCES pools (id)
	    ON DELETE CASCADE,
	private_sealed	text NOT NULL,
	certificate	text NOT NULL,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp())
);

CREATE TABLE saml_assertions (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	issuer		text NOT NULL,
	assertion_id	text NOT NULL,
	expires_at	double precision NOT NULL,
	PRIMARY KEY (pool_id, issuer, assertion_id)
);
CREATE INDEX saml_assertions_expiry ON saml_assertions (expires_at);

CREATE TABLE saml_sessions (
	session_hash	bytea PRIMARY KEY REFERENCES ui_sessions (session_hash)
	    ON DELETE CASCADE,
	pool_id		text NOT NULL,
	provider_name	text NOT NULL,
	name_id		text NOT NULL,
	name_id_format	text,
	session_index	text,
	FOREIGN KEY (pool_id, provider_name)
	    REFERENCES identity_providers (pool_id, provider_name)
	    ON DELETE CASCADE
);

ALTER TABLE fed_states ALTER COLUMN verifier_sealed DROP NOT NULL;
ALTER TABLE identity_providers ADD COLUMN metadata_fetched_at
	double precision;
