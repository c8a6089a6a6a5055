/**
 * A loopback Jetstream test server speaking the v1 `/subscribe` websocket protocol (ws `WebSocketServer` on
 * 127.0.0.1), for testing a consumer end to end and for benchmarks.
 *
 * What it does as the real v1 service (see /work/shared/notes/platform-facts.md §2.1):
 * - query `wantedCollections` (repeatable, ≤ 100, NSIDs or `prefix.*`), `wantedDids` (repeatable, ≤ 10,000),
 *   `cursor` (unix µs; missing or in the future → live tail), `maxMessageSizeBytes` (0 = unlimited; larger
 *   messages are skipped), `requireHello` (accepted, ignored); invalid values → HTTP 400;
 * - a cursor replays every retained event with `time_us >= cursor` in order, then continues live; a cursor older
 *   than `now - lookbackUs` is clamped to it silently;
 * - commits are filtered by collection and DID, identity/account events by DID only;
 * - one JSON event per text frame;
 * - client `options_update` frames replace the filters (an absent field or an empty array means "no filter", as
 *   in the Go server, whose payload struct replaces the whole option set); an invalid frame closes with 1008;
 *   frames above 10 MB close with 1009.
 * What it does not: zstd (`compress=true` or `Socket-Encoding: zstd` → 400), `requireHello` gating, v2 `cursor`
 * fields in messages.
 *
 * Sending is a per-client pump over one shared, append-only log (history + pushed events), so replay and live
 * never reorder or duplicate. It sends in batches with an `await` between them and waits (polling) while the
 * socket's `bufferedAmount` is above 8 MB: a client that stops reading (ws `pause()`) costs the server at most
 * about 8 MB plus the kernel's socket buffers.
 */
import http, { STATUS_CODES } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'

/** One Jetstream v1 message, as sent on the wire (JSON text frame). */
export interface JetstreamEvent {
  did: string
  /** Unix microseconds: the event's position in the stream (what `cursor` refers to). */
  time_us: number
  kind: 'commit' | 'identity' | 'account'
  commit?: {
    /** Repo revision (TID). */
    rev: string
    operation: 'create' | 'update' | 'delete'
    collection: string
    rkey: string
    /** The record (create/update only); `text`, `createdAt`, `langs` typed for convenience (posts). */
    record?: { $type: string; text?: string; createdAt?: string; langs?: string[]; [k: string]: unknown }
    /** CIDv1 of the record (create/update only). */
    cid?: string
  }
  identity?: { did: string; handle?: string; seq: number; time: string }
  account?: { active: boolean; did: string; seq: number; time: string; status?: string }
}

/** Options of {@link startJetstreamServer}. */
export interface JetstreamServerOptions {
  /** The server's history; copied and sorted by `time_us` ascending (stable). */
  events: JetstreamEvent[]
  /**
   * How far back a cursor can reach, in µs (default 24 h). An older cursor is clamped to the oldest retained
   * event, silently, like the real service.
   */
  lookbackUs?: number
  /** µs clock; default `Date.now() * 1000`. Used for the cursor rules and for `connections[].at/closedAt`. */
  now?: () => number
  /**
   * Events per second streamed to each client (default: as fast as possible, in batches with `await` between,
   * respecting the socket's backpressure: never more than ~8 MB buffered per client). The rate applies to the
   * whole stream (history and live), with a burst of at most a tenth of a second's worth.
   */
  rate?: number
}

/** One connection attempt as the server saw it. */
export interface JetstreamConnection {
  /** Server clock (µs, `opts.now`) when the upgrade request arrived. */
  at: number
  /** Query parameters; a repeated key (e.g. `wantedCollections`) becomes an array. */
  query: Record<string, string | string[]>
  /** The `cursor` asked for (before clamping), or null when absent or unparsable. */
  cursor: number | null
  /** Server clock (µs) when the connection ended; for refused attempts, equal to `at`. Null while open. */
  closedAt: number | null
  /** Events sent on this connection (after filtering; skipped oversized messages not counted). */
  sent: number
  /** 101 for an accepted websocket; 400/404/503 for a refused attempt (refuse(), pause(), bad query). */
  status: number
}

