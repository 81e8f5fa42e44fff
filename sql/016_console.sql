-- 016_console.sql: the admin console's own sign-in (src/ui/console*.c,
-- src/db/console.c).
--
-- console_accounts: the console's account (one, "admin"): its password
-- as an scrypt MCF string, its optional TOTP secret (base32, sealed
-- under the master key) with the last step used, and the lockout count
-- of consecutive failed sign-ins with the time it ends.
--
-- console_sessions: signed-in browsers, by the digest of the session
-- cookie's secret (codes.c: never the secret itself), with the time of
-- the last request: a session idle 8 hours is over. mfa_pending marks
-- a session that passed the password but still owes its TOTP code.
--
-- console_audit: every change made through the console (and every
-- sign-in, sign-out and refused sign-in): who, which operation and
-- target, the outcome (ok or the exception's name), when and from which
-- address.
CREATE TABLE console_accounts (
	username	text PRIMARY KEY,
	password_hash	text NOT NULL,
	totp_sealed	text,
	totp_last_step	bigint NOT NULL DEFAULT 0,
	failed_count	integer NOT NULL DEFAULT 0,
	locked_until	double precision NOT NULL DEFAULT 0,
	changed_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp())
);

CREATE TABLE console_sessions (
	session_hash	bytea PRIMARY KEY,
	username	text NOT NULL REFERENCES console_accounts (username)
	    ON DELETE CASCADE,
	mfa_pending	boolean NOT NULL DEFAULT false,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	last_seen	double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp())
);
CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen);

CREATE TABLE console_audit (
	id		bigserial PRIMARY KEY,
	at		double precision NOT NULL
	    DEFAULT extract(epoch FROM clock_timestamp()),
	username	text NOT NULL,
	address		text NOT NULL,
	operation	text NOT NULL,
	target		text NOT NULL DEFAULT '',
	outcome		text NOT NULL
);
