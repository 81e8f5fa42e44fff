-- 005_oauth.sql: what the hosted UI and the OAuth2 endpoints keep.

-- Authorization codes of /oauth2/authorize: single use, five minutes,
-- bound to the client, the redirect_uri and the PKCE challenge. The
-- family (origin_jti) of the tokens a code yields is chosen with the
-- code, so a code used twice can revoke what its first use issued.
CREATE TABLE oauth_codes (
	code_hash	bytea PRIMARY KEY,
	pool_id		text NOT NULL,
	client_id	text NOT NULL,
	sub		uuid NOT NULL,
	redirect_uri	text NOT NULL,
	scopes		text NOT NULL,
	nonce		text,
	code_challenge	text,
	auth_time	bigint NOT NULL,
	origin_jti	uuid NOT NULL,
	expires_at	double precision NOT NULL,
	used_at		double precision,
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE
);
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

-- Hosted-UI sessions (the cookie holds the secret, the table its
-- digest): one hour, ended by /logout and by a global sign-out.
CREATE TABLE ui_sessions (
	session_hash	bytea PRIMARY KEY,
	pool_id		text NOT NULL,
	sub		uuid NOT NULL,
	auth_time	bigint NOT NULL,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	expires_at	double precision NOT NULL,
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE
);
CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at);
