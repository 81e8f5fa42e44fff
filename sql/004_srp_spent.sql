-- 004_srp_spent.sql: SRP answers are single-use; refresh tokens know
-- their device.
--
-- A SECRET_BLOCK is sealed and self-contained (clients often send no
-- Session back), so nothing in the database knows it until it is used:
-- the digest of each block that signed a user in is kept until the
-- block would have expired anyway, and the same block is refused again.
CREATE TABLE srp_spent (
	digest		bytea PRIMARY KEY,
	expires_at	double precision NOT NULL
);
CREATE INDEX srp_spent_expiry ON srp_spent (expires_at);
CREATE INDEX auth_sessions_expiry ON auth_sessions (expires_at);

-- The device a refresh token was issued to (DEVICE_KEY), so that
-- forgetting the device ends its refresh tokens, and refreshed access
-- tokens keep naming it.
ALTER TABLE refresh_tokens ADD COLUMN device_key text;
CREATE INDEX refresh_tokens_device ON refresh_tokens (pool_id, device_key)
    WHERE device_key IS NOT NULL;
