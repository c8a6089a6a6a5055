import type { Db } from './db.js'
import { stmt } from './statements.js'

export interface AlertRecord {
  id: number
  dedupeKey: string
  kind: string
  topicId: string
  platform: string | null
  windowStart: number
  windowEnd: number
  observed: number
  expected: number
  score: number
  context: unknown
  state: string
  firedAt: number
}

export type NewAlert = Omit<AlertRecord, 'id' | 'state'>

/** Store an alert unless the same event (dedupe key) was stored before; returns its id when new. */
export function insertAlert(db: Db, a: NewAlert): number | null {
  const info = stmt(
    db,
    `INSERT OR IGNORE INTO alerts (dedupe_key, kind, topic_id, platform, window_start, window_end, observed, expected, score, context, fired_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(a.dedupeKey, a.kind, a.topicId, a.platform, a.windowStart, a.windowEnd, a.observed, a.expected, a.score, JSON.stringify(a.context), a.firedAt)
  return info.changes ? Number(info.lastInsertRowid) : null
}

/** The end of the latest window of this kind that alerted, for cooldowns. */
export function lastAlertEnd(db: Db, kind: string, topicId: string, platform: string | null): number | null {
  return (
    (stmt(db, 'SELECT max(window_end) FROM alerts WHERE kind = ? AND topic_id = ? AND platform IS ?').pluck().get(kind, topicId, platform) as number | null) ?? null
  )
}

interface Row {
  id: number
  dedupe_key: string
  kind: string
  topic_id: string
  platform: string | null
  window_start: number
  window_end: number
  observed: number
  expected: number
  score: number
  context: string
  state: string
  fired_at: number
}

const toRecord = (r: Row): AlertRecord => ({
  id: r.id,
  dedupeKey: r.dedupe_key,
  kind: r.kind,
  topicId: r.topic_id,
  platform: r.platform,
  windowStart: r.window_start,
  windowEnd: r.window_end,
  observed: r.observed,
  expected: r.expected,
  score: r.score,
  context: JSON.parse(r.context) as unknown,
  state: r.state,
  firedAt: r.fired_at,
})

/** Alerts whose window ends in [from, to), newest first. */
export function alertsBetween(db: Db, from: number, to: number, topicId: string | null): AlertRecord[] {
  return (
    stmt(db, 'SELECT * FROM alerts WHERE window_end >= ? AND window_end < ? AND (? IS NULL OR topic_id = ?) ORDER BY window_end DESC, id DESC').all(from, to, topicId, topicId) as Row[]
  ).map(toRecord)
}

export function recentAlerts(db: Db, limit: number, topicId: string | null): AlertRecord[] {
  return (stmt(db, 'SELECT * FROM alerts WHERE (? IS NULL OR topic_id = ?) ORDER BY window_end DESC, id DESC LIMIT ?').all(topicId, topicId, limit) as Row[]).map(toRecord)
}
