/**
 * Self-test of the Jetstream v1 test server (tests/servers/jetstream.ts) and its data (jetstream-data.ts), driven
 * by a plain `ws` client the way a consumer uses the real service.
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startJetstreamServer, type JetstreamEvent, type JetstreamServer, type JetstreamServerOptions } from './jetstream.js'
import { ARTICLE_URL, makeJetstreamEvents } from './jetstream-data.js'

const NOW_US = Date.parse('2025-07-20T12:00:00.000Z') * 1000
const MIN_US = 60_000_000
/** 2000 events, one per second or so, from an hour before NOW to about 27 minutes before. */
const EVENTS = makeJetstreamEvents({ seed: 1, count: 2000, startUs: NOW_US - 60 * MIN_US, spacingUs: 1_000_000 })
const LAST_US = EVENTS[EVENTS.length - 1]!.time_us

let server: JetstreamServer | undefined
const sockets: WebSocket[] = []

afterEach(async () => {
  for (const ws of sockets.splice(0)) {
    ws.on('error', () => {})
    ws.terminate()
  }
  await server?.close()
  server = undefined
})

async function start(extra: Partial<JetstreamServerOptions> = {}): Promise<JetstreamServer> {
  server = await startJetstreamServer({ events: EVENTS, now: () => NOW_US, ...extra })
  return server
}

interface TestClient {
  ws: WebSocket
  events: JetstreamEvent[]
  /** Resolves when open, rejects with the HTTP status on a refused upgrade. */
  opened: Promise<void>
  closed: Promise<{ code: number; reason: string }>
}

function subscribeUrl(base: string, params: Record<string, string | number | readonly string[]> = {}): string {
  const url = new URL(base)
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, x)
    else url.searchParams.set(k, String(v))
  }
  return url.toString()
}

function connect(params: Record<string, string | number | readonly string[]> = {}, base = server!.url): TestClient {
  const ws = new WebSocket(subscribeUrl(base, params), { perMessageDeflate: false })
  sockets.push(ws)
  const events: JetstreamEvent[] = []
  ws.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false)
    events.push(JSON.parse((data as Buffer).toString()) as JetstreamEvent)
  })
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
  opened.catch(() => {})
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  return { ws, events, opened, closed }
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A ping/pong round trip: the server has handled every frame sent before it. */
function barrier(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    ws.once('pong', () => resolve())
    ws.ping()
  })
}

const post = (did: string, time_us: number, text = 'hello'): JetstreamEvent => ({
  did,
  time_us,
  kind: 'commit',
  commit: {
    rev: '3lueyzit222so',
    operation: 'create',
    collection: 'app.bsky.feed.post',
    rkey: '3lueyzi7g4cso',
    record: { $type: 'app.bsky.feed.post', text, createdAt: new Date(time_us / 1000 - 200).toISOString(), langs: ['en'] },
    cid: 'bafyreihilpet2wfqwepzedlsfhyfgirrjpmpcdzifujccp64crhk2ruhem',
  },
})
const like = (did: string, time_us: number): JetstreamEvent => ({
  did,
  time_us,
  kind: 'commit',
  commit: {
    rev: '3lueyzit222sp',
    operation: 'create',
    collection: 'app.bsky.feed.like',
    rkey: '3lueyzi7g4csp',
    record: {
      $type: 'app.bsky.feed.like',
      subject: { uri: 'at://did:plc:x/app.bsky.feed.post/3lueyzi7g4cso', cid: 'bafyreihilpet2wfqwepzedlsfhyfgirrjpmpcdzifujccp64crhk2ruhem' },
      createdAt: new Date(time_us / 1000).toISOString(),
    },
  },
})
const identity = (did: string, time_us: number): JetstreamEvent => ({
  did,
  time_us,
  kind: 'identity',
  identity: { did, handle: 'x.bsky.social', seq: 1, time: new Date(time_us / 1000).toISOString() },
})
const account = (did: string, time_us: number): JetstreamEvent => ({
  did,
  time_us,
  kind: 'account',
  account: { active: true, did, seq: 2, time: new Date(time_us / 1000).toISOString() },
})

const DID_A = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const DID_B = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'
const times = (evs: JetstreamEvent[]): number[] => evs.map((e) => e.time_us)

