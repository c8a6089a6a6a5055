-- Live collectors: the stored Bluesky session, login attempts, and post reads per topic for budgets.

-- One row per (service, account). Tokens are secrets: nothing reads this table but the Bluesky session
-- code, and no export, log or digest includes it.
CREATE TABLE sessions (
  service     TEXT    NOT NULL,
  identifier  TEXT    NOT NULL,
  did         TEXT    NOT NULL,
  handle      TEXT    NOT NULL,
  access_jwt  TEXT    NOT NULL,
  refresh_jwt TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (service, identifier)
) WITHOUT ROWID;

-- Every createSession attempt: Bluesky allows 30 per 5 minutes and 300 per day per account.
CREATE TABLE login_attempts (
  service    TEXT    NOT NULL,
  identifier TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  ok         INTEGER NOT NULL
);
CREATE INDEX login_attempts_at ON login_attempts (service, identifier, at);

-- Billable post reads per UTC day, topic and source (X bills each post returned).
CREATE TABLE api_reads (
  day      TEXT    NOT NULL,                     -- YYYY-MM-DD, UTC
  topic_id TEXT    NOT NULL,
  source   TEXT    NOT NULL,
  reads    INTEGER NOT NULL,
  PRIMARY KEY (day, topic_id, source)
) WITHOUT ROWID;
