import type { Db } from './db.js'
import { stmt } from './statements.js'

/** The last scheduled slot a job ran for (ms), or null if it never ran on a schedule. */
export function lastSlot(db: Db, job: string): number | null {
  return (stmt(db, 'SELECT slot_at FROM schedule_slots WHERE job = ?').pluck().get(job) as number | undefined) ?? null
}

/** Slots only move forward: a clock set back, or a late writer, never makes a slot due again. */
export function saveSlot(db: Db, job: string, slotAt: number, at: number): void {
  stmt(
    db,
    `INSERT INTO schedule_slots (job, slot_at, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (job) DO UPDATE SET slot_at = max(slot_at, excluded.slot_at), updated_at = excluded.updated_at`,
  ).run(job, slotAt, at)
}
