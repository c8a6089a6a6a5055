import type { Agent, XRPCError } from '@atproto/api'
import type { Logger } from '../../logger.js'
import { backoffMs, sleep } from '../../util/wait.js'
import { AuthError, RateLimitedError, UnavailableError } from '../errors.js'
import { emptyRequestStats, type RequestStats } from '../request-stats.js'
import { atproto } from './atproto.js'
import { describeBskyError as describe, isNetworkFailure, xrpcStatus } from './errors.js'
import type { SessionStore } from '../../domain/session.js'
import { LoginRefusedError, LoginRejectedError, openBskySession, UnreachableError } from './session.js'

export interface BskyClientOptions {
  /** PDS that logs in and proxies search (BSKY_SERVICE). */
  service: string
  /** Public AppView for unauthenticated lookups (BSKY_PUBLIC_API). */
  publicApi: string
  identifier: string | null
  appPassword: string | null
  store: SessionStore
  log: Logger
  maxRetries: number
  maxRateLimitWaitMs: number
  maxLoginsPerDay: number
  signal?: AbortSignal
  now?: () => number
}

export interface SearchPage {
  /** The output as received, minus posts that failed lexicon validation. */
  body: { posts: unknown[]; cursor?: string; hitsTotal?: number }
  /** Posts dropped because they failed validation: skipped and counted, not the whole page. */
  invalid: number
  /** The body exactly as received, for the archive. */
  raw: unknown
}

const MAX_CONSECUTIVE_429 = 20

/**
 * Bluesky through @atproto/api. Logs in once and keeps the session in the database; later runs resume it
 * (expired access tokens refresh transparently inside CredentialSession); a revoked session falls back to
 * one new login, never more than the local allowance. Rate limits (429 + ratelimit-reset), upstream
 * failures (502 UpstreamFailure) and network errors, a login's included, are handled here, once.
 */
export class BskyApi {
  readonly stats: RequestStats = emptyRequestStats()
  private agent: Agent | null = null
  private publicAgent: Agent | null = null
  private readonly now: () => number
  private nextAllowedAt = 0

  constructor(private readonly o: BskyClientOptions) {
    this.now = o.now ?? Date.now
  }

  /** An authenticated agent: the stored session resumed, or one login. */
  private async authed(): Promise<Agent> {
    // An agent whose session the library dropped (refresh refused) has no DID: open a new one.
    if (this.agent?.did) return this.agent
    const o = this.o
    if (!o.identifier || !o.appPassword) throw new AuthError('Bluesky search needs a login: set BSKY_IDENTIFIER and BSKY_APP_PASSWORD (an app password)')
    try {
      this.agent = await openBskySession({
        service: o.service,
        identifier: o.identifier,
        appPassword: o.appPassword,
        store: o.store,
        log: o.log,
        maxLoginsPerDay: o.maxLoginsPerDay,
        now: this.now,
      })
    } catch (e) {
      if (e instanceof LoginRejectedError) throw new AuthError(e.message)
      // A spent daily allowance needs a person; a burst within minutes passes, so the next run resumes.
      if (e instanceof LoginRefusedError) throw e.daily ? new AuthError(e.message) : new RateLimitedError(e.retryAt, 'Bluesky login', e.message)
      throw e
    }
    return this.agent
  }

  async searchPosts(params: {
    q: string
    sort?: 'latest' | 'top'
    since?: string
    until?: string
    lang?: string
    url?: string
    author?: string
    tag?: string[]
    limit?: number
    cursor?: string
  }): Promise<SearchPage> {
    return this.request('searchPosts', async () => {
      const agent = await this.authed()
      try {
        const res = await agent.app.bsky.feed.searchPosts(params)
        return { body: res.data as unknown as SearchPage['body'], invalid: 0, raw: res.data }
      } catch (e) {
        if (await isInvalidResponse(e)) return salvage((e as { responseBody: unknown }).responseBody)
        throw e
      }
    })
  }

  /** Up to 25 posts by URI, unauthenticated, from the public AppView; missing ones are simply absent. */
  async getPosts(uris: readonly string[]): Promise<SearchPage> {
    return this.request('getPosts', async () => {
      const { Agent } = await atproto()
      this.publicAgent ??= new Agent(this.o.publicApi)
      try {
        const res = await this.publicAgent.app.bsky.feed.getPosts({ uris: [...uris] })
        return { body: res.data as unknown as SearchPage['body'], invalid: 0, raw: res.data }
      } catch (e) {
        if (await isInvalidResponse(e)) return salvage((e as { responseBody: unknown }).responseBody)
        throw e
      }
    })
  }

