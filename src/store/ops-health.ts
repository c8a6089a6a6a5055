import type { Db } from './db.js'
import { stmt } from './statements.js'

/** How one source or job has been doing, and whether an operational alert about it is open. */
export interface Health {
  subject: string
  /** How its last run ended: ok, partial, failed or skipped. */
  lastStatus: string | null
  consecutiveFailures: number
  failingSince: number | null
  lastOkAt: number | null
  lastFailureAt: number | null
  lastError: string | null
  firstSeenAt: number
  alertKey: string | null
  alertedAt: number | null
}

const SELECT = `SELECT subject, last_status AS lastStatus, consecutive_failures AS consecutiveFailures, failing_since AS failingSince, last_ok_at AS lastOkAt,
  last_failure_at AS lastFailureAt, last_error AS lastError, first_seen_at AS firstSeenAt, alert_key AS alertKey, alerted_at AS alertedAt
  FROM ops_health`

export function health(db: Db, subject: string): Health | null {
  return (stmt(db, `${SELECT} WHERE subject = ?`).get(subject) as Health | undefined) ?? null
}

export function allHealth(db: Db): Health[] {
  return stmt(db, `${SELECT} ORDER BY subject`).all() as Health[]
}

/** A success (ok or partial): the failure streak ends. Returns the row as it was before. */
export function recordSuccess(db: Db, subject: string, status: string, at: number): Health | null {
  return db.transaction(() => {
    const before = health(db, subject)
    stmt(
      db,
      `INSERT INTO ops_health (subject, last_status, consecutive_failures, last_ok_at, first_seen_at) VALUES (?, ?, 0, ?, ?)
       ON CONFLICT (subject) DO UPDATE SET last_status = excluded.last_status, consecutive_failures = 0, failing_since = NULL,
         last_ok_at = excluded.last_ok_at`,
    ).run(subject, status, at, at)
    return before
  })()
}

/** A failure: one more in the streak. Returns the row after it. */
export function recordFailure(db: Db, subject: string, at: number, error: string): Health {
  return db.transaction(() => {
    stmt(
      db,
      `INSERT INTO ops_health (subject, last_status, consecutive_failures, failing_since, last_failure_at, last_error, first_seen_at) VALUES (?, 'failed', 1, ?, ?, ?, ?)
       ON CONFLICT (subject) DO UPDATE SET last_status = 'failed', consecutive_failures = consecutive_failures + 1,
         failing_since = coalesce(failing_since, excluded.failing_since),
         last_failure_at = excluded.last_failure_at, last_error = excluded.last_error`,
    ).run(subject, at, at, error, at)
    return health(db, subject)!
  })()
}

/** A run that did not happen (skipped, interrupted): it neither breaks nor extends a failure streak. */
export function recordNonRun(db: Db, subject: string, status: string, at: number): void {
  stmt(
    db,
    'INSERT INTO ops_health (subject, last_status, first_seen_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO UPDATE SET last_status = excluded.last_status',
  ).run(subject, status, at)
}

export function openOpsAlert(db: Db, subject: string, key: string, at: number): void {
  stmt(db, 'UPDATE ops_health SET alert_key = ?, alerted_at = ? WHERE subject = ?').run(key, at, subject)
}

export function closeOpsAlert(db: Db, subject: string): void {
  stmt(db, 'UPDATE ops_health SET alert_key = NULL, alerted_at = NULL WHERE subject = ?').run(subject)
}
