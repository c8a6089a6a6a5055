/** A Bluesky session as stored between runs. */
export interface StoredSession {
  did: string
  handle: string
  accessJwt: string
  refreshJwt: string
}

/**
 * Where the session lives between runs (the database, keyed by service and account), so collector and
 * notifier resume one session instead of each logging in, and where real login attempts are counted.
 */
export interface SessionStore {
  load(): StoredSession | null
  save(s: StoredSession): void
  clear(): void
  /** When recorded logins happened since `ms`, newest first. */
  loginTimesSince(ms: number): number[]
  recordLogin(ok: boolean): void
}
