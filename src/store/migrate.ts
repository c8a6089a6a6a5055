import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.js'

/** db/migrations at the package root, whether running from src/ or dist/. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/migrations/', import.meta.url))

export interface Migration {
  version: string
  name: string
  sql: string
  checksum: string
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(`${dir}/${f}`, 'utf8')
      return { version: f.slice(0, 4), name: f, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

export class MigrationError extends Error {
  override name = 'MigrationError'
}

/**
 * Apply every migration not yet recorded, all in one transaction that holds the write lock from before it
 * reads what is applied: two processes opening a new database at once cannot both apply the same file. An
 * applied file whose content has changed is refused: migrations are append-only, and a silently edited one
 * would leave databases that claim the same version but differ.
 */
export function migrate(db: Db, migrations = readMigrations()): string[] {
  checkVersions(migrations)
  // The common case, an up-to-date database, needs no write lock: every command opens the database.
  if (pending(db, migrations).length === 0) return []
  return db
    .transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version TEXT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
      const todo = pending(db, migrations)
      const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)')
      for (const m of todo) {
        db.exec(m.sql)
        record.run(m.version, m.name, m.checksum, Date.now())
      }
      return todo.map((m) => m.name)
    })
    .immediate()
}

function checkVersions(migrations: readonly Migration[]): void {
  const seen = new Map<string, string>()
  for (const m of migrations) {
    const other = seen.get(m.version)
    if (other) throw new MigrationError(`migrations ${other} and ${m.name} share version ${m.version}; give the newer one the next free number`)
    seen.set(m.version, m.name)
  }
}

/** The migrations not yet applied, after checking the applied ones; none applied when the table is missing. */
function pending(db: Db, migrations: readonly Migration[]): Migration[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (!exists) return [...migrations]
  const applied = new Map(
    (db.prepare('SELECT version, name, checksum FROM schema_migrations').all() as { version: string; name: string; checksum: string }[]).map((r) => [
      r.version,
      r,
    ]),
  )
  const known = new Set(migrations.map((m) => m.version))
  for (const v of applied.keys()) {
    if (!known.has(v))
      throw new MigrationError(
        `the database has migration ${v} (${applied.get(v)!.name}), which this version of stancewatch does not know; use a newer stancewatch or another database`,
      )
  }
  return migrations.filter((m) => {
    const prior = applied.get(m.version)
    if (prior && prior.checksum !== m.checksum)
      throw new MigrationError(`migration ${m.name} was changed after it was applied; migrations are append-only: restore it and add a new migration instead`)
    return !prior
  })
}
