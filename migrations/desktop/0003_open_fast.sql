-- Opening a large draft without waiting for its whole history to load.
--
-- `heads`: the draft's heads after its latest save (space-separated hashes).
-- `cached_body`, `cached_heads`: the body text as of the latest compaction, and the
-- heads it was written at. When `cached_heads` equals `heads`, the cached text is the
-- draft's text, and the editor shows it at once while the history loads; otherwise it
-- is ignored. Both are written in the same transaction as the snapshot they describe.
ALTER TABLE drafts ADD COLUMN heads TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN cached_body TEXT;
ALTER TABLE drafts ADD COLUMN cached_heads TEXT;
