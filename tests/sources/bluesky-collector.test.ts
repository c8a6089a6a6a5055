import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import type { RunResult } from '../../src/jobs/run-recorder.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePostView } from '../../src/normalize/bluesky.js'
import { compileBskyQueries } from '../../src/sources/bluesky/queries.js'
import { openDb } from '../../src/store/db.js'
import { cli, tempDir, writeTestConfig } from '../helpers.js'
import { startBskyServer, type BskyPost, type BskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'

const ACCOUNT = { identifier: 'watcher.test', password: 'abcd-efgh-ijkl-mnop', did: 'did:plc:watcherwatcherwatcher23', handle: 'watcher.test' }
/** The reference reader logs in with its own account, so it never touches the collector's login counts. */
const REFERENCE = { identifier: 'reference.test', password: 'qrst-uvwx-yzab-cdef', did: 'did:plc:referencereferencerefer', handle: 'reference.test' }

/**
 * Every post the collector should end with, computed independently of it: each query paged to the end
 * over plain HTTP (no client library, no watermark), kept when the local matcher says it is on topic.
 */
async function groundTruth(server: BskyServer, configFile: string, sinceIso: string, limit = 100): Promise<Set<string>> {
  const { config } = loadConfig(configFile)
  const topics = compileTopics(config.topics)
  const found = new Map<string, unknown>()
  const session = (await (
    await fetch(`${server.url}/xrpc/com.atproto.server.createSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: REFERENCE.identifier, password: REFERENCE.password }),
    })
  ).json()) as { accessJwt: string }
  for (const q of compileBskyQueries(config.topics[0]!)) {
    let cursor: string | undefined
    let until: string | undefined
    for (;;) {
      const u = new URL(`${server.url}/xrpc/app.bsky.feed.searchPosts`)
      for (const [k, v] of Object.entries({ ...q.params, sort: 'latest', since: sinceIso, limit: String(limit) }))
        for (const x of [v].flat()) u.searchParams.append(k, String(x))
      if (cursor) u.searchParams.set('cursor', cursor)
      if (until) u.searchParams.set('until', until)
      const body = (await (await fetch(u, { headers: { authorization: `Bearer ${session.accessJwt}` } })).json()) as {
        posts: { uri: string; indexedAt: string; record: { createdAt: string } }[]
        cursor?: string
      }
      for (const p of body.posts) found.set(p.uri, p)
      if (body.cursor) cursor = body.cursor
      else if (body.posts.length === limit) {
        const oldest = Math.min(...body.posts.map((p) => Math.min(Date.parse(p.indexedAt), Date.parse(p.record.createdAt))))
        until = new Date(oldest + 1).toISOString()
        cursor = undefined
      } else break
    }
  }
  const out = new Set<string>()
  for (const view of found.values()) {
    const post = normalizePostView(view)
    if ('reason' in post) continue
    if (matchPost(post, canonicalLinks(post), topics).length) out.add(post.platformId)
  }
  return out
}

describe('Bluesky search collector against a loopback XRPC server', () => {
  const tmp = tempDir('stancewatch-bsky-')
  const now = Date.now()
  let server: BskyServer
  let posts: BskyPost[]
  let configFile: string
  let db: string
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    posts = makeBskyDataset({ seed: 11, count: 300, now, days: 3 })
    server = await startBskyServer({ posts, accounts: [ACCOUNT, REFERENCE] })
    configFile = writeTestConfig(tmp.dir, (c) => {
      c.sources.bluesky = { first_run_lookback_hours: 96, max_rate_limit_wait_seconds: 5, max_retries: 3, limit: 100 }
    })
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })
  beforeEach(() => {
    db = path.join(tmp.dir, `bsky-${Math.random().toString(36).slice(2)}.sqlite`)
    // The collector is pointed at the server only through the documented environment variables.
    env = { BSKY_SERVICE: server.url, BSKY_PUBLIC_API: server.url, BSKY_IDENTIFIER: ACCOUNT.identifier, BSKY_APP_PASSWORD: ACCOUNT.password }
  })

  const collect = async (extra: string[] = []): Promise<RunResult & { code: number; stderr: string }> => {
    const r = await cli(['--config', configFile, '--db', db, '--log-level', 'info', 'collect', '--source', 'bluesky', '--json', ...extra], env, tmp.dir)
    expect(r.code, r.stderr).toBe(0)
    return { ...(JSON.parse(r.stdout) as RunResult), code: r.code, stderr: r.stderr }
  }
  const stored = () => {
    const d = openDb(db)
    try {
      return (d.prepare("SELECT platform_id FROM posts WHERE platform = 'bluesky'").pluck().all() as string[]).sort()
    } finally {
      d.close()
    }
  }

  it('collects exactly the on-topic posts every query can reach, and a second run reads only what is new', async () => {
    const truth = await groundTruth(server, configFile, new Date(now - 96 * 3_600_000).toISOString())
    expect(truth.size).toBeGreaterThan(50)
    const first = await collect()
    expect(first.status).toBe('ok')
    expect(stored()).toEqual([...truth].sort())
    expect(first.stats.newPosts).toBe(truth.size)
    const logins = server.logins
    const second = await collect()
    expect(second.stats.newPosts).toBe(0)
    // The stored session is resumed: no second login.
    expect(server.logins).toBe(logins)
    expect(stored()).toEqual([...truth].sort())
  })

  it('new posts after a run are collected by the next one, once', async () => {
    await collect()
    const before = stored().length
    const fresh = makeBskyDataset({ seed: 99, count: 40, now: Date.now() + 1000, days: 0.01 }).map((p) => ({
      ...p,
      indexedAt: new Date(Date.now() + 500).toISOString(),
    }))
    server.addPosts(fresh)
    const next = await collect()
    expect(next.stats.newPosts).toBeGreaterThan(0)
    expect(stored().length).toBe(before + next.stats.newPosts)
    const again = await collect()
    expect(again.stats.newPosts).toBe(0)
  })

  it('waits out a 429 until ratelimit-reset, retries a 502, survives an expired token, and records all of it', async () => {
    server.inject(
      { kind: 'rate-limit', resetInSeconds: 2, nsid: 'app.bsky.feed.searchPosts' },
      { kind: 'upstream', nsid: 'app.bsky.feed.searchPosts' },
      { kind: 'expired-token', nsid: 'app.bsky.feed.searchPosts' },
    )
    const started = Date.now()
    const r = await collect()
    expect(r.status).toBe('ok')
    expect(r.api.rateLimitWaits).toBeGreaterThanOrEqual(1)
    expect(r.api.retries).toBeGreaterThanOrEqual(1)
    // Nothing was sent between the 429 and its reset.
    const log = server.requests.filter((q) => q.at >= started && q.nsid === 'app.bsky.feed.searchPosts')
    const limited = log.find((q) => q.status === 429)!
    const after = log.find((q) => q.at > limited.at)!
    expect(after.at - limited.at).toBeGreaterThanOrEqual(1500)
    const d = openDb(db)
    const run = d.prepare("SELECT * FROM collector_runs WHERE source = 'bluesky' ORDER BY id DESC LIMIT 1").get() as {
      rate_limit_waits: number
      retries: number
      status: string
    }
    d.close()
    expect(run).toMatchObject({ status: 'ok' })
    expect(run.rate_limit_waits).toBeGreaterThanOrEqual(1)
  })

  it('skips and counts one post that fails lexicon validation, not its page', async () => {
    server.inject({ kind: 'invalid-post', nsid: 'app.bsky.feed.searchPosts' })
    const r = await collect()
    expect(r.stats.skipReasons['bluesky: post failed lexicon validation']).toBe(1)
    expect(r.stats.newPosts).toBeGreaterThan(0)
  })

  it('a revoked session falls back to exactly one new login', async () => {
    await collect()
    const logins = server.logins
    server.revokeSessions()
    const r = await collect()
    expect(r.status).toBe('ok')
    expect(server.logins).toBe(logins + 1)
  })

  it('keeps tokens out of logs, exports and run records', async () => {
    const r = await collect()
    const d = openDb(db)
    const session = d.prepare('SELECT access_jwt, refresh_jwt FROM sessions').get() as { access_jwt: string; refresh_jwt: string }
    const runs = JSON.stringify(d.prepare('SELECT * FROM collector_runs').all())
    d.close()
    const exported = await cli(['--config', configFile, '--db', db, 'export', '--format', 'jsonl', '--raw'], env, tmp.dir)
    for (const secret of [session.access_jwt, session.refresh_jwt, ACCOUNT.password]) {
      expect(r.stderr).not.toContain(secret)
      expect(exported.stdout).not.toContain(secret)
      expect(runs).not.toContain(secret)
    }
  })

  it('walks back past the offset cap with `until`, without repeats or holes', async () => {
    const capped = await startBskyServer({ posts, accounts: [ACCOUNT, REFERENCE], searchCap: 20 })
    try {
      const cappedConfig = writeTestConfig(
        tmp.dir,
        (c) => {
          c.sources.bluesky = { first_run_lookback_hours: 96, limit: 10, max_pages_per_query: 500 }
        },
        'capped.yaml',
      )
      const truth = await groundTruth(capped, cappedConfig, new Date(now - 96 * 3_600_000).toISOString(), 10)
      const r = await cli(
        ['--config', cappedConfig, '--db', db, 'collect', '--source', 'bluesky', '--json'],
        { ...env, BSKY_SERVICE: capped.url, BSKY_PUBLIC_API: capped.url },
        tmp.dir,
      )
      expect(r.code, r.stderr).toBe(0)
      const run = JSON.parse(r.stdout) as RunResult
      expect(stored()).toEqual([...truth].sort())
      expect(run.stats.newPosts).toBe(truth.size)
      expect(capped.requests.some((q) => q.nsid === 'app.bsky.feed.searchPosts' && q.params.until !== undefined)).toBe(true)
    } finally {
      await capped.close()
    }
  })

  it('refreshes engagement through public getPosts and marks posts gone upstream as deleted', async () => {
    await collect()
    const d0 = openDb(db)
    const top = d0.prepare("SELECT platform_id, likes FROM posts WHERE platform = 'bluesky' ORDER BY likes DESC LIMIT 3").all() as {
      platform_id: string
      likes: number
    }[]
    d0.close()
    const changed = posts.find((p) => p.uri === top[0]!.platform_id)!
    server.addPosts([{ ...changed, likeCount: (changed.likeCount ?? 0) + 1000 }])
    server.deletePosts([top[1]!.platform_id])
    const refreshConfig = writeTestConfig(
      tmp.dir,
      (c) => {
        c.sources.bluesky = { refresh: { top_posts: 5, days: 7, every_hours: 0 } }
      },
      'refresh.yaml',
    )
    const r = await cli(['--config', refreshConfig, '--db', db, 'refresh', '--source', 'bluesky', '--json'], env, tmp.dir)
    expect(r.code, r.stderr).toBe(0)
    const d = openDb(db)
    const likes = d.prepare('SELECT likes FROM posts WHERE platform_id = ?').pluck().get(top[0]!.platform_id)
    const deleted = d.prepare('SELECT deleted_at FROM posts WHERE platform_id = ?').pluck().get(top[1]!.platform_id)
    d.close()
    expect(likes).toBe((changed.likeCount ?? 0) + 1000)
    expect(deleted).not.toBeNull()
    // getPosts is public: the refresh sends no token.
    expect(server.requests.filter((q) => q.nsid === 'app.bsky.feed.getPosts').every((q) => q.auth === 'none')).toBe(true)
  })

  it('dry run of a first run shows the window, free but rate-limited, and reads nothing', async () => {
    const fresh = writeTestConfig(tmp.dir, () => {}, 'dry-first.yaml')
    const before = server.requests.length
    const r = await cli(['--config', fresh, '--db', db, 'collect', '--source', 'bluesky', '--dry-run', '--json'], env, tmp.dir)
    expect(r.code, r.stderr).toBe(0)
    const plan = JSON.parse(r.stdout) as { queries: { firstRun: { since: string; until: string } | null }[] }
    for (const q of plan.queries) expect(Date.parse(q.firstRun!.until) - Date.parse(q.firstRun!.since)).toBe(7 * 24 * 3_600_000)
    const text = await cli(['--config', fresh, '--db', db, 'collect', '--source', 'bluesky', '--dry-run'], env, tmp.dir)
    expect(text.stdout).toContain('first run: 7 days back')
    expect(text.stdout).toContain('free but rate-limited')
    expect(server.requests.length).toBe(before)
  })

  it('dry run lists the queries and reads nothing', async () => {
    const before = server.requests.length
    const r = await cli(['--config', configFile, '--db', db, 'collect', '--source', 'bluesky', '--dry-run', '--json'], env, tmp.dir)
    expect(r.code, r.stderr).toBe(0)
    const plan = JSON.parse(r.stdout) as { queries: { label: string }[] }
    expect(plan.queries.length).toBeGreaterThan(10)
    expect(server.requests.length).toBe(before)
  })
})
