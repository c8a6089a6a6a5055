import type { Config } from '../config/schema.js'

export type SpikeSettings = Config['alerts']['volume_spike']

export interface SpikeInput {
  /** Posts per hour, oldest first, ending with the hour just before the check time. */
  hourly: readonly number[]
  /** How many of the trailing hours hold real history (collection had started); older ones are ignored. */
  historyHours: number
}

export interface SpikeVerdict {
  fired: boolean
  observed: number
  expected: number
  /** Standard deviations above expected. */
  score: number
  ratio: number
  baselineDays: number
  reason: string
}

const MIN_BASELINE_DAYS = 3
const OVERDISPERSION = 0.25
const MAX_LEVEL_SHIFT = 4

/**
 * Is the latest window a spike? The expected count is learned from the same hours of the previous days
 * (the daily rhythm: night hours are compared with night hours), as the median, so an earlier spike in the
 * baseline does not mask a new one. The spread is the larger of (over-dispersed) Poisson noise and the
 * day-to-day spread, so a naturally jumpy topic needs a bigger jump.
 */
export function detectSpike(input: SpikeInput, s: SpikeSettings): SpikeVerdict {
  const w = s.window_hours
  const n = input.hourly.length
  const observed = sum(input.hourly, n - w, n)
  const days: number[] = []
  const dayTotals: number[] = []
  for (let d = 1; d <= s.baseline_days; d++) {
    const end = n - d * 24
    const start = end - w
    if (start < 0 || n - start > input.historyHours) break
    days.push(sum(input.hourly, start, end))
    if (start - 24 + w >= 0) dayTotals.push(sum(input.hourly, start - 24 + w, end))
  }
  const verdict = (fired: boolean, expected: number, score: number, reason: string): SpikeVerdict => ({
    fired,
    observed,
    expected,
    score,
    ratio: expected > 0 ? observed / expected : observed > 0 ? Infinity : 1,
    baselineDays: days.length,
    reason,
  })
  if (days.length < MIN_BASELINE_DAYS) return verdict(false, days.length ? median(days) : 0, 0, `only ${days.length} day(s) of history; need ${MIN_BASELINE_DAYS}`)
  // If the whole conversation has moved up (the day after a big story), the same hours of older days
  // understate what is normal now: scale up by the last 24 hours against a typical day, never down (a
  // quiet Sunday must not make Monday look like a spike).
  const recent = sum(input.hourly, n - w - 24, n - w)
  const typicalDay = dayTotals.length ? median(dayTotals) : 0
  const level = typicalDay > 0 ? Math.min(MAX_LEVEL_SHIFT, Math.max(1, recent / typicalDay)) : 1
  const expected = median(days) * level
  // Social counts vary more than Poisson: allow 25% day-to-day variation on top, or the observed spread.
  const spread = Math.max(Math.sqrt(Math.max(expected, 1) + (OVERDISPERSION * expected) ** 2), mad(days) * 1.4826)
  const score = (observed - expected) / spread
  if (observed < s.min_posts) return verdict(false, expected, score, `${observed} posts is below the minimum of ${s.min_posts}`)
  if (observed < s.min_ratio * Math.max(expected, 1)) return verdict(false, expected, score, `${observed} is less than ${s.min_ratio}× the expected ${expected.toFixed(1)}`)
  if (score < s.sensitivity) return verdict(false, expected, score, `${score.toFixed(1)} σ is below the sensitivity of ${s.sensitivity}`)
  return verdict(true, expected, score, `${observed} posts in ${w} h against ${expected.toFixed(1)} expected (${score.toFixed(1)} σ)`)
}

function sum(a: readonly number[], from: number, to: number): number {
  let s = 0
  for (let i = Math.max(0, from); i < to; i++) s += a[i] ?? 0
  return s
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Median absolute deviation: a spread that one past spike cannot inflate. */
function mad(xs: readonly number[]): number {
  const m = median(xs)
  return median(xs.map((x) => Math.abs(x - m)))
}
