import type { Db } from './db.js'
import { stmt } from './statements.js'

/** Add billable post reads for a UTC day; called inside the page's transaction so counts never drift. */
export function addReads(db: Db, day: string, topicId: string, source: string, n: number): void {
  if (n <= 0) return
  stmt(
    db,
    `INSERT INTO api_reads (day, topic_id, source, reads) VALUES (?, ?, ?, ?)
     ON CONFLICT (day, topic_id, source) DO UPDATE SET reads = reads + excluded.reads`,
  ).run(day, topicId, source, n)
}

/** Reads so far on a UTC day and in its calendar month. */
export function readsSoFar(db: Db, day: string, topicId: string, source: string): { day: number; month: number } {
  const r = stmt(
    db,
    `SELECT coalesce(sum(CASE WHEN day = @day THEN reads END), 0) AS day, coalesce(sum(reads), 0) AS month
     FROM api_reads WHERE topic_id = @topicId AND source = @source AND day >= @monthStart AND day <= @day`,
  ).get({ day, topicId, source, monthStart: `${day.slice(0, 7)}-01` }) as { day: number; month: number }
  return r
}
