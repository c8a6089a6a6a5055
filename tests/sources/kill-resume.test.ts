import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDb } from '../../src/store/db.js'
import { BIN } from '../compiled.js'
import { tempDir, writeTestConfig } from '../helpers.js'
import { startBskyServer, type BskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'
import { bskyTruth, xTruth } from '../servers/truth.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { seededRandom } from '../../tools/synthetic/random.js'
import { arrivingTweet, makeXDataset } from '../servers/x-data.js'

/*
 * Nothing lost, nothing doubled, whatever moment the process dies: a collecting child process is killed
 * with SIGKILL at random points, many times, while new posts keep arriving; then one run finishes, and the
 * database must hold exactly the posts a complete, uninterrupted read of the server holds.
 */

const KILLS = 12
const BEARER = 'kill-test-bearer'
const ACCOUNT = { identifier: 'killer.test', password: 'aaaa-bbbb-cccc-dddd', did: 'did:plc:killerkillerkillerkille', handle: 'killer.test' }
const READER = { identifier: 'reader.test', password: 'eeee-ffff-gggg-hhhh', did: 'did:plc:readerreaderreaderreade', handle: 'reader.test' }

function runChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  killAfterMs: number | null,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [BIN, ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env } })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({ code, signal, stderr })
    })
  })
}

function storedIds(db: string, platform: string): { ids: string[]; rows: number; topicRows: number } {
  const d = openDb(db)
  try {
    const ids = d.prepare('SELECT platform_id FROM posts WHERE platform = ? ORDER BY platform_id').pluck().all(platform) as string[]
    const rows = d.prepare('SELECT count(*) FROM posts WHERE platform = ?').pluck().get(platform) as number
    const topicRows = d.prepare('SELECT count(*) FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.platform = ?').pluck().get(platform) as number
    return { ids, rows, topicRows }
  } finally {
    d.close()
  }
}

/** Queries whose first-run history is not finished. */
function backlogs(db: string, source: string): string[] {
  const d = openDb(db)
  try {
    return (d.prepare('SELECT key, value FROM cursors WHERE source = ?').all(source) as { key: string; value: string }[])
      .filter((c) => 'backlog' in JSON.parse(c.value))
      .map((c) => c.key)
  } finally {
    d.close()
  }
}

function firstRunGaps(db: string): { reason: string; repaired_at: number | null }[] {
  const d = openDb(db)
  try {
    return d.prepare("SELECT reason, repaired_at FROM coverage_gaps WHERE reason LIKE 'first-run history%not yet collected%'").all() as {
      reason: string
      repaired_at: number | null
    }[]
  } finally {
    d.close()
  }
}

