import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backup } from '../../src/jobs/backup.js'
import { cli, ROOT, tempDir, writeTestConfig } from '../helpers.js'

const WRITER = path.join(ROOT, 'tests/fixtures/writers/post-writer.ts')
/** Posts per transaction in the writer: a consistent copy holds a multiple of it. */
const BATCH = 50

/** The writer's commits as it reports them: count of posts and when (Date.now() after the commit). */
interface Writer {
  child: ChildProcessWithoutNullStreams
  commits: { posts: number; at: number }[]
  stop: () => Promise<void>
}

function startWriter(db: string, config: string, prefill: number): Promise<Writer> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, db, config, String(prefill)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: path.dirname(db) },
  })
  const commits: Writer['commits'] = []
  let stderr = ''
  let pending = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)))
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString()
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        const [word, posts, at] = line.split(' ')
        if (word === 'ready') resolve({ child, commits, stop: async () => void (child.kill('SIGTERM'), expect(await exited, stderr).toBe(0)) })
        else if (word === 'wrote') commits.push({ posts: Number(posts), at: Number(at) })
      }
    })
  })
}

function inspect(file: string): { check: string; tables: string[]; posts: number; journal: string } {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return {
      check: db.pragma('integrity_check', { simple: true }) as string,
      tables: db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[],
      posts: db.prepare('SELECT count(*) FROM posts').pluck().get() as number,
      journal: db.pragma('journal_mode', { simple: true }) as string,
    }
  } finally {
    db.close()
  }
}

describe('backup while another process keeps writing', () => {
  const tmp = tempDir('stancewatch-backup-')
  const db = path.join(tmp.dir, 'live.sqlite')
  let writer: Writer
  beforeAll(async () => {
    writer = await startWriter(db, writeTestConfig(tmp.dir), 3000)
  })
  afterAll(async () => {
    await writer?.stop()
    tmp.cleanup()
  })

  it('writes a consistent, checked copy with every table, and reports it as one JSON document', async () => {
    const copy = path.join(tmp.dir, 'copy.sqlite')
    // Wait for a backup that a commit of the writer landed in the middle of (nearly always the first).
    let r: Awaited<ReturnType<typeof cli>> | undefined
    let overlapped = false
    let before = 0
    for (let attempt = 0; attempt < 20 && !overlapped; attempt++) {
      before = writer.commits.at(-1)?.posts ?? 3000
      const started = Date.now()
      r = await cli(['--db', db, 'backup', copy, '--json', ...(attempt ? ['--force'] : [])])
      const ended = Date.now()
      expect(r.code, r.stderr).toBe(0)
      overlapped = writer.commits.some((c) => c.at >= started && c.at <= ended)
    }
    expect(overlapped).toBe(true)
    const out = JSON.parse(r!.stdout) as Record<string, unknown>
    const copied = inspect(copy)
    expect(copied.check).toBe('ok')
    expect(copied.posts % BATCH).toBe(0)
    expect(copied.posts).toBeGreaterThanOrEqual(before)
    // A single file: nothing beside it is needed to read it.
    expect(copied.journal).toBe('delete')
    expect(existsSync(`${copy}-wal`)).toBe(false)
    const live = new Database(db, { readonly: true })
    expect(copied.tables).toEqual(live.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all())
    live.close()
    expect(out).toMatchObject({ file: copy, bytes: statSync(copy).size, posts: copied.posts, tables: copied.tables.length, check: 'quick_check' })
    expect(out.ms).toBeGreaterThanOrEqual(0)
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('stays consistent and ends when a commit between two steps makes SQLite start over', async () => {
    const copy = path.join(tmp.dir, 'small-steps.sqlite')
    // Tiny steps, so the writer's commits land between them; repeat until one did.
    let r: Awaited<ReturnType<typeof backup>> | undefined
    for (let attempt = 0; attempt < 30 && !r?.restarts; attempt++) r = await backup(db, copy, { pagesPerStep: 4, fullCheck: true, force: true })
    expect(r!.restarts).toBeGreaterThan(0)
    expect(r!.check).toBe('integrity_check')
    const copied = inspect(copy)
    expect(copied.check).toBe('ok')
    expect(copied.posts % BATCH).toBe(0)
    expect(copied.posts).toBe(r!.posts)
  })

  it('refuses to replace an existing file without --force, and replaces it with --force', async () => {
    const existing = path.join(tmp.dir, 'existing.sqlite')
    writeFileSync(existing, 'precious')
    const refused = await cli(['--db', db, 'backup', existing])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--force')
    expect(refused.stdout).toBe('')
    expect(statSync(existing).size).toBe('precious'.length)
    // A journal beside the old file must not be applied to the new one.
    writeFileSync(`${existing}-wal`, 'stale')
    const forced = await cli(['--db', db, 'backup', existing, '--force'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stdout).toMatch(/existing\.sqlite: .*\d+ posts.* quick_check ok, in \d+\.\d s/)
    expect(existsSync(`${existing}-wal`)).toBe(false)
    expect(inspect(existing).check).toBe('ok')
  })

  it('exits 2 without creating anything for a missing database, a missing folder, or the database itself', async () => {
    const missing = path.join(tmp.dir, 'no-such.sqlite')
    const r1 = await cli(['--db', missing, 'backup', path.join(tmp.dir, 'b1.sqlite'), '--json'])
    expect(r1.code).toBe(2)
    expect(JSON.parse(r1.stdout)).toHaveProperty('error')
    expect(existsSync(missing)).toBe(false)
    expect(existsSync(path.join(tmp.dir, 'b1.sqlite'))).toBe(false)
    const r2 = await cli(['--db', db, 'backup', path.join(tmp.dir, 'no-folder', 'b.sqlite')])
    expect(r2.code).toBe(2)
    const r3 = await cli(['--db', db, 'backup', db, '--force'])
    expect(r3.code).toBe(2)
    expect(r3.stderr).toContain('database itself')
  })
})
