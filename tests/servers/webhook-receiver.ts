/**
 * A loopback HTTP receiver for webhook deliveries (generic webhooks, Slack incoming webhooks, Discord
 * webhooks): records every request as received and answers with queued replies, so tests can check the
 * payload and make the receiver fail (500, 429 with Retry-After) and recover. Nothing leaves 127.0.0.1.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface ReceivedRequest {
  at: number
  method: string
  /** Path and query, e.g. `/services/T0/B0/secret`. */
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
}

export interface ReceiverReply {
  /** Only for a request whose path starts with this (default: any). */
  path?: string
  status: number
  body?: string
  headers?: Record<string, string>
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT` */
  url: string
  requests: ReceivedRequest[]
  /** Replies for the next requests (those matching each reply's `path`), in order; after them the default reply. */
  queue(...replies: ReceiverReply[]): void
  /** The reply once the queue is empty (initially 200 "ok", what Slack answers). */
  setDefault(reply: ReceiverReply): void
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const queued: ReceiverReply[] = []
  let fallback: ReceiverReply = { status: 200, body: 'ok' }
  const sockets = new Set<Socket>()
  const requests: ReceivedRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = JSON.parse(body) as unknown
      } catch {
        json = undefined
      }
      requests.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body, json })
      const i = queued.findIndex((r) => !r.path || (req.url ?? '/').startsWith(r.path))
      const reply = (i >= 0 ? queued.splice(i, 1)[0] : undefined) ?? fallback
      res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers })
      res.end(reply.body ?? '')
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...r) => void queued.push(...r),
    setDefault: (r) => void (fallback = r),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
}
