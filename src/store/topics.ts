import type { Platform } from '../domain/post.js'
import type { Db } from './db.js'
import { stmt } from './statements.js'

/**
 * Topics of already stored posts, by platform id: a reply or quote joins its parent's topic even when
 * it repeats none of the keywords ("This. Exactly.").
 */
export function topicsOfPosts(db: Db, platform: Platform, platformIds: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const q = stmt(
    db,
    `SELECT pt.topic_id AS topicId FROM posts p JOIN post_topics pt ON pt.post_id = p.id
     WHERE p.platform = ? AND p.platform_id = ?`,
  )
  for (const id of new Set(platformIds)) {
    const rows = q.all(platform, id) as { topicId: string }[]
    if (rows.length) out.set(id, rows.map((r) => r.topicId))
  }
  return out
}