  private async request<T>(what: string, call: () => Promise<T>): Promise<T> {
    const { XRPCError } = await atproto()
    let failures = 0
    let refusals = 0
    let relogged = false
    for (;;) {
      const wait = this.nextAllowedAt - this.now()
      if (wait > 0) {
        if (wait > this.o.maxRateLimitWaitMs) throw new RateLimitedError(this.nextAllowedAt, 'Bluesky')
        this.stats.rateLimitWaits++
        this.stats.rateLimitWaitMs += wait
        this.o.log.warn({ api: 'bluesky', call: what, waitMs: wait }, 'Bluesky rate limit: waiting')
        await sleep(wait, this.o.signal)
      }
      this.stats.requests++
      try {
        return await call()
      } catch (e) {
        if (e instanceof AuthError || e instanceof UnavailableError) throw e
        if (e instanceof XRPCError && xrpcStatus(e) === 429) {
          if (++refusals > MAX_CONSECUTIVE_429) throw new UnavailableError(`Bluesky kept refusing ${what} with 429`)
          const reset = Number(header(e, 'ratelimit-reset'))
          this.nextAllowedAt = Math.max(Number.isFinite(reset) && reset > 0 ? reset * 1000 + 1000 : this.now() + 60_000, this.now() + 1000)
          continue
        }
        if (
          e instanceof XRPCError &&
          (xrpcStatus(e) === 401 || e.error === 'ExpiredToken' || e.error === 'InvalidToken' || e.error === 'AuthMissing') &&
          !relogged &&
          what !== 'getPosts'
        ) {
          // The refresh inside CredentialSession already failed: the session was revoked. One new login.
          relogged = true
          this.o.log.warn({ api: 'bluesky', error: e.error ?? e.status }, 'Bluesky session no longer valid; logging in again')
          this.o.store.clear()
          this.agent = null
          continue
        }
        const offline = e instanceof UnreachableError || isNetworkFailure(e)
        const transient =
          offline ||
          (e instanceof XRPCError
            ? xrpcStatus(e) >= 500 || xrpcStatus(e) === 1 || xrpcStatus(e) === 2 || e.error === 'UpstreamFailure'
            : e instanceof TypeError || e instanceof SyntaxError)
        if (!transient) throw e instanceof XRPCError ? new UnavailableError(`Bluesky ${what} failed: ${describe(e)}`) : e
        if (failures >= this.o.maxRetries) {
          if (e instanceof UnreachableError) throw new UnavailableError(`${e.message}; gave up after ${failures + 1} tries`)
          const host = what === 'getPosts' ? this.o.publicApi : this.o.service
          if (offline) throw new UnavailableError(`Bluesky unreachable at ${host} (${what}): ${describe(e)}; gave up after ${failures + 1} tries`)
          throw new UnavailableError(`Bluesky ${what} failed ${failures + 1} times, last with ${describe(e)}`)
        }
        const pause = backoffMs(failures++)
        this.stats.retries++
        this.o.log.warn({ api: 'bluesky', call: what, attempt: failures, waitMs: pause, error: describe(e) }, 'Bluesky request failed; retrying')
        await sleep(pause, this.o.signal)
      }
    }
  }
}

/** A page where some posts fail lexicon validation: keep the valid ones, count the rest. */
async function salvage(raw: unknown): Promise<SearchPage> {
  const { AppBskyFeedDefs } = await atproto()
  const body = (raw && typeof raw === 'object' ? raw : {}) as { posts?: unknown[]; cursor?: string; hitsTotal?: number }
  const posts = Array.isArray(body.posts) ? body.posts : []
  const valid = posts.filter((p) => AppBskyFeedDefs.validatePostView(p).success)
  return { body: { ...body, posts: valid }, invalid: posts.length - valid.length, raw }
}

/** XRPCInvalidResponseError (not exported by @atproto/api): the body failed lexicon validation. */
async function isInvalidResponse(e: unknown): Promise<boolean> {
  const { XRPCError } = await atproto()
  return e instanceof XRPCError && 'responseBody' in e
}

function header(e: XRPCError, name: string): string | undefined {
  const h = (e as unknown as { headers?: Record<string, string> }).headers
  return h?.[name] ?? h?.[name.toLowerCase()]
}
