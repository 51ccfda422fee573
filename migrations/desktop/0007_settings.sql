-- How the app looks and behaves on this device (one row: the settings as JSON, read with
-- a default for every field, so a newer or older build reads what it knows), and a
-- word goal per draft (NULL: none), kept on this device.
CREATE TABLE settings (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    json  TEXT NOT NULL
) STRICT;

ALTER TABLE drafts ADD COLUMN word_goal INTEGER;
