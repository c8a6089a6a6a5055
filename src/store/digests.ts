import type { Db } from './db.js'
import { stmt } from './statements.js'

export interface DigestRecord {
  topicId: string
  day: string
  timezone: string
  generatedAt: number
  facts: unknown
  files: string[]
}

/** Rebuilding a day replaces its record; when it was delivered is kept. */
export function saveDigest(db: Db, d: DigestRecord): void {
  stmt(
    db,
    `INSERT INTO digests (topic_id, day, timezone, generated_at, facts, files) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (topic_id, day) DO UPDATE SET timezone = excluded.timezone, generated_at = excluded.generated_at,
       facts = excluded.facts, files = excluded.files`,
  ).run(d.topicId, d.day, d.timezone, d.generatedAt, JSON.stringify(d.facts), JSON.stringify(d.files))
}

export function digestDays(db: Db, topicId: string): string[] {
  return stmt(db, 'SELECT day FROM digests WHERE topic_id = ? ORDER BY day').pluck().all(topicId) as string[]
}
