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
