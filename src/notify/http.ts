import { displaySafe } from '../render/escape.js'
import { ChannelError } from './channel.js'

/** Statuses worth trying again soon; every other 4xx says the request itself is wrong. */
const TRANSIENT_4XX = new Set([408, 409, 425, 429])

/**
 * POST a JSON body to a webhook. Resolves on 2xx; otherwise throws a ChannelError that never contains the
 * URL (for webhooks the URL is the secret) and carries 429's Retry-After. Redirects are not followed: a
 * webhook that redirects would have the message (and the next one) posted somewhere it was not configured.
 */
export async function postJson(url: string, body: unknown, o: { signal: AbortSignal; what: string }): Promise<Response> {
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'stancewatch' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: o.signal,
    })
  } catch (e) {
    throw new ChannelError(`${o.what}: ${networkReason(e, o.signal)}`)
  }
  if (res.ok) {
    // Read the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined)
    return res
  }
  const text = await res.text().catch(() => '')
  const status = res.status
  const retryAfterMs = status === 429 || status === 503 ? retryAfter(res.headers.get('retry-after'), text) : undefined
  const answer = displaySafe(text).replace(/\s+/g, ' ').trim().slice(0, 200)
  const permanent = (status >= 300 && status < 400) || (status >= 400 && status < 500 && !TRANSIENT_4XX.has(status))
  throw new ChannelError(`${o.what} answered HTTP ${status}${answer ? `: ${answer}` : ''}`, { status, retryAfterMs, permanent })
}

/**
 * Retry-After in seconds or as an HTTP date; Discord also puts `retry_after` (seconds, fractional) in its
 * JSON body. Undefined when neither says anything usable.
 */
export function retryAfter(header: string | null, body = '', now = Date.now()): number | undefined {
  if (header) {
    const h = header.trim()
    if (/^\d+(\.\d+)?$/.test(h)) return Math.ceil(Number(h) * 1000)
    const at = Date.parse(h)
    if (Number.isFinite(at)) return Math.max(0, at - now)
  }
  try {
    const parsed = JSON.parse(body) as { retry_after?: unknown }
    if (typeof parsed.retry_after === 'number' && parsed.retry_after >= 0) return Math.ceil(parsed.retry_after * 1000)
  } catch {
    /* not JSON */
  }
  return undefined
}

/** Why a request never got an answer, without the URL (undici's messages can quote it). */
function networkReason(e: unknown, signal: AbortSignal): string {
  if (signal.aborted) return signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? 'no answer before the timeout' : 'stopped'
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause
  const code = cause && typeof cause.code === 'string' ? cause.code : null
  return code ? `network error (${code})` : 'network error'
}
