-- Accounts: users, their sessions (one per device sign-in) and the refresh tokens of
-- each session. Ids are UUIDv7 text, times are unix milliseconds, on both backends.

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    -- Stored trimmed and lowercased; unique.
    email             TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL,
    -- argon2id PHC string.
    password_hash     TEXT NOT NULL,
    -- Platform role.
    role              TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'banned')),
    email_verified_at BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- A session is one device's sign-in and the family of refresh tokens issued to it.
-- Revoking it ends every token of the family.
CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_name    TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT NOT NULL,
    revoked_at     BIGINT,
    -- Why it ended: signed out, revoked, refresh token reused, password changed, banned.
    revoked_reason TEXT
);
CREATE INDEX sessions_by_user ON sessions(user_id, created_at);

-- Opaque refresh tokens, stored as their SHA-256. Each is used once: using it issues
-- the next one; presenting a used one again revokes the whole session (theft).
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens(session_id);
