-- What the drafts list shows of a draft besides its title and tags, derived from the
-- document on every save, whatever way the draft arrived (typed here, synced in, adopted
-- from the server, imported).
--
-- `list_line`: the draft's excerpt, or the start of its first paragraph as plain text.
-- `listing_version`: which version of Pint's derivation wrote the row's derived columns
-- (title, kind, tags, list_line); rows older than the running build are derived again
-- when the store opens (0: written before this migration).
ALTER TABLE drafts ADD COLUMN list_line TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN listing_version INTEGER NOT NULL DEFAULT 0;
