-- 009_code_names.sql: the simulated codes of user names that do not
-- exist, so that under PreventUserExistenceErrors a missing user's code
-- guesses end, and a resend after them is refused, as a real user's are
-- (real users keep theirs in codes). Only the count is kept: no code is
-- ever made. Rows past both their expiry and the count's window are
-- swept.
CREATE TABLE code_names (
	pool_id		text NOT NULL,
	name_key	text NOT NULL,
	attempts	integer NOT NULL DEFAULT 0,
	created_at	double precision NOT NULL,
	expires_at	double precision NOT NULL,
	PRIMARY KEY (pool_id, name_key)
);
CREATE INDEX code_names_expires ON code_names (expires_at);
