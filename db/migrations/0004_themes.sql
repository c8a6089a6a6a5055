-- Sub-themes (config: topics[].themes): the theme ids of its topic a post mentions, as a JSON array, per
-- topic membership. Posts stored before this migration have none until `stancewatch retag` tags them.
ALTER TABLE post_topics ADD COLUMN themes TEXT NOT NULL DEFAULT '[]';
