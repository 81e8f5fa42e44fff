-- 002_users.sql: users and their aliases, groups, verification codes,
-- refresh tokens, challenge sessions and the message queue.
--
-- Keys are normalised in C before they reach SQL (lower-cased unless the
-- pool is CaseSensitive), so the schema compares plain text. Every
-- secret (code, refresh token, session) is stored as an HMAC-SHA256
-- digest, never as itself.

CREATE TABLE users (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	sub		uuid NOT NULL,
	-- the username as Cognito reports it (the sub when the pool signs
	-- in by email or phone) and its normalised key
	username	text NOT NULL,
	username_key	text COLLATE "C" NOT NULL,
	status		text NOT NULL CHECK (status IN ('UNCONFIRMED',
			    'CONFIRMED', 'FORCE_CHANGE_PASSWORD',
			    'RESET_REQUIRED', 'EXTERNAL_PROVIDER')),
	enabled		boolean NOT NULL DEFAULT true,
	-- every attribute but sub, name -> string value
	attributes	jsonb NOT NULL DEFAULT '{}',
	-- normalised sign-in aliases, set only while they may be used to
	-- sign in (verified email or phone, or any preferred_username)
	alias_email	text,
	alias_phone	text,
	alias_preferred	text,
	-- libscrypt MCF string; NULL for users without a password
	password_hash	text,
	-- when a temporary password was set (for its validity), else NULL
	temp_password_at double precision,
	failed_logins	integer NOT NULL DEFAULT 0,
	last_failed_at	double precision,
	locked_until	double precision,
	-- global sign-out: tokens issued before this are dead
	tokens_valid_after double precision NOT NULL DEFAULT 0,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	modified_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	-- ListUsers filters: lower-cased copies, byte-ordered for ^=
	f_email		text COLLATE "C" GENERATED ALWAYS AS
			    (lower(attributes->>'email')) STORED,
	f_phone		text COLLATE "C" GENERATED ALWAYS AS
			    (lower(attributes->>'phone_number')) STORED,
	f_name		text COLLATE "C" GENERATED ALWAYS AS
			    (lower(attributes->>'name')) STORED,
	f_given		text COLLATE "C" GENERATED ALWAYS AS
			    (lower(attributes->>'given_name')) STORED,
	f_family	text COLLATE "C" GENERATED ALWAYS AS
			    (lower(attributes->>'family_name')) STORED,
	f_preferred	text COLLATE "C" GENERATED ALWAYS AS
			    (lower(attributes->>'preferred_username')) STORED,
	PRIMARY KEY (pool_id, username_key),
	UNIQUE (pool_id, sub)
);
CREATE UNIQUE INDEX users_alias_email ON users (pool_id, alias_email)
    WHERE alias_email IS NOT NULL;
CREATE UNIQUE INDEX users_alias_phone ON users (pool_id, alias_phone)
    WHERE alias_phone IS NOT NULL;
CREATE UNIQUE INDEX users_alias_preferred ON users (pool_id, alias_preferred)
    WHERE alias_preferred IS NOT NULL;
CREATE INDEX users_f_username ON users (pool_id, username COLLATE "C",
    username_key);
CREATE INDEX users_f_email ON users (pool_id, f_email, username_key);
CREATE INDEX users_f_phone ON users (pool_id, f_phone, username_key);
CREATE INDEX users_f_name ON users (pool_id, f_name, username_key);
CREATE INDEX users_f_given ON users (pool_id, f_given, username_key);
CREATE INDEX users_f_family ON users (pool_id, f_family, username_key);
CREATE INDEX users_f_preferred ON users (pool_id, f_preferred, username_key);
CREATE INDEX users_f_status ON users (pool_id, status, username_key);

CREATE TABLE groups (
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	name		text NOT NULL,
	description	text,
	role_arn	text,
	precedence	integer,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	modified_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	PRIMARY KEY (pool_id, name)
);

CREATE TABLE user_groups (
	pool_id		text NOT NULL,
	sub		uuid NOT NULL,
	group_name	text NOT NULL,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	PRIMARY KEY (pool_id, sub, group_name),
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE,
	FOREIGN KEY (pool_id, group_name) REFERENCES groups (pool_id, name)
	    ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX user_groups_group ON user_groups (pool_id, group_name, sub);

-- One live code per user and purpose: 'signup', 'reset',
-- 'verify:email', 'verify:phone_number', later 'mfa'.
CREATE TABLE codes (
	pool_id		text NOT NULL,
	sub		uuid NOT NULL,
	purpose		text NOT NULL,
	code_hash	bytea NOT NULL,
	attempts	integer NOT NULL DEFAULT 0,
	expires_at	double precision NOT NULL,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	PRIMARY KEY (pool_id, sub, purpose),
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE
);

-- A refresh token belongs to one user and one client. origin_jti is
-- the jti of the sign-in that started the family; access and ID tokens
-- carry it, so revoking the family kills them on our own API too.
CREATE TABLE refresh_tokens (
	token_hash	bytea PRIMARY KEY,
	pool_id		text NOT NULL,
	client_id	text NOT NULL,
	sub		uuid NOT NULL,
	origin_jti	uuid NOT NULL,
	auth_time	bigint NOT NULL,
	scopes		text NOT NULL DEFAULT 'aws.cognito.signin.user.admin',
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	expires_at	double precision NOT NULL,
	-- set when rotation replaced it (reuse after the grace period
	-- revokes the family)
	rotated_at	double precision,
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, sub);
CREATE INDEX refresh_tokens_origin ON refresh_tokens (origin_jti);

-- Revoked token families (RevokeToken); access tokens carrying a
-- revoked origin_jti are refused.
CREATE TABLE revoked_origins (
	origin_jti	uuid PRIMARY KEY,
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	expires_at	double precision NOT NULL
);

-- Challenge sessions (NEW_PASSWORD_REQUIRED, later MFA and SRP):
-- single use, short-lived.
CREATE TABLE auth_sessions (
	session_hash	bytea PRIMARY KEY,
	pool_id		text NOT NULL,
	client_id	text NOT NULL,
	sub		uuid NOT NULL,
	challenge	text NOT NULL,
	data		jsonb NOT NULL DEFAULT '{}',
	expires_at	double precision NOT NULL,
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE
);

-- Messages waiting for delivery (e-mail, SMS). A row is written in the
-- same transaction as what caused it and deleted once delivered.
CREATE TABLE messages (
	id		bigserial PRIMARY KEY,
	pool_id		text NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	medium		text NOT NULL CHECK (medium IN ('EMAIL', 'SMS')),
	recipient	text NOT NULL,
	subject		text NOT NULL DEFAULT '',
	body		text NOT NULL,
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	claimed_until	double precision,
	last_error	text,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp())
);
CREATE INDEX messages_due ON messages (next_attempt_at);
