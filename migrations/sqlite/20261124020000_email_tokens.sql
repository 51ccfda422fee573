-- Single-use tokens sent by email: verify an address, reset a password. Stored as
-- their SHA-256; `email` is the address the token was sent to (it must still be the
-- account's when used).
CREATE TABLE email_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX email_tokens_by_user ON email_tokens(user_id, purpose);
