import type { Platform } from '../domain/post.js'
import type { Db } from './db.js'
import { stmt } from './statements.js'

/**
 * Topics of already stored posts, by platform id: a reply or quote joins its parent's topic even when
 * it repeats none of the keywords ("This. Exactly.").
 */
export function topicsOfPosts(db: Db, platform: Platform, platformIds: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const q = stmt(db, 'SELECT topics FROM posts WHERE platform = ? AND platform_id = ?').pluck()
  for (const id of new Set(platformIds)) {
    const topics = q.get(platform, id) as string | undefined
    if (topics && topics !== '[]') out.set(id, JSON.parse(topics) as string[])
  }
  return out
}
