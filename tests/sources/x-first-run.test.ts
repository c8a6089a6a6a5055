import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { readEnv } from '../../src/config/env.js'
import { closeContext, createContext, type AppContext } from '../../src/context.js'
import { collectX } from '../../src/jobs/collect-x.js'
import { silentLogger } from '../../src/logger.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { tempDir, writeTestConfig } from '../helpers.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { arrivingTweet, makeXDataset } from '../servers/x-data.js'
import { searchAllPages } from '../servers/x-search-all.js'

const BEARER = 'first-run-bearer'
const HOUR = 3_600_000
const DAY = 24 * HOUR
/** A fixed morning (UTC), so that +20 h is the next budget day. */
const T0 = Date.parse('2026-11-20T06:00:00.000Z')

/**
 * The server's complete answer: every query paged to the end over plain HTTP within the 7 days, with the
 * on-topic posts (by the local matcher) and every result each query returns (what X bills once per query).
 */
async function reference(server: XServer, configFile: string, start: number): Promise<{ onTopic: Set<string>; results: number }> {
  const topics = compileTopics(loadConfig(configFile).config.topics)
  const onTopic = new Set<string>()
  let results = 0
  for await (const body of searchAllPages(server, configFile, BEARER, { start })) {
    results += body.meta.result_count
    for (const p of normalizePayload(body)?.posts ?? []) if (matchPost(p, canonicalLinks(p), topics).length) onTopic.add(p.platformId)
  }
  return { onTopic, results }
}

