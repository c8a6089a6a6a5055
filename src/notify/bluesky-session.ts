import type { Agent } from '@atproto/api'
import type { AppContext } from '../context.js'
import { atproto } from '../sources/bluesky/atproto.js'
import { describeBskyError, xrpcStatus } from '../sources/bluesky/errors.js'
import { LoginRefusedError, LoginRejectedError, openBskySession, UnreachableError } from '../sources/bluesky/session.js'
import { sessionStore } from '../store/sessions.js'
import { ChannelError } from './channel.js'

/**
 * An agent logged in as BSKY_IDENTIFIER on BSKY_SERVICE. It resumes the session the collector stores in
 * the database (same service and account), so notifying costs no login of its own; a new login happens
 * only when that fails, within the same local allowance as the collector's (Bluesky locks out accounts
 * that keep logging in). Bluesky not answering is worth retrying, and costs no login.
 */
export async function blueskyAgent(ctx: AppContext): Promise<Agent> {
  const { service, identifier, appPassword } = ctx.env.bluesky
  if (!identifier || !appPassword) throw new ChannelError('Bluesky: BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set', { permanent: true })
  const now = () => ctx.now().getTime()
  try {
    return await openBskySession({
      service,
      identifier,
      appPassword,
      store: sessionStore(ctx.db, ctx.env.bluesky, now),
      log: ctx.log,
      maxLoginsPerDay: ctx.config.sources.bluesky.max_logins_per_day,
      now,
    })
  } catch (e) {
    if (e instanceof LoginRejectedError) throw new ChannelError(e.message, { status: e.status, permanent: true })
    // Not before the allowance allows another login: an earlier round would only be refused again.
    if (e instanceof LoginRefusedError) throw new ChannelError(e.message, { retryAfterMs: Math.max(0, e.retryAt - now()) })
    if (e instanceof UnreachableError) throw new ChannelError(e.message)
    throw e
  }
}

/** An @atproto/api failure classified for the retry logic: 429 waits for ratelimit-reset, other 4xx are final. */
export async function blueskyError(e: unknown, what: string): Promise<ChannelError> {
  if (e instanceof ChannelError) return e
  const { XRPCError } = await atproto()
  if (e instanceof XRPCError) {
    const message = `Bluesky ${what}: ${describeBskyError(e)}`.slice(0, 300)
    if (xrpcStatus(e) === 429) {
      const reset = Number(e.headers?.['ratelimit-reset'])
      const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined
      return new ChannelError(message, { status: 429, retryAfterMs })
    }
    // Status 1 is no answer (the network), 2 an answer that failed the lexicon; 5xx are the server's.
    const permanent = xrpcStatus(e) >= 400 && xrpcStatus(e) < 500
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
