import type { Agent, AtpSessionData, AtpSessionEvent } from '@atproto/api'
import type { AppContext } from '../context.js'
import { clearSession, loadSession, loginsSince, recordLogin, saveSession } from '../store/sessions.js'
import { ChannelError } from './channel.js'

type AtprotoApi = Pick<typeof import('@atproto/api'), 'Agent' | 'CredentialSession' | 'XRPCError'>
let atproto: AtprotoApi | null = null
/** @atproto/api is large: loaded when a Bluesky channel first sends, not by every command. */
export async function atprotoApi(): Promise<AtprotoApi> {
  if (!atproto) {
    const m = await import('@atproto/api')
    atproto = { Agent: m.Agent, CredentialSession: m.CredentialSession, XRPCError: m.XRPCError }
  }
  return atproto
}

const DAY_MS = 24 * 3_600_000

/**
 * An agent logged in as BSKY_IDENTIFIER on BSKY_SERVICE. It resumes the session the collector stores in
 * the database (same service and account), so notifying costs no login of its own; a new login happens
 * only when that fails, and never beyond sources.bluesky.max_logins_per_day (Bluesky allows 300 a day and
 * locks out accounts that keep logging in).
 */
export async function blueskyAgent(ctx: AppContext): Promise<Agent> {
  const { service, identifier, appPassword } = ctx.env.bluesky
  if (!identifier || !appPassword) throw new ChannelError('Bluesky: BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set', { permanent: true })
  const { Agent, CredentialSession, XRPCError } = await atprotoApi()
  const now = () => ctx.now().getTime()
  const session = new CredentialSession(new URL(service), undefined, (evt: AtpSessionEvent, data?: AtpSessionData) => {
    if ((evt === 'create' || evt === 'update') && data) saveSession(ctx.db, service, identifier, { did: data.did, handle: data.handle, accessJwt: data.accessJwt, refreshJwt: data.refreshJwt }, now())
    if (evt === 'expired') clearSession(ctx.db, service, identifier)
  })
  const saved = loadSession(ctx.db, service, identifier)
  if (saved) {
    try {
      await session.resumeSession({ ...saved, active: true })
    } catch (e) {
      ctx.log.warn({ api: 'bluesky', error: e instanceof Error ? e.message : String(e) }, 'stored Bluesky session could not be resumed; logging in again')
    }
  }
  if (!session.hasSession) {
    const used = loginsSince(ctx.db, service, identifier, now() - DAY_MS)
    if (used >= ctx.config.sources.bluesky.max_logins_per_day) {
      throw new ChannelError(`Bluesky login refused locally: ${used} logins in the last 24 h (sources.bluesky.max_logins_per_day)`)
    }
    try {
      await session.login({ identifier, password: appPassword })
      recordLogin(ctx.db, service, identifier, true, now())
    } catch (e) {
      recordLogin(ctx.db, service, identifier, false, now())
      if (e instanceof XRPCError && (e.status === 401 || e.status === 400)) {
        throw new ChannelError(`Bluesky rejected the login (${e.error ?? e.status}): check BSKY_IDENTIFIER and BSKY_APP_PASSWORD`, { status: e.status, permanent: true })
      }
      throw e
    }
  }
  return new Agent(session)
}

/** An @atproto/api failure classified for the retry logic: 429 waits for ratelimit-reset, other 4xx are final. */
export async function blueskyError(e: unknown, what: string): Promise<ChannelError> {
  if (e instanceof ChannelError) return e
  const { XRPCError } = await atprotoApi()
  if (e instanceof XRPCError) {
    const message = `Bluesky ${what}: ${e.status}${e.error ? ` ${e.error}` : ''}${e.message ? `: ${e.message}` : ''}`.slice(0, 300)
    if (e.status === 429) {
      const reset = Number(e.headers?.['ratelimit-reset'])
      const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined
      return new ChannelError(message, { status: 429, retryAfterMs })
    }
    // Status 1 and 2 are @atproto/xrpc's "unknown" and "network" errors; 5xx are the server's.
    const permanent = e.status >= 400 && e.status < 500
    return new ChannelError(message, { status: e.status, permanent })
  }
  return new ChannelError(`Bluesky ${what}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300))
}

/** Stop waiting when the signal aborts (@atproto/api's helpers take no signal): the timeout still holds. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ChannelError('Bluesky: stopped before the call'))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ChannelError('Bluesky: no answer before the timeout'))
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
