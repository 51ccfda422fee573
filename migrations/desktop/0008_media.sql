-- Images on this device, as prepared where they were dropped (`media::prepare`): one row
-- per image, keyed by the hash of its variants (the same photo dropped twice is kept
-- once), and its web variants, each width as WebP and as JPEG (PNG with transparency).
-- Kept in the database, written in one transaction with synchronous FULL like drafts,
-- so an image is whole after a crash or not there at all.
CREATE TABLE media (
    id                 TEXT PRIMARY KEY NOT NULL,   -- 32 hex digits
    source             TEXT NOT NULL CHECK (source IN ('jpeg', 'png', 'webp', 'gif')),
    width              INTEGER NOT NULL,            -- upright, full size
    height             INTEGER NOT NULL,
    original_bytes     INTEGER NOT NULL,            -- the file as dropped (not kept)
    has_alpha          INTEGER NOT NULL,
    animation_dropped  INTEGER NOT NULL,
    added_at           INTEGER NOT NULL             -- Unix ms
) STRICT;

CREATE TABLE media_variants (
    media_id  TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    format    TEXT NOT NULL CHECK (format IN ('webp', 'jpeg', 'png')),
    bytes     BLOB NOT NULL,
    PRIMARY KEY (media_id, width, format)
) STRICT;
