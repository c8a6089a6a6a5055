import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { startScheduler } from '../../src/schedule/scheduler.js'
import { lastJobRuns } from '../../src/store/runs.js'
import { CONFIG, ROOT, tempDir, testContext } from '../helpers.js'

const tmp = tempDir('stancewatch-daemon-')
afterAll(tmp.cleanup)

/** The shipped config with test schedules, replaying a small archive into a temporary folder. */
function writeConfig(schedules: Record<string, string>): string {
  const config = parse(readFileSync(CONFIG, 'utf8')) as Record<string, any>
  const archive = path.join(tmp.dir, 'archive.jsonl')
  const fixtures = path.join(ROOT, 'tests/fixtures/payloads')
  writeFileSync(archive, ['x-search-recent.json', 'bluesky-search-posts.json'].map((f) => JSON.stringify(JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')))).join('\n') + '\n')
  config.schedules = schedules
  config.sources = { enabled: ['replay', 'x'], replay_files: [archive] }
  config.digest.out_dir = path.join(tmp.dir, 'digests')
  config.topics[0].stance.seeds = path.join(ROOT, 'config/seeds/china-ai-fund.jsonl')
  const file = path.join(tmp.dir, `config-${Object.values(schedules)[0]!.replace(/\W/g, '')}.yaml`)
  writeFileSync(file, stringify(config))
  return file
}

describe('the scheduler', () => {
  it('runs every job on its cron schedule, records each run, and stops cleanly', async () => {
    const everySecond = '* * * * * *'
    const configPath = writeConfig({ collect: everySecond, classify: everySecond, alerts: everySecond, digest: everySecond })
    const ctx = testContext({ configPath, dbPath: path.join(tmp.dir, 'sched.sqlite') })
    const scheduler = startScheduler(ctx)
    try {
      expect([...scheduler.tasks.keys()].sort()).toEqual(['alerts', 'classify', 'collect', 'digest'])
      await new Promise((r) => setTimeout(r, 3500))
    } finally {
      await scheduler.stop()
    }
    const runs = lastJobRuns(ctx.db)
    expect(runs.map((r) => r.job).sort()).toEqual(['alerts', 'classify', 'collect', 'digest'])
    for (const r of runs) expect(r.status, `${r.job}: ${JSON.stringify(r.detail)}`).not.toBe('failed')
    const collect = runs.find((r) => r.job === 'collect')!.detail as Record<string, unknown>
    // Sources that cannot run here are skipped with the reason, not fatal.
    expect(collect.x).toEqual({ skipped: expect.stringContaining('X_BEARER_TOKEN') })
    expect(ctx.db.prepare('SELECT count(*) FROM posts').pluck().get()).toBeGreaterThan(0)
    expect(readdirSync(path.join(tmp.dir, 'digests')).some((f) => f.startsWith('digest-'))).toBe(true)
    ctx.db.close()
  }, 30_000)

  it('the daemon starts, logs JSON on stderr, and exits 0 on SIGTERM', async () => {
    const never = '0 0 1 1 *'
    const configPath = writeConfig({ collect: never, classify: never, alerts: never, digest: never })
    const child = spawn('node', [path.join(ROOT, 'src/cli/bin.js'), 'start'], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH, HOME: tmp.dir, STANCEWATCH_CONFIG: configPath, STANCEWATCH_DB: path.join(tmp.dir, 'daemon.sqlite') },
    })
    let stderr = ''
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`daemon did not start: ${stderr}`)), 20_000)
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (stderr.includes('daemon started')) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    expect(stdout).toBe('')
    const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; job?: string; timezone?: string })
    expect(lines.filter((l) => l.msg === 'job scheduled').map((l) => l.timezone)).toEqual(['America/New_York', 'America/New_York', 'America/New_York', 'America/New_York'])
    expect(lines.at(-1)!.msg).toBe('stancewatch daemon stopped')
  }, 30_000)
})
