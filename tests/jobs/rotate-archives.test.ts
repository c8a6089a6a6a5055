import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { rotateArchives } from '../../src/jobs/rotate-archives.js'
import { cli, ROOT, tempDir, writeTestConfig } from '../helpers.js'

const FIXTURES = path.join(ROOT, 'tests/fixtures/payloads')
/** Real pages as a collector archives them: one JSON payload per line. */
const X_PAGE = `${JSON.stringify(JSON.parse(readFileSync(path.join(FIXTURES, 'x-search-recent.json'), 'utf8')))}\n`
const BSKY_PAGE = `${JSON.stringify(JSON.parse(readFileSync(path.join(FIXTURES, 'bluesky-search-posts.json'), 'utf8')))}\n`
const NOW = Date.parse('2025-07-20T10:30:00Z')
const HOUR = 3_600_000

function folder(dir: string, files: Record<string, string | Buffer>): void {
  mkdirSync(dir, { recursive: true })
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
}

const listing = (dir: string) => readdirSync(dir).sort()

describe('rotateArchives', () => {
  const tmp = tempDir('stancewatch-rotate-')
  afterAll(tmp.cleanup)

  it('gzips old daily files, deletes those past retention, and never touches today, yesterday or other files', async () => {
    const dir = path.join(tmp.dir, 'archive')
    folder(dir, {
      'x-2025-07-20.jsonl': X_PAGE, // today
      'x-2025-07-19.jsonl': X_PAGE, // yesterday
      'x-2025-07-18.jsonl': X_PAGE + X_PAGE, // two days old: compressed
      'bluesky-2025-07-10.jsonl': BSKY_PAGE,
      'jetstream-2025-07-01.jsonl.gz': gzipSync(BSKY_PAGE), // already compressed: left alone
      'x-2025-06-10.jsonl': X_PAGE, // 40 days: past retention
      'bluesky-2025-06-01.jsonl.gz': gzipSync(BSKY_PAGE), // compressed and past retention
      'notes.txt': 'not an archive',
      'x-latest.jsonl': X_PAGE,
    })
    utimesSync(path.join(dir, 'x-2025-07-18.jsonl'), new Date('2025-07-18T23:59:00Z'), new Date('2025-07-18T23:59:00Z'))
    const before = listing(dir)
    const opts = { compressAfterDays: 2, retentionDays: 30 }

    const planned = await rotateArchives(dir, NOW, { ...opts, dryRun: true })
    expect(listing(dir)).toEqual(before)

    const r = await rotateArchives(dir, NOW, opts)
    expect(r).toEqual(planned)
    expect(r.errors).toEqual([])
    expect(r.compressed.map((f) => path.basename(f))).toEqual(['bluesky-2025-07-10.jsonl', 'x-2025-07-18.jsonl'])
    expect(r.deleted.map((f) => path.basename(f))).toEqual(['bluesky-2025-06-01.jsonl.gz', 'x-2025-06-10.jsonl'])
    expect(listing(dir)).toEqual([
      'bluesky-2025-07-10.jsonl.gz',
      'jetstream-2025-07-01.jsonl.gz',
      'notes.txt',
      'x-2025-07-18.jsonl.gz',
      'x-2025-07-19.jsonl',
      'x-2025-07-20.jsonl',
      'x-latest.jsonl',
    ])
    expect(gunzipSync(readFileSync(path.join(dir, 'x-2025-07-18.jsonl.gz'))).toString()).toBe(X_PAGE + X_PAGE)
    expect(statSync(path.join(dir, 'x-2025-07-18.jsonl.gz')).mtime.toISOString()).toBe('2025-07-18T23:59:00.000Z')
    expect(readFileSync(path.join(dir, 'x-2025-07-19.jsonl'), 'utf8')).toBe(X_PAGE)

    // Nothing left to do: a second run changes nothing.
    expect(await rotateArchives(dir, NOW, opts)).toEqual({ compressed: [], deleted: [], errors: [] })
    // Retention 0 keeps everything; the day after, yesterday's file becomes old enough.
    const nextDay = await rotateArchives(dir, NOW + 24 * HOUR, { compressAfterDays: 2, retentionDays: 0 })
    expect(nextDay).toEqual({ compressed: [path.join(dir, 'x-2025-07-19.jsonl')], deleted: [], errors: [] })
  })

  it('never compresses yesterday, whatever the configuration says', async () => {
    const dir = path.join(tmp.dir, 'eager')
    folder(dir, { 'x-2025-07-19.jsonl': X_PAGE, 'x-2025-07-20.jsonl': X_PAGE })
    expect(await rotateArchives(dir, NOW, { compressAfterDays: 0, retentionDays: 0 })).toEqual({ compressed: [], deleted: [], errors: [] })
  })

  it('finishes a rotation stopped after the rename, and reports rather than throws what it cannot do', async () => {
    const dir = path.join(tmp.dir, 'leftovers')
    folder(dir, {
      // Stopped after the rename: the .gz holds the whole day, so the original goes.
      'x-2025-07-15.jsonl': X_PAGE,
      'x-2025-07-15.jsonl.gz': gzipSync(X_PAGE),
      // A .gz that is not the same day's content: both kept, reported.
      'x-2025-07-14.jsonl': X_PAGE + X_PAGE,
      'x-2025-07-14.jsonl.gz': gzipSync(X_PAGE),
      'bluesky-2025-07-13.jsonl': BSKY_PAGE,
      // A killed rotation's temporary file, two days old, and a fresh one (maybe another rotation's, running now).
      '.x-2025-07-12.jsonl.gz.123-abcdef.tmp': 'partial',
      '.x-2025-07-11.jsonl.gz.456-abcdef.tmp': 'partial',
    })
    utimesSync(path.join(dir, '.x-2025-07-12.jsonl.gz.123-abcdef.tmp'), new Date(NOW - 48 * HOUR), new Date(NOW - 48 * HOUR))
    // Something in the way of the .gz (a folder): compressing this day fails.
    mkdirSync(path.join(dir, 'bluesky-2025-07-13.jsonl.gz'))
    writeFileSync(path.join(dir, 'bluesky-2025-07-13.jsonl.gz', 'x'), '')

    const r = await rotateArchives(dir, NOW, { compressAfterDays: 2, retentionDays: 0 })
    expect(r.compressed.map((f) => path.basename(f))).toEqual(['x-2025-07-15.jsonl'])
    expect(r.deleted.map((f) => path.basename(f))).toEqual(['.x-2025-07-12.jsonl.gz.123-abcdef.tmp'])
    expect(r.errors).toHaveLength(2)
    expect(r.errors.join('\n')).toContain('bluesky-2025-07-13.jsonl')
    expect(r.errors.join('\n')).toContain('x-2025-07-14.jsonl')
    expect(readFileSync(path.join(dir, 'bluesky-2025-07-13.jsonl'), 'utf8')).toBe(BSKY_PAGE)
    expect(readFileSync(path.join(dir, 'x-2025-07-14.jsonl'), 'utf8')).toBe(X_PAGE + X_PAGE)
    expect(existsSync(path.join(dir, 'x-2025-07-15.jsonl'))).toBe(false)
    expect(listing(dir).filter((f) => f.endsWith('.tmp'))).toEqual(['.x-2025-07-11.jsonl.gz.456-abcdef.tmp'])
  })

  it('a missing folder is nothing to do', async () => {
    expect(await rotateArchives(path.join(tmp.dir, 'none'), NOW, { compressAfterDays: 2, retentionDays: 7 })).toEqual({
      compressed: [],
      deleted: [],
      errors: [],
    })
  })
})

