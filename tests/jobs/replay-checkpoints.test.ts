import { statSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.js'
import { openDb } from '../../src/store/db.js'
import { importCompiled } from '../compiled.js'
import { tempDir } from '../helpers.js'

// The compiled module, as the command runs it: its thread starts in milliseconds, well before the writing
// below is over (from the sources, it would first boot through tsx for a few tenths of a second).
const { startBackgroundCheckpoints } = await importCompiled<typeof import('../../src/jobs/replay-checkpoints.js')>('jobs/replay-checkpoints.js')

describe('background checkpoints during a bulk load', () => {
  const tmp = tempDir('stancewatch-checkpoints-')
  afterAll(tmp.cleanup)

  it('keep the write-ahead log bounded while another thread copies it, lose nothing, and hand checkpoints back to the writer', async () => {
    const file = path.join(tmp.dir, 'bulk.sqlite')
    const db = openDb(file)
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
    const before = db.pragma('wal_autocheckpoint', { simple: true })
    const checkpoints = startBackgroundCheckpoints(db, silentLogger)
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
    const page = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run('x'.repeat(2000))
    })
    let biggestWal = 0
    // ~120 MB written in 200 commits, with a pause now and then as a real replay has between pages.
    for (let k = 0; k < 200; k++) {
      page(300)
      biggestWal = Math.max(biggestWal, statSync(`${file}-wal`).size)
      if (k % 20 === 0) await new Promise((r) => setTimeout(r, 30))
    }
    expect(await checkpoints.stop()).toBeGreaterThan(0)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(before)
    // Left to grow, the log would hold all 120 MB; the writer's own, rarer checkpoints let it start over.
    expect(biggestWal).toBeLessThan(60 * 1024 * 1024)
    const reader = new Database(file, { readonly: true })
    expect(reader.prepare('SELECT count(*) FROM t').pluck().get()).toBe(60_000)
    reader.close()
    db.close()
  })

  it('do nothing for a database in memory', async () => {
    const db = openDb(':memory:')
    const checkpoints = startBackgroundCheckpoints(db, silentLogger)
    expect(await checkpoints.stop()).toBe(0)
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    db.close()
  })
})
