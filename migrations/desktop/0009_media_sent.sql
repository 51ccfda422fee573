-- Which images each draft shows (`![alt](media:ID)` in its text, or its featured image),
-- derived on every save whatever way the draft arrived, like its tags; and which images
-- each blog has been sent, so sync uploads an image to a blog once. An image a draft
-- shows that this device does not have (a teammate's) is listed too: it is fetched when
-- the draft is opened.
CREATE TABLE draft_media (
    draft_id  TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    media_id  TEXT NOT NULL,
    PRIMARY KEY (draft_id, media_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX draft_media_by_media ON draft_media(media_id, draft_id);

CREATE TABLE media_sent (
    tenant    TEXT NOT NULL,
    media_id  TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    sent_at   INTEGER NOT NULL,   -- Unix ms: the blog kept it
    PRIMARY KEY (tenant, media_id)
) STRICT, WITHOUT ROWID;
