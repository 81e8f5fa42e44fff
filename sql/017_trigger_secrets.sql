-- 017_trigger_secrets.sql: each pool's trigger signing secret
-- (src/hooks/triggers.c), sealed under the master key. The webhooks of
-- the pool's LambdaConfig get an HMAC-SHA256 of each call keyed with
-- it. Made at CreateUserPool and by RotateTriggerSigningSecret; pools
-- made before this migration have none until that operation runs, and
-- their trigger calls fail (UnexpectedLambdaException) rather than go
-- unsigned.
ALTER TABLE pools ADD COLUMN trigger_secret_sealed text;
