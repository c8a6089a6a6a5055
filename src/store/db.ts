import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { ConfigError } from '../domain/errors.js'

export type Db = Database.Database

export interface OpenOptions {
  /** Refuse a file that does not exist instead of creating it (commands that only read). */
  mustExist?: boolean
}

/**
 * Open (creating if needed) the database. WAL lets the dashboard and CLI read while the daemon writes;
 * synchronous=NORMAL is durable at every checkpoint and safe against corruption in WAL mode.
 */
export function openDb(file: string, opts: OpenOptions = {}): Db {
  if (opts.mustExist && file !== ':memory:' && !existsSync(file)) {
    throw new ConfigError([
      {
        file: 'environment',
        key: 'STANCEWATCH_DB (or --db)',
        message: `the database ${file} does not exist`,
        fix: 'check the path; a database is created by the commands that collect (`stancewatch collect …`, `stancewatch start`) or by `stancewatch demo` (db/demo.sqlite)',
      },
    ])
  }
  let db: Db
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    db = new Database(file)
  } catch (e) {
    throw new ConfigError([
      {
        file: 'environment',
        key: 'STANCEWATCH_DB (or --db)',
        message: `cannot create or open the database ${file}: ${(e as Error).message}`,
        fix: 'point it at a writable file path, e.g. db/stancewatch.sqlite',
      },
    ])
  }
  // Before anything that locks: two processes opening a new file at once wait for each other instead of failing.
  db.pragma('busy_timeout = 5000')
  setWal(db)
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('cache_size = -16384')
  return db
}

/**
 * Switch a database to WAL. Two processes creating the same new file at once can deadlock on the switch, and
 * SQLite then answers SQLITE_BUSY at once instead of waiting (the busy timeout does not apply): the switch is
 * tried again a little later, until the other process has made it (10 s at most).
 */
function setWal(db: Db): void {
  const until = Date.now() + 10_000
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw e
      // openDb is synchronous (every command opens the database before anything else): a blocking pause.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause)
    }
  }
}
