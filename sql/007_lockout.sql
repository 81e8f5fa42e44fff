-- 007_lockout.sql: failed sign-in counters of user names that do not
-- exist, so that under PreventUserExistenceErrors a missing user locks
-- after the same failures as a real one (real users keep theirs in
-- users.failed_logins / locked_until). Rows older than the quiet window
-- are swept.
CREATE TABLE lockout_names (
	pool_id		text NOT NULL,
	name_key	text NOT NULL,
	failures	integer NOT NULL DEFAULT 1,
	last_failed_at	double precision NOT NULL,
	locked_until	double precision,
	PRIMARY KEY (pool_id, name_key)
);
CREATE INDEX lockout_names_last ON lockout_names (last_failed_at);
