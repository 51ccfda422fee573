-- What the creator chose about writing checks on this device: the rules turned off and
-- the personal dictionary (one row, JSON, read with defaults like the settings), and the
-- findings set aside in a draft ("ignore this one": a rule and the text it flagged).
CREATE TABLE check_prefs (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    json  TEXT NOT NULL
) STRICT;

CREATE TABLE check_ignored (
    document_id  TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    rule         TEXT NOT NULL,
    text         TEXT NOT NULL,
    PRIMARY KEY (document_id, rule, text)
) STRICT;
