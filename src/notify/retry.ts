import type { NotifyConfig } from '../config/schema.js'
import { backoffMs } from '../util/wait.js'

type Retry = NotifyConfig['retry']

/** A Retry-After longer than this ends the round instead of holding the run; the next round starts after it. */
export const MAX_INLINE_WAIT_MS = 60_000
/** However long a channel has been failing, it is tried again at least this often until give_up_hours. */
const MAX_LATER_MS = 6 * 3_600_000

/** The pause before try `n + 1` of a round: backoff_seconds × 2^n, jittered so retries do not march in step. */
export function pauseBeforeRetry(n: number, retry: Retry, random = Math.random): number {
  return backoffMs(n, retry.backoff_seconds * 1000, Math.max(retry.backoff_seconds * 1000, MAX_INLINE_WAIT_MS), random)
}

/**
 * When the next round of a failed delivery is due, or null to give up. Each wait is as long as the channel
 * has been failing so far (at least later_minutes, at most 6 h), so retries space out roughly doubling
 * while an outage lasts; a receiver's own Retry-After is respected when it asks for more.
 */
export function nextRoundAt(o: { now: number; failingSince: number | null; retry: Retry; retryAfterMs?: number }): number | null {
  const since = o.failingSince ?? o.now
  if (o.now - since >= o.retry.give_up_hours * 3_600_000) return null
  const wait = Math.min(Math.max(o.retry.later_minutes * 60_000, o.now - since), MAX_LATER_MS)
  return Math.max(o.now + wait, o.now + (o.retryAfterMs ?? 0))
}

/** How long a round may hold a delivery before a crash is assumed and another run may retry it. */
export function leaseMs(retry: Retry, timeoutMs: number): number {
  return retry.attempts * (timeoutMs + MAX_INLINE_WAIT_MS) + 60_000
}
