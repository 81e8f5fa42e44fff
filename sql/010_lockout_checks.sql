-- 010_lockout_checks.sql: the checks in flight of each lockout subject
-- (a user, or a missing user's name). A charge counts an attempt as a
-- failure before its secret is checked; checks_pending says how many of
-- those are still being checked, and checks_at when the last began. A
-- lock set while checks are pending may be lifted by a right secret, so
-- an attempt that meets it waits for them instead of being refused.
ALTER TABLE users
	ADD COLUMN checks_pending integer NOT NULL DEFAULT 0,
	ADD COLUMN checks_at double precision;
ALTER TABLE lockout_names
	ADD COLUMN checks_pending integer NOT NULL DEFAULT 0,
	ADD COLUMN checks_at double precision;
