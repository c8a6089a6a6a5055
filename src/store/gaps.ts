import type { Db } from './db.js'
import { stmt } from './statements.js'

export interface CoverageGap {
  id: number
  source: string
  startAt: number
  endAt: number
  reason: string
  repairedAt: number | null
}

export function recordGap(db: Db, g: Omit<CoverageGap, 'id' | 'repairedAt'>, at: number): number {
  return Number(
    stmt(db, 'INSERT INTO coverage_gaps (source, start_at, end_at, reason, detected_at) VALUES (?, ?, ?, ?, ?)').run(g.source, g.startAt, g.endAt, g.reason, at)
      .lastInsertRowid,
  )
}

/** Unrepaired gaps that overlap [from, to): counts in them are not the whole story. */
export function gapsOverlapping(db: Db, from: number, to: number): CoverageGap[] {
  return stmt(
    db,
    `SELECT id, source, start_at AS startAt, end_at AS endAt, reason, repaired_at AS repairedAt FROM coverage_gaps
     WHERE start_at < ? AND end_at > ? AND repaired_at IS NULL ORDER BY start_at`,
  ).all(to, from) as CoverageGap[]
}

export function markGapRepaired(db: Db, id: number, at: number): void {
  stmt(db, 'UPDATE coverage_gaps SET repaired_at = ? WHERE id = ?').run(at, id)
}
