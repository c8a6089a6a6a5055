import type { Db } from './db.js'
import { stmt } from './statements.js'

export interface PlatformCount {
  platform: string
  posts: number
  deleted: number
}

export function postCounts(db: Db): PlatformCount[] {
  return stmt(db, 'SELECT platform, count(*) AS posts, count(deleted_at) AS deleted FROM posts GROUP BY platform ORDER BY platform').all() as PlatformCount[]
}

export interface TopicCount {
  posts: number
  classified: number
  human: number
  uncertain: number
  first: number | null
  last: number | null
}

export function topicCounts(db: Db, topicId: string): TopicCount {
  return stmt(
    db,
    `SELECT count(*) AS posts, count(stance_label) AS classified, sum(stance_source = 'human') AS human,
            sum(stance_label = 'uncertain') AS uncertain, min(created_at) AS first, max(created_at) AS last
     FROM post_topics WHERE topic_id = ?`,
  ).get(topicId) as TopicCount
}

export function openGaps(db: Db): { source: string; startAt: number; endAt: number; reason: string }[] {
  return stmt(
    db,
    'SELECT source, start_at AS startAt, end_at AS endAt, reason FROM coverage_gaps WHERE repaired_at IS NULL ORDER BY start_at DESC LIMIT 50',
  ).all() as {
    source: string
    startAt: number
    endAt: number
    reason: string
  }[]
}

export interface ChannelDeliveries {
  channel: string
  sent: number
  /** Failed and due to be tried again. */
  retrying: number
  /** Failed for good (past give_up_hours). */
  gaveUp: number
  skipped: number
  /** The soonest retry, and the last error of a delivery not sent. */
  nextAttemptAt: number | null
  lastError: string | null
}

/** Per notification channel: what was sent, what waits for a retry and what was given up, over `since`. */
export function deliveriesByChannel(db: Db, since: number): ChannelDeliveries[] {
  return stmt(
    db,
    `SELECT channel_id AS channel, sum(status = 'sent') AS sent,
            sum(status IN ('failed', 'pending') AND next_attempt_at IS NOT NULL) AS retrying,
            sum(status = 'failed' AND next_attempt_at IS NULL) AS gaveUp, sum(status = 'skipped') AS skipped,
            min(next_attempt_at) AS nextAttemptAt,
            (SELECT last_error FROM deliveries l WHERE l.channel_id = d.channel_id AND l.status <> 'sent' AND l.updated_at >= @since ORDER BY l.updated_at DESC LIMIT 1) AS lastError
     FROM deliveries d WHERE updated_at >= @since GROUP BY channel_id ORDER BY channel_id`,
  ).all({ since }) as ChannelDeliveries[]
}

/** Alerts by state (open, acknowledged, resolved). */
export function alertStates(db: Db): Record<string, number> {
  const rows = stmt(db, 'SELECT state, count(*) AS n FROM alerts GROUP BY state').all() as { state: string; n: number }[]
  return Object.fromEntries(rows.map((r) => [r.state, r.n]))
}