/** A running server. */
export interface JetstreamServer {
  /** `ws://127.0.0.1:PORT/subscribe` */
  url: string
  /** Every connection attempt, in arrival order, refused ones included (see `status`). */
  connections: JetstreamConnection[]
  /** Append live events (time_us must be ≥ the last); they are sent to every connected client whose filters match. */
  push(...events: JetstreamEvent[]): void
  /** Close every current client connection abruptly after it has been sent `n` more events (terminate(), no close frame); `n = 0` drops now. Once per call: later connections are not affected. */
  dropAfter(n: number): void
  /** Refuse the next `n` connection attempts (HTTP 503 on upgrade): to test reconnect backoff. */
  refuse(n: number): void
  /** Stop accepting (HTTP 503 on upgrade) until `resume()`: simulates an outage. Open connections are kept: combine with `dropAfter(0)` for a full outage. */
  pause(): void
  resume(): void
  /** Terminate every client and stop listening. */
  close(): Promise<void>
}

const DEFAULT_LOOKBACK_US = 24 * 3600 * 1_000_000
/** Stop sending to a client while this much is waiting in its socket. */
const HIGH_WATER = 8 * 1024 * 1024
/** Events sent per batch before yielding to the event loop. */
const BATCH = 512
const MAX_COLLECTIONS = 100
const MAX_DIDS = 10_000
/** options_update frames are limited to 10 MB. */
const MAX_CLIENT_FRAME = 10 * 1024 * 1024

const OPEN = WebSocket.OPEN
const NSID_RE = /^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)+$/
const NSID_PREFIX_RE = /^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)*\.\*$/
const DID_RE = /^did:[a-z]+:[a-zA-Z0-9._:%-]+$/

interface Filters {
  /** Exact collections; null = no collection filter. */
  collections: Set<string> | null
  /** `prefix.` strings from `prefix.*`. */
  prefixes: string[]
  dids: Set<string> | null
  maxBytes: number
}

interface Client {
  ws: WebSocket
  log: JetstreamConnection
  filters: Filters
  /** Next index into the shared log. */
  next: number
  /** Events with a smaller time_us are not sent (the effective cursor); -Infinity for live tail. */
  minTimeUs: number
  /** Terminate once `log.sent` reaches this. */
  dropAt: number
  pumping: boolean
  open: boolean
  /** Token bucket (rate only). */
  tokens: number
  tokensAt: number
}

class BadRequest extends Error {}

function parseFilters(collections: unknown, dids: unknown, maxBytes: unknown): Filters {
  const f: Filters = { collections: null, prefixes: [], dids: null, maxBytes: 0 }
  if (collections !== undefined && collections !== null) {
    if (!Array.isArray(collections)) throw new BadRequest('wantedCollections must be an array')
    if (collections.length > MAX_COLLECTIONS) throw new BadRequest(`too many wantedCollections (max ${MAX_COLLECTIONS})`)
    if (collections.length > 0) {
      f.collections = new Set()
      for (const c of collections) {
        if (typeof c !== 'string') throw new BadRequest('wantedCollections must be strings')
        if (NSID_PREFIX_RE.test(c)) f.prefixes.push(c.slice(0, -1))
        else if (NSID_RE.test(c)) f.collections.add(c)
        else throw new BadRequest(`invalid collection: ${c}`)
      }
    }
  }
  if (dids !== undefined && dids !== null) {
    if (!Array.isArray(dids)) throw new BadRequest('wantedDids must be an array')
    if (dids.length > MAX_DIDS) throw new BadRequest(`too many wantedDids (max ${MAX_DIDS})`)
    if (dids.length > 0) {
      f.dids = new Set()
      for (const d of dids) {
        if (typeof d !== 'string' || !DID_RE.test(d)) throw new BadRequest(`invalid did: ${String(d)}`)
        f.dids.add(d)
      }
    }
  }
  if (maxBytes !== undefined && maxBytes !== null) {
    const n = typeof maxBytes === 'string' ? Number(maxBytes) : maxBytes
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new BadRequest('invalid maxMessageSizeBytes')
    f.maxBytes = n
  }
  return f
}