describe('jetstream test data', () => {
  it('is deterministic, time-ordered and realistic', () => {
    const again = makeJetstreamEvents({ seed: 1, count: 2000, startUs: NOW_US - 60 * MIN_US, spacingUs: 1_000_000 })
    expect(JSON.stringify(again)).toBe(JSON.stringify(EVENTS))
    expect(JSON.stringify(makeJetstreamEvents({ seed: 2, count: 50, startUs: NOW_US }))).not.toBe(
      JSON.stringify(makeJetstreamEvents({ seed: 1, count: 50, startUs: NOW_US })),
    )

    const big = makeJetstreamEvents({ seed: 7, count: 10_000, startUs: NOW_US })
    expect(big[0]!.time_us).toBe(NOW_US)
    const kinds = new Map<string, number>()
    const created = new Map<string, JetstreamEvent>() // did/rkey → create
    const deleted = new Set<string>()
    const langs = new Set<string>()
    let topic = 0
    let posts = 0
    for (let i = 0; i < big.length; i++) {
      const e = big[i]!
      if (i > 0) expect(e.time_us).toBeGreaterThan(big[i - 1]!.time_us)
      expect(e.did).toMatch(/^did:plc:[a-z2-7]{24}$/)
      const key = e.kind === 'commit' ? `${e.kind}:${e.commit!.collection}:${e.commit!.operation}` : e.kind
      kinds.set(key, (kinds.get(key) ?? 0) + 1)
      if (e.kind === 'identity') expect(e.identity).toMatchObject({ did: e.did, handle: expect.stringMatching(/\.bsky\.social$/) })
      if (e.kind === 'account') expect(e.account).toMatchObject({ did: e.did, active: expect.any(Boolean) })
      if (e.kind !== 'commit') continue
      const c = e.commit!
      expect(c.rkey).toMatch(/^[2-7a-z]{13}$/)
      expect(c.rev).toMatch(/^[2-7a-z]{13}$/)
      const id = `${e.did}/${c.rkey}`
      if (c.operation === 'delete') {
        expect(c.record).toBeUndefined()
        expect(c.cid).toBeUndefined()
        expect(created.has(id)).toBe(true)
        expect(deleted.has(id)).toBe(false)
        deleted.add(id)
        continue
      }
      expect(c.cid).toMatch(/^bafyrei[a-z2-7]{52}$/)
      const rec = c.record as unknown as Record<string, unknown> & { createdAt: string }
      const createdUs = Date.parse(rec.createdAt) * 1000
      if (c.operation === 'create') {
        expect(createdUs).toBeLessThan(e.time_us)
        expect(e.time_us - createdUs).toBeLessThan(1_000_000)
      }
      if (c.collection === 'app.bsky.feed.like') {
        expect((rec.subject as { uri: string }).uri).toMatch(/^at:\/\/did:plc:[a-z2-7]{24}\/app\.bsky\.feed\.post\/[2-7a-z]{13}$/)
        continue
      }
      if (c.operation === 'update') {
        expect(created.has(id) && !deleted.has(id)).toBe(true)
        expect(rec.createdAt).toBe((created.get(id)!.commit!.record as unknown as { createdAt: string }).createdAt)
        continue
      }
      expect(created.has(id)).toBe(false)
      created.set(id, e)
      posts++
      const text = rec.text as string
      langs.add((rec.langs as string[])[0]!)
      const facets = (rec.facets ?? []) as { index: { byteStart: number; byteEnd: number }; features: { $type: string; uri?: string; tag?: string }[] }[]
      const buf = Buffer.from(text)
      for (const f of facets) {
        const span = buf.subarray(f.index.byteStart, f.index.byteEnd).toString()
        const feat = f.features[0]!
        if (feat.$type === 'app.bsky.richtext.facet#tag') expect(span).toBe(`#${feat.tag}`)
        else expect(span.endsWith('...')).toBe(true)
      }
      const isTopic = /AI fund|DeepSeek|H20|英伟达|国产大模型|AI基金|fonds d'État|AIファンド/.test(text)
      if (isTopic) topic++
      const embed = rec.embed as { external: { uri: string } } | undefined
      if (embed?.external.uri === ARTICLE_URL || facets.some((f) => f.features[0]!.uri === ARTICLE_URL)) expect(isTopic).toBe(true)
    }
    expect(langs).toEqual(new Set(['en', 'zh', 'fr', 'ja']))
    expect(topic / posts).toBeGreaterThan(0.015)
    expect(topic / posts).toBeLessThan(0.05)
    for (const k of [
      'commit:app.bsky.feed.post:create',
      'commit:app.bsky.feed.post:delete',
      'commit:app.bsky.feed.post:update',
      'commit:app.bsky.feed.like:create',
      'identity',
      'account',
    ]) {
      expect(kinds.get(k), k).toBeGreaterThan(0)
    }
    expect(posts / big.length).toBeGreaterThan(0.75)
  })
})

