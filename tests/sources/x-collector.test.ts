import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import type { BackfillResult } from '../../src/jobs/backfill.js'
import type { XPlan } from '../../src/jobs/dry-run-x.js'
import type { RunResult } from '../../src/jobs/run-recorder.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { compileXQueries, X_QUERY_LIMIT } from '../../src/sources/x/queries.js'
import { openDb } from '../../src/store/db.js'
import { cli, tempDir, writeTestConfig } from '../helpers.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'
import { searchAllPages } from '../servers/x-search-all.js'

const BEARER = 'test-bearer-AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid'
const HOUR = 3_600_000

/**
 * The posts a collector must end with, computed without it: every compiled query paged to the end over
 * plain HTTP within [start, end), kept when the local matcher says the post is on topic.
 */
async function groundTruth(server: XServer, configFile: string, start: number, end?: number): Promise<Set<string>> {
  const topics = compileTopics(loadConfig(configFile).config.topics)
  const out = new Set<string>()
  for await (const body of searchAllPages(server, configFile, BEARER, { start, end })) {
    for (const p of normalizePayload(body)?.posts ?? []) if (matchPost(p, canonicalLinks(p), topics).length) out.add(p.platformId)
  }
  return out
}

describe('X recent-search collector against a loopback X API', () => {
  const tmp = tempDir('stancewatch-x-')
  const now = Date.now()
  let server: XServer
  let configFile: string
  let db: string
  const env = () => ({ X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER })

  beforeAll(async () => {
    const data = makeXDataset({ seed: 5, count: 600, now })
    server = await startXServer({ ...data, bearer: BEARER })
    configFile = writeTestConfig(tmp.dir, (c) => {
      c.sources.x = { first_run_lookback_hours: 72, max_rate_limit_wait_seconds: 5, max_retries: 3 }
    })
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })
  beforeEach(() => {
    db = path.join(tmp.dir, `x-${Math.random().toString(36).slice(2)}.sqlite`)
  })

  const run = async (args: string[], config = configFile, extraEnv: Record<string, string> = {}) => {
    const r = await cli(['--config', config, '--db', db, '--log-level', 'info', ...args, '--json'], { ...env(), ...extraEnv }, tmp.dir)
    return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as unknown) : null }
  }
  const stored = () => {
    const d = openDb(db)
    try {
      return (d.prepare("SELECT platform_id FROM posts WHERE platform = 'x'").pluck().all() as string[]).sort()
    } finally {
      d.close()
    }
  }

  it('with the network down, a run is failed (never ok), says X was unreachable and exits 1', async () => {
    const { closedLoopbackPort } = await import('../servers/closed-port.js')
    const down = writeTestConfig(tmp.dir, (c) => void (c.sources.x = { max_retries: 1 }), 'down.yaml')
    const r = await run(['collect', '--source', 'x'], down, { X_API_BASE_URL: `http://127.0.0.1:${await closedLoopbackPort()}` })
    expect(r.code, r.stderr).toBe(1)
    expect(r.json).toMatchObject({
      status: 'failed',
      pages: 0,
      stopReason: expect.stringMatching(/failed 2 times, last with a network error \(ECONNREFUSED\)/),
    })
  })

  it('compiles every query within 512 characters', () => {
    const { config } = loadConfig(configFile)
    const queries = compileXQueries(config.topics[0]!)
    expect(queries.length).toBeGreaterThan(3)
    for (const q of queries) expect(q.query.length, q.query).toBeLessThanOrEqual(X_QUERY_LIMIT)
    expect(queries[0]!.query).toContain('url:"nytimes.com/2025/07/16/technology/china-ai"')
  })

  it('collects exactly the on-topic posts the queries reach, then polls with since_id only', async () => {
    const truth = await groundTruth(server, configFile, now - 72 * HOUR)
    expect(truth.size).toBeGreaterThan(50)
    const started = Date.now()
    const first = await run(['collect', '--source', 'x'])
    expect(first.code, first.stderr).toBe(0)
    const r = first.json as RunResult
    expect(r.status).toBe('ok')
    // Not a terminal: no progress bar, only log lines on stderr.
    expect(first.stderr).not.toContain('h back')
    expect(stored()).toEqual([...truth].sort())
    expect(r.reads).toBeGreaterThanOrEqual(truth.size)
    expect(r.estCostUsd).toBeCloseTo(r.reads * 0.005, 6)
    const second = (await run(['collect', '--source', 'x'])).json as RunResult
    expect(second.stats.newPosts).toBe(0)
    const polls = server.requests.filter((q) => q.at >= started && q.path.endsWith('/search/recent'))
    // Never start_time together with since_id; the second run asks only for newer posts.
    for (const q of polls) expect(q.query.start_time && q.query.since_id, JSON.stringify(q.query)).toBeFalsy()
    expect(polls.slice(-3).every((q) => q.query.since_id !== undefined)).toBe(true)
    // The fields the normalizer needs are asked for.
    expect(polls[0]!.query.expansions).toContain('author_id')
    expect(polls[0]!.query['tweet.fields']).toContain('public_metrics')
  })

  it('waits for x-rate-limit-reset after a 429, retries 5xx, malformed bodies and dropped sockets, and records it', async () => {
    server.inject({ kind: 'rate-limit', resetInSeconds: 2 }, { kind: 'server-error', status: 503 }, { kind: 'malformed' }, { kind: 'drop' })
    const started = Date.now()
    const res = await run(['collect', '--source', 'x'])
    expect(res.code, res.stderr).toBe(0)
    const r = res.json as RunResult
    expect(r.status).toBe('ok')
    expect(r.api.rateLimitWaits).toBeGreaterThanOrEqual(1)
    expect(r.api.retries).toBeGreaterThanOrEqual(3)
    const log = server.requests.filter((q) => q.at >= started)
    const limited = log.find((q) => q.status === 429)!
    expect(log.find((q) => q.at > limited.at)!.at - limited.at).toBeGreaterThanOrEqual(1500)
    expect(res.stderr).toContain('rate limit')
  })

  it('ends early with a clear warning when the reset is further away than it may wait, and resumes later', async () => {
    const truth = await groundTruth(server, configFile, now - 72 * HOUR)
    // Let one page through, then a long rate limit.
    server.inject({ kind: 'slow', ms: 1 }, { kind: 'rate-limit', resetInSeconds: 3600 })
    const first = (await run(['collect', '--source', 'x'])).json as RunResult
    expect(first.status).toBe('partial')
    expect(first.stopReason).toMatch(/rate limit/)
    const second = (await run(['collect', '--source', 'x'])).json as RunResult
    expect(second.status).toBe('ok')
    expect(stored()).toEqual([...truth].sort())
  })

  it('a rejected token fails the run with what to check, and never prints the token', async () => {
    server.inject({ kind: 'unauthorized' })
    const res = await run(['collect', '--source', 'x'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('X_BEARER_TOKEN')
    expect(res.stderr + res.stdout).not.toContain(BEARER)
  })

  it('stops before the daily post-read budget is exceeded and records the cost', async () => {
    const small = writeTestConfig(
      tmp.dir,
      (c) => {
        c.sources.x = { first_run_lookback_hours: 72, max_results: 20 }
        c.topics[0].budget = { x_daily_post_reads: 45, x_monthly_post_reads: 1000 }
      },
      'budget.yaml',
    )
    const r = (await run(['collect', '--source', 'x'], small)).json as RunResult
    expect(r.reads).toBeLessThanOrEqual(45)
    expect(r.stopReason).toMatch(/budget/)
    const again = (await run(['collect', '--source', 'x'], small)).json as RunResult
    expect(again.reads).toBe(0)
    const d = openDb(db)
    const day = d.prepare('SELECT sum(reads) FROM api_reads').pluck().get() as number
    d.close()
    expect(day).toBe(r.reads)
  })

  it('dry run estimates reads and cost through the counts endpoint and reads no post', async () => {
    const started = Date.now()
    const res = await run(['collect', '--source', 'x', '--dry-run'])
    expect(res.code, res.stderr).toBe(0)
    const plan = (res.json as { plan: XPlan }).plan
    expect(plan.queries.every((q) => q.estimateFrom === 'counts')).toBe(true)
    expect(plan.estimatedCostUsd).toBeCloseTo(plan.estimatedReads * 0.005, 6)
    const log = server.requests.filter((q) => q.at >= started)
    expect(log.some((q) => q.path.endsWith('/search/recent'))).toBe(false)
    expect(log.some((q) => q.path.endsWith('/counts/recent'))).toBe(true)
  })

  it("dry run of a first run: the 7-day window, the estimated posts and cost, and what today's budget allows", async () => {
    const small = writeTestConfig(
      tmp.dir,
      (c) => {
        c.topics[0].budget = { x_daily_post_reads: 100, x_monthly_post_reads: 100_000 }
      },
      'dry-first.yaml',
    )
    const before = Date.now()
    const res = await run(['collect', '--source', 'x', '--dry-run'], small)
    expect(res.code, res.stderr).toBe(0)
    const plan = (res.json as { plan: XPlan }).plan
    for (const q of plan.queries) {
      expect(q.firstRun, q.label).not.toBeNull()
      const since = Date.parse(q.firstRun!.since)
      expect(since).toBeGreaterThanOrEqual(before - 7 * 24 * HOUR)
      expect(since).toBeLessThanOrEqual(Date.now() - 7 * 24 * HOUR + 10 * 60_000)
      expect(q.bounds.start_time).toBe(q.firstRun!.since)
      expect(q.estimateFrom).toBe('counts')
    }
    expect(plan.estimatedReads).toBeGreaterThan(100)
    expect(plan.estimatedCostUsd).toBeCloseTo(plan.estimatedReads * 0.005, 6)
    expect(plan.budgets[0]).toMatchObject({
      estimatedReads: plan.estimatedReads,
      allowedToday: 100,
      leftForLater: plan.estimatedReads - 100,
      laterDays: Math.ceil((plan.estimatedReads - 100) / 100),
    })

    const text = await cli(['--config', small, '--db', db, 'collect', '--source', 'x', '--dry-run'], env(), tmp.dir)
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain('first run: 7 days back')
    expect(text.stdout).toContain(`Estimated post reads: ${plan.estimatedReads} ≈ $${plan.estimatedCostUsd.toFixed(2)}`)
    expect(text.stdout).toMatch(/today allows ≈ 100 of ≈ \d+/)
    expect(text.stdout).toMatch(/stay a coverage gap that later days fill \(≈ \d+ more days? at 100 a day\)/)

    // The estimate is what the first run then reads when the budget allows all of it.
    const ample = writeTestConfig(
      tmp.dir,
      (c) => {
        c.topics[0].budget = { x_daily_post_reads: 1_000_000, x_monthly_post_reads: 1_000_000 }
      },
      'dry-ample.yaml',
    )
    const r = (await run(['collect', '--source', 'x'], ample)).json as RunResult
    expect(r.reads).toBe(plan.estimatedReads)
  })

  it('dry run falls back to the last pass when the plan has no counts endpoint', async () => {
    const forbidden = await startXServer({ ...makeXDataset({ seed: 5, count: 600, now }), bearer: BEARER, countsForbidden: true })
    try {
      // The first run is history; the live pass after it is what the next run's estimate comes from.
      await run(['collect', '--source', 'x'], configFile, { X_API_BASE_URL: forbidden.url })
      await run(['collect', '--source', 'x'], configFile, { X_API_BASE_URL: forbidden.url })
      const res = await run(['collect', '--source', 'x', '--dry-run'], configFile, { X_API_BASE_URL: forbidden.url })
      const plan = (res.json as { plan: XPlan }).plan
      expect(plan.note).toMatch(/counts endpoint unavailable/)
      expect(plan.queries.every((q) => q.estimateFrom === 'last pass')).toBe(true)
    } finally {
      await forbidden.close()
    }
  })

  it('refreshes engagement by tweet lookup and marks deleted posts', async () => {
    await run(['collect', '--source', 'x'])
    const d0 = openDb(db)
    const top = d0.prepare("SELECT platform_id FROM posts WHERE platform = 'x' ORDER BY likes DESC LIMIT 2").pluck().all() as string[]
    d0.close()
    server.deleteTweets([top[0]!])
    const cfg = writeTestConfig(
      tmp.dir,
      (c) => {
        c.sources.x = { refresh: { top_posts: 10, days: 7, every_hours: 0 } }
      },
      'refresh.yaml',
    )
    const res = await run(['refresh', '--source', 'x'], cfg)
    expect(res.code, res.stderr).toBe(0)
    const r = res.json as RunResult
    expect(r.reads).toBeGreaterThan(0)
    const d = openDb(db)
    expect(d.prepare('SELECT deleted_at FROM posts WHERE platform_id = ?').pluck().get(top[0]!)).not.toBeNull()
    expect(d.prepare('SELECT deleted_at FROM posts WHERE platform_id = ?').pluck().get(top[1]!)).toBeNull()
    d.close()
  })

  it('backfills a window, resumes it after an interruption, and does not read it twice', async () => {
    const since = new Date(now - 5 * 24 * HOUR).toISOString()
    const until = new Date(now - 3 * 24 * HOUR).toISOString()
    const truth = await groundTruth(server, configFile, Date.parse(since), Date.parse(until))
    server.inject({ kind: 'slow', ms: 1 }, { kind: 'rate-limit', resetInSeconds: 3600 })
    const first = (await run(['backfill', '--source', 'x', '--since', since, '--until', until])).json as BackfillResult
    expect(first.status).toBe('partial')
    const second = (await run(['backfill', '--source', 'x', '--since', since, '--until', until])).json as BackfillResult
    expect(second.status).toBe('ok')
    expect(stored()).toEqual([...truth].sort())
    const third = (await run(['backfill', '--source', 'x', '--since', since, '--until', until])).json as BackfillResult
    expect(third.pages).toBe(0)
  })

  it('records a coverage gap for the part of a backfill beyond the 7-day reach', async () => {
    const res = (
      await run(['backfill', '--source', 'x', '--since', new Date(now - 10 * 24 * HOUR).toISOString(), '--until', new Date(now - 6 * 24 * HOUR).toISOString()])
    ).json as BackfillResult
    expect(res.unreachable).not.toBeNull()
    const status = (await run(['status'])).json as { gaps: { source: string; reason: string }[] }
    expect(status.gaps.some((g) => g.source === 'x' && /7 days/.test(g.reason))).toBe(true)
  })
})
