-- The account this device syncs as: at most one row. What it needs to reconnect after a
-- restart without asking again: the server, who, which blog, and this device's peer id.
-- The refresh token is NOT here: it is in the OS keychain.
CREATE TABLE account (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    server        TEXT NOT NULL,
    email         TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    blog_id       TEXT NOT NULL,
    blog_name     TEXT NOT NULL,
    blog_role     TEXT NOT NULL,
    peer_id       TEXT NOT NULL
) STRICT;
