import { createHash } from 'node:crypto'
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb, type Db } from '../../src/store/db.js'
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from '../../src/store/migrate.js'
import { tempDir } from '../helpers.js'

const TABLES = [
  'alerts',
  'api_reads',
  'assistant_cache',
  'assistant_labels',
  'classifications',
  'collector_runs',
  'coverage_gaps',
  'cursors',
  'deliveries',
  'delivery_attempts',
  'digests',
  'job_runs',
  'label_batches',
  'label_changes',
  'labels',
  'leases',
  'login_attempts',
  'models',
  'ops_health',
  'payloads',
  'post_edits',
  'post_topics',
  'posts',
  'schedule_slots',
  'schema_migrations',
  'sessions',
  'stance_counts_by_writer',
  'stance_slots',
  'stance_theme_slots',
  'topic_coverage',
]

/** The migrations shipped today, and the next free version number for test-only ones. */
const SHIPPED = readMigrations().map((m) => m.name)
const VERSIONS = readMigrations().map((m) => m.version)
const NEXT = String(Number(VERSIONS.at(-1)) + 1).padStart(4, '0')
const AFTER_NEXT = String(Number(NEXT) + 1).padStart(4, '0')

function tables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((n) => !n.startsWith('sqlite_'))
}

function columns(db: Db, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
}

const cleanups: (() => void)[] = []
const dbs: Db[] = []
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close()
  for (const c of cleanups.splice(0)) c()
})

function open(file: string): Db {
  const db = openDb(file)
  dbs.push(db)
  return db
}

function temp(): string {
  const t = tempDir('stancewatch-migrate-')
  cleanups.push(t.cleanup)
  return t.dir
}

/** A migrations folder holding copies of the real files, to add to or tamper with. */
function migrationsCopy(): string {
  const dir = temp()
  for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f))
  return dir
}

describe('readMigrations', () => {
  it('reads the shipped migrations with a sha256 checksum of their content', () => {
    const ms = readMigrations()
    expect(ms.map((m) => m.name)).toContain('0001_initial.sql')
    const first = ms.find((m) => m.version === '0001')!
    const sql = readFileSync(path.join(MIGRATIONS_DIR, '0001_initial.sql'), 'utf8')
    expect(first.sql).toBe(sql)
    expect(first.checksum).toBe(createHash('sha256').update(sql).digest('hex'))
  })

  it('takes only NNNN_name.sql files, in order', () => {
    const dir = migrationsCopy()
    writeFileSync(path.join(dir, `${AFTER_NEXT}_later.sql`), 'SELECT 1;')
    writeFileSync(path.join(dir, `${NEXT}_sooner.sql`), 'SELECT 1;')
    writeFileSync(path.join(dir, 'README.md'), '# notes')
    writeFileSync(path.join(dir, '0004-dash.sql'), 'SELECT 1;')
    writeFileSync(path.join(dir, '0005_Upper.sql'), 'SELECT 1;')
    writeFileSync(path.join(dir, '0006_backup.sql.bak'), 'SELECT 1;')
    expect(readMigrations(dir).map((m) => m.name)).toEqual([...SHIPPED, `${NEXT}_sooner.sql`, `${AFTER_NEXT}_later.sql`])
  })
})

