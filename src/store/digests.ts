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

export interface DeliveredDigest {
  day: string
  facts: unknown
  deliveredAt: number
}

/** Digests already delivered for days in [fromDay, toDay): what people were told, to compare with now. */
export function deliveredDigests(db: Db, topicId: string, fromDay: string, toDay: string): DeliveredDigest[] {
  return (
    stmt(
      db,
      'SELECT day, coalesce(delivered_facts, facts) AS facts, delivered_at AS deliveredAt FROM digests WHERE topic_id = ? AND day >= ? AND day < ? AND delivered_at IS NOT NULL ORDER BY day',
    ).all(topicId, fromDay, toDay) as {
      day: string
      facts: string
      deliveredAt: number
    }[]
  ).map((r) => ({ ...r, facts: JSON.parse(r.facts) as unknown }))
}

export function digestDeliveredAt(db: Db, topicId: string, day: string): number | null {
  return (stmt(db, 'SELECT delivered_at FROM digests WHERE topic_id = ? AND day = ?').pluck().get(topicId, day) as number | null | undefined) ?? null
}

/**
 * Remember what was delivered: the facts as sent are kept apart from later rebuilds, so the next digest can
 * say by how much later data changed a day people were already told about.
 */
export function markDigestDelivered(db: Db, topicId: string, day: string, at: number, facts: unknown): void {
  stmt(db, 'UPDATE digests SET delivered_at = ?, delivered_facts = ? WHERE topic_id = ? AND day = ?').run(at, JSON.stringify(facts), topicId, day)
}

export interface DigestListing {
  day: string
  timezone: string
  generatedAt: number
  deliveredAt: number | null
  files: string[]
}

/** A topic's stored digests, newest day first: the archive the dashboard lists. */
export function storedDigests(db: Db, topicId: string): DigestListing[] {
  return (
    stmt(db, 'SELECT day, timezone, generated_at AS generatedAt, delivered_at AS deliveredAt, files FROM digests WHERE topic_id = ? ORDER BY day DESC').all(
      topicId,
    ) as (Omit<DigestListing, 'files'> & { files: string })[]
  ).map((r) => ({ ...r, files: JSON.parse(r.files) as string[] }))
}
