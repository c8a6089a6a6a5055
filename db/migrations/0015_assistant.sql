-- The optional labelling assistant (an OpenAI-compatible chat model). Its labels are kept apart from
-- people's (`labels`): they never override a person, never set stance_source, and join training only where
-- the topic enables it. One row per post asked and answered; an "unsure" answer is a row without a label, so
-- the post is not asked again.
CREATE TABLE assistant_labels (
  topic_id    TEXT    NOT NULL,
  post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  label       TEXT,                              -- one of the topic's label ids; NULL: the assistant was unsure
  confidence  REAL,                              -- as the assistant stated it (0..1), NULL when it gave none
  reason      TEXT    NOT NULL DEFAULT '',       -- its one-sentence reason, cut to 300 characters
  model       TEXT    NOT NULL,
  prompt_hash TEXT    NOT NULL,                  -- which prompt (version, labels and definitions) asked
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (topic_id, post_id)
) WITHOUT ROWID;

-- Answers by sha256(model, prompt, post text): the same words asked the same way are never paid for twice.
CREATE TABLE assistant_cache (
  key           TEXT    PRIMARY KEY,
  answer        TEXT    NOT NULL,                -- the message content as received
  input_tokens  INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
) WITHOUT ROWID;
