-- 001_foundation.sql: admin access keys, pools with their signing keys,
-- app clients, domains, resource servers and UI customizations.
-- Every table holding pool data has pool_id in its key and cascades from
-- the pool. Settings Cognito returns whole are kept as jsonb.

CREATE TABLE admin_keys (
	access_key_id	text PRIMARY KEY,
	secret_sealed	text NOT NULL,
	description	text NOT NULL DEFAULT '',
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp())
);

CREATE TABLE pools (
	id		text PRIMARY KEY,
	name		text NOT NULL,
	-- the UserPoolType members as configured (without Id, Arn, dates,
	-- Domain, EstimatedNumberOfUsers, which are computed)
	config		jsonb NOT NULL,
	tags		jsonb NOT NULL DEFAULT '{}',
	mfa_config	jsonb NOT NULL DEFAULT '{}',
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	modified_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp())
);
CREATE INDEX pools_created ON pools (created_at, id);

-- RS256 signing keys; purpose 'id' or 'access' (Cognito signs ID and
-- access tokens with different keys). Retired keys stay published in
-- the JWKS until they are deleted.
CREATE TABLE pool_keys (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	kid		text NOT NULL,
	purpose		text NOT NULL CHECK (purpose IN ('id', 'access')),
	private_sealed	text NOT NULL,
	public_pem	text NOT NULL,
	jwk		jsonb NOT NULL,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	retired_at	double precision,
	PRIMARY KEY (pool_id, kid)
);

CREATE TABLE clients (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	id		text NOT NULL UNIQUE,
	name		text NOT NULL,
	secret_sealed	text,
	-- the UserPoolClientType members as configured
	config		jsonb NOT NULL,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	modified_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	PRIMARY KEY (pool_id, id)
);
CREATE INDEX clients_list ON clients (pool_id, created_at, id);

-- A pool has at most one prefix domain and one custom domain; a domain
-- name belongs to one pool.
CREATE TABLE domains (
	domain		text PRIMARY KEY,
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	kind		text NOT NULL CHECK (kind IN ('prefix', 'custom')),
	config		jsonb NOT NULL DEFAULT '{}',
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	UNIQUE (pool_id, kind)
);

CREATE TABLE resource_servers (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	identifier	text NOT NULL,
	name		text NOT NULL,
	scopes		jsonb NOT NULL DEFAULT '[]',
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	PRIMARY KEY (pool_id, identifier)
);

-- client_id is '' for the pool-wide customization ("ALL").
CREATE TABLE ui_customizations (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	client_id	text NOT NULL DEFAULT '',
	css		text,
	image		bytea,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	modified_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	PRIMARY KEY (pool_id, client_id)
);
