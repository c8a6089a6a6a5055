/** Bluesky's createSession limits per account are 30 per 5 minutes and 300 a day; stancewatch stops short of both. */
export const SHORT_WINDOW_MS = 5 * 60_000
export const SHORT_WINDOW_MAX = 25
export const DAY_MS = 24 * 3_600_000

export interface LoginRefusal {
  message: string
  /** The first moment another login would be allowed (ms). */
  retryAt: number
  /** The daily allowance is spent: something keeps losing the session, unlike a burst within minutes. */
  daily: boolean
}

/**
 * Whether one more login fits, given when the recorded ones happened (newest first, the last 24 h at least).
 * Only logins Bluesky answered are recorded, so a network outage never spends this allowance.
 */
export function loginRefusal(times: readonly number[], now: number, maxPerDay: number): LoginRefusal | null {
  const day = times.filter((t) => t >= now - DAY_MS)
  if (day.length >= maxPerDay) {
    return {
      message: `Bluesky login refused locally: ${day.length} logins in the last 24 h (sources.bluesky.max_logins_per_day); Bluesky allows 300 a day, so something keeps losing the session`,
      retryAt: day[maxPerDay - 1]! + DAY_MS + 1,
      daily: true,
    }
  }
  const recent = day.filter((t) => t >= now - SHORT_WINDOW_MS)
  if (recent.length >= SHORT_WINDOW_MAX) {
    const retryAt = recent[SHORT_WINDOW_MAX - 1]! + SHORT_WINDOW_MS + 1
    return {
      message: `Bluesky login refused locally: ${recent.length} logins in the last 5 minutes (Bluesky allows 30); the next is allowed at ${new Date(retryAt).toISOString()}`,
      retryAt,
      daily: false,
    }
  }
  return null
}
