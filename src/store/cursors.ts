import type { Db } from './db.js'
import { stmt } from './statements.js'

/** A collector's position for one query or stream: since_id, time watermark, stream time_us, file line. */
export interface CursorWrite {
  source: string
  key: string
  value: string
}

export function setCursor(db: Db, c: CursorWrite, at = Date.now()): void {
  stmt(
    db,
    `INSERT INTO cursors (source, key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(c.source, c.key, c.value, at)
}

export function getCursor(db: Db, source: string, key: string): string | null {
  return (stmt(db, 'SELECT value FROM cursors WHERE source = ? AND key = ?').pluck().get(source, key) as string | undefined) ?? null
}

export function cursorRecord(db: Db, source: string, key: string): { value: string; updatedAt: number } | null {
  return (
    (stmt(db, 'SELECT value, updated_at AS updatedAt FROM cursors WHERE source = ? AND key = ?').get(source, key) as
      { value: string; updatedAt: number } | undefined) ?? null
  )
}

/** Every position of a source (one per query, stream or file), with when it was last written. */
export function cursorsOf(db: Db, source: string): { key: string; value: string; updatedAt: number }[] {
  return stmt(db, 'SELECT key, value, updated_at AS updatedAt FROM cursors WHERE source = ? ORDER BY key').all(source) as {
    key: string
    value: string
    updatedAt: number
  }[]
}
