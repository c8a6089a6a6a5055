-- Payloads kept as they were received (a line of a replayed archive: an X page, a Bluesky search page, a
-- PostView, a Jetstream event), once however many posts they hold. Until now every post kept its own part of
-- its payload in posts.raw, serialised again from the parsed object: for a replay that was a sixth of the
-- work of preparing an archive, when the line just read already is the payload, in UTF-8, byte for byte.
CREATE TABLE payloads (
  id          INTEGER PRIMARY KEY,
  source      TEXT    NOT NULL,            -- the collector that stored it (replay)
  received_at INTEGER NOT NULL,
  body        TEXT    NOT NULL             -- JSON exactly as received
);

-- A post stored with its payload has posts.raw = '' and payload_id set: its own item is found in the
-- payload by the normalizer that found the post (`stancewatch export --raw` gives the same item either way).
-- Posts stored before, and those from collectors that parse their responses, keep their item in posts.raw.
-- Not declared a foreign key: with no index on it (one more B-tree insert per post), SQLite would scan every
-- post to check a payload's deletion. Only the writer of posts sets it (store/posts.ts).
ALTER TABLE posts ADD COLUMN payload_id INTEGER;  -- payloads.id
