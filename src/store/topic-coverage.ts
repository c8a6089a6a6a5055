import type { Db } from './db.js'
import { stmt } from './statements.js'

/** Remember when topics were first collected by a run that reached its source; later runs change nothing. */
export function markTopicsCollected(db: Db, topicIds: readonly string[], at: number): void {
  const insert = stmt(db, 'INSERT INTO topic_coverage (topic_id, first_collected_at) VALUES (?, ?) ON CONFLICT (topic_id) DO NOTHING')
  for (const id of topicIds) insert.run(id, at)
}

export function firstCollectedAt(db: Db, topicId: string): number | null {
  return (stmt(db, 'SELECT first_collected_at FROM topic_coverage WHERE topic_id = ?').pluck().get(topicId) as number | undefined) ?? null
}

/**
 * Where a topic's record begins: its first collection, or its first stored post when that is earlier
 * (history a first run, a backfill or a replay brought in). Before it nothing was watched, so a quiet
 * stretch there is unknown, not zero. Null when the topic was never collected and holds no post.
 */
export function coverageStart(db: Db, topicId: string): number | null {
  return (
    (stmt(
      db,
      `SELECT min(t) FROM (SELECT first_collected_at AS t FROM topic_coverage WHERE topic_id = @topicId
                          UNION ALL SELECT min(created_at) FROM post_topics WHERE topic_id = @topicId)`,
    )
      .pluck()
      .get({ topicId }) as number | null) ?? null
  )
}
