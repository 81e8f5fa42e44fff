-- 003_srp_mfa_devices.sql: SRP verifiers, multi-factor settings and
-- remembered devices.

-- The SRP verifier of the user's password (hex, padHex form), made
-- whenever a password is set; NULL until then (or for users created
-- before SRP existed: they get one at their next password sign-in).
ALTER TABLE users ADD COLUMN srp_salt text;
ALTER TABLE users ADD COLUMN srp_verifier text;

-- MFA: which factors the user enabled and prefers
-- ({"sms": bool, "email": bool, "totp": bool, "preferred":
-- "SMS_MFA" | "EMAIL_OTP" | "SOFTWARE_TOKEN_MFA"}), the TOTP secret
-- (sealed under the master key; pending until VerifySoftwareToken
-- succeeds) and the last TOTP step used, so a code is not accepted twice.
ALTER TABLE users ADD COLUMN mfa jsonb NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN totp_secret_sealed text;
ALTER TABLE users ADD COLUMN totp_pending_sealed text;
ALTER TABLE users ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;

-- Devices a user's app tracks (ConfirmDevice). device_key is
-- "<region>_<uuid>"; the verifier and salt are the client's, as sent.
CREATE TABLE devices (
	pool_id		text NOT NULL,
	device_key	text NOT NULL,
	sub		uuid NOT NULL,
	group_key	text NOT NULL,
	salt		text,
	verifier	text,
	name		text,
	remembered	boolean NOT NULL DEFAULT false,
	confirmed	boolean NOT NULL DEFAULT false,
	last_ip		text,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	modified_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	last_auth_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	PRIMARY KEY (pool_id, device_key),
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE
);
CREATE INDEX devices_user ON devices (pool_id, sub, created_at);
