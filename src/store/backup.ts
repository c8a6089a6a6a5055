import Database from 'better-sqlite3'
import { InputError } from '../domain/errors.js'
import type { Db } from './db.js'

export interface BackupProgress {
  totalBytes: number
  copiedBytes: number
}

export interface BackupStats {
  pages: number
  pageSize: number
  /** Times another connection wrote mid-copy and SQLite started the copy over. */
  restarts: number
}

/**
 * An existing database, opened for reading and copying only: no migration (a backup copies what is
 * there) and never created (a typo in the path must not back up an empty new database).
 */
export function openExistingDb(file: string): Db {
  let db: Db
  try {
    db = new Database(file, { fileMustExist: true })
  } catch (e) {
    throw new InputError(`cannot open the database ${file}: ${(e as Error).message}`)
  }
  db.pragma('busy_timeout = 5000')
  return db
}

/**
 * Copy a live database into `file` with SQLite's online backup, a consistent snapshot whatever other
 * processes write meanwhile. A write by another connection between two steps makes SQLite start over; the
 * step then doubles, so however busy the writer, the copy ends (at worst in one step, under one read lock,
 * which in WAL mode never blocks the writer).
 */
export async function backupDatabase(
  db: Db,
  file: string,
  opts: { pagesPerStep?: number; onProgress?: (p: BackupProgress) => void; signal?: AbortSignal } = {},
): Promise<BackupStats> {
  let step = opts.pagesPerStep ?? 1024
  let lastRemaining = Number.POSITIVE_INFINITY
  let restarts = 0
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const done = await db.backup(file, {
    progress: (p) => {
      // Throwing here is the only way to stop a backup between steps; better-sqlite3 then rejects.
      if (opts.signal?.aborted) throw new Error('the backup was interrupted')
      if (p.remainingPages >= lastRemaining) {
        restarts++
        step = Math.min(step * 2, 0x7fffffff)
      }
      lastRemaining = p.remainingPages
      opts.onProgress?.({ totalBytes: p.totalPages * pageSize, copiedBytes: (p.totalPages - p.remainingPages) * pageSize })
      return step
    },
  })
  opts.onProgress?.({ totalBytes: done.totalPages * pageSize, copiedBytes: done.totalPages * pageSize })
  return { pages: done.totalPages, pageSize, restarts }
}

export interface CopyCheck {
  /** `ok`, or SQLite's list of problems. */
  problems: string[]
  tables: string[]
  posts: number
}

/**
 * Make a finished copy self-contained (rollback journal instead of WAL: nothing beside it is needed to read
 * it; a daemon that opens it as its database switches back to WAL) and check it.
 */
export function finishAndCheckCopy(file: string, full: boolean): CopyCheck {
  const db = new Database(file, { fileMustExist: true })
  try {
    db.pragma('journal_mode = DELETE')
    const problems = (db.pragma(full ? 'integrity_check' : 'quick_check', { simple: false }) as Record<string, string>[]).map((r) => Object.values(r)[0]!)
    const ok = problems.length === 1 && problems[0] === 'ok'
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]
    const posts = tables.includes('posts') ? (db.prepare('SELECT count(*) FROM posts').pluck().get() as number) : 0
    return { problems: ok ? [] : problems, tables, posts }
  } finally {
    db.close()
  }
}
