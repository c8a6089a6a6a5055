import type { Agent, AtpSessionData, AtpSessionEvent } from '@atproto/api'
import type { Logger } from '../../logger.js'
import type { SessionStore } from '../../domain/session.js'
import { atproto } from './atproto.js'
import { describeBskyError, xrpcStatus } from './errors.js'
import { DAY_MS, loginRefusal } from './login-allowance.js'

export interface SessionOptions {
  /** The PDS (BSKY_SERVICE). */
  service: string
  identifier: string
  appPassword: string
  store: SessionStore
  log: Logger
  maxLoginsPerDay: number
  now: () => number
}

/** Bluesky answered the login with 400/401: the credentials are wrong, and no retry helps. */
export class LoginRejectedError extends Error {
  override name = 'LoginRejectedError'
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

/** No login was tried: one more would exceed the local allowance (see login-allowance.ts). */
export class LoginRefusedError extends Error {
  override name = 'LoginRefusedError'
  constructor(
    message: string,
    readonly retryAt: number,
    readonly daily: boolean,
  ) {
    super(message)
  }
}

/** Bluesky did not answer at all (refused, DNS, timeout): nothing was counted, and trying later may work. */
export class UnreachableError extends Error {
  override name = 'UnreachableError'
}

/**
 * An agent logged in as `identifier`: the stored session resumed (resuming refreshes the tokens), else one
 * login within the local allowance. Only a login Bluesky answered is recorded, because only those count
 * towards its limits: a network outage must not lock the account out locally for a day. Other errors of
 * a login that was answered (429, 5xx) are rethrown as they are, for the caller's retry logic.
 */
export async function openBskySession(o: SessionOptions): Promise<Agent> {
  const { Agent, CredentialSession, XRPCError } = await atproto()
  // Whether the server sent any response since the flag was last reset. The error alone cannot say: a
  // response whose body broke off mid-way fails like a refused connection, yet the server counted it.
  let answered: boolean
  const watched: typeof globalThis.fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init)
    answered = true
    return res
  }
  const session = new CredentialSession(new URL(o.service), watched, (evt: AtpSessionEvent, data?: AtpSessionData) => {
    if ((evt === 'create' || evt === 'update') && data)
      o.store.save({ did: data.did, handle: data.handle, accessJwt: data.accessJwt, refreshJwt: data.refreshJwt })
    if (evt === 'expired') o.store.clear()
  })
  const unreachable = (what: string, e: unknown) => new UnreachableError(`Bluesky unreachable at ${o.service} (${what}): ${describeBskyError(e)}`)

  const saved = o.store.load()
  if (saved) {
    answered = false
    try {
      await session.resumeSession({ ...saved, active: true })
    } catch (e) {
      // The library keeps the session after a failure without an answer: it is still good, the network is not.
      if (!answered) throw unreachable('resuming the stored session', e)
      o.log.warn(
        { api: 'bluesky', error: describeBskyError(e) },
        session.hasSession ? 'stored Bluesky session could not be refreshed; keeping it' : 'stored Bluesky session could not be resumed; logging in again',
      )
    }
  }
  if (!session.hasSession) {
    const refusal = loginRefusal(o.store.loginTimesSince(o.now() - DAY_MS), o.now(), o.maxLoginsPerDay)
    if (refusal) throw new LoginRefusedError(refusal.message, refusal.retryAt, refusal.daily)
    answered = false
    try {
      await session.login({ identifier: o.identifier, password: o.appPassword })
      o.store.recordLogin(true)
      o.log.info({ api: 'bluesky', handle: session.session?.handle }, 'logged in to Bluesky')
    } catch (e) {
      if (!answered) throw unreachable('login', e)
      o.store.recordLogin(false)
      if (e instanceof XRPCError && (xrpcStatus(e) === 401 || xrpcStatus(e) === 400)) {
        throw new LoginRejectedError(`Bluesky rejected the login (${e.error ?? e.status}): check BSKY_IDENTIFIER and BSKY_APP_PASSWORD`, e.status)
      }
      throw e
    }
  }
  return new Agent(session)
}
