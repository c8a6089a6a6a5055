/** Resolves after `ms`, or rejects as soon as the signal aborts (a stop request must not wait out a rate limit). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StoppedError())
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    const onAbort = () => {
      clearTimeout(t)
      reject(new StoppedError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Exponential backoff with full jitter: 1 s, 2 s, 4 s… capped, each randomised so clients do not retry in step. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** The run was asked to stop (SIGINT/SIGTERM): what is stored stays consistent, the run ends as partial. */
export class StoppedError extends Error {
  override name = 'StoppedError'
  constructor() {
    super('stopped on request')
  }
}

/** The API says wait longer than the run may: the run ends early with what it has, and says until when. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError'
  constructor(
    readonly resetAt: number,
    readonly api: string,
    message = `${api} rate limit: next request allowed at ${new Date(resetAt).toISOString()}, later than this run may wait`,
  ) {
    super(message)
  }
}

/** Credentials rejected: no retry helps; the message says which variable to check. */
export class AuthError extends Error {
  override name = 'AuthError'
}

/** Retries exhausted on server errors, network failures or unreadable bodies. */
export class UnavailableError extends Error {
  override name = 'UnavailableError'
}

/** What a client wrapper counts for the run record. */
export interface RequestStats {
  requests: number
  retries: number
  rateLimitWaits: number
  rateLimitWaitMs: number
}

export function emptyRequestStats(): RequestStats {
  return { requests: 0, retries: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 }
}
