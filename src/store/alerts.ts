import type { Db } from './db.js'
import { stmt } from './statements.js'

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const
export type AlertState = (typeof ALERT_STATES)[number]

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
    (stmt(db, 'SELECT max(window_end) FROM alerts WHERE kind = ? AND topic_id = ? AND platform IS ?').pluck().get(kind, topicId, platform) as number | null) ??
    null
  )
}

/** Where and when alerts of a kind ended, newest first: what cooldowns and "same event" are judged against. */
export function alertEndsSince(db: Db, kind: string, topicId: string, since: number): { platform: string | null; windowEnd: number }[] {
  return stmt(db, 'SELECT platform, window_end AS windowEnd FROM alerts WHERE kind = ? AND topic_id = ? AND window_end >= ? ORDER BY window_end DESC').all(
    kind,
    topicId,
    since,
  ) as {
    platform: string | null
    windowEnd: number
  }[]
}

export function setAlertState(db: Db, id: number, state: AlertState): boolean {
  return stmt(db, 'UPDATE alerts SET state = ? WHERE id = ?').run(state, id).changes === 1
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
    stmt(db, 'SELECT * FROM alerts WHERE window_end >= ? AND window_end < ? AND (? IS NULL OR topic_id = ?) ORDER BY window_end DESC, id DESC').all(
      from,
      to,
      topicId,
      topicId,
    ) as Row[]
  ).map(toRecord)
}

export function recentAlerts(db: Db, limit: number, topicId: string | null, state: string | null = null): AlertRecord[] {
  return (
    stmt(db, 'SELECT * FROM alerts WHERE (? IS NULL OR topic_id = ?) AND (? IS NULL OR state = ?) ORDER BY window_end DESC, id DESC LIMIT ?').all(
      topicId,
      topicId,
      state,
      state,
      limit,
    ) as Row[]
  ).map(toRecord)
}

export function alertById(db: Db, id: number): AlertRecord | null {
  const r = stmt(db, 'SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined
  return r ? toRecord(r) : null
}

/*
 * What the alert rules read. A check as of time T sees only what had been collected by T: a post counts from
 * `post_topics.matched_at` (when it joined the topic), so a collector catching up on a backlog never looks
 * like a burst, and a backtest sees what the live check saw. History loaded before any live collector ran
 * (replayed archives, backfills before going live) has no such time: it counts from when it was posted.
 */

/** Collection time of a post as the alert rules see it (see above). */
const SEEN_AT = 'CASE WHEN pt.created_at < @liveSince THEN pt.created_at ELSE max(pt.created_at, pt.matched_at) END'

/** When the first live collector (X, Bluesky search, Jetstream) ran: before it, stored history is all there is. */
export function liveSince(db: Db): number | null {
  return (stmt(db, "SELECT min(started_at) FROM collector_runs WHERE source IN ('x', 'bluesky', 'jetstream')").pluck().get() as number | null) ?? null
}

export interface SeenCount {
  /** Hours since the epoch of the posts' time. */
  hour: number
  /** Minute since the epoch by which they had been collected. */
  seenMinute: number
  /** Current stance label ('' when counting volume). */
  label: string
  n: number
}

export interface SeriesFilter {
  topicId: string
  from: number
  to: number
  platform: string | null
  liveSince: number | null
}

const seriesParams = (f: SeriesFilter) => ({
  topicId: f.topicId,
  from: f.from,
  to: f.to,
  platform: f.platform,
  liveSince: f.liveSince ?? Number.MAX_SAFE_INTEGER,
})

/** Posts per hour and collection minute; deleted posts left out. */
export function volumeSeenCounts(db: Db, f: SeriesFilter): SeenCount[] {
  return stmt(
    db,
    `SELECT CAST(pt.created_at / 3600000 AS INTEGER) AS hour, CAST(${SEEN_AT} / 60000 AS INTEGER) AS seenMinute, '' AS label, count(*) AS n
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL
       AND (@platform IS NULL OR p.platform = @platform)
     GROUP BY 1, 2`,
  ).all(seriesParams(f)) as SeenCount[]
}

/**
 * Labelled posts per hour, collection minute and current label. Only labels of the active model or of a
 * person: while a new model re-scores history (oldest first), posts still carrying the old model's label are
 * left out, so a window is never compared with a baseline labelled by another model.
 */
export function stanceSeenCounts(db: Db, f: SeriesFilter & { modelId: number | null }): SeenCount[] {
  return stmt(
    db,
    `SELECT CAST(pt.created_at / 3600000 AS INTEGER) AS hour, CAST(${SEEN_AT} / 60000 AS INTEGER) AS seenMinute, pt.stance_label AS label, count(*) AS n
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL
       AND (@platform IS NULL OR p.platform = @platform)
       AND pt.stance_label IS NOT NULL AND (pt.stance_source = 'human' OR pt.stance_model_id = @modelId)
     GROUP BY 1, 2, 3`,
  ).all({ ...seriesParams(f), modelId: f.modelId }) as SeenCount[]
}

export function activeModelId(db: Db, topicId: string): number | null {
  return (stmt(db, 'SELECT id FROM models WHERE topic_id = ? AND active = 1 ORDER BY id DESC LIMIT 1').pluck().get(topicId) as number | undefined) ?? null
}

/** Time of the first stored post of a topic on a platform (or any): the history a baseline can use starts here. */
export function firstPostOf(db: Db, topicId: string, platform: string | null): number | null {
  return (
    (stmt(
      db,
      `SELECT pt.created_at FROM post_topics pt JOIN posts p ON p.id = pt.post_id
       WHERE pt.topic_id = ? AND (? IS NULL OR p.platform = ?) ORDER BY pt.created_at LIMIT 1`,
    )
      .pluck()
      .get(topicId, platform, platform) as number | undefined) ?? null
  )
}

export interface GapRecord {
  id: number
  source: string
  startAt: number
  endAt: number
  reason: string
  detectedAt: number
  repairedAt: number | null
}

/** Every coverage gap overlapping [from, to), repaired or not: a check as of T judges them as they were at T. */
export function gapsForAlerts(db: Db, from: number, to: number): GapRecord[] {
  return stmt(
    db,
    `SELECT id, source, start_at AS startAt, end_at AS endAt, reason, detected_at AS detectedAt, repaired_at AS repairedAt
     FROM coverage_gaps WHERE start_at < ? AND end_at > ? ORDER BY start_at`,
  ).all(to, from) as GapRecord[]
}