function matches(f: Filters, ev: JetstreamEvent): boolean {
  if (f.dids && !f.dids.has(ev.did)) return false
  if (ev.kind !== 'commit' || f.collections === null) return true
  const col = ev.commit?.collection ?? ''
  if (f.collections.has(col)) return true
  for (const p of f.prefixes) if (col.startsWith(p)) return true
  return false
}

function parseQuery(sp: URLSearchParams): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {}
  for (const [k, v] of sp) {
    const prev = q[k]
    if (prev === undefined) q[k] = v
    else if (Array.isArray(prev)) prev.push(v)
    else q[k] = [prev, v]
  }
  return q
}

/** First index whose time_us >= t (log sorted ascending). */
function lowerBound(log: JetstreamEvent[], t: number): number {
  let lo = 0
  let hi = log.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (log[mid]!.time_us < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

function rejectUpgrade(socket: Duplex, code: number, body: string): void {
  const text = `${body}\n`
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  )
  socket.on('error', () => {})
  setTimeout(() => socket.destroy(), 1000).unref()
}

/** Starts a Jetstream v1 server on 127.0.0.1 (random port). */
export async function startJetstreamServer(opts: JetstreamServerOptions): Promise<JetstreamServer> {
  const log: JetstreamEvent[] = opts.events.slice().sort((a, b) => a.time_us - b.time_us)
  const lookbackUs = opts.lookbackUs ?? DEFAULT_LOOKBACK_US
  const now = opts.now ?? (() => Date.now() * 1000)
  const rate = opts.rate && opts.rate > 0 ? opts.rate : 0
  const connections: JetstreamConnection[] = []
  const clients = new Set<Client>()
  let refuseLeft = 0
  let paused = false
  let closed = false

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME, perMessageDeflate: false })
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end('websocket upgrade required\n')
  })
  const rawSockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    rawSockets.add(s)
    s.on('close', () => rawSockets.delete(s))
  })

  function finish(c: Client): void {
    if (!c.open) return
    c.open = false
    c.log.closedAt = now()
    clients.delete(c)
  }

  function terminate(c: Client): void {
    finish(c)
    c.ws.terminate()
  }

  async function pump(c: Client): Promise<void> {
    if (c.pumping) return
    c.pumping = true
    try {
      while (c.open && c.ws.readyState === OPEN && c.next < log.length) {
        if (c.ws.bufferedAmount > HIGH_WATER) {
          await delay(2)
          continue
        }
        let budget = BATCH
        if (rate) {
          const t = performance.now()
          c.tokens = Math.min(Math.max(1, rate / 10), c.tokens + ((t - c.tokensAt) * rate) / 1000)
          c.tokensAt = t
          if (c.tokens < 1) {
            await delay(Math.max(1, Math.ceil(((1 - c.tokens) * 1000) / rate)))
            continue
          }
          budget = Math.min(budget, Math.floor(c.tokens))
        }
        while (budget > 0 && c.next < log.length && c.ws.bufferedAmount <= HIGH_WATER) {
          const ev = log[c.next++]!
          budget--
          if (ev.time_us < c.minTimeUs || !matches(c.filters, ev)) continue
          const data = Buffer.from(JSON.stringify(ev))
          if (c.filters.maxBytes > 0 && data.length > c.filters.maxBytes) continue
          c.ws.send(data, { binary: false })
          c.log.sent++
          if (rate) c.tokens--
          if (c.log.sent >= c.dropAt) {
            terminate(c)
            return
          }
        }
        await tick()
      }
    } finally {
      c.pumping = false
    }
  }

  function onMessage(c: Client, data: RawData, isBinary: boolean): void {
    let msg: unknown
    try {
      if (isBinary) throw new BadRequest('binary frames are not supported')
      msg = JSON.parse((data as Buffer).toString())
    } catch {
      c.ws.close(1008, 'invalid message')
      return
    }
    if (typeof msg !== 'object' || msg === null) {
      c.ws.close(1008, 'invalid message')
      return
    }
    const { type, payload } = msg as { type?: unknown; payload?: unknown }
    if (type !== 'options_update') return // unknown types are ignored
    try {
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new BadRequest('payload must be an object')
      const p = payload as Record<string, unknown>
      c.filters = parseFilters(p.wantedCollections, p.wantedDids, p.maxMessageSizeBytes)
    } catch (e) {
      c.ws.close(1008, `failed to parse subscriber options: ${(e as Error).message}`.slice(0, 120))
    }
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const at = now()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const query = parseQuery(url.searchParams)
    const rawCursor = url.searchParams.get('cursor')
    const parsedCursor = rawCursor !== null && /^\d+$/.test(rawCursor) ? Number(rawCursor) : null
    const entry: JetstreamConnection = { at, query, cursor: parsedCursor, closedAt: null, sent: 0, status: 101 }
    connections.push(entry)
    const refuse = (code: number, body: string): void => {
      entry.status = code
      entry.closedAt = at
      rejectUpgrade(socket, code, body)
    }
    if (url.pathname !== '/subscribe') return refuse(404, 'not found')
    if (closed || paused) return refuse(503, 'service unavailable')
    if (refuseLeft > 0) {
      refuseLeft--
      return refuse(503, 'service unavailable')
    }
    let filters: Filters
    try {
      if (url.searchParams.get('compress') === 'true' || /zstd/i.test(String(req.headers['socket-encoding'] ?? ''))) {
        throw new BadRequest('compression is not supported by this test server')
      }
      if (rawCursor !== null && parsedCursor === null) throw new BadRequest('invalid cursor')
      const max = url.searchParams.get('maxMessageSizeBytes')
      filters = parseFilters(url.searchParams.getAll('wantedCollections'), url.searchParams.getAll('wantedDids'), max ?? undefined)
    } catch (e) {
      return refuse(400, (e as Error).message)
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const t = now()
      let next = log.length
      let minTimeUs = -Infinity
      if (parsedCursor !== null && parsedCursor <= t) {
        minTimeUs = Math.max(parsedCursor, t - lookbackUs)
        next = lowerBound(log, minTimeUs)
      }
      const c: Client = {
        ws,
        log: entry,
        filters,
        next,
        minTimeUs,
        dropAt: Infinity,
        pumping: false,
        open: true,
        tokens: rate ? Math.max(1, rate / 10) : 0,
        tokensAt: performance.now(),
      }
      clients.add(c)
      ws.on('message', (data, isBinary) => onMessage(c, data, isBinary))
      ws.on('error', () => {})
      ws.on('close', () => finish(c))
      void pump(c)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `ws://127.0.0.1:${port}/subscribe`,
    connections,
    push(...events: JetstreamEvent[]): void {
      for (const ev of events) {
        const last = log[log.length - 1]
        if (last && ev.time_us < last.time_us) {
          throw new Error(`push: time_us ${ev.time_us} is before the last event's ${last.time_us}`)
        }
        log.push(ev)
      }
      for (const c of clients) void pump(c)
    },
    dropAfter(n: number): void {
      for (const c of [...clients]) {
        c.dropAt = Math.min(c.dropAt, c.log.sent + Math.max(0, n))
        if (c.log.sent >= c.dropAt) terminate(c)
      }
    },
    refuse(n: number): void {
      refuseLeft += Math.max(0, n)
    },
    pause(): void {
      paused = true
    },
    resume(): void {
      paused = false
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      for (const c of [...clients]) terminate(c)
      for (const s of rawSockets) s.destroy()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
