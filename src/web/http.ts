import type { IncomingMessage, ServerResponse } from 'node:http'
import { UsageError, UserError } from '../domain/errors.js'
import { LabelRefused } from '../jobs/label.js'
import { LeaseBusyError } from '../jobs/leases.js'

/** A request answered with a given status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** How an error reads over HTTP: a person's mistake is theirs to fix (4xx); anything else is ours (500). */
export function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status
  if (e instanceof LeaseBusyError) return 409
  if (e instanceof LabelRefused && e.reason === 'no-such-post') return 404
  if (e instanceof UserError) return 400
  return 500
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(body)
}

export function sendHtml(res: ServerResponse, status: number, page: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(page)
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(`${text}\n`)
}

const MAX_BODY = 64 * 1024

/** A JSON request body (labels, states: small); anything else is refused before it is parsed. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!type.startsWith('application/json')) throw new HttpError(415, 'send JSON (Content-Type: application/json)')
  let size = 0
  const chunks: Buffer[] = []
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large')
    chunks.push(c)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new UsageError('the body is not valid JSON')
  }
}
