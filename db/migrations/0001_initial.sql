-- stancewatch initial schema. Migrations are append-only: never edit an applied file, add a new one.
-- Times are INTEGER milliseconds since the Unix epoch, UTC.

CREATE TABLE posts (
  id                INTEGER PRIMARY KEY,
  platform          TEXT    NOT NULL CHECK (platform IN ('x', 'bluesky')),
  platform_id       TEXT    NOT NULL,            -- tweet id | at:// URI
  url               TEXT    NOT NULL,
  author_id         TEXT    NOT NULL,            -- X user id | DID
  author_handle     TEXT,
  author_name       TEXT,
  author_followers  INTEGER,
  text              TEXT    NOT NULL,            -- exactly as posted
  lang              TEXT,                        -- as the platform declared it
  lang_detected     TEXT    NOT NULL,            -- from the text
  created_at        INTEGER NOT NULL,
  created_at_source TEXT    NOT NULL,            -- platform | claimed | indexed | id
  reply_to          TEXT,
  quote_of          TEXT,
  conversation_id   TEXT,
  likes             INTEGER,
  reposts           INTEGER,
  replies           INTEGER,
  quotes            INTEGER,
  metrics_at        INTEGER,                     -- when the counts were observed
  first_seen_at     INTEGER NOT NULL,
  last_seen_at      INTEGER NOT NULL,
  deleted_at        INTEGER,
  links             TEXT    NOT NULL DEFAULT '[]', -- JSON array of canonical link URLs
  topics            TEXT    NOT NULL DEFAULT '[]', -- JSON array of topic ids (mirror of post_topics)
  raw               TEXT    NOT NULL,            -- the payload item as received (JSON)
  UNIQUE (platform, platform_id)
);

-- Which topics a post belongs to, why (rules), and where it was first collected (provenance).
-- The current stance label is kept here so that reading it never needs a join through history.
-- Keyed by (topic, time, post): every per-topic time range is one contiguous stretch of the table, so
-- stance over time, volume and digests need no other index, and a post costs one B-tree insert here.
CREATE TABLE post_topics (
  topic_id          TEXT    NOT NULL,
  created_at        INTEGER NOT NULL,            -- copy of posts.created_at
  post_id           INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  rules             TEXT    NOT NULL,            -- JSON array of rule ids
  source            TEXT    NOT NULL,            -- x | bluesky | jetstream | replay
  query             TEXT,                        -- the platform query or file that returned it
  matched_at        INTEGER NOT NULL,
  stance_label      TEXT,
  stance_confidence REAL,
  stance_model_id   INTEGER REFERENCES models (id),
  stance_source     TEXT CHECK (stance_source IN ('model', 'human')),
  PRIMARY KEY (topic_id, created_at, post_id)
) WITHOUT ROWID;

CREATE TABLE models (
  id            INTEGER PRIMARY KEY,
  topic_id      TEXT    NOT NULL,
  version       TEXT    NOT NULL UNIQUE,
  algorithm     TEXT    NOT NULL,
  params        TEXT    NOT NULL,                -- JSON
  metrics       TEXT,                            -- JSON, from cross-validation at training time
  training_size INTEGER NOT NULL,
  trained_at    INTEGER NOT NULL,
  weights       BLOB    NOT NULL,
  active        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX models_topic ON models (topic_id, active);

-- Every model output, kept per model version, so a label can be traced and compared across models.
CREATE TABLE classifications (
  post_id       INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  topic_id      TEXT    NOT NULL,
  model_id      INTEGER NOT NULL REFERENCES models (id),
  label         TEXT    NOT NULL,
  confidence    REAL    NOT NULL,
  scores        TEXT    NOT NULL,                -- JSON {label: probability}
  classified_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, topic_id, model_id)
) WITHOUT ROWID;