describe('killing a collector at random moments loses and doubles nothing', () => {
  const tmp = tempDir('stancewatch-kill-')
  afterAll(tmp.cleanup)

  it('X: SIGKILL many times mid-run, then one full run, equals the ground truth', async () => {
    const now = Date.now()
    const rng = seededRandom(20261128)
    const data = makeXDataset({ seed: 9, count: 800, now })
    const server: XServer = await startXServer({ ...data, bearer: BEARER })
    try {
      const configFile = writeTestConfig(
        tmp.dir,
        (c) => {
          c.sources.x = { first_run_lookback_hours: 160, max_results: 10, max_pages_per_query: 1000 }
          c.topics[0].budget = { x_daily_post_reads: 1_000_000, x_monthly_post_reads: 10_000_000 }
        },
        'x-kill.yaml',
      )
      const db = path.join(tmp.dir, 'x-kill.sqlite')
      const env = { STANCEWATCH_CONFIG: configFile, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER }
      // Slow every response a little so kills land between pages and inside transactions alike.
      server.inject(...Array.from({ length: 5000 }, () => ({ kind: 'slow' as const, ms: 15 })))
      let seq = 0
      for (let i = 0; i < KILLS; i++) {
        const r = await runChild(['collect', '--source', 'x'], env, tmp.dir, 700 + Math.floor(rng() * 2500))
        expect(r.code === 0 || r.signal === 'SIGKILL', r.stderr).toBe(true)
        // New posts keep arriving between runs (some on topic, linking the article).
        const round = seq++
        server.addTweets(
          Array.from({ length: 3 }, (_, k) =>
            arrivingTweet(Date.now() - 1000, round * 10 + k, `China's $8.5bn state AI fund keeps growing: arrival ${i}.${k}`, data.users[0]!.id),
          ),
        )
      }
      const final = await runChild(['collect', '--source', 'x'], env, tmp.dir, null)
      expect(final.code, final.stderr).toBe(0)

      const truth = await xTruth(server, configFile, BEARER, now - 160 * 3_600_000)
      const s = storedIds(db, 'x')
      expect(s.ids).toEqual([...truth].sort())
      expect(s.rows).toBe(truth.size)
      expect(s.topicRows).toBe(truth.size)
      // Killed first runs left backlogs below their live watermarks; the full run finished every one.
      expect(backlogs(db, 'x')).toEqual([])
    } finally {
      await server.close()
    }
  }, 240_000)

  it('X: a first-run backlog spread over runs by the page limit survives kills; its gap is recorded once and repaired', async () => {
    const now = Date.now()
    const rng = seededRandom(7707)
    const data = makeXDataset({ seed: 13, count: 400, now })
    const server: XServer = await startXServer({ ...data, bearer: BEARER })
    try {
      const configFile = writeTestConfig(
        tmp.dir,
        (c) => {
          c.sources.x = { max_results: 10, max_pages_per_query: 3 }
          c.topics[0].budget = { x_daily_post_reads: 1_000_000, x_monthly_post_reads: 10_000_000 }
        },
        'x-backlog-kill.yaml',
      )
      const db = path.join(tmp.dir, 'x-backlog-kill.sqlite')
      const env = { STANCEWATCH_CONFIG: configFile, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER }
      server.inject(...Array.from({ length: 5000 }, () => ({ kind: 'slow' as const, ms: 15 })))
      // One run that stops at the page limit: every query with more history than 3 pages gets its gap.
      const first = await runChild(['collect', '--source', 'x'], env, tmp.dir, null)
      expect(first.code, first.stderr).toBe(0)
      const gapsAfterFirst = firstRunGaps(db)
      expect(gapsAfterFirst.length).toBeGreaterThan(0)
      expect(backlogs(db, 'x').length).toBe(gapsAfterFirst.length)
      for (let i = 0; i < KILLS; i++) {
        const r = await runChild(['collect', '--source', 'x'], env, tmp.dir, 700 + Math.floor(rng() * 2000))
        expect(r.code === 0 || r.signal === 'SIGKILL', r.stderr).toBe(true)
        server.addTweets([arrivingTweet(Date.now() - 1000, i, `China's $8.5bn state AI fund, backlog arrival ${i}`, data.users[0]!.id)])
      }
      // Then full runs until no backlog is left (at least one, for the last arrival).
      for (let n = 0; n === 0 || backlogs(db, 'x').length > 0; n++) {
        expect(n, 'runs to finish the backlogs').toBeLessThan(40)
        const r = await runChild(['collect', '--source', 'x'], env, tmp.dir, null)
        expect(r.code, r.stderr).toBe(0)
      }

      const truth = await xTruth(server, configFile, BEARER, now - 160 * 3_600_000)
      const s = storedIds(db, 'x')
      expect(s.ids).toEqual([...truth].sort())
      expect(s.rows).toBe(truth.size)
      expect(s.topicRows).toBe(truth.size)
      // One gap per query that needed more than one run, never recorded twice, all repaired.
      const gaps = firstRunGaps(db)
      expect(new Set(gaps.map((g) => g.reason)).size).toBe(gaps.length)
      expect(gaps.filter((g) => g.repaired_at === null)).toEqual([])
    } finally {
      await server.close()
    }
  }, 300_000)

  it('Bluesky: SIGKILL many times mid-run, then one full run, equals the ground truth', async () => {
    const now = Date.now()
    const rng = seededRandom(11282026)
    const posts = makeBskyDataset({ seed: 21, count: 400, now, days: 3 })
    const server: BskyServer = await startBskyServer({ posts, accounts: [ACCOUNT, READER] })
    try {
      const configFile = writeTestConfig(
        tmp.dir,
        (c) => {
          c.sources.bluesky = { first_run_lookback_hours: 96, limit: 10, max_pages_per_query: 1000, max_logins_per_day: 50 }
        },
        'bsky-kill.yaml',
      )
      const db = path.join(tmp.dir, 'bsky-kill.sqlite')
      const env = {
        STANCEWATCH_CONFIG: configFile,
        STANCEWATCH_DB: db,
        BSKY_SERVICE: server.url,
        BSKY_PUBLIC_API: server.url,
        BSKY_IDENTIFIER: ACCOUNT.identifier,
        BSKY_APP_PASSWORD: ACCOUNT.password,
      }
      server.inject(...Array.from({ length: 5000 }, () => ({ kind: 'slow' as const, ms: 10, nsid: 'app.bsky.feed.searchPosts' })))
      for (let i = 0; i < KILLS; i++) {
        const r = await runChild(['collect', '--source', 'bluesky'], env, tmp.dir, 700 + Math.floor(rng() * 2500))
        expect(r.code === 0 || r.signal === 'SIGKILL', r.stderr).toBe(true)
        const fresh = makeBskyDataset({ seed: 1000 + i, count: 4, now: Date.now() - 2000, days: 0.0005 })
        server.addPosts(fresh)
      }
      const final = await runChild(['collect', '--source', 'bluesky'], env, tmp.dir, null)
      expect(final.code, final.stderr).toBe(0)

      const truth = await bskyTruth(server, configFile, READER, now - 96 * 3_600_000)
      const s = storedIds(db, 'bluesky')
      expect(s.ids).toEqual([...truth].sort())
      expect(s.rows).toBe(truth.size)
      expect(s.topicRows).toBe(truth.size)
      expect(backlogs(db, 'bluesky')).toEqual([])
      // Killed runs resumed the stored session instead of logging in every time.
      expect(server.logins).toBeLessThan(KILLS)
    } finally {
      await server.close()
    }
  }, 240_000)
})
