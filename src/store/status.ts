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
  return stmt(db, 'SELECT source, start_at AS startAt, end_at AS endAt, reason FROM coverage_gaps WHERE repaired_at IS NULL ORDER BY start_at DESC LIMIT 50').all() as {
    source: string
    startAt: number
    endAt: number
    reason: string
  }[]
}