describe('a compressed archive replays as the original', () => {
  const tmp = tempDir('stancewatch-rotate-replay-')
  afterAll(tmp.cleanup)

  function posts(db: string): unknown[] {
    const d = new Database(db, { readonly: true })
    try {
      return d.prepare('SELECT platform, platform_id, text, created_at FROM posts ORDER BY platform, platform_id').all()
    } finally {
      d.close()
    }
  }

  it('stores the same posts from x-DAY.jsonl.gz as from x-DAY.jsonl', async () => {
    const dir = path.join(tmp.dir, 'archive')
    folder(dir, { 'x-2025-07-16.jsonl': X_PAGE + BSKY_PAGE + X_PAGE })
    const original = path.join(tmp.dir, 'original-x-2025-07-16.jsonl')
    copyFileSync(path.join(dir, 'x-2025-07-16.jsonl'), original)
    const r = await rotateArchives(dir, NOW, { compressAfterDays: 2, retentionDays: 0 })
    expect(r.compressed).toHaveLength(1)
    const config = writeTestConfig(tmp.dir)
    const stored: unknown[][] = []
    for (const [file, db] of [
      [original, 'plain.sqlite'],
      [path.join(dir, 'x-2025-07-16.jsonl.gz'), 'gz.sqlite'],
    ] as const) {
      const run = await cli(['--config', config, '--db', path.join(tmp.dir, db), 'collect', '--source', 'replay', '--file', file])
      expect(run.code, run.stderr).toBe(0)
      stored.push(posts(path.join(tmp.dir, db)))
    }
    expect(stored[0]!.length).toBeGreaterThan(0)
    expect(stored[1]).toEqual(stored[0])
  })
})

describe('stancewatch archive rotate', () => {
  const tmp = tempDir('stancewatch-rotate-cli-')
  afterAll(tmp.cleanup)
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 24 * HOUR).toISOString().slice(0, 10)

  it('--dry-run --json lists without changing; then rotates and says what it did', async () => {
    const config = writeTestConfig(tmp.dir, (c) => {
      c.sources.archive_retention_days = 30
    })
    const dir = path.join(tmp.dir, 'archive')
    folder(dir, { [`x-${day(0)}.jsonl`]: X_PAGE, [`x-${day(5)}.jsonl`]: X_PAGE, [`bluesky-${day(45)}.jsonl.gz`]: gzipSync(BSKY_PAGE) })
    const before = listing(dir)
    const dry = await cli(['--config', config, 'archive', 'rotate', '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(JSON.parse(dry.stdout)).toEqual({
      dir,
      dry_run: true,
      compressed: [path.join(dir, `x-${day(5)}.jsonl`)],
      deleted: [path.join(dir, `bluesky-${day(45)}.jsonl.gz`)],
      errors: [],
    })
    expect(listing(dir)).toEqual(before)
    const done = await cli(['--config', config, 'archive', 'rotate'])
    expect(done.code, done.stderr).toBe(0)
    expect(done.stdout).toContain('1 file(s) compressed, 1 deleted')
    expect(done.stdout).toContain(`compressed x-${day(5)}.jsonl`)
    expect(listing(dir)).toEqual([`x-${day(0)}.jsonl`, `x-${day(5)}.jsonl.gz`].sort())
  })

  it('rejects a compression threshold that would touch yesterday (exit 2, naming the key)', async () => {
    const config = writeTestConfig(
      tmp.dir,
      (c) => {
        c.sources.archive_compress_after_days = 1
      },
      'eager.yaml',
    )
    const r = await cli(['--config', config, 'archive', 'rotate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('archive_compress_after_days')
  })
})