describe('migrate', () => {
  it('on an empty database creates every table and records the migration', () => {
    const db = open(':memory:')
    const before = Date.now()
    expect(migrate(db)).toEqual(SHIPPED)
    expect(tables(db)).toEqual(TABLES)
    const rows = db.prepare('SELECT version, name, checksum, applied_at AS appliedAt FROM schema_migrations').all() as {
      version: string
      name: string
      checksum: string
      appliedAt: number
    }[]
    expect(rows).toHaveLength(SHIPPED.length)
    expect(rows[0]).toMatchObject({ version: '0001', name: '0001_initial.sql', checksum: readMigrations()[0]!.checksum })
    expect(rows[0]!.appliedAt).toBeGreaterThanOrEqual(before)
    expect(rows[0]!.appliedAt).toBeLessThanOrEqual(Date.now())
    // The constraints the rest of the code relies on are really there.
    expect(() => db.prepare("INSERT INTO cursors (source, key, value, updated_at) VALUES ('x', 'q', '1', 1)").run()).not.toThrow()
    expect(() => db.prepare("INSERT INTO cursors (source, key, value, updated_at) VALUES ('x', 'q', '2', 2)").run()).toThrow(/UNIQUE/)
  })

  it('opens file databases in WAL mode with foreign keys on', () => {
    const db = open(path.join(temp(), 'nested/dir/sw.sqlite'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('on an existing database applies nothing a second time and keeps the data', () => {
    const file = path.join(temp(), 'sw.sqlite')
    let db = open(file)
    expect(migrate(db)).toEqual(SHIPPED)
    db.prepare("INSERT INTO cursors (source, key, value, updated_at) VALUES ('x', 'query-1', '1945', 10)").run()
    expect(migrate(db)).toEqual([])
    db.close()

    db = open(file)
    expect(migrate(db)).toEqual([])
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(SHIPPED.length)
    expect(db.prepare('SELECT value FROM cursors WHERE source = ? AND key = ?').pluck().get('x', 'query-1')).toBe('1945')
  })

  it('applies a new migration on top of an existing database, keeping the data', () => {
    const file = path.join(temp(), 'sw.sqlite')
    const dir = migrationsCopy()
    let db = open(file)
    expect(migrate(db, readMigrations(dir))).toEqual(SHIPPED)
    db.prepare("INSERT INTO cursors (source, key, value, updated_at) VALUES ('bluesky', 'watermark', '2025-07-16', 10)").run()
    db.close()

    writeFileSync(
      path.join(dir, `${NEXT}_notes.sql`),
      `ALTER TABLE cursors ADD COLUMN note TEXT;
       CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
       UPDATE cursors SET note = 'migrated';`,
    )
    db = open(file)
    expect(migrate(db, readMigrations(dir))).toEqual([`${NEXT}_notes.sql`])
    expect(tables(db)).toContain('notes')
    expect(columns(db, 'cursors')).toContain('note')
    expect(db.prepare('SELECT value, note FROM cursors').all()).toEqual([{ value: '2025-07-16', note: 'migrated' }])
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([...VERSIONS, NEXT])
    expect(migrate(db, readMigrations(dir))).toEqual([])
  })

  it('a failing migration is rolled back whole and not recorded', () => {
    const dir = migrationsCopy()
    const db = open(':memory:')
    migrate(db, readMigrations(dir))
    writeFileSync(path.join(dir, `${NEXT}_broken.sql`), 'CREATE TABLE half_done (id INTEGER);\nCREATE TABLE oops (;')
    expect(() => migrate(db, readMigrations(dir))).toThrow()
    expect(tables(db)).not.toContain('half_done')
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(VERSIONS)
  })

  it('refuses a migration that was changed after it was applied', () => {
    const dir = migrationsCopy()
    const db = open(':memory:')
    migrate(db, readMigrations(dir))
    db.prepare("INSERT INTO cursors (source, key, value, updated_at) VALUES ('x', 'k', 'v', 1)").run()
    writeFileSync(path.join(dir, '0001_initial.sql'), `${readFileSync(path.join(dir, '0001_initial.sql'), 'utf8')}\n-- edited\n`)
    writeFileSync(path.join(dir, `${NEXT}_more.sql`), 'CREATE TABLE more (id INTEGER);')

    let err: unknown
    try {
      migrate(db, readMigrations(dir))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(MigrationError)
    expect((err as Error).message).toContain('0001_initial.sql')
    expect((err as Error).message).toMatch(/changed after it was applied.*append-only/)
    // Nothing after the refused one ran, and the data is untouched.
    expect(tables(db)).not.toContain('more')
    expect(db.prepare('SELECT count(*) FROM cursors').pluck().get()).toBe(1)
  })

  it('two migration files with the same version are refused before either is applied', () => {
    const dir = migrationsCopy()
    const db = open(':memory:')
    migrate(db, readMigrations(dir))
    writeFileSync(path.join(dir, `${NEXT}_a.sql`), 'CREATE TABLE a (x);')
    writeFileSync(path.join(dir, `${NEXT}_b.sql`), 'CREATE TABLE b (x);')
    expect(() => migrate(db, readMigrations(dir))).toThrow(MigrationError)
    expect(tables(db)).not.toContain('a')
    expect(tables(db)).not.toContain('b')
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(VERSIONS)
  })

  it('refuses a database with a migration this version does not know', () => {
    const db = open(':memory:')
    migrate(db)
    db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ('0099', '0099_future.sql', 'abc', 1)").run()
    let err: unknown
    try {
      migrate(db)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(MigrationError)
    expect((err as Error).message).toContain('0099')
    expect((err as Error).message).toContain('0099_future.sql')
    expect((err as Error).message).toMatch(/newer stancewatch/)
  })
})

describe('concurrent first opens', () => {
  it('two processes creating the same database at once both succeed, and every migration is applied once', async () => {
    const { spawn } = await import('node:child_process')
    const open = (file: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '../fixtures/open-db.ts'), file], {
          stdio: ['ignore', 'ignore', 'pipe'],
        })
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.on('close', (code) => resolve({ code, stderr }))
      })
    const dir = temp()
    // The race was lost about one time in ten: enough pairs that the old code fails almost surely.
    for (let i = 0; i < 12; i++) {
      const file = path.join(dir, `race-${i}.sqlite`)
      const results = await Promise.all([open(file), open(file)])
      for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 })
      const db = openDb(file)
      dbs.push(db)
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(VERSIONS)
    }
  }, 120_000)
})
