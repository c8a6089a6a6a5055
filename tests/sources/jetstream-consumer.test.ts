import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { consumeJetstream, JETSTREAM_CURSOR, type JetstreamRunResult } from '../../src/jobs/collect-jetstream.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizeJetstreamEvent } from '../../src/normalize/jetstream.js'
import { setCursor } from '../../src/store/cursors.js'
import { openDb } from '../../src/store/db.js'
import { BIN } from '../compiled.js'
import { tempDir, testContext, writeTestConfig } from '../helpers.js'
import { startBskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'
import { startJetstreamServer, type JetstreamEvent } from '../servers/jetstream.js'
import { makeJetstreamEvents } from '../servers/jetstream-data.js'

type Expected = Map<string, { text: string; deleted: boolean }>

/** What the database must hold after these events, applying them in order the way Bluesky does. */
function expectedFrom(events: readonly JetstreamEvent[], configFile: string): Expected {
  const topics = compileTopics(loadConfig(configFile).config.topics)
  const out: Expected = new Map()
  for (const ev of events) {
    const r = normalizeJetstreamEvent(ev as unknown as Record<string, unknown>)
    if (r.type === 'delete') {
      const known = out.get(r.deletion.platformId)
      if (known) known.deleted = true
    } else if (r.type === 'post') {
      const known = out.get(r.post.platformId)
      if (known) {
        if (r.operation === 'update') known.text = r.post.text
      } else if (
        matchPost(r.post, canonicalLinks(r.post), topics).length ||
        // A reply or quote joins the topic of the post it answers.
        (r.post.replyTo !== null && out.has(r.post.replyTo)) ||
        (r.post.quoteOf !== null && out.has(r.post.quoteOf))
      ) {
        out.set(r.post.platformId, { text: r.post.text, deleted: false })
      }
    }
  }
  return out
}

function stored(db: string): Expected {
  const d = openDb(db)
  try {
    const rows = d.prepare("SELECT platform_id AS id, text, deleted_at AS deletedAt FROM posts WHERE platform = 'bluesky'").all() as {
      id: string
      text: string
      deletedAt: number | null
    }[]
    return new Map(rows.map((r) => [r.id, { text: r.text, deleted: r.deletedAt !== null }]))
  } finally {
    d.close()
  }
}

const sorted = (m: Expected) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))

