import type { Db } from './db.js'
import type { ProcessIdentity } from './leases.js'
import { stmt } from './statements.js'

/**
 * How a run ended: `ok`; `partial` (stopped early with what it stored consistent); `skipped` (did not run,
 * with why: no credentials, budget reached, rate limited, another process running it); `failed` (with the
 * error); `interrupted` (its process was killed: closed at the next start).
 */
export type RunStatus = 'running' | 'ok' | 'partial' | 'skipped' | 'failed' | 'interrupted'
export type FinalStatus = Exclude<RunStatus, 'running'>

/** What a collector run did, as stored and as `status` shows it. */
export interface CollectorRun {
  id: number
  source: string
  startedAt: number
  finishedAt: number | null
  status: RunStatus
  stopReason: string | null
  queries: string[]
  pages: number
  fetched: number
  newPosts: number
  duplicates: number
  offTopic: number
  skipped: number
  ignored: number
  deletions: number
  rateLimitWaits: number
  rateLimitWaitMs: number
  retries: number
  reads: number
  estCostUsd: number
  skipReasons: Record<string, number>
  errors: string[]
  /** The API asked to wait until then, longer than the run could: when the source can be asked again. */
  rateLimitedUntil: number | null
  /** The process that ran it (null for runs from before this was recorded). */
  pid: number | null
  host: string | null
  bootId: string | null
}

export type RunTotals = Omit<
  CollectorRun,
  'id' | 'source' | 'startedAt' | 'finishedAt' | 'status' | 'stopReason' | 'rateLimitedUntil' | 'pid' | 'host' | 'bootId'
>

export function startCollectorRun(db: Db, source: string, queries: string[], at: number, by: ProcessIdentity | null = null): number {
  return Number(
    stmt(db, "INSERT INTO collector_runs (source, started_at, status, queries, pid, host, boot_id) VALUES (?, ?, 'running', ?, ?, ?, ?)").run(
      source,
      at,
      JSON.stringify(queries),
      by?.pid ?? null,
      by?.host ?? null,
      by?.bootId ?? null,
    ).lastInsertRowid,
  )
}

/** Progress is written as the run goes, so a crashed run still shows how far it got. */
export function updateCollectorRun(db: Db, id: number, t: RunTotals): void {
  stmt(
    db,
    `UPDATE collector_runs SET queries = @queries, pages = @pages, fetched = @fetched, new_posts = @newPosts,
     duplicates = @duplicates, off_topic = @offTopic, skipped = @skipped, ignored = @ignored, deletions = @deletions,
     rate_limit_waits = @rateLimitWaits, rate_limit_wait_ms = @rateLimitWaitMs, retries = @retries, reads = @reads,
     est_cost_usd = @estCostUsd, skip_reasons = @skipReasons, errors = @errors WHERE id = @id`,
  ).run({ ...t, id, queries: JSON.stringify(t.queries), skipReasons: JSON.stringify(t.skipReasons), errors: JSON.stringify(t.errors) })
}

export function finishCollectorRun(
  db: Db,
  id: number,
  status: FinalStatus,
  stopReason: string | null,
  at: number,
  rateLimitedUntil: number | null = null,
): void {
  stmt(db, 'UPDATE collector_runs SET status = ?, stop_reason = ?, finished_at = ?, rate_limited_until = ? WHERE id = ?').run(
    status,
    stopReason,
    at,
    rateLimitedUntil,
    id,
  )
}

interface RunRow {
  id: number
  source: string
  started_at: number
  finished_at: number | null
  status: RunStatus
  stop_reason: string | null
  queries: string
  pages: number
  fetched: number
  new_posts: number
  duplicates: number
  off_topic: number
  skipped: number
  ignored: number
  deletions: number
  rate_limit_waits: number
  rate_limit_wait_ms: number
  retries: number
  reads: number
  est_cost_usd: number
  skip_reasons: string
  errors: string
  rate_limited_until: number | null
  pid: number | null
  host: string | null
  boot_id: string | null
}

function toRun(r: RunRow): CollectorRun {
  return {
    id: r.id,
    source: r.source,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    stopReason: r.stop_reason,
    queries: JSON.parse(r.queries) as string[],
    pages: r.pages,
    fetched: r.fetched,
    newPosts: r.new_posts,
    duplicates: r.duplicates,
    offTopic: r.off_topic,
    skipped: r.skipped,
    ignored: r.ignored,
    deletions: r.deletions,
    rateLimitWaits: r.rate_limit_waits,
    rateLimitWaitMs: r.rate_limit_wait_ms,
    retries: r.retries,
    reads: r.reads,
    estCostUsd: r.est_cost_usd,
    skipReasons: JSON.parse(r.skip_reasons) as Record<string, number>,
    errors: JSON.parse(r.errors) as string[],
    rateLimitedUntil: r.rate_limited_until,
    pid: r.pid,
    host: r.host,
    bootId: r.boot_id,
  }
}

