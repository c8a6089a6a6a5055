import type { Db } from './db.js'
import { stmt } from './statements.js'

/**
 * A topic's most engaged live posts on a platform, created since `since`, whose counts are older than
 * `staleBefore`: the posts whose numbers the digests show, refreshed first.
 */
export function postsToRefresh(db: Db, topicId: string, platform: string, since: number, staleBefore: number, limit: number): string[] {
  return stmt(
    db,
    `SELECT p.platform_id FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = ? AND pt.created_at >= ? AND p.platform = ? AND p.deleted_at IS NULL AND coalesce(p.metrics_at, 0) < ?
     ORDER BY coalesce(p.likes, 0) + coalesce(p.reposts, 0) + coalesce(p.replies, 0) + coalesce(p.quotes, 0) DESC, p.id
     LIMIT ?`,
  )
    .pluck()
    .all(topicId, since, platform, staleBefore, limit) as string[]
}
