import http from 'node:http'
import https from 'node:https'
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi, type TwitterApiv2 } from 'twitter-api-v2'
import type { Logger } from '../../logger.js'
import { backoffMs, sleep } from '../../util/wait.js'
import { AuthError, RateLimitedError, UnavailableError } from '../errors.js'
import { emptyRequestStats, type RequestStats } from '../request-stats.js'

export interface XClientOptions {
  bearerToken: string
  /** API root, e.g. https://api.x.com (X_API_BASE_URL). */
  baseUrl: string
  log: Logger
  maxRetries: number
  maxRateLimitWaitMs: number
  signal?: AbortSignal
  now?: () => number
  timeoutMs?: number
}

/** A request X refused as malformed (400): retrying cannot help; the caller decides (e.g. a stale page token). */
const MAX_CONSECUTIVE_429 = 20

export class XBadRequestError extends Error {
  override name = 'XBadRequestError'
  constructor(
    message: string,
    readonly detail: unknown,
  ) {
    super(message)
  }
}

/** The fields the normalizer reads; asked for on every search and lookup. */
export const X_FIELDS = {
  expansions: 'author_id,referenced_tweets.id,referenced_tweets.id.author_id',
  'tweet.fields':
    'id,text,author_id,created_at,lang,conversation_id,public_metrics,entities,referenced_tweets,note_tweet,in_reply_to_user_id,edit_history_tweet_ids',
  'user.fields': 'id,username,name,public_metrics,created_at,verified',
}

/**
 * X API v2 through twitter-api-v2, with rate limits and retries handled here and only here: on 429 wait
 * until `x-rate-limit-reset` (never sending earlier) or end the run if that is too far; a 429 with quota
 * left is the hidden per-second limit (short pause); 5xx, network errors and unreadable bodies are retried
 * with growing backoff a bounded number of times; a rejected token fails at once with what to check.
 */
export class XApi {
  readonly stats: RequestStats = emptyRequestStats()
  private readonly v2: TwitterApiv2
  private readonly now: () => number
  /** No request before this time: learned from reset headers. */
  private nextAllowedAt = 0

  constructor(private readonly o: XClientOptions) {
    const agent = o.baseUrl.startsWith('http:') ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true })
    const client = new TwitterApi(o.bearerToken, { httpAgent: agent })
    this.v2 = client.v2
    // twitter-api-v2 hard-codes https://api.x.com; its (typed-protected) prefix is how X_API_BASE_URL applies.
    ;(this.v2 as unknown as { setPrefix(prefix: string): void }).setPrefix(`${o.baseUrl}/2/`)
    this.now = o.now ?? Date.now
  }

  searchRecent(params: Record<string, string>): Promise<unknown> {
    return this.request('tweets/search/recent', { ...X_FIELDS, ...params })
  }

  lookup(ids: readonly string[]): Promise<unknown> {
    return this.request('tweets', { ...X_FIELDS, ids: ids.join(',') })
  }

  countsRecent(params: Record<string, string>): Promise<unknown> {
    return this.request('tweets/counts/recent', params)
  }

  private async request(path: string, params: Record<string, string>): Promise<unknown> {
    let failures = 0
    let refusals = 0
    for (;;) {
      await this.waitForWindow(path)
      this.stats.requests++
      try {
        const res = await this.v2.get(path, params, { fullResponse: true, timeout: this.o.timeoutMs ?? 30_000 })
        if (res.rateLimit && res.rateLimit.remaining === 0 && res.rateLimit.reset) this.nextAllowedAt = res.rateLimit.reset * 1000 + 1000
        return res.data as unknown
      } catch (e) {
        if (e instanceof ApiResponseError && e.code === 429) {
          if (++refusals > MAX_CONSECUTIVE_429) throw new UnavailableError(`X kept refusing ${path} with 429 after ${MAX_CONSECUTIVE_429} waits`)
          const remaining = e.rateLimit?.remaining
          if (remaining !== undefined && remaining > 0) {
            // Quota left but refused: the undocumented one-request-per-second limit. A short pause is enough.
            await this.pause(1100, path, 'per-second limit')
          } else {
            // A reset in the past (clock skew) still waits a second rather than hammering the API.
            const reset = e.rateLimit?.reset ? e.rateLimit.reset * 1000 : this.now() + 60_000
            this.nextAllowedAt = Math.max(reset + 1000, this.now() + 1000)
          }
          continue
        }
        if (e instanceof ApiResponseError && (e.code === 401 || e.code === 403)) {
          throw new AuthError(
            e.code === 401
              ? 'X rejected the bearer token (401 Unauthorized): check X_BEARER_TOKEN'
              : `X refused access to ${path} (403 Forbidden${reason(e)}): the plan behind X_BEARER_TOKEN may not include this endpoint`,
          )
        }
        if (e instanceof ApiResponseError && e.code >= 400 && e.code < 500) throw new XBadRequestError(`X refused ${path} (${e.code}${reason(e)})`, e.data)
        const what =
          e instanceof ApiResponseError
            ? `HTTP ${e.code}`
            : e instanceof ApiPartialResponseError
              ? 'an unreadable response body'
              : e instanceof ApiRequestError
                ? `a network error (${networkCause(e)})`
                : null
        if (!what) throw e
        if (failures >= this.o.maxRetries) throw new UnavailableError(`X ${path} failed ${failures + 1} times, last with ${what}`)
        const wait = backoffMs(failures++)
        this.stats.retries++
        this.o.log.warn({ api: 'x', path, attempt: failures, waitMs: wait, error: what }, 'X request failed; retrying')
        await sleep(wait, this.o.signal)
      }
    }
  }

  /** Hold the next request until the rate-limit window reopens, or give up if that is too far away. */
  private async waitForWindow(path: string): Promise<void> {
    const wait = this.nextAllowedAt - this.now()
    if (wait <= 0) return
    if (wait > this.o.maxRateLimitWaitMs) throw new RateLimitedError(this.nextAllowedAt, 'X')
    await this.pause(wait, path, 'rate limit')
  }

  private async pause(ms: number, path: string, why: string): Promise<void> {
    this.stats.rateLimitWaits++
    this.stats.rateLimitWaitMs += ms
    this.o.log.warn({ api: 'x', path, waitMs: ms, until: new Date(this.now() + ms).toISOString() }, `X ${why}: waiting`)
    await sleep(ms, this.o.signal)
  }
}

function reason(e: ApiResponseError): string {
  const d = e.data as { detail?: unknown; reason?: unknown; title?: unknown } | undefined
  const text = [d?.title, d?.reason, d?.detail].filter((x) => typeof x === 'string').join(': ')
  return text ? `: ${text.slice(0, 200)}` : ''
}

/** twitter-api-v2 1.29 loses the cause in `requestError`; it is kept in `_options.error`. */
function networkCause(e: ApiRequestError): string {
  const cause = (e as unknown as { _options?: { error?: { code?: string; message?: string } } })._options?.error
  return cause?.code ?? cause?.message ?? 'unknown'
}
