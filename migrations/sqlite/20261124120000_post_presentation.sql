-- What a published post shows besides its text: the featured image and the SEO fields
-- of the revision published (pinned with it), and a page's place in the blog's
-- navigation (chosen by the blog's members; pages without one come after, by title).

ALTER TABLE posts ADD COLUMN featured_image TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN seo TEXT NOT NULL DEFAULT '{}';      -- JSON object of strings
ALTER TABLE posts ADD COLUMN nav_order BIGINT;
