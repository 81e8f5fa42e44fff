-- 019_ui_session_provider.sql: the provider a hosted-UI session was
-- signed in through (the pool's provider name; NULL: the pool's own
-- users, COGNITO), so that /oauth2/authorize reuses a session only for
-- a client whose SupportedIdentityProviders lists that provider.
ALTER TABLE ui_sessions ADD COLUMN provider_name text;