-- Labels given by people (or imported); they override the model and join the training set.
CREATE TABLE labels (
  id         INTEGER PRIMARY KEY,
  topic_id   TEXT    NOT NULL,
  post_id    INTEGER REFERENCES posts (id) ON DELETE SET NULL,
  text       TEXT    NOT NULL,
  label      TEXT    NOT NULL,
  source     TEXT    NOT NULL CHECK (source IN ('human', 'import')),
  author     TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX labels_topic ON labels (topic_id);
CREATE UNIQUE INDEX labels_post ON labels (topic_id, post_id) WHERE post_id IS NOT NULL;

-- Per (source, key) position: X since_id per query, Bluesky time watermark, Jetstream time_us, replay line.
CREATE TABLE cursors (
  source     TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (source, key)
) WITHOUT ROWID;

CREATE TABLE collector_runs (
  id                 INTEGER PRIMARY KEY,
  source             TEXT    NOT NULL,
  started_at         INTEGER NOT NULL,
  finished_at        INTEGER,
  status             TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed')),
  stop_reason        TEXT,
  queries            TEXT    NOT NULL DEFAULT '[]', -- JSON
  pages              INTEGER NOT NULL DEFAULT 0,
  fetched            INTEGER NOT NULL DEFAULT 0,
  new_posts          INTEGER NOT NULL DEFAULT 0,
  duplicates         INTEGER NOT NULL DEFAULT 0,
  off_topic          INTEGER NOT NULL DEFAULT 0,
  skipped            INTEGER NOT NULL DEFAULT 0,
  ignored            INTEGER NOT NULL DEFAULT 0,
  deletions          INTEGER NOT NULL DEFAULT 0,
  rate_limit_waits   INTEGER NOT NULL DEFAULT 0,
  rate_limit_wait_ms INTEGER NOT NULL DEFAULT 0,
  retries            INTEGER NOT NULL DEFAULT 0,
  reads              INTEGER NOT NULL DEFAULT 0,  -- billable post reads
  est_cost_usd       REAL    NOT NULL DEFAULT 0,
  skip_reasons       TEXT    NOT NULL DEFAULT '{}', -- JSON {reason: count}
  errors             TEXT    NOT NULL DEFAULT '[]'  -- JSON
);
CREATE INDEX collector_runs_source ON collector_runs (source, started_at);

-- Windows in which a source collected nothing it should have (outage, cursor too old, quota).
CREATE TABLE coverage_gaps (
  id          INTEGER PRIMARY KEY,
  source      TEXT    NOT NULL,
  start_at    INTEGER NOT NULL,
  end_at      INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  detected_at INTEGER NOT NULL,
  repaired_at INTEGER
);

CREATE TABLE alerts (
  id           INTEGER PRIMARY KEY,
  dedupe_key   TEXT    NOT NULL UNIQUE,          -- the same event never alerts twice
  kind         TEXT    NOT NULL,
  topic_id     TEXT    NOT NULL,
  platform     TEXT,                             -- null: all platforms
  window_start INTEGER NOT NULL,
  window_end   INTEGER NOT NULL,
  observed     REAL    NOT NULL,
  expected     REAL    NOT NULL,
  score        REAL    NOT NULL,
  context      TEXT    NOT NULL,                 -- JSON
  state        TEXT    NOT NULL DEFAULT 'open',
  fired_at     INTEGER NOT NULL
);
CREATE INDEX alerts_topic ON alerts (topic_id, window_end);

CREATE TABLE digests (
  topic_id     TEXT    NOT NULL,
  day          TEXT    NOT NULL,                 -- YYYY-MM-DD in the configured time zone
  timezone     TEXT    NOT NULL,
  generated_at INTEGER NOT NULL,
  facts        TEXT    NOT NULL,                 -- JSON, the same facts every format shows
  files        TEXT    NOT NULL,                 -- JSON list of paths written
  delivered_at INTEGER,
  PRIMARY KEY (topic_id, day)
) WITHOUT ROWID;

-- When each scheduled job last ran and how it ended, so the daemon can catch up after downtime.
CREATE TABLE job_runs (
  id          INTEGER PRIMARY KEY,
  job         TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  status      TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  detail      TEXT
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);
