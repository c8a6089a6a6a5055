import { readFileSync } from 'node:fs'
import path from 'node:path'
import { DateTime } from 'luxon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import type { CombinedResult } from '../../src/jobs/combined-digest.js'
import type { DigestResult } from '../../src/jobs/digest.js'
import type { XPlan } from '../../src/jobs/dry-run-x.js'
import type { StatusReport } from '../../src/jobs/status.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { compileBskyQueries } from '../../src/sources/bluesky/queries.js'
import { compileXQueries } from '../../src/sources/x/queries.js'
import { openDb } from '../../src/store/db.js'
import { cli, tempDir, writeTestConfig } from '../helpers.js'
import { startBskyServer, type BskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'

const BEARER = 'test-bearer-AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid'
const ACCOUNT = { identifier: 'watcher.test', password: 'abcd-efgh-ijkl-mnop', did: 'did:plc:watcherwatcherwatcher23', handle: 'watcher.test' }
const REFERENCE = { identifier: 'reference.test', password: 'qrst-uvwx-yzab-cdef', did: 'did:plc:referencereferencerefer', handle: 'reference.test' }
const HOUR = 3_600_000
const LOOKBACK_H = 96
const MAIN = 'china-ai-fund'
const SECOND = 'nvidia-h20'

/**
 * Two topics side by side: the shipped one and a small one about Nvidia and its H20 chips, which many of
 * the first topic's posts mention and some posts off the first topic do too (Nvidia's earnings). Collected from the loopback X and Bluesky servers, each post must be stored
 * once, under every topic it matches, and counted in each topic's figures and digests.
 */
describe('two topics collected from the loopback X and Bluesky servers', () => {
  const tmp = tempDir('stancewatch-two-topics-')
  const now = Date.now()
  let x: XServer
  let bsky: BskyServer
  let configFile: string
  const db = path.join(tmp.dir, 'two.sqlite')
  const env = () => ({
    X_API_BASE_URL: x.url,
    X_BEARER_TOKEN: BEARER,
    BSKY_SERVICE: bsky.url,
    BSKY_PUBLIC_API: bsky.url,
    BSKY_IDENTIFIER: ACCOUNT.identifier,
    BSKY_APP_PASSWORD: ACCOUNT.password,
  })
  const run = (args: string[], dbFile = db) => cli(['--config', configFile, '--db', dbFile, ...args], env(), tmp.dir)
  const json = async <T>(args: string[], dbFile = db): Promise<T> => {
    const r = await run([...args, '--json'], dbFile)
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout) as T
  }
  const query = <T>(sql: string, ...params: unknown[]): T[] => {
    const d = openDb(db)
    try {
      return d.prepare(sql).all(...params) as T[]
    } finally {
      d.close()
    }
  }

  /** What a complete read holds, computed without the collectors: every query of both topics paged to the end, each post matched locally. */
  let truth: Map<string, Set<string>>
  async function groundTruth(): Promise<Map<string, Set<string>>> {
    const { config } = loadConfig(configFile)
    const topics = compileTopics(config.topics)
    const out = new Map<string, Set<string>>()
    const keep = (payload: unknown) => {
      for (const p of normalizePayload(payload)?.posts ?? []) {
        const ids = matchPost(p, canonicalLinks(p), topics).map((m) => m.topicId)
        if (ids.length) out.set(`${p.platform} ${p.platformId}`, new Set(ids))
      }
    }
    for (const t of config.topics) {
      for (const q of compileXQueries(t)) {
        let token: string | undefined
        do {
          const u = new URL(`${x.url}/2/tweets/search/recent`)
          u.searchParams.set('query', q.query)
          u.searchParams.set('max_results', '100')
          u.searchParams.set('start_time', new Date(now - LOOKBACK_H * HOUR).toISOString())
          u.searchParams.set('expansions', 'author_id')
          u.searchParams.set('tweet.fields', 'created_at,entities,referenced_tweets,note_tweet,lang,public_metrics,conversation_id,author_id')
          if (token) u.searchParams.set('next_token', token)
          const body = (await (await fetch(u, { headers: { authorization: `Bearer ${BEARER}` } })).json()) as { meta?: { next_token?: string } }
          keep(body)
          token = body.meta?.next_token
        } while (token)
      }
    }
    const session = (await (
      await fetch(`${bsky.url}/xrpc/com.atproto.server.createSession`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: REFERENCE.identifier, password: REFERENCE.password }),
      })
    ).json()) as { accessJwt: string }
    for (const t of config.topics) {
      for (const q of compileBskyQueries(t)) {
        let cursor: string | undefined
        do {
          const u = new URL(`${bsky.url}/xrpc/app.bsky.feed.searchPosts`)
          for (const [k, v] of Object.entries({ ...q.params, sort: 'latest', since: new Date(now - LOOKBACK_H * HOUR).toISOString(), limit: '100' }))
            for (const item of [v].flat()) u.searchParams.append(k, String(item))
          if (cursor) u.searchParams.set('cursor', cursor)
          const body = (await (await fetch(u, { headers: { authorization: `Bearer ${session.accessJwt}` } })).json()) as { cursor?: string }
          keep(body)
          cursor = body.cursor
        } while (cursor)
      }
    }
    return out
  }
  const truthOf = (topic: string) => [...truth].filter(([, ts]) => ts.has(topic)).map(([k]) => k)

  beforeAll(async () => {
    x = await startXServer({ ...makeXDataset({ seed: 5, count: 400, now }), bearer: BEARER })
    bsky = await startBskyServer({ posts: makeBskyDataset({ seed: 11, count: 200, now, days: 3 }), accounts: [ACCOUNT, REFERENCE] })
    configFile = writeTestConfig(tmp.dir, (c) => {
      c.sources.enabled = ['x', 'bluesky']
      c.sources.x = { first_run_lookback_hours: LOOKBACK_H, max_rate_limit_wait_seconds: 5, max_retries: 3 }
      c.sources.bluesky = { first_run_lookback_hours: LOOKBACK_H, max_rate_limit_wait_seconds: 5, max_retries: 3, limit: 100 }
      c.topics.push({
        id: SECOND,
        name: 'Nvidia H20 chips',
        keywords: [{ id: 'nvidia', any: ['Nvidia', 'H20', '英伟达', 'エヌビディア'] }],
        budget: { x_daily_post_reads: 1500, x_monthly_post_reads: 20000 },
        stance: { labels: c.topics[0].stance.labels, seeds: c.topics[0].stance.seeds },
      })
    })
    truth = await groundTruth()
    for (const source of ['x', 'bluesky']) {
      const r = await run(['collect', '--source', source, '--json'])
      expect(r.code, r.stderr).toBe(0)
    }
  })
  afterAll(async () => {
    await Promise.all([x.close(), bsky.close()])
    tmp.cleanup()
  })

  it('stores each post once, with one post_topics row per topic it matches, as the truth says', () => {
    const both = [...truth.values()].filter((ts) => ts.size === 2).length
    // The dataset must exercise the point: posts in one topic only, and posts in both.
    expect(truthOf(MAIN).length).toBeGreaterThan(both)
    expect(truthOf(SECOND).length).toBeGreaterThan(both)
    expect(both).toBeGreaterThan(10)

    const posts = query<{ platform: string; platform_id: string }>('SELECT platform, platform_id FROM posts')
    expect(new Set(posts.map((p) => `${p.platform} ${p.platform_id}`)).size).toBe(posts.length)
    expect(posts.map((p) => `${p.platform} ${p.platform_id}`).sort()).toEqual([...truth.keys()].sort())
    for (const topic of [MAIN, SECOND]) {
      const stored = query<{ k: string }>(
        "SELECT p.platform || ' ' || p.platform_id AS k FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE pt.topic_id = ?",
        topic,
      ).map((r) => r.k)
      expect(stored.sort(), topic).toEqual(truthOf(topic).sort())
    }
    const twice = query<{ n: number }>('SELECT count(*) AS n FROM (SELECT post_id FROM post_topics GROUP BY post_id HAVING count(*) = 2)')[0]!.n
    expect(twice).toBe(both)
  })

  it('status --json reports each topic: posts, last 24 hours, X reads against its own budget, and the posts they share', async () => {
    const s = await json<StatusReport>(['status'])
    expect(s.topics.map((t) => t.id)).toEqual([MAIN, SECOND])
    const [main, second] = s.topics
    expect(main!.posts).toBe(truthOf(MAIN).length)
    expect(second!.posts).toBe(truthOf(SECOND).length)
    expect(second!.postsLast24h).toBeGreaterThan(0)
    expect(second!.postsLast24h).toBeLessThanOrEqual(second!.posts)
    expect(main!.budget.x).toMatchObject({ dailyLimit: 2000, monthlyLimit: 50000 })
    expect(second!.budget.x).toMatchObject({ dailyLimit: 1500, monthlyLimit: 20000 })
    // Each topic's queries are billed to that topic.
    expect(main!.budget.x.today).toBeGreaterThan(0)
    expect(second!.budget.x.today).toBeGreaterThan(0)
    expect(second!).toMatchObject({ openAlerts: 0, lastDigest: null })
    // Stored once: the platforms' counts add up to the distinct posts, not to the sum of the topics.
    expect(s.posts.reduce((n, p) => n + p.posts, 0)).toBe(truth.size)
    const both = [...truth.values()].filter((ts) => ts.size === 2).length
    expect(s.sharedPosts).toEqual([{ a: MAIN, b: SECOND, posts: both }])

    const one = await json<StatusReport>(['status', '--topic', SECOND])
    expect(one.topics.map((t) => t.id)).toEqual([SECOND])
    const text = await run(['status'])
    expect(text.stdout).toContain(`Shared: ${both} posts matched both ${MAIN} and ${SECOND}`)
    expect(text.stdout).toMatch(/last 24 hours: \d+ posts; open alerts: 0; last digest: none yet/)
  })

  it('digest writes one digest per topic, counting a shared post in both, and --combined one beside them', async () => {
    const date = DateTime.fromMillis(now - 24 * HOUR, { zone: 'America/New_York' }).toISODate()!
    const before = await json<{ digests: DigestResult[]; combined: CombinedResult }>(['digest', '--date', date, '--combined'])
    expect(
      readFileSync(
        before.combined.files.find((f) => f.endsWith('.md'))!,
        'utf8',
      ),
    ).toContain('Stance: not yet measured')
    await json(['classify'])
    const r = await json<{ digests: DigestResult[]; combined: CombinedResult }>(['digest', '--date', date, '--combined'])
    expect(r.digests.map((d) => d.topic)).toEqual([MAIN, SECOND])
    const out = path.join(tmp.dir, 'digests')
    for (const d of r.digests) {
      expect(d.files.map((f) => path.relative(out, f)).sort()).toEqual(['md', 'html', 'json'].map((ext) => `${d.topic}/digest-${date}.${ext}`).sort())
      const { from, to } = d.facts
      const n = query<{ n: number }>(
        'SELECT count(*) AS n FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE pt.topic_id = ? AND pt.created_at >= ? AND pt.created_at < ? AND p.deleted_at IS NULL',
        d.topic,
        Date.parse(from),
        Date.parse(to),
      )[0]!.n
      expect(d.posts, d.topic).toBe(n)
      expect(d.posts, d.topic).toBeGreaterThan(0)
    }
    const c = r.combined
    expect(c.files.map((f) => path.relative(out, f)).sort()).toEqual(['md', 'html', 'json'].map((ext) => `combined/digest-${date}.${ext}`).sort())
    const shared = c.facts.shared[0]!
    expect(shared).toMatchObject({ a: MAIN, b: SECOND })
    expect(shared.posts).toBeGreaterThan(0)
    // A post in both topics counts in each topic's digest and once in the combined total.
    expect(c.posts).toBe(r.digests[0]!.posts + r.digests[1]!.posts - shared.posts)
    expect(c.facts.topics.map((t) => [t.id, t.posts, t.links.html])).toEqual(r.digests.map((d) => [d.topic, d.posts, `../${d.topic}/digest-${date}.html`]))
    const md = readFileSync(path.join(out, 'combined', `digest-${date}.md`), 'utf8')
    expect(md).toContain(`${shared.posts} posts matched both`)
    expect(md.match(/^Stance: .*%/gm)).toHaveLength(2)
    expect(md).toContain(`](../${SECOND}/digest-${date}.md)`)
    const html = readFileSync(path.join(out, 'combined', `digest-${date}.html`), 'utf8')
    expect(html).toContain(`href="../${MAIN}/digest-${date}.html"`)

    const status = await json<StatusReport>(['status'])
    expect(status.topics.map((t) => t.lastDigest?.day)).toEqual([date, date])
  })

  it('collect --topic sends only that topic’s queries, and still stores what they read under both topics', async () => {
    const fresh = path.join(tmp.dir, 'one-topic.sqlite')
    const { config } = loadConfig(configFile)
    const second = config.topics.find((t) => t.id === SECOND)!
    const xQueries = new Set(compileXQueries(second).map((q) => q.query))
    const bskyQueries = new Set(compileBskyQueries(second).map((q) => JSON.stringify(q.params.q)))
    const plan = await json<{ plan: XPlan }>(['collect', '--source', 'x', '--dry-run', '--topic', SECOND], fresh)
    expect(plan.plan.queries.map((q) => q.query).sort()).toEqual([...xQueries].sort())
    expect(plan.plan.budgets.map((b) => [b.topic, b.dailyLimit])).toEqual([[SECOND, 1500]])
    const xFrom = x.requests.length
    const bFrom = bsky.requests.length
    await json(['collect', '--source', 'x', '--topic', SECOND], fresh)
    await json(['collect', '--source', 'bluesky', '--topic', SECOND], fresh)
    const xSent = x.requests.slice(xFrom).filter((q) => q.path.endsWith('/search/recent'))
    expect(xSent.length).toBeGreaterThan(0)
    for (const q of xSent) expect(xQueries.has(q.query.query!), q.query.query).toBe(true)
    const bSent = bsky.requests.slice(bFrom).filter((q) => q.nsid === 'app.bsky.feed.searchPosts')
    expect(bSent.length).toBeGreaterThan(0)
    for (const q of bSent) expect(bskyQueries.has(JSON.stringify(q.params.q)), String(q.params.q)).toBe(true)

    const d = openDb(fresh)
    try {
      const byTopic = Object.fromEntries(
        (d.prepare('SELECT topic_id AS t, count(*) AS n FROM post_topics GROUP BY topic_id').all() as { t: string; n: number }[]).map((r) => [r.t, r.n]),
      )
      expect(byTopic[SECOND]).toBe(truthOf(SECOND).length)
      // Posts read for the Nvidia topic that also match the fund topic are stored under it too.
      expect(byTopic[MAIN]).toBeGreaterThan(0)
    } finally {
      d.close()
    }
  })

  it('an unknown topic exits 2 naming the topics; a command that needs one topic asks which', async () => {
    const bad = await run(['collect', '--source', 'x', '--topic', 'nope'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`topics: ${MAIN}, ${SECOND}`)
    for (const args of [['status'], ['backfill', '--source', 'x', '--since', '2025-07-01'], ['refresh', '--source', 'x'], ['digest'], ['alerts', 'check']]) {
      const r = await run([...args, '--topic', 'nope'])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toContain(`no topic "nope" in`)
    }
    const stance = await run(['stance', '--from', '2025-07-10', '--to', '2025-07-11'])
    expect(stance.code).toBe(2)
    expect(stance.stderr).toContain(`choose one with --topic (${MAIN}, ${SECOND})`)
    const replay = await run(['collect', '--source', 'jetstream', '--topic', SECOND])
    expect(replay.code).toBe(2)
    expect(replay.stderr).toContain('--topic applies to --source x or bluesky')
  })
})
