import Database from 'better-sqlite3'
import type { Db } from './db.js'

/**
 * The write-ahead log's SQL, for the background checkpoints of a bulk load (jobs/replay-checkpoints.ts):
 * whether a database has a log, the writer's own checkpoint threshold, and the copying itself.
 */

/** Whether the database writes through a write-ahead log (a database in memory has none). */
export function hasWriteAheadLog(db: Db): boolean {
  return !db.memory && db.pragma('journal_mode', { simple: true }) === 'wal'
}

/** Pages in the log after which a commit checkpoints by itself (SQLite's default: 1000). */
export function autoCheckpointPages(db: Db): number {
  return db.pragma('wal_autocheckpoint', { simple: true }) as number
}

export function setAutoCheckpointPages(db: Db, pages: number): void {
  db.pragma(`wal_autocheckpoint = ${Math.floor(pages)}`)
}

/** A second connection to an existing database file, for a thread that only checkpoints it. */
export function openForCheckpoints(file: string): Db {
  const db = new Database(file, { fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  return db
}

/**
 * Copy what is committed in the log into the database file and sync it. PASSIVE never waits for (or
 * blocks) the writer. Returns how many pages it copied.
 */
export function checkpointPassive(db: Db): number {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { checkpointed: number }[]
  return r?.checkpointed ?? 0
}
