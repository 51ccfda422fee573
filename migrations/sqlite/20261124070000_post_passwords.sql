-- A post or page may be protected by a password (argon2id hash): readers see a form;
-- after the right password a signed cookie opens it; it never appears in feeds.
ALTER TABLE posts ADD COLUMN password_hash TEXT;
