-- Edited posts (Bluesky lets authors edit): the text and labels before each edit, so a changed stance stays
-- traceable after the post is re-classified.
CREATE TABLE post_edits (
  id              INTEGER PRIMARY KEY,
  post_id         INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  edited_at       INTEGER NOT NULL,
  previous_text   TEXT    NOT NULL,
  previous_labels TEXT    NOT NULL               -- JSON {topic: {label, confidence, model_id, source}}
);
CREATE INDEX post_edits_post ON post_edits (post_id);
