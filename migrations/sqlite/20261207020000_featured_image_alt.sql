-- A post's featured image as its page shows it, pinned with the revision published:
-- what it shows in words (its alt text, also for link previews), and, for one of the
-- blog's own images, its responsive <img> (srcset, intrinsic size). Empty for posts
-- published before; their featured image is shown as a plain link, as it was.

ALTER TABLE posts ADD COLUMN featured_image_alt TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN featured_html TEXT NOT NULL DEFAULT '';
