import type { Config } from '../config/schema.js'
import { countTailZ } from './count-tail.js'
import { mad, median, trimmedMean } from './robust.js'

export { median } from './robust.js'

export type SpikeSettings = Config['alerts']['volume_spike']

export interface SpikeInput {
  /** Posts per hour, oldest first, ending with the hour just before the check. */
  hourly: readonly number[]
  /** Per hour: false where the count is not the whole story (before collection started, in a coverage gap). */
  known: readonly boolean[]
}

export interface SpikeVerdict {
  fired: boolean
  /** Length of the window that gave this verdict: the windows of 1 to `window_hours` hours are all tested. */
  windowHours: number
  observed: number
  expected: number
  /** How far above expected, as the z of a normal tail as unlikely (see countTailZ). */
  score: number
  ratio: number
  baselineDays: number
  /** Part of the window lies in a coverage gap: the observed count is a lower bound. */
  partialCoverage: boolean
  reason: string
}

export const MIN_BASELINE_DAYS = 2
const OVERDISPERSION = 0.25
const MAX_LEVEL_SHIFT = 4
/** Same-weekday days needed before the weekly rhythm is trusted. */
const MIN_SAME_WEEKDAY = 2

/** Hours of history a verdict reads before the window ends. */
export function spikeLookbackHours(s: SpikeSettings): number {
  return (s.baseline_days + 1) * 24 + s.window_hours
}

/**
 * Is the latest window a spike? Every window of 1 to `window_hours` hours ending at the check is tested
 * (a sharp hour and a slower swell both show), and the strongest verdict is returned.
 */
export function detectSpike(input: SpikeInput, s: SpikeSettings): SpikeVerdict {
  const series = new Series(input)
  let best: SpikeVerdict | null = null
  for (let w = 1; w <= s.window_hours; w++) {
    const v = verdictFor(series, w, s)
    if (!best || (v.fired && !best.fired) || (v.fired === best.fired && v.score > best.score)) best = v
  }
  return best!
}

/**
 * The expected count of a window is its share of a day times the day's volume:
 * - the share comes from the same hours of the previous days (a trimmed mean of each day's share, so night
 *   hours are compared with night hours and an earlier spike among those days does not mask a new one);
 * - the day's volume is the typical volume of the same weekday once two of them are known (quiet weekends),
 *   otherwise of every day;
 * - if the whole conversation has moved up (the day after a big story), the last 24 hours against the same
 *   24 hours of those days scale it up, never down (a quiet Sunday must not make Monday look like a spike).
 * Hours in a coverage gap or before collection started are left out of everything, not counted as zeros.
 */
function verdictFor(series: Series, w: number, s: SpikeSettings): SpikeVerdict {
  const n = series.length
  const observed = series.sum(n - w, n)
  const partialCoverage = !series.known(n - w, n)
  const shares: number[] = []
  const dayTotals: { d: number; total: number }[] = []
  const trailing: { d: number; total: number }[] = []
  for (let d = 1; d <= s.baseline_days; d++) {
    const end = n - d * 24
    const start = end - w
    // The 24 hours centred on that day's window: its share of a day, and that day's volume.
    const dayStart = end - 12 - Math.ceil(w / 2)
    const dayEnd = dayStart + 24
    if (dayStart < 0) break
    if (series.known(dayStart, dayEnd) && dayEnd <= n - w) {
      const total = series.sum(dayStart, dayEnd)
      dayTotals.push({ d, total })
      if (total > 0) shares.push(series.sum(start, end) / total)
    }
    if (start - 24 >= 0 && series.known(start - 24, start)) trailing.push({ d, total: series.sum(start - 24, start) })
  }
  const verdict = (fired: boolean, expected: number, score: number, reason: string): SpikeVerdict => ({
    fired,
    windowHours: w,
    observed,
    expected,
    score,
    ratio: expected > 0 ? observed / expected : observed > 0 ? Infinity : 1,
    baselineDays: shares.length,
    partialCoverage,
    reason,
  })
  if (shares.length < MIN_BASELINE_DAYS) return verdict(false, 0, 0, `only ${shares.length} day(s) of comparable history; need ${MIN_BASELINE_DAYS}`)

  const sameWeekday = (xs: { d: number; total: number }[]) => {
    const same = xs.filter((x) => x.d % 7 === 0)
    return (same.length >= MIN_SAME_WEEKDAY ? same : xs).map((x) => x.total)
  }
  const dayVolume = median(sameWeekday(dayTotals))
  let level = 1
  if (series.known(n - w - 24, n - w) && trailing.length) {
    const usual = median(sameWeekday(trailing))
    if (usual > 0) level = Math.min(MAX_LEVEL_SHIFT, Math.max(1, series.sum(n - w - 24, n - w) / usual))
  }
  const scale = dayVolume * level
  const expected = trimmedMean(shares) * scale
  // Social counts vary more than Poisson: allow 25% on top, or the spread the days actually showed.
  const variance = Math.max(Math.max(expected, 1) + (OVERDISPERSION * expected) ** 2, (1.4826 * mad(shares.map((x) => x * scale))) ** 2)
  // The expected is itself estimated from a few days: its uncertainty adds to the spread (a prediction interval).
  const score = countTailZ(observed, Math.max(expected, 1), variance * (1 + 1 / shares.length))
  if (observed < s.min_posts) return verdict(false, expected, score, `${observed} posts is below the minimum of ${s.min_posts}`)
  if (observed < s.min_ratio * Math.max(expected, 1))
    return verdict(false, expected, score, `${observed} is less than ${s.min_ratio}× the expected ${expected.toFixed(1)}`)
  if (score < s.sensitivity) return verdict(false, expected, score, `${score.toFixed(1)} σ is below the sensitivity of ${s.sensitivity}`)
  return verdict(
    true,
    expected,
    score,
    `${observed} posts in ${w} h against ${expected.toFixed(1)} expected (${score.toFixed(1)} σ)${partialCoverage ? ', with part of the window in a coverage gap' : ''}`,
  )
}

/** Prefix sums of counts and of unknown hours: every range sum in constant time. */
class Series {
  private readonly counts: Float64Array
  private readonly unknown: Int32Array
  readonly length: number

  constructor(input: SpikeInput) {
    this.length = input.hourly.length
    this.counts = new Float64Array(this.length + 1)
    this.unknown = new Int32Array(this.length + 1)
    for (let i = 0; i < this.length; i++) {
      this.counts[i + 1] = this.counts[i]! + (input.hourly[i] ?? 0)
      this.unknown[i + 1] = this.unknown[i]! + (input.known[i] === false ? 1 : 0)
    }
  }

  sum(from: number, to: number): number {
    return this.counts[Math.min(this.length, to)]! - this.counts[Math.max(0, from)]!
  }

  /** Every hour of [from, to) exists and is complete. */
  known(from: number, to: number): boolean {
    return from >= 0 && to <= this.length && this.unknown[to]! - this.unknown[from]! === 0
  }
}