describe('jetstream test server', () => {
  it('replays from a cursor in order, then continues live', async () => {
    await start()
    const cursor = EVENTS[500]!.time_us
    const c = connect({ cursor, wantedCollections: ['app.bsky.feed.post', 'app.bsky.feed.like'] })
    await c.opened
    await until(() => c.events.length === EVENTS.length - 500, 'replay')
    expect(c.events).toEqual(EVENTS.slice(500))
    server!.push(post(DID_A, LAST_US + 1), post(DID_B, LAST_US + 2, 'second'))
    await until(() => c.events.length === EVENTS.length - 500 + 2, 'live')
    expect(times(c.events.slice(-2))).toEqual([LAST_US + 1, LAST_US + 2])
    expect(server!.connections).toHaveLength(1)
    expect(server!.connections[0]).toMatchObject({
      at: NOW_US,
      cursor,
      closedAt: null,
      sent: EVENTS.length - 500 + 2,
      status: 101,
      query: { cursor: String(cursor), wantedCollections: ['app.bsky.feed.post', 'app.bsky.feed.like'] },
    })

    // A cursor between two events starts at the next one.
    const c2 = connect({ cursor: EVENTS[1000]!.time_us - 1 })
    await until(() => c2.events.length === EVENTS.length - 1000 + 2, 'replay 2')
    expect(c2.events[0]).toEqual(EVENTS[1000])
    c.ws.close()
    await c.closed
    await until(() => server!.connections[0]!.closedAt !== null, 'closedAt')
  })

  it('clamps a cursor older than the lookback to the oldest retained event, silently', async () => {
    const lookbackUs = 40 * MIN_US
    await start({ lookbackUs })
    const retained = EVENTS.filter((e) => e.time_us >= NOW_US - lookbackUs)
    expect(retained.length).toBeGreaterThan(100)
    expect(retained.length).toBeLessThan(EVENTS.length)
    const c = connect({ cursor: EVENTS[0]!.time_us - 3600 * 1_000_000 })
    await c.opened
    await until(() => c.events.length === retained.length, 'replay')
    await sleep(100)
    expect(c.events).toEqual(retained)
    expect(server!.connections[0]!.cursor).toBe(EVENTS[0]!.time_us - 3600 * 1_000_000)
  })

  it('tails live without a cursor or with a cursor in the future', async () => {
    await start()
    const a = connect()
    const b = connect({ cursor: NOW_US + 60_000_000 })
    await Promise.all([a.opened, b.opened])
    await sleep(150)
    expect(a.events).toHaveLength(0)
    expect(b.events).toHaveLength(0)
    const live = [post(DID_A, LAST_US + 10), identity(DID_B, LAST_US + 11), account(DID_A, LAST_US + 12)]
    server!.push(...live)
    await until(() => a.events.length === 3 && b.events.length === 3, 'live events')
    expect(a.events).toEqual(live)
    expect(b.events).toEqual(live)
    expect(() => server!.push(post(DID_A, LAST_US + 5))).toThrow(/before the last/)
  })

  it('filters commits by wantedCollections (exact and prefix.*) but always delivers identity and account events', async () => {
    await start()
    const postsOnly = connect({ cursor: EVENTS[0]!.time_us, wantedCollections: 'app.bsky.feed.post' })
    const likesOnly = connect({ cursor: EVENTS[0]!.time_us, wantedCollections: ['app.bsky.feed.like'] })
    const feedAll = connect({ cursor: EVENTS[0]!.time_us, wantedCollections: ['app.bsky.feed.*'] })
    const graph = connect({ cursor: EVENTS[0]!.time_us, wantedCollections: ['app.bsky.graph.*'] })
    const expPosts = EVENTS.filter((e) => e.kind !== 'commit' || e.commit!.collection === 'app.bsky.feed.post')
    const expLikes = EVENTS.filter((e) => e.kind !== 'commit' || e.commit!.collection === 'app.bsky.feed.like')
    const expNone = EVENTS.filter((e) => e.kind !== 'commit')
    await until(
      () =>
        postsOnly.events.length === expPosts.length &&
        likesOnly.events.length === expLikes.length &&
        feedAll.events.length === EVENTS.length &&
        graph.events.length === expNone.length,
      'filtered replays',
    )
    await sleep(100)
    expect(times(postsOnly.events)).toEqual(times(expPosts))
    expect(times(likesOnly.events)).toEqual(times(expLikes))
    expect(times(feedAll.events)).toEqual(times(EVENTS))
    expect(times(graph.events)).toEqual(times(expNone))
    expect(expNone.some((e) => e.kind === 'identity') && expNone.some((e) => e.kind === 'account')).toBe(true)
    expect(server!.connections[0]!.query.wantedCollections).toBe('app.bsky.feed.post')
  })

  it('filters every kind by wantedDids', async () => {
    await start()
    const counts = new Map<string, number>()
    for (const e of EVENTS) counts.set(e.did, (counts.get(e.did) ?? 0) + 1)
    const dids = [...counts.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 2)
      .map(([d]) => d)
    const c = connect({ cursor: EVENTS[0]!.time_us, wantedDids: dids })
    const c2 = connect({ cursor: EVENTS[0]!.time_us, wantedDids: dids, wantedCollections: 'app.bsky.feed.post' })
    const exp = EVENTS.filter((e) => dids.includes(e.did))
    const exp2 = exp.filter((e) => e.kind !== 'commit' || e.commit!.collection === 'app.bsky.feed.post')
    await until(() => c.events.length === exp.length && c2.events.length === exp2.length, 'did-filtered replay')
    server!.push(identity(DID_A, LAST_US + 1), identity(dids[0]!, LAST_US + 2))
    await until(() => c.events.length === exp.length + 1, 'live identity')
    await sleep(100)
    expect(times(c.events)).toEqual([...times(exp), LAST_US + 2])
    expect(times(c2.events)).toEqual([...times(exp2), LAST_US + 2])
  })

  it('skips messages larger than maxMessageSizeBytes (0 = unlimited)', async () => {
    await start()
    const limit = 450
    const c = connect({ cursor: EVENTS[0]!.time_us, maxMessageSizeBytes: limit })
    const c0 = connect({ cursor: EVENTS[0]!.time_us, maxMessageSizeBytes: 0 })
    const exp = EVENTS.filter((e) => Buffer.byteLength(JSON.stringify(e)) <= limit)
    expect(exp.length).toBeGreaterThan(100)
    expect(exp.length).toBeLessThan(EVENTS.length - 100)
    await until(() => c.events.length === exp.length && c0.events.length === EVENTS.length, 'replays')
    await sleep(100)
    expect(times(c.events)).toEqual(times(exp))
  })

  it('dropAfter(n) terminates every current connection after n more events, without a close frame, once', async () => {
    await start({ rate: 2000 })
    const c = connect({ cursor: EVENTS[0]!.time_us })
    const tail = connect()
    await Promise.all([c.opened, tail.opened])
    await until(() => c.events.length >= 100, 'first events')
    const sentBefore = server!.connections[0]!.sent
    expect(sentBefore).toBeLessThan(EVENTS.length - 100) // mid-stream, thanks to the rate
    server!.dropAfter(50)
    const closed = await c.closed
    expect(closed.code).toBe(1006) // abnormal closure: no close frame
    expect(server!.connections[0]!.sent).toBe(sentBefore + 50)
    expect(c.events).toEqual(EVENTS.slice(0, sentBefore + 50))

    // The live-tail client is dropped after 50 more events of its own.
    const live = Array.from({ length: 60 }, (_, i) => post(DID_A, LAST_US + 1 + i))
    server!.push(...live)
    expect((await tail.closed).code).toBe(1006)
    expect(tail.events).toEqual(live.slice(0, 50))

    // Once per call: a new connection is not dropped.
    const again = connect()
    await again.opened
    server!.push(...Array.from({ length: 60 }, (_, i) => post(DID_B, LAST_US + 100 + i)))
    await until(() => again.events.length === 60, 'new connection gets everything')
    expect(again.ws.readyState).toBe(WebSocket.OPEN)

    // dropAfter(0) drops right away.
    server!.dropAfter(0)
    expect((await again.closed).code).toBe(1006)
    expect(server!.connections.every((x) => x.closedAt !== null)).toBe(true)
  })

  it('refuses the next n upgrades with 503 (refuse), and every upgrade while paused', async () => {
    await start()
    server!.refuse(2)
    await expect(connect().opened).rejects.toThrow('HTTP 503')
    await expect(connect().opened).rejects.toThrow('HTTP 503')
    const ok = connect()
    await ok.opened
    expect(server!.connections.map((x) => x.status)).toEqual([503, 503, 101])
    expect(server!.connections[0]!.closedAt).toBe(server!.connections[0]!.at)

    server!.pause()
    await expect(connect().opened).rejects.toThrow('HTTP 503')
    await expect(connect({ cursor: EVENTS[0]!.time_us }).opened).rejects.toThrow('HTTP 503')
    // The open connection is kept during the pause.
    server!.push(post(DID_A, LAST_US + 1))
    await until(() => ok.events.length === 1, 'event to the open connection')
    server!.resume()
    const back = connect({ cursor: EVENTS[1990]!.time_us })
    await back.opened
    await until(() => back.events.length === 11, 'replay after resume')
    expect(server!.connections.map((x) => x.status)).toEqual([503, 503, 101, 503, 503, 101])
  })

  it('rejects what it does not support: compress=true, a zstd Socket-Encoding, bad params, other paths', async () => {
    await start()
    await expect(connect({ compress: 'true' }).opened).rejects.toThrow('HTTP 400')
    const zstd = new WebSocket(server!.url, { headers: { 'Socket-Encoding': 'zstd' } })
    sockets.push(zstd)
    await expect(
      new Promise((resolve, reject) => {
        zstd.once('open', resolve)
        zstd.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      }),
    ).rejects.toThrow('HTTP 400')
    await expect(connect({ cursor: 'yesterday' }).opened).rejects.toThrow('HTTP 400')
    await expect(connect({ wantedCollections: 'not a nsid!' }).opened).rejects.toThrow('HTTP 400')
    await expect(connect({ wantedCollections: Array.from({ length: 101 }, (_, i) => `app.bsky.c${i}`) }).opened).rejects.toThrow('HTTP 400')
    await expect(connect({ wantedDids: 'alice.bsky.social' }).opened).rejects.toThrow('HTTP 400')
    await expect(connect({ maxMessageSizeBytes: -1 }).opened).rejects.toThrow('HTTP 400')
    await expect(connect({}, server!.url.replace('/subscribe', '/xrpc/network.bsky.jetstream.subscribeEvents')).opened).rejects.toThrow('HTTP 404')
    // Accepted and ignored.
    const ok = connect({ requireHello: 'true', compress: 'false', wantedCollections: ['app.bsky.feed.post', 'app.bsky.*'] })
    await ok.opened
    expect(server!.connections.at(-1)!.query).toEqual({ requireHello: 'true', compress: 'false', wantedCollections: ['app.bsky.feed.post', 'app.bsky.*'] })
  })

  it('applies options_update frames (they replace the filters) and closes with 1008 on an invalid one', async () => {
    await start()
    const c = connect()
    await c.opened
    c.ws.send(JSON.stringify({ type: 'options_update', payload: { wantedCollections: ['app.bsky.feed.like'], wantedDids: [], maxMessageSizeBytes: 0 } }))
    await barrier(c.ws)
    let t = LAST_US
    server!.push(post(DID_A, ++t), like(DID_A, ++t), identity(DID_B, ++t), account(DID_B, ++t))
    await until(() => c.events.length === 3, 'like + identity + account')
    expect(c.events.map((e) => e.kind + (e.commit ? `:${e.commit.collection}` : ''))).toEqual(['commit:app.bsky.feed.like', 'identity', 'account'])

    // Only wantedDids given: the collection filter is cleared (the payload replaces the whole option set).
    c.ws.send(JSON.stringify({ type: 'options_update', payload: { wantedDids: [DID_B] } }))
    await barrier(c.ws)
    server!.push(post(DID_A, t + 1), post(DID_B, t + 2), like(DID_B, t + 3))
    await until(() => c.events.length === 5, 'DID_B post + like')
    expect(c.events.slice(3).map((e) => [e.did, e.commit!.collection])).toEqual([
      [DID_B, 'app.bsky.feed.post'],
      [DID_B, 'app.bsky.feed.like'],
    ])

    // Unknown message types are ignored.
    c.ws.send(JSON.stringify({ type: 'hello', payload: {} }))
    await barrier(c.ws)
    expect(c.ws.readyState).toBe(WebSocket.OPEN)

    c.ws.send(JSON.stringify({ type: 'options_update', payload: { wantedCollections: ['not a nsid!'] } }))
    const closed = await c.closed
    expect(closed.code).toBe(1008)
    expect(closed.reason).toMatch(/invalid collection/)

    const d = connect()
    await d.opened
    d.ws.send('this is not json')
    expect((await d.closed).code).toBe(1008)
    const e = connect()
    await e.opened
    e.ws.send(JSON.stringify({ type: 'options_update', payload: { wantedDids: 'did:plc:notanarray' } }))
    expect((await e.closed).code).toBe(1008)
  })

  it('respects backpressure: a client that stops reading costs the server a bounded amount of memory', async () => {
    const N = 200_000
    const text = 'x'.repeat(1000) // shared string: the history is small in memory, ~1 KB per message on the wire
    const start0 = NOW_US - 50 * MIN_US
    const events: JetstreamEvent[] = Array.from({ length: N }, (_, i) => post(DID_A, start0 + i, text))
    const msgBytes = Buffer.byteLength(JSON.stringify(events[0]))
    server = await startJetstreamServer({ events, now: () => NOW_US })
    globalThis.gc?.()
    const rss0 = process.memoryUsage().rss

    const ws = new WebSocket(subscribeUrl(server.url, { cursor: start0 }), { perMessageDeflate: false })
    sockets.push(ws)
    let received = 0
    let lastT = 0
    let ordered = true
    ws.on('message', (data) => {
      const s = (data as Buffer).toString()
      const t = Number(s.slice(s.indexOf('"time_us":') + 10, s.indexOf(',"kind"')))
      if (t <= lastT) ordered = false
      lastT = t
      received++
    })
    await new Promise<void>((resolve) => ws.once('open', () => resolve()))
    ws.pause()
    await sleep(1000)
    const sentWhilePaused = server.connections[0]!.sent
    await sleep(200)
    const rss1 = process.memoryUsage().rss
    expect(server.connections[0]!.sent).toBe(sentWhilePaused) // the server is waiting, not buffering
    const unreadMB = ((sentWhilePaused - received) * msgBytes) / 1e6
    const growthMB = (rss1 - rss0) / 1e6
    console.log(
      `backpressure: message ${msgBytes} B; while the client was paused the server sent ${sentWhilePaused} of ${N} (${unreadMB.toFixed(1)} MB unread, of ${((N * msgBytes) / 1e6).toFixed(0)} MB); rss growth ${growthMB.toFixed(1)} MB`,
    )
    expect(unreadMB).toBeLessThan(8 + 16) // 8 MB in the ws buffer + kernel socket buffers
    expect(growthMB).toBeLessThan(80)

    const t0 = performance.now()
    ws.resume()
    await until(() => received === N, 'all events after resume', 60_000)
    console.log(
      `backpressure: the remaining ${N - sentWhilePaused} events (${(((N - sentWhilePaused) * msgBytes) / 1e6).toFixed(0)} MB) arrived ${(performance.now() - t0).toFixed(0)} ms after resume()`,
    )
    expect(ordered).toBe(true)
    expect(lastT).toBe(start0 + N - 1)
    expect(server.connections[0]!.sent).toBe(N)
  })

  it('streams 200,000 small events to a fast client well under 10 s', async () => {
    const N = 200_000
    const start0 = NOW_US - 50 * MIN_US
    const events: JetstreamEvent[] = Array.from({ length: N }, (_, i) =>
      i % 10 === 9 ? like(DID_B, start0 + i) : post(i % 2 ? DID_A : DID_B, start0 + i, `post number ${i}: short text`),
    )
    const msgBytes = events.reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)), 0) / N
    server = await startJetstreamServer({ events, now: () => NOW_US })
    const t0 = performance.now()
    const ws = new WebSocket(subscribeUrl(server.url, { cursor: start0 }), { perMessageDeflate: false })
    sockets.push(ws)
    let received = 0
    let lastT = 0
    let tFirst = 0
    ws.on('message', (data) => {
      const e = JSON.parse((data as Buffer).toString()) as JetstreamEvent
      if (received === 0) tFirst = performance.now()
      if (e.time_us <= lastT) throw new Error('out of order')
      lastT = e.time_us
      received++
    })
    await until(() => received === N, 'all events', 30_000)
    const ms = performance.now() - t0
    console.log(
      `throughput: ${N} events (${msgBytes.toFixed(0)} B avg, ${((N * msgBytes) / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms (first after ${(tFirst - t0).toFixed(0)} ms) = ${Math.round(N / (ms / 1000))} events/s, client JSON.parse included, one process`,
    )
    expect(lastT).toBe(start0 + N - 1)
    expect(ms).toBeLessThan(10_000)
  })
})