describe('Jetstream consumer against a loopback Jetstream', () => {
  const tmp = tempDir('stancewatch-jetstream-')
  afterAll(tmp.cleanup)
  const config = (name: string, jetstream: Record<string, unknown> = {}) =>
    writeTestConfig(
      tmp.dir,
      (c) => {
        c.sources.jetstream = {
          batch_max_events: 200,
          batch_max_wait_ms: 50,
          reconnect_base_ms: 50,
          reconnect_cap_ms: 400,
          cursor_margin_seconds: 2,
          ...jetstream,
        }
      },
      name,
    )

  it('stores every matching post once through dropped connections and refused reconnects, with edits and deletes applied', async () => {
    const now = Date.now() * 1000
    const events = makeJetstreamEvents({ seed: 3, count: 6000, startUs: now - 3_600_000_000, spacingUs: 50_000, topicShare: 0.05 })
    // Paced, so that the connection can be dropped while history is still streaming.
    const server = await startJetstreamServer({ events, rate: 3000 })
    const configFile = config('drops.yaml')
    const ctx = testContext({ configPath: configFile, dbPath: path.join(tmp.dir, 'drops.sqlite') })
    ctx.env = { ...ctx.env, jetstreamUrl: server.url }
    try {
      // Start from the beginning of the server's history, as a resumed consumer would.
      setCursor(ctx.db, { ...JETSTREAM_CURSOR, value: String(events[0]!.time_us) })
      // Drop the connection mid-stream three times, as the stored cursor passes these points; the second
      // time, refuse the next two reconnects too.
      const dropAt = [1000, 2500, 4000].map((i) => events[i]!.time_us)
      let drops = 0
      const r = await consumeJetstream(ctx, {
        durationS: 7,
        onBatch: (b) => {
          if (drops < dropAt.length && b.cursorUs !== null && b.cursorUs >= dropAt[drops]!) {
            drops++
            server.dropAfter(20)
            if (drops === 2) server.refuse(2)
          }
        },
      })
      expect(drops).toBe(3)
      // Batched: one transaction per batch of events, not one per event.
      expect(r.pages).toBeLessThan(r.events / 20)
      expect(r.status).toBe('ok')
      expect(r.reconnects).toBeGreaterThanOrEqual(2)
      const expected = expectedFrom(events, configFile)
      expect(expected.size).toBeGreaterThan(100)
      expect(sorted(stored(ctx.db.name))).toEqual(sorted(expected))
      expect(r.cursorUs).toBe(events.at(-1)!.time_us)
      expect(r.stats.deletions).toBeGreaterThan(0)
      expect(r.stats.edits).toBeGreaterThan(0)
      // Every reconnect asked for the stored cursor minus the margin, never a cursor ahead of what was stored.
      const asked = server.connections.filter((c) => c.status === 101).map((c) => c.cursor)
      for (const c of asked.slice(1)) expect(c).not.toBeNull()
      expect(server.connections.filter((c) => c.status === 101)[0]!.query.wantedCollections).toEqual('app.bsky.feed.post')
      // An edit keeps the text it replaced.
      const edits = ctx.db.prepare('SELECT count(*) FROM post_edits').pluck().get() as number
      expect(edits).toBe(r.stats.edits)
    } finally {
      ctx.db.close()
      await server.close()
    }
  })

  it('never drops events when it falls behind: the socket is paused instead', async () => {
    const now = Date.now() * 1000
    const events = makeJetstreamEvents({ seed: 8, count: 8000, startUs: now - 3_600_000_000, spacingUs: 10_000 })
    const server = await startJetstreamServer({ events })
    // One event per transaction and a tiny buffer: the stream outruns the writer.
    const configFile = config('backpressure.yaml', { max_buffered_events: 100, batch_max_events: 1 })
    const ctx = testContext({ configPath: configFile, dbPath: path.join(tmp.dir, 'bp.sqlite') })
    ctx.env = { ...ctx.env, jetstreamUrl: server.url }
    try {
      setCursor(ctx.db, { ...JETSTREAM_CURSOR, value: String(events[0]!.time_us) })
      let r: JetstreamRunResult | null = null
      const stop = new AbortController()
      r = await consumeJetstream(ctx, {
        signal: stop.signal,
        onBatch: (b) => b.cursorUs === events.at(-1)!.time_us && stop.abort(),
      })
      expect(r.pauses).toBeGreaterThan(0)
      // Above the limit only by what one socket read delivers at once, never without bound.
      expect(r.maxBuffered).toBeLessThan(5000)
      expect(sorted(stored(ctx.db.name))).toEqual(sorted(expectedFrom(events, configFile)))
    } finally {
      ctx.db.close()
      await server.close()
    }
  })

  it('records an outage longer than the lookback as a gap, resumes at the oldest retained event, and repairs the gap through search', async () => {
    const now = Date.now()
    const events = makeJetstreamEvents({ seed: 5, count: 500, startUs: (now - 3_600_000) * 1000, spacingUs: 1_000_000 })
    const server = await startJetstreamServer({ events, lookbackUs: 2 * 3_600_000_000 })
    const account = { identifier: 'repair.test', password: 'aaaa-bbbb-cccc-dddd', did: 'did:plc:repairrepairrepairrepai', handle: 'repair.test' }
    const bsky = await startBskyServer({ posts: makeBskyDataset({ seed: 4, count: 120, now: now - 5 * 3_600_000, days: 0.15 }), accounts: [account] })
    const configFile = config('gap.yaml', { lookback_hours: 2 })
    const ctx = testContext({ configPath: configFile, dbPath: path.join(tmp.dir, 'gap.sqlite') })
    ctx.env = {
      ...ctx.env,
      jetstreamUrl: server.url,
      bluesky: { ...ctx.env.bluesky, service: bsky.url, publicApi: bsky.url, identifier: account.identifier, appPassword: account.password },
    }
    try {
      // The consumer was last stored 6 hours ago: 4 hours more than the 2-hour lookback.
      setCursor(ctx.db, { ...JETSTREAM_CURSOR, value: String((now - 6 * 3_600_000) * 1000) })
      const r = await consumeJetstream(ctx, { durationS: 4 })
      expect(r.gaps).toHaveLength(1)
      expect(Date.parse(r.gaps[0]!.from)).toBe(now - 6 * 3_600_000)
      expect(Date.parse(r.gaps[0]!.to)).toBeGreaterThanOrEqual(now - 2 * 3_600_000 - 5000)
      expect(r.gaps[0]!.repaired).toBe(true)
      // The stream resumed at the oldest event it still has and read through to the end.
      expect(r.cursorUs).toBe(events.at(-1)!.time_us)
      const gap = ctx.db.prepare("SELECT source, repaired_at FROM coverage_gaps WHERE source = 'jetstream'").get() as { repaired_at: number | null }
      expect(gap.repaired_at).not.toBeNull()
      expect(bsky.requests.some((q) => q.nsid === 'app.bsky.feed.searchPosts' && q.params.until !== undefined)).toBe(true)
    } finally {
      ctx.db.close()
      await server.close()
      await bsky.close()
    }
  })

  it('a gap without Bluesky credentials stays recorded, unrepaired, and shows in status', async () => {
    const now = Date.now()
    const server = await startJetstreamServer({
      events: makeJetstreamEvents({ seed: 6, count: 50, startUs: (now - 600_000) * 1000, spacingUs: 1_000_000 }),
      lookbackUs: 3_600_000_000,
    })
    const configFile = config('gap2.yaml', { lookback_hours: 1 })
    const db = path.join(tmp.dir, 'gap2.sqlite')
    const ctx = testContext({ configPath: configFile, dbPath: db })
    ctx.env = { ...ctx.env, jetstreamUrl: server.url }
    try {
      setCursor(ctx.db, { ...JETSTREAM_CURSOR, value: String((now - 3 * 3_600_000) * 1000) })
      const r = await consumeJetstream(ctx, { durationS: 2 })
      expect(r.gaps).toEqual([expect.objectContaining({ repaired: false })])
      const open = ctx.db.prepare("SELECT count(*) FROM coverage_gaps WHERE source = 'jetstream' AND repaired_at IS NULL").pluck().get()
      expect(open).toBe(1)
    } finally {
      ctx.db.close()
      await server.close()
    }
  })

  it('a run that never connected is failed, never ok, and says why; the command exits 1', async () => {
    const { closedLoopbackPort } = await import('../servers/closed-port.js')
    const { cli } = await import('../helpers.js')
    const url = `ws://127.0.0.1:${await closedLoopbackPort()}/subscribe`
    const r = await cli(
      ['--config', config('never.yaml'), '--db', path.join(tmp.dir, 'never.sqlite'), 'collect', '--source', 'jetstream', '--duration', '1', '--json'],
      { JETSTREAM_URL: url },
    )
    expect(r.code, r.stderr).toBe(1)
    const out = JSON.parse(r.stdout) as JetstreamRunResult
    expect(out.status).toBe('failed')
    expect(out.connections).toBe(0)
    expect(out.stopReason).toMatch(new RegExp(`^never connected to ${url} \\(\\d+ attempts; last error: .*ECONNREFUSED`))
  })

  it('SIGTERM finishes the batch, stores the cursor and exits 0', async () => {
    const now = Date.now() * 1000
    const events = makeJetstreamEvents({ seed: 9, count: 3000, startUs: now - 600_000_000, spacingUs: 100_000 })
    const server = await startJetstreamServer({ events, rate: 2000 })
    const configFile = config('sigterm.yaml')
    const db = path.join(tmp.dir, 'sigterm.sqlite')
    try {
      const seed = testContext({ configPath: configFile, dbPath: db })
      setCursor(seed.db, { ...JETSTREAM_CURSOR, value: String(events[0]!.time_us) })
      seed.db.close()
      const child = spawn('node', [BIN, 'collect', '--source', 'jetstream', '--json'], {
        cwd: tmp.dir,
        env: { PATH: process.env.PATH, HOME: tmp.dir, STANCEWATCH_CONFIG: configFile, STANCEWATCH_DB: db, JETSTREAM_URL: server.url },
      })
      let stdout = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      await new Promise((r) => setTimeout(r, 2500))
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      expect(await exit).toBe(0)
      const result = JSON.parse(stdout) as JetstreamRunResult
      expect(result.events).toBeGreaterThan(0)
      const d = openDb(db)
      const cursor = Number(d.prepare("SELECT value FROM cursors WHERE source = 'jetstream'").pluck().get())
      d.close()
      expect(cursor).toBe(result.cursorUs)
      expect(cursor).toBeGreaterThan(events[0]!.time_us)
    } finally {
      await server.close()
    }
  })
})
