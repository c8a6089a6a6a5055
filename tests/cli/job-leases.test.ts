import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { jobLeaseName, tryHoldLease } from '../../src/jobs/leases.js'
import { BIN } from '../compiled.js'
import { ROOT, tempDir, testContext, writeTestConfig } from '../helpers.js'

const tmp = tempDir('stancewatch-leases-')
afterAll(tmp.cleanup)
const ARCHIVE = path.join(ROOT, 'tests/fixtures/payloads/x-search-recent.json')

/** The CLI in a process of its own (a lease held by this process is someone else's to it). */
function run(args: string[], onStderr: (all: string) => void = () => {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: tmp.dir }, cwd: tmp.dir })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => onStderr((stderr += d.toString())))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

describe('a manual run of a job another process is running', () => {
  it('refuses with exit 2 naming the holder, or waits for it with --wait; never overlaps', async () => {
    const configPath = writeTestConfig(tmp.dir)
    const db = path.join(tmp.dir, 'leases.sqlite')
    const ctx = testContext({ configPath, dbPath: db })
    const base = ['--config', configPath, '--db', db]
    // This test process plays the daemon, in the middle of collecting the replay source.
    const held = tryHoldLease(ctx, jobLeaseName('collect:replay'), 'stancewatch start (collect replay)')
    if (!('release' in held)) throw new Error('lease not taken')
    try {
      const refused = await run([...base, 'collect', '--source', 'replay', '--file', ARCHIVE])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain(`collect:replay is already running: pid ${process.pid}`)
      expect(refused.stderr).toContain('stancewatch start (collect replay)')
      expect(refused.stderr).toContain('--wait')
      expect(ctx.db.prepare('SELECT count(*) FROM collector_runs').pluck().get()).toBe(0)
      // Another job is not held: a classification runs beside it.
      expect((await run([...base, 'classify'])).code).toBe(0)

      let released = false
      const done = await run([...base, '--wait', 'collect', '--source', 'replay', '--file', ARCHIVE, '--json'], (stderr) => {
        // It waits (and has stored nothing) until the holder lets go.
        if (!released && stderr.includes(`waiting for collect:replay to finish in pid ${process.pid}`)) {
          released = true
          expect(ctx.db.prepare('SELECT count(*) FROM collector_runs').pluck().get()).toBe(0)
          held.release()
        }
      })
      expect(released).toBe(true)
      expect(done.code, done.stderr).toBe(0)
      expect(JSON.parse(done.stdout)).toMatchObject({ source: 'replay', status: 'ok' })
    } finally {
      held.release()
      ctx.db.close()
    }
  }, 120_000)
})
