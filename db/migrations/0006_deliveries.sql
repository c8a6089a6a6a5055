-- Alerts and digests delivered through notification channels (notify). One row per (message, channel):
-- a message a channel has sent is never sent again unless forced, and a failed one is retried later from
-- the stored payload, so a restart or a long outage of the receiver loses nothing.
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY,
  message_key     TEXT    NOT NULL,            -- Message.key, e.g. alert:42, digest:china-ai-fund:2025-07-16
  kind            TEXT    NOT NULL,            -- alert | digest
  topic_id        TEXT    NOT NULL,
  channel_id      TEXT    NOT NULL,            -- notify.channels[].id
  status          TEXT    NOT NULL CHECK (status IN ('sent', 'failed', 'pending', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,  -- every try, all rounds together
  last_error      TEXT,                        -- scrubbed of secrets; the reason when skipped
  payload         TEXT    NOT NULL,            -- the Message as JSON: what a later retry sends
  progress        TEXT,                        -- what a channel already did (JSON), e.g. the posts of a half-posted thread
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  failing_since   INTEGER,                     -- first failure since the last success: later retries space out from it and give up after notify.retry.give_up_hours
  -- When to try again: set on failure (and as a lease while a round runs, so a crash is retried too);
  -- NULL once sent, skipped or given up.
  next_attempt_at INTEGER,
  UNIQUE (message_key, channel_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;

-- Every try and its outcome, for `notify` diagnostics: the row above keeps only the last error.
CREATE TABLE delivery_attempts (
  delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt     INTEGER NOT NULL,                -- 1, 2, … over the delivery's life
  at          INTEGER NOT NULL,
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
  error       TEXT,                            -- scrubbed of secrets
  PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
