-- The daemon and its operations: who holds the database, how runs end, which scheduled slots ran, the
-- health of each source and job, and when each topic was first collected.

-- Named leases: `daemon` (one per database) and `job:<name>` (one run of a job at a time, whoever runs it).
-- The owner is a process: its pid, host and boot id tell whether it still exists after a crash or reboot.
CREATE TABLE leases (
  name         TEXT    PRIMARY KEY,
  pid          INTEGER NOT NULL,
  host         TEXT    NOT NULL,
  boot_id      TEXT,
  command      TEXT    NOT NULL,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Runs now end ok, partial, skipped (with why), failed (with the error) or interrupted (the process was
-- killed: closed at the next start), and say which process ran them. SQLite cannot alter a CHECK
-- constraint, so both run tables are rebuilt with their rows.
CREATE TABLE collector_runs_new (
  id                 INTEGER PRIMARY KEY,
  source             TEXT    NOT NULL,
  started_at         INTEGER NOT NULL,
  finished_at        INTEGER,
  status             TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'skipped', 'failed', 'interrupted')),
  stop_reason        TEXT,
  queries            TEXT    NOT NULL DEFAULT '[]',
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
  reads              INTEGER NOT NULL DEFAULT 0,
  est_cost_usd       REAL    NOT NULL DEFAULT 0,
  skip_reasons       TEXT    NOT NULL DEFAULT '{}',
  errors             TEXT    NOT NULL DEFAULT '[]',
  -- The API said to wait until then, longer than the run may: the source's rate-limit state for `status`.
  rate_limited_until INTEGER,
  pid                INTEGER,
  host               TEXT,
  boot_id            TEXT
);
INSERT INTO collector_runs_new (id, source, started_at, finished_at, status, stop_reason, queries, pages, fetched, new_posts,
  duplicates, off_topic, skipped, ignored, deletions, rate_limit_waits, rate_limit_wait_ms, retries, reads, est_cost_usd,
  skip_reasons, errors)
SELECT id, source, started_at, finished_at, status, stop_reason, queries, pages, fetched, new_posts, duplicates, off_topic,
  skipped, ignored, deletions, rate_limit_waits, rate_limit_wait_ms, retries, reads, est_cost_usd, skip_reasons, errors
FROM collector_runs;
DROP TABLE collector_runs;
ALTER TABLE collector_runs_new RENAME TO collector_runs;
CREATE INDEX collector_runs_source ON collector_runs (source, started_at);
CREATE INDEX collector_runs_running ON collector_runs (status) WHERE status = 'running';

CREATE TABLE job_runs_new (
  id          INTEGER PRIMARY KEY,
  job         TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  status      TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'skipped', 'failed', 'interrupted')),
  reason      TEXT,
  detail      TEXT,
  -- The scheduled time this run is for (null for a manual run); `trigger` says why it ran.
  slot_at     INTEGER,
  trigger     TEXT    NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'catch-up', 'run-now', 'manual')),
  pid         INTEGER,
  host        TEXT,
  boot_id     TEXT
);
INSERT INTO job_runs_new (id, job, started_at, finished_at, status, detail)
SELECT id, job, started_at, finished_at, status, detail FROM job_runs;
DROP TABLE job_runs;
ALTER TABLE job_runs_new RENAME TO job_runs;
CREATE INDEX job_runs_job ON job_runs (job, started_at);
CREATE INDEX job_runs_running ON job_runs (status) WHERE status = 'running';

-- The last slot each scheduled job ran for: a restart catches up once, and a clock moving backwards never
-- runs a slot twice.
CREATE TABLE schedule_slots (
  job        TEXT    PRIMARY KEY,
  slot_at    INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Operational health per subject (`source:x`, `source:jetstream`, `job:digest`…): repeated failures or a
-- long time without success raise one alert (`alert_key`), and its recovery is announced once.
CREATE TABLE ops_health (
  subject              TEXT    PRIMARY KEY,
  last_status          TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  failing_since        INTEGER,
  last_ok_at           INTEGER,
  last_failure_at      INTEGER,
  last_error           TEXT,
  first_seen_at        INTEGER NOT NULL,
  alert_key            TEXT,
  alerted_at           INTEGER
) WITHOUT ROWID;

-- When each topic was first collected by a run that reached its source: no digest is written for a day
-- before it (a new deployment does not report "no posts" for days it never watched).
CREATE TABLE topic_coverage (
  topic_id           TEXT    PRIMARY KEY,
  first_collected_at INTEGER NOT NULL
) WITHOUT ROWID;
