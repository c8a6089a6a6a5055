import WebSocket from 'ws'
import type { Logger } from '../../logger.js'
import { backoffMs, sleep, StoppedError } from '../../util/wait.js'

export interface JetstreamOptions {
  /** JETSTREAM_URL, e.g. wss://jetstream2.us-east.bsky.network/subscribe */
  url: string
  wantedCollections: readonly string[]
  /** Where to resume, asked at every (re)connect: the last cursor stored with its posts, in µs, or null for live. */
  resumeFrom: () => number | null
  /** Replay this much before the stored cursor: events around it may not all have been stored. */
  marginUs: number
  /** Stop reading from the socket above this many waiting events; resume below `resumeBelow`. */
  maxBuffered: number
  resumeBelow: number
  reconnectBaseMs: number
  reconnectCapMs: number
  log: Logger
  signal?: AbortSignal
  /** Called on every successful connection with the cursor it asked for. */
  onConnect?: (info: { cursorUs: number | null; attempt: number; downMs: number }) => void
  /** Called when a connection attempt fails before opening (refused, DNS, TLS, HTTP error). */
  onConnectFailed?: (info: { attempt: number; downMs: number; error: string }) => void
}

export interface StreamStats {
  connections: number
  /** Attempts that never opened, and why the last one failed. */
  failedConnects: number
  lastError: string | null
  reconnects: number
  /** Times reading was paused because processing fell behind (never a dropped event). */
  pauses: number
  buffered: number
  maxBuffered: number
}

/**
 * A Jetstream subscription that never loses an event silently. Messages wait in a bounded buffer; when
 * it fills, the socket is paused (TCP pushes back on the server) rather than anything dropped. A lost
 * connection is retried with growing, jittered backoff from the last cursor *stored*, minus a margin, so
 * whatever was received but not yet stored is received again (storage is idempotent).
 */
export class JetstreamStream {
  readonly stats: StreamStats = { connections: 0, failedConnects: 0, lastError: null, reconnects: 0, pauses: 0, buffered: 0, maxBuffered: 0 }
  // Strings, decoded on arrival: ws hands over each frame as a view into the 64 KB socket chunk it came in, and
  // a buffered view would keep that whole chunk alive until a full garbage collection.
  private buffer: string[] = []
  private head = 0
  private socket: WebSocket | null = null
  private waiting: (() => void) | null = null
  private running = false
  private loop: Promise<void> | null = null
  /** The batch size the consumer is waiting for: wake it only when that many are in. */
  private want = 1

  constructor(private readonly o: JetstreamOptions) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.connectLoop()
  }

  /** Stop reading and close the socket; events still buffered are dropped, to be replayed from the stored cursor. */
  async stop(): Promise<void> {
    this.running = false
    this.socket?.terminate()
    this.wake()
    await this.loop
  }

  /**
   * Up to `max` events: as soon as `max` are waiting, or when `waitMs` has passed with fewer (possibly
   * none). At live rates a batch is everything that arrived within `waitMs`: one transaction per batch,
   * not per event.
   */
  async take(max: number, waitMs: number): Promise<string[]> {
    const deadline = Date.now() + waitMs
    this.want = max
    while (this.size() < max && this.running && !this.o.signal?.aborted) {
      const left = deadline - Date.now()
      if (left <= 0) break
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiting = () => {
          clearTimeout(t)
          resolve()
        }
      })
    }
    const n = Math.min(max, this.size())
    const out = this.buffer.slice(this.head, this.head + n)
    this.head += n
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head)
      this.head = 0
    }
    this.stats.buffered = this.size()
    if (this.socket?.isPaused && this.size() <= this.o.resumeBelow) this.socket.resume()
    return out
  }

  private size(): number {
    return this.buffer.length - this.head
  }

  private wake(): void {
    const w = this.waiting
    this.waiting = null
    w?.()
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0
    let downSince = Date.now()
    while (this.running && !this.o.signal?.aborted) {
      const stored = this.o.resumeFrom()
      const cursorUs = stored === null ? null : Math.max(0, stored - this.o.marginUs)
      const url = new URL(this.o.url)
      for (const c of this.o.wantedCollections) url.searchParams.append('wantedCollections', c)
      if (cursorUs !== null) url.searchParams.set('cursor', String(cursorUs))
      const opened = await this.connectOnce(url, () => {
        this.o.onConnect?.({ cursorUs, attempt, downMs: Date.now() - downSince })
        attempt = 0
      })
      if (!this.running || this.o.signal?.aborted) break
      if (opened) {
        this.stats.reconnects++
        downSince = Date.now()
      } else {
        this.stats.failedConnects++
        this.o.onConnectFailed?.({ attempt, downMs: Date.now() - downSince, error: this.stats.lastError ?? 'connection closed before it opened' })
      }
      // Whatever the old connection left buffered comes again from the stored cursor.
      this.buffer = []
      this.head = 0
      const wait = backoffMs(attempt++, this.o.reconnectBaseMs, this.o.reconnectCapMs)
      this.o.log.warn(
        { source: 'jetstream', attempt, waitMs: wait },
        opened ? 'Jetstream connection lost; reconnecting' : 'Jetstream connection failed; retrying',
      )
      try {
        await sleep(wait, this.o.signal)
      } catch (e) {
        if (e instanceof StoppedError) break
        throw e
      }
    }
  }

  /** One connection, until it closes. Resolves whether it ever opened. */
  private connectOnce(url: URL, onOpen: () => void): Promise<boolean> {
    return new Promise((resolve) => {
      let opened = false
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 })
      this.socket = ws
      ws.on('open', () => {
        opened = true
        this.stats.connections++
        onOpen()
      })
      ws.on('message', (data, isBinary) => {
        if (isBinary) return // compressed frames are never asked for
        this.buffer.push(Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.isBuffer(data) ? data.toString() : Buffer.from(data).toString())
        const size = this.size()
        if (size > this.stats.maxBuffered) this.stats.maxBuffered = size
        if (size >= this.o.maxBuffered && !ws.isPaused) {
          this.stats.pauses++
          ws.pause()
        }
        if (size >= this.want) this.wake()
      })
      ws.on('error', (err) => {
        this.stats.lastError = err.message
        this.o.log.debug({ source: 'jetstream', error: err.message }, 'Jetstream socket error')
      })
      ws.on('close', () => {
        this.socket = null
        this.wake()
        resolve(opened)
      })
    })
  }
}
