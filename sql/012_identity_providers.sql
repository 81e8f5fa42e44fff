-- 012_identity_providers.sql: the identity providers of a pool
-- (CreateIdentityProvider and its family, api/idp_ops.c).
--
-- A provider is named within its pool. provider_details holds the
-- ProviderDetails as Describe shows them (presets and discovered
-- endpoints filled in) but without the secret keys: client_secret and
-- SignInWithApple's private_key live sealed under the master key in
-- secrets_sealed (a sealed JSON object). metadata is a SAML provider's
-- metadata document, fetched from MetadataURL or given as MetadataFile.
-- IdpIdentifiers are rows of their own, so that an identifier names at
-- most one provider of a pool; they go with their provider.
CREATE TABLE identity_providers (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	provider_name	text NOT NULL
	    CHECK (char_length(provider_name) BETWEEN 1 AND 40),
	provider_type	text NOT NULL CHECK (provider_type IN ('SAML', 'OIDC',
	    'Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple')),
	provider_details jsonb NOT NULL,
	secrets_sealed	text,
	attribute_mapping jsonb NOT NULL DEFAULT '{}',
	metadata	text,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM statement_timestamp()),
	modified_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM statement_timestamp()),
	PRIMARY KEY (pool_id, provider_name)
);

CREATE TABLE idp_identifiers (
	pool_id		text NOT NULL,
	identifier	text NOT NULL,
	provider_name	text NOT NULL,
	position	integer NOT NULL,
	PRIMARY KEY (pool_id, identifier),
	FOREIGN KEY (pool_id, provider_name)
	    REFERENCES identity_providers (pool_id, provider_name)
	    ON DELETE CASCADE
);
CREATE INDEX idp_identifiers_provider
	ON idp_identifiers (pool_id, provider_name, position);
