import type { Db } from './db.js'
import { stmt } from './statements.js'

/** Posts of a topic by platform × detected language, deleted ones left out. */
export function topicBreakdown(db: Db, topicId: string): { platform: string; lang: string; n: number }[] {
  return stmt(
    db,
    `SELECT p.platform, p.lang_detected AS lang, count(*) AS n FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = ? AND p.deleted_at IS NULL GROUP BY p.platform, p.lang_detected ORDER BY n DESC`,
  ).all(topicId) as { platform: string; lang: string; n: number }[]
}

export function topicStanceMix(db: Db, topicId: string): { label: string; n: number }[] {
  return stmt(
    db,
    `SELECT coalesce(pt.stance_label, 'unclassified') AS label, count(*) AS n FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = ? AND p.deleted_at IS NULL GROUP BY label ORDER BY n DESC`,
  ).all(topicId) as { label: string; n: number }[]
}

/** The first and last post time of a topic, and its busiest hour-aligned day start is computed by the caller. */
export function topicSpan(db: Db, topicId: string): { first: number | null; last: number | null } {
  return stmt(db, 'SELECT min(created_at) AS first, max(created_at) AS last FROM post_topics WHERE topic_id = ?').get(topicId) as {
    first: number | null
    last: number | null
  }
}
