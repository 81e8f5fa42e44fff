-- 006_rate_limits.sql: sign-in attempts per client address, counted in
-- one-minute windows, so one address cannot try passwords against many
-- users of a pool (each user also has its own lockout).
CREATE TABLE signin_attempts (
	pool_id		text NOT NULL,
	address		text NOT NULL,
	window_start	bigint NOT NULL,
	attempts	integer NOT NULL DEFAULT 1,
	PRIMARY KEY (pool_id, address, window_start)
);
CREATE INDEX signin_attempts_window ON signin_attempts (window_start);
