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
