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
