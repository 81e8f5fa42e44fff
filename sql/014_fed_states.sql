-- 014_fed_states.sql: sign-ins on their way through an OIDC or social
-- identity provider (src/fed/idp_flow.c). /oauth2/authorize with
-- identity_provider keeps the application's authorization request here
-- and sends the browser to the provider with a random state; the
-- provider's answer at /oauth2/idpresponse takes the row back (single
-- use) by the digest of that state and of the browser's cookie, so a
-- state that did not start in this browser finds nothing. Rows live ten
-- minutes, and go with their provider (or pool).
CREATE TABLE fed_states (
	state_hash	bytea PRIMARY KEY,
	browser_hash	bytea NOT NULL,
	pool_id		text NOT NULL,
	provider_name	text NOT NULL,
	request		jsonb NOT NULL,
	nonce		text NOT NULL,
	verifier_sealed	text NOT NULL,
	expires_at	double precision NOT NULL,
	FOREIGN KEY (pool_id, provider_name)
	    REFERENCES identity_providers (pool_id, provider_name)
	    ON DELETE CASCADE
);
CREATE INDEX fed_states_expiry ON fed_states (expires_at);