describe('X: the first run collects 7 days back within the budget, and later runs fill the rest', () => {
  const tmp = tempDir('stancewatch-x-first-')
  afterAll(tmp.cleanup)

  it('stops at the budget with a gap, then each day collects what is new first and continues the backlog until the gap is repaired', async () => {
    let clock = T0
    const data = makeXDataset({ seed: 31, count: 500, now: T0, days: 3 })
    const server = await startXServer({ ...data, bearer: BEARER, now: () => clock })
    let ctx: AppContext | undefined
    try {
      const whole = await reference(
        server,
        writeTestConfig(tmp.dir, () => {}, 'probe.yaml'),
        T0 - 7 * DAY + HOUR,
      )
      // A daily budget for less than half of the history: three days to collect it.
      const daily = Math.ceil(whole.results * 0.45)
      const configFile = writeTestConfig(
        tmp.dir,
        (c) => {
          c.sources.x = { max_results: 20 }
          c.topics[0].budget = { x_daily_post_reads: daily, x_monthly_post_reads: 1_000_000 }
        },
        'x-first.yaml',
      )
      const db = path.join(tmp.dir, 'x-first.sqlite')
      // The clock moves; the context reads it on every call, as the daemon's would read the wall clock.
      const c = (ctx = createContext({
        env: readEnv({ X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER }),
        log: silentLogger,
        configPath: configFile,
        dbPath: db,
        now: () => new Date(clock),
      }))
      const gaps = () =>
        c.db
          .prepare(
            "SELECT id, start_at AS startAt, end_at AS endAt, reason, detected_at AS detectedAt, repaired_at AS repairedAt FROM coverage_gaps WHERE source = 'x'",
          )
          .all() as { id: number; startAt: number; endAt: number; reason: string; detectedAt: number; repairedAt: number | null }[]
      const searches = (from: number) => server.requests.slice(from).filter((r) => r.path.endsWith('/search/recent') && r.status === 200)

      // Day 1: the first run asks for 7 days back, newest first, and stops at the budget.
      const before = server.requests.length
      const progress: { done: number; total: number; label: string }[] = []
      const first = await collectX(c, { onProgress: (p) => progress.push(p) })
      expect(first.reads).toBeLessThanOrEqual(daily)
      expect(first.stopReason).toMatch(/budget/)
      const day1 = searches(before)
      const byQuery = new Map<string, Record<string, string>[]>()
      for (const r of day1) byQuery.set(r.query.query!, [...(byQuery.get(r.query.query!) ?? []), r.query])
      for (const reqs of byQuery.values()) {
        const start = Date.parse(reqs[0]!.start_time!)
        expect(start).toBeGreaterThanOrEqual(T0 - 7 * DAY)
        expect(start).toBeLessThanOrEqual(T0 - 7 * DAY + 10 * 60_000)
        expect(reqs[0]!.until_id).toBeUndefined()
        expect(reqs.every((q) => q.since_id === undefined && q.start_time === reqs[0]!.start_time)).toBe(true)
        const untils = reqs.slice(1).map((q) => BigInt(q.until_id!))
        for (let i = 1; i < untils.length; i++) expect(untils[i]! < untils[i - 1]!).toBe(true)
      }
      // Progress: per query, how far back the pass has reached out of its 7 days, never backwards.
      expect(progress.length).toBeGreaterThan(1)
      for (const p of progress) {
        expect(p.label).toMatch(/^X history /)
        expect(p.total).toBeGreaterThan(7 * DAY - HOUR)
        expect(p.done).toBeGreaterThan(0)
        expect(p.done).toBeLessThanOrEqual(p.total)
      }
      for (let i = 1; i < progress.length; i++)
        if (progress[i]!.label === progress[i - 1]!.label) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done)
      const open1 = gaps().filter((g) => g.repairedAt === null)
      expect(open1.length).toBeGreaterThanOrEqual(1)
      for (const g of open1) {
        expect(g.reason).toMatch(/first-run history of query .* not yet collected: X budget/)
        expect(g.startAt).toBeGreaterThanOrEqual(T0 - 7 * DAY)
        expect(g.endAt).toBeLessThan(T0)
      }

      // New posts arrive; the next day's run collects them before any history.
      const arrivals = Array.from({ length: 5 }, (_, k) =>
        arrivingTweet(T0 + 12 * HOUR + k * 60_000, k, `China's $8.5bn state AI fund keeps growing: day two, post ${k}`, data.users[0]!.id),
      )
      server.addTweets(arrivals)
      clock = T0 + 20 * HOUR
      const mark = server.requests.length
      const second = await collectX(c)
      const day2 = searches(mark)
      // New posts of a query with a watermark are asked for with since_id; the backlog continues with until_id. A
      // query with no watermark yet (it found nothing, or the budget never reached it) starts again from the
      // newest post, so its first page is neither.
      const live = day2.flatMap((r, i) => (r.query.since_id !== undefined ? [i] : []))
      const history = day2.flatMap((r, i) => (r.query.until_id !== undefined ? [i] : []))
      expect(live.length).toBeGreaterThan(0)
      expect(history.length).toBeGreaterThan(0)
      expect(Math.max(...live)).toBeLessThan(Math.min(...history))
      const stored = (ids: string[]) => ids.filter((id) => c.db.prepare("SELECT 1 FROM posts WHERE platform = 'x' AND platform_id = ?").get(id) !== undefined)
      expect(stored(arrivals.map((a) => a.id))).toEqual(arrivals.map((a) => a.id))
      expect(second.reads).toBeLessThanOrEqual(daily)

      // Later days continue until the window's start is reached and the gap is repaired.
      let runs = 2
      const pending = () => gaps().filter((g) => /not yet collected/.test(g.reason))
      while (pending().some((g) => g.repairedAt === null) && runs < 6) {
        clock += DAY
        await collectX(c)
        runs++
      }
      expect(runs).toBeGreaterThanOrEqual(3)
      expect(pending().length).toBeGreaterThanOrEqual(1)
      for (const g of pending()) expect(g.repairedAt, g.reason).toBeGreaterThan(g.detectedAt)
      // By the time budget allowed it, the oldest part of the first window had left recent search's 7
      // days: that part stays a gap of its own (here it held no post: the data starts 3 days before T0).
      for (const g of gaps().filter((g) => !/not yet collected/.test(g.reason))) {
        expect(g.reason).toMatch(/older than the 7 days recent search reaches/)
        expect(g.repairedAt).toBeNull()
        expect(g.endAt).toBeLessThan(T0 - 3 * DAY)
      }
      const cursors = c.db.prepare("SELECT value FROM cursors WHERE source = 'x'").pluck().all() as string[]
      expect(cursors.some((c) => 'backlog' in JSON.parse(c))).toBe(false)

      // Against the server's complete answer: nothing missing, nothing twice, nothing read twice.
      const truth = await reference(server, configFile, clock - 7 * DAY + HOUR)
      const ids = (c.db.prepare("SELECT platform_id FROM posts WHERE platform = 'x' ORDER BY platform_id").pluck().all() as string[]).sort()
      expect(ids).toEqual([...truth.onTopic].sort())
      expect(c.db.prepare('SELECT count(*) FROM post_topics').pluck().get()).toBe(truth.onTopic.size)
      expect(c.db.prepare('SELECT sum(reads) FROM api_reads').pluck().get()).toBe(truth.results)
    } finally {
      if (ctx) closeContext(ctx)
      await server.close()
    }
  }, 120_000)
})
