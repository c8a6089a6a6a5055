import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { readEnv } from '../../src/config/env.js'
import { closeContext, createContext, type AppContext } from '../../src/context.js'
import { collectBluesky } from '../../src/jobs/collect-bluesky.js'
import { silentLogger } from '../../src/logger.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePostView } from '../../src/normalize/bluesky.js'
import { compileBskyQueries } from '../../src/sources/bluesky/queries.js'
import { tempDir, writeTestConfig } from '../helpers.js'
import { startBskyServer, type BskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'

const ACCOUNT = { identifier: 'history.test', password: 'hist-oryy-aaaa-bbbb', did: 'did:plc:historyhistoryhistoryhi', handle: 'history.test' }
const REFERENCE = { identifier: 'oracle.test', password: 'orac-leee-cccc-dddd', did: 'did:plc:oracleoracleoracleoracl', handle: 'oracle.test' }
const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.parse('2026-11-20T06:00:00.000Z')

/** The server's complete answer from `since` on: every query paged to the end over plain HTTP, on-topic posts by the local matcher. */
async function reference(server: BskyServer, configFile: string, since: number): Promise<Set<string>> {
  const { config } = loadConfig(configFile)
  const topics = compileTopics(config.topics)
  const session = (await (
    await fetch(`${server.url}/xrpc/com.atproto.server.createSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: REFERENCE.identifier, password: REFERENCE.password }),
    })
  ).json()) as { accessJwt: string }
  const out = new Set<string>()
  for (const q of compileBskyQueries(config.topics[0]!)) {
    let cursor: string | undefined
    do {
      const u = new URL(`${server.url}/xrpc/app.bsky.feed.searchPosts`)
      for (const [k, v] of Object.entries({ ...q.params, sort: 'latest', since: new Date(since).toISOString(), limit: '100' }))
        for (const x of [v].flat()) u.searchParams.append(k, String(x))
      if (cursor) u.searchParams.set('cursor', cursor)
      const body = (await (await fetch(u, { headers: { authorization: `Bearer ${session.accessJwt}` } })).json()) as { posts: unknown[]; cursor?: string }
      for (const view of body.posts) {
        const post = normalizePostView(view)
        if (!('reason' in post) && matchPost(post, canonicalLinks(post), topics).length) out.add(post.platformId)
      }
      cursor = body.cursor
    } while (cursor)
  }
  return out
}

describe('Bluesky: the first run collects its window newest first, and later runs fill what the page limit left', () => {
  const tmp = tempDir('stancewatch-bsky-first-')
  afterAll(tmp.cleanup)

  it('stops at max_pages_per_query with a gap, then each run collects what is new first and continues the backlog until the gap is repaired', async () => {
    let clock = T0
    const posts = makeBskyDataset({ seed: 41, count: 300, now: T0, days: 5 })
    const server = await startBskyServer({ posts, accounts: [ACCOUNT, REFERENCE], now: () => clock })
    let ctx: AppContext | undefined
    try {
      const configFile = writeTestConfig(
        tmp.dir,
        (c) => {
          c.sources.bluesky = { limit: 10, max_pages_per_query: 2, max_logins_per_day: 50 }
        },
        'bsky-first.yaml',
      )
      const env = readEnv({ BSKY_SERVICE: server.url, BSKY_PUBLIC_API: server.url, BSKY_IDENTIFIER: ACCOUNT.identifier, BSKY_APP_PASSWORD: ACCOUNT.password })
      const c = (ctx = createContext({
        env,
        log: silentLogger,
        configPath: configFile,
        dbPath: path.join(tmp.dir, 'bsky-first.sqlite'),
        now: () => new Date(clock),
      }))
      const gaps = () =>
        c.db
          .prepare(
            "SELECT start_at AS startAt, end_at AS endAt, reason, detected_at AS detectedAt, repaired_at AS repairedAt FROM coverage_gaps WHERE source = 'bluesky'",
          )
          .all() as { startAt: number; endAt: number; reason: string; detectedAt: number; repairedAt: number | null }[]
      const searches = (from: number) =>
        server.requests
          .slice(from)
          .filter((r) => r.nsid === 'app.bsky.feed.searchPosts' && r.status === 200)
          .map((r) => r.params)

      // Run 1: every query asks for 7 days back (the default window), newest first, and stops at its page limit.
      let mark = server.requests.length
      const first = await collectBluesky(c)
      expect(first.stopReason).toMatch(/max_pages_per_query/)
      const run1 = searches(mark)
      expect(run1.length).toBeGreaterThan(0)
      for (const p of run1) {
        expect(Date.parse(p.since as string)).toBe(T0 - 7 * DAY)
        expect(Date.parse(p.until as string)).toBeLessThanOrEqual(T0)
      }
      const open1 = gaps().filter((g) => g.repairedAt === null)
      expect(open1.length).toBeGreaterThanOrEqual(1)
      for (const g of open1) {
        expect(g.reason).toMatch(
          /first-run history of query .* not yet collected: 2 pages, the limit per query and run \(sources.bluesky.max_pages_per_query\)/,
        )
        expect(g.startAt).toBe(T0 - 7 * DAY)
        expect(g.endAt).toBeLessThan(T0)
      }

      // New posts arrive; the next run collects them before any history.
      const fresh = makeBskyDataset({ seed: 4242, count: 6, now: T0 + 6 * HOUR, days: 0.05 })
      server.addPosts(fresh)
      clock = T0 + DAY
      mark = server.requests.length
      await collectBluesky(c)
      const run2 = searches(mark)
      const live = run2.flatMap((p, i) => (p.until === undefined ? [i] : []))
      const history = run2.flatMap((p, i) => (p.until !== undefined ? [i] : []))
      expect(live.length).toBeGreaterThan(0)
      expect(history.length).toBeGreaterThan(0)
      expect(Math.max(...live)).toBeLessThan(Math.min(...history))
      for (const i of live) expect(Date.parse(run2[i]!.since as string)).toBe(T0 - 15 * 60_000)
      const wanted = [...(await reference(server, configFile, T0))]
      expect(wanted.length).toBeGreaterThan(0)
      const stored = (uris: string[]) =>
        uris.filter((u) => c.db.prepare("SELECT 1 FROM posts WHERE platform = 'bluesky' AND platform_id = ?").get(u) !== undefined)
      expect(stored(wanted)).toEqual(wanted)

      // Later runs continue until every window's start is reached and the gaps are repaired.
      let runs = 2
      while (gaps().some((g) => g.repairedAt === null) && runs < 30) {
        clock += HOUR
        await collectBluesky(c)
        runs++
      }
      expect(gaps().filter((g) => g.repairedAt === null)).toEqual([])
      for (const g of gaps()) expect(g.repairedAt!).toBeGreaterThan(g.detectedAt)
      const cursors = c.db.prepare("SELECT value FROM cursors WHERE source = 'bluesky'").pluck().all() as string[]
      expect(cursors.some((v) => 'backlog' in JSON.parse(v))).toBe(false)

      // Against the server's complete answer: nothing missing, nothing twice.
      const truth = await reference(server, configFile, T0 - 7 * DAY)
      const ids = (c.db.prepare("SELECT platform_id FROM posts WHERE platform = 'bluesky'").pluck().all() as string[]).sort()
      expect(ids).toEqual([...truth].sort())
      expect(c.db.prepare('SELECT count(*) FROM post_topics').pluck().get()).toBe(truth.size)
    } finally {
      if (ctx) closeContext(ctx)
      await server.close()
    }
  }, 120_000)
})
