import type { Agent, AtpSessionData, AtpSessionEvent, CredentialSession, XRPCError } from '@atproto/api'
import type { Logger } from '../../logger.js'
import { AuthError, backoffMs, emptyRequestStats, RateLimitedError, sleep, UnavailableError, type RequestStats } from '../wait.js'

/** Where the session lives between runs (the database), so a run resumes it instead of logging in. */
export interface SessionStore {
  load(): { did: string; handle: string; accessJwt: string; refreshJwt: string } | null
  save(s: { did: string; handle: string; accessJwt: string; refreshJwt: string }): void
  clear(): void
  loginsSince(ms: number): number
  recordLogin(ok: boolean): void
}

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

const LOGIN_WINDOW_MS = 24 * 3_600_000

type AtprotoApi = Pick<typeof import('@atproto/api'), 'Agent' | 'CredentialSession' | 'XRPCError' | 'AppBskyFeedDefs'>
let atproto: AtprotoApi | null = null
/** @atproto/api weighs ~40 MB: loaded the first time Bluesky is called, not by every command. */
async function lib(): Promise<AtprotoApi> {
  if (!atproto) {
    const m = await import('@atproto/api')
    atproto = { Agent: m.Agent, CredentialSession: m.CredentialSession, XRPCError: m.XRPCError, AppBskyFeedDefs: m.AppBskyFeedDefs }
  }
  return atproto
}
const MAX_CONSECUTIVE_429 = 20

/**
 * Bluesky through @atproto/api. Logs in once and keeps the session in the database; later runs resume it
 * (expired access tokens refresh transparently inside CredentialSession); a revoked session falls back to
 * one new login, never more than the daily allowance. Rate limits (429 + ratelimit-reset), upstream
 * failures (502 UpstreamFailure) and network errors are handled here, once.
 */
export class BskyApi {
  readonly stats: RequestStats = emptyRequestStats()
  private session: CredentialSession | null = null
  private agent: Agent | null = null
  private publicAgent: Agent | null = null
  private readonly now: () => number
  private nextAllowedAt = 0

  constructor(private readonly o: BskyClientOptions) {
    this.now = o.now ?? Date.now
  }

  /** An authenticated agent: the stored session resumed, or one login. */
  private async authed(): Promise<Agent> {
    if (this.agent && this.session?.hasSession) return this.agent
    const o = this.o
    if (!o.identifier || !o.appPassword) throw new AuthError('Bluesky search needs a login: set BSKY_IDENTIFIER and BSKY_APP_PASSWORD (an app password)')
    const { Agent, CredentialSession, XRPCError } = await lib()
    const session = new CredentialSession(new URL(o.service), undefined, (evt: AtpSessionEvent, data?: AtpSessionData) => {
      if ((evt === 'create' || evt === 'update') && data) o.store.save({ did: data.did, handle: data.handle, accessJwt: data.accessJwt, refreshJwt: data.refreshJwt })
      if (evt === 'expired') o.store.clear()
    })
    const saved = o.store.load()
    if (saved) {
      try {
        await session.resumeSession({ ...saved, active: true })
      } catch (e) {
        o.log.warn({ api: 'bluesky', error: describe(e) }, 'stored Bluesky session could not be resumed; logging in again')
      }
    }
    if (!session.hasSession) {
      const used = o.store.loginsSince(this.now() - LOGIN_WINDOW_MS)
      if (used >= o.maxLoginsPerDay) {
        throw new AuthError(`Bluesky login refused locally: ${used} logins in the last 24 h (sources.bluesky.max_logins_per_day); Bluesky allows 300 a day, so something keeps losing the session`)
      }
      try {
        await session.login({ identifier: o.identifier, password: o.appPassword })
        o.store.recordLogin(true)
        o.log.info({ api: 'bluesky', handle: session.session?.handle }, 'logged in to Bluesky')
      } catch (e) {
        o.store.recordLogin(false)
        if (e instanceof XRPCError && (e.status === 401 || e.status === 400)) throw new AuthError(`Bluesky rejected the login (${e.error ?? e.status}): check BSKY_IDENTIFIER and BSKY_APP_PASSWORD`)
        throw e
      }
    }
    this.session = session
    this.agent = new Agent(session)
    return this.agent
  }

  async searchPosts(params: { q: string; sort?: 'latest' | 'top'; since?: string; until?: string; lang?: string; url?: string; author?: string; tag?: string[]; limit?: number; cursor?: string }): Promise<SearchPage> {
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
      const { Agent } = await lib()
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
    const { XRPCError } = await lib()
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
        if (e instanceof AuthError) throw e
        if (e instanceof XRPCError && e.status === 429) {
          if (++refusals > MAX_CONSECUTIVE_429) throw new UnavailableError(`Bluesky kept refusing ${what} with 429`)
          const reset = Number(header(e, 'ratelimit-reset'))
          this.nextAllowedAt = Math.max(Number.isFinite(reset) && reset > 0 ? reset * 1000 + 1000 : this.now() + 60_000, this.now() + 1000)
          continue
        }
        if (e instanceof XRPCError && (e.status === 401 || e.error === 'ExpiredToken' || e.error === 'InvalidToken' || e.error === 'AuthMissing') && !relogged && what !== 'getPosts') {
          // The refresh inside CredentialSession already failed: the session was revoked. One new login.
          relogged = true
          this.o.log.warn({ api: 'bluesky', error: e.error ?? e.status }, 'Bluesky session no longer valid; logging in again')
          this.o.store.clear()
          this.agent = null
          this.session = null
          continue
        }
        const transient = e instanceof XRPCError ? e.status >= 500 || e.status === 1 || e.status === 2 || e.error === 'UpstreamFailure' : e instanceof TypeError || e instanceof SyntaxError
        if (!transient) throw e instanceof XRPCError ? new UnavailableError(`Bluesky ${what} failed: ${describe(e)}`) : e
        if (failures >= this.o.maxRetries) throw new UnavailableError(`Bluesky ${what} failed ${failures + 1} times, last with ${describe(e)}`)
        const pause = backoffMs(failures++)
        this.stats.retries++
        this.o.log.warn({ api: 'bluesky', call: what, attempt: failures, waitMs: pause, error: describe(e) }, 'Bluesky request failed; retrying')
        await sleep(pause, this.o.signal)
      }
    }
  }
}

/** A page where some posts fail lexicon validation: keep the valid ones, count the rest. */
function salvage(raw: unknown): SearchPage {
  const { AppBskyFeedDefs } = atproto!
  const body = (raw && typeof raw === 'object' ? raw : {}) as { posts?: unknown[]; cursor?: string; hitsTotal?: number }
  const posts = Array.isArray(body.posts) ? body.posts : []
  const valid = posts.filter((p) => AppBskyFeedDefs.validatePostView(p).success)
  return { body: { ...body, posts: valid }, invalid: posts.length - valid.length, raw }
}

/** XRPCInvalidResponseError (not exported by @atproto/api): the body failed lexicon validation. */
async function isInvalidResponse(e: unknown): Promise<boolean> {
  const { XRPCError } = await lib()
  return e instanceof XRPCError && 'responseBody' in e
}

function header(e: XRPCError, name: string): string | undefined {
  const h = (e as unknown as { headers?: Record<string, string> }).headers
  return h?.[name] ?? h?.[name.toLowerCase()]
}

function describe(e: unknown): string {
  if (atproto && e instanceof atproto.XRPCError) return `${e.status}${e.error ? ` ${e.error}` : ''}${e.message ? `: ${e.message}` : ''}`.slice(0, 300)
  return e instanceof Error ? e.message.slice(0, 300) : String(e)
}