/** The latest run of each collector source (live ones and backfills), newest first. */
export function lastCollectorRunBySource(db: Db): CollectorRun[] {
  return (
    stmt(db, 'SELECT * FROM collector_runs r WHERE id = (SELECT max(id) FROM collector_runs WHERE source = r.source) ORDER BY source').all() as RunRow[]
  ).map(toRun)
}

/** The latest run of a source that did not end ok: its error is what `status` shows as the source's last error. */
export function lastTroubledRun(db: Db, source: string): CollectorRun | null {
  const r = stmt(db, "SELECT * FROM collector_runs WHERE source = ? AND status IN ('failed', 'partial', 'interrupted') ORDER BY id DESC LIMIT 1").get(
    source,
  ) as RunRow | undefined
  return r ? toRun(r) : null
}

export function recentCollectorRuns(db: Db, limit: number): CollectorRun[] {
  return (stmt(db, 'SELECT * FROM collector_runs ORDER BY started_at DESC, id DESC LIMIT ?').all(limit) as RunRow[]).map(toRun)
}

/** Runs that overlap a time range: for the health footer of a digest. */
export function collectorRunsBetween(db: Db, from: number, to: number): CollectorRun[] {
  return (
    stmt(db, 'SELECT * FROM collector_runs WHERE started_at < ? AND coalesce(finished_at, started_at) >= ? ORDER BY started_at').all(to, from) as RunRow[]
  ).map(toRun)
}

export type JobTrigger = 'schedule' | 'catch-up' | 'run-now' | 'manual'

export function startJobRun(db: Db, job: string, at: number, by: ProcessIdentity, o: { trigger: JobTrigger; slotAt?: number | null }): number {
  return Number(
    stmt(db, "INSERT INTO job_runs (job, started_at, status, trigger, slot_at, pid, host, boot_id) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)").run(
      job,
      at,
      o.trigger,
      o.slotAt ?? null,
      by.pid,
      by.host,
      by.bootId,
    ).lastInsertRowid,
  )
}

export function finishJobRun(db: Db, id: number, status: FinalStatus, reason: string | null, detail: unknown, at: number): void {
  stmt(db, 'UPDATE job_runs SET status = ?, reason = ?, detail = ?, finished_at = ? WHERE id = ?').run(status, reason, JSON.stringify(detail ?? null), at, id)
}

export interface JobRun {
  id: number
  job: string
  startedAt: number
  finishedAt: number | null
  status: RunStatus
  reason: string | null
  trigger: JobTrigger
  slotAt: number | null
  detail: unknown
  pid: number | null
  host: string | null
  bootId: string | null
}

interface JobRunRow {
  id: number
  job: string
  started_at: number
  finished_at: number | null
  status: RunStatus
  reason: string | null
  trigger: JobTrigger
  slot_at: number | null
  detail: string | null
  pid: number | null
  host: string | null
  boot_id: string | null
}

const toJobRun = (r: JobRunRow): JobRun => ({
  id: r.id,
  job: r.job,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  reason: r.reason,
  trigger: r.trigger,
  slotAt: r.slot_at,
  detail: r.detail ? (JSON.parse(r.detail) as unknown) : null,
  pid: r.pid,
  host: r.host,
  bootId: r.boot_id,
})

/** The latest run of each job. */
export function lastJobRuns(db: Db): JobRun[] {
  const rows = stmt(db, 'SELECT * FROM job_runs j WHERE id = (SELECT max(id) FROM job_runs WHERE job = j.job) ORDER BY job').all() as JobRunRow[]
  return rows.map(toJobRun)
}

export function jobRunsSince(db: Db, since: number): JobRun[] {
  return (stmt(db, 'SELECT * FROM job_runs WHERE started_at >= ? ORDER BY id').all(since) as JobRunRow[]).map(toJobRun)
}

/** Runs still marked running, with the process that ran them: to close those whose process is gone. */
export function runningRuns(
  db: Db,
): { table: 'job_runs' | 'collector_runs'; id: number; pid: number | null; host: string | null; bootId: string | null; startedAt: number }[] {
  return stmt(
    db,
    `SELECT 'job_runs' AS "table", id, pid, host, boot_id AS bootId, started_at AS startedAt FROM job_runs WHERE status = 'running'
     UNION ALL
     SELECT 'collector_runs', id, pid, host, boot_id, started_at FROM collector_runs WHERE status = 'running'`,
  ).all() as { table: 'job_runs' | 'collector_runs'; id: number; pid: number | null; host: string | null; bootId: string | null; startedAt: number }[]
}

export function markInterrupted(db: Db, table: 'job_runs' | 'collector_runs', id: number, reason: string, at: number): void {
  const sql =
    table === 'job_runs'
      ? "UPDATE job_runs SET status = 'interrupted', reason = ?, finished_at = ? WHERE id = ? AND status = 'running'"
      : "UPDATE collector_runs SET status = 'interrupted', stop_reason = ?, finished_at = ? WHERE id = ? AND status = 'running'"
  stmt(db, sql).run(reason, at, id)
}
