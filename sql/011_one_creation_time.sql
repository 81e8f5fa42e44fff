-- 011_one_creation_time.sql: a new row's creation and modification
-- times are one instant. Each default called clock_timestamp() on its
-- own, so under load a group's CreationDate and LastModifiedDate (and a
-- user's, a pool's, a client's, a device's) could differ by
-- milliseconds. statement_timestamp() is fixed for the statement that
-- inserts the row, so both defaults now give the same value; updates
-- still set modified_at themselves.
ALTER TABLE pools
	ALTER COLUMN created_at SET DEFAULT extract(epoch FROM statement_timestamp()),
	ALTER COLUMN modified_at SET DEFAULT extract(epoch FROM statement_timestamp());
ALTER TABLE clients
	ALTER COLUMN created_at SET DEFAULT extract(epoch FROM statement_timestamp()),
	ALTER COLUMN modified_at SET DEFAULT extract(epoch FROM statement_timestamp());
ALTER TABLE ui_customizations
	ALTER COLUMN created_at SET DEFAULT extract(epoch FROM statement_timestamp()),
	ALTER COLUMN modified_at SET DEFAULT extract(epoch FROM statement_timestamp());
ALTER TABLE users
	ALTER COLUMN created_at SET DEFAULT extract(epoch FROM statement_timestamp()),
	ALTER COLUMN modified_at SET DEFAULT extract(epoch FROM statement_timestamp());
ALTER TABLE groups
	ALTER COLUMN created_at SET DEFAULT extract(epoch FROM statement_timestamp()),
	ALTER COLUMN modified_at SET DEFAULT extract(epoch FROM statement_timestamp());
ALTER TABLE devices
	ALTER COLUMN created_at SET DEFAULT extract(epoch FROM statement_timestamp()),
	ALTER COLUMN modified_at SET DEFAULT extract(epoch FROM statement_timestamp());
