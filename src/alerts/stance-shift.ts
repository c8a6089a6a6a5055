import type { Config } from '../config/schema.js'
import { normalQuantile, twoSidedP } from './normal.js'

export type ShiftSettings = Config['alerts']['stance_shift']

export interface ShiftInput {
  /** The labels tested, in the order of the counts. */
  labels: readonly string[]
  /** Per hour, oldest first, ending with the hour just before the check: classified posts per label. */
  counts: readonly (readonly number[])[]
  /** Per hour: false where the counts are not the whole story (before collection started, in a coverage gap). */
  known: readonly boolean[]
}

export interface LabelShift {
  label: string
  share: number
  baselineShare: number
  /** Two-proportion z, over-dispersion included. */
  z: number
}

export interface ShiftVerdict {
  fired: boolean
  /** The label whose share moved most significantly. */
  label: string | null
  /** Its share in the window, and in the baseline. */
  observed: number
  expected: number
  score: number
  /** Two-sided p-value of that label, multiplied by the number of labels tested (Bonferroni). */
  pValue: number
  posts: number
  baselinePosts: number
  baselineDays: number
  /** How much more the mix varies from day to day than chance alone would make it (1: not at all). */
  dispersion: number
  shares: LabelShift[]
  reason: string
}

const MIN_BASELINE_DAYS = 3
/** Days with fewer posts than this say little about day-to-day variation. */
const MIN_POSTS_FOR_DISPERSION = 5
const MAX_DISPERSION = 20

export function shiftLookbackHours(s: ShiftSettings): number {
  return s.baseline_days * 24 + s.window_hours
}

/**
 * Has the share of a label in the window departed from its usual share? The baseline is the same hours of
 * the previous days (a topic's night can have another mix than its day: other countries are awake), pooled.
 * Each label is tested with a two-proportion z-test whose variance is widened by the day-to-day
 * over-dispersion the baseline days show (posts come in threads and waves, not one by one); the labels
 * together are held to `significance` (Bonferroni), and the share must also move by `min_change`.
 */
export function detectShift(input: ShiftInput, s: ShiftSettings): ShiftVerdict {
  const n = input.counts.length
  const L = input.labels.length
  const w = s.window_hours
  const known = (from: number, to: number) => from >= 0 && input.known.slice(from, to).every(Boolean)
  const tally = (from: number, to: number) => {
    const k = new Array<number>(L).fill(0)
    for (let h = Math.max(0, from); h < to; h++) for (let c = 0; c < L; c++) k[c]! += input.counts[h]?.[c] ?? 0
    return k
  }
  const window = tally(n - w, n)
  const posts = window.reduce((a, b) => a + b, 0)
  const days: number[][] = []
  for (let d = 1; d <= s.baseline_days; d++) {
    const end = n - d * 24
    if (end - w < 0) break
    if (known(end - w, end)) days.push(tally(end - w, end))
  }
  const baseline = new Array<number>(L).fill(0)
  for (const k of days) for (let c = 0; c < L; c++) baseline[c]! += k[c]!
  const baselinePosts = baseline.reduce((a, b) => a + b, 0)
  const none = (reason: string): ShiftVerdict => ({
    fired: false,
    label: null,
    observed: 0,
    expected: 0,
    score: 0,
    pValue: 1,
    posts,
    baselinePosts,
    baselineDays: days.length,
    dispersion: 1,
    shares: [],
    reason,
  })
  if (!known(n - w, n)) return none('the window overlaps a coverage gap: its mix is not comparable')
  if (posts < s.min_posts) return none(`${posts} classified posts is below the minimum of ${s.min_posts}`)
  const daysWithPosts = days.filter((k) => k.some((x) => x > 0))
  if (daysWithPosts.length < MIN_BASELINE_DAYS) return none(`only ${daysWithPosts.length} day(s) of history at these hours; need ${MIN_BASELINE_DAYS}`)
  if (baselinePosts < s.min_posts) return none(`${baselinePosts} classified posts at these hours in the baseline; need ${s.min_posts}`)

  const zCritical = normalQuantile(1 - s.significance / (2 * L))
  const shares: LabelShift[] = []
  let best: { c: number; z: number; passes: boolean } | null = null
  let bestDispersion = 1
  for (let c = 0; c < L; c++) {
    // Half a post each way keeps a label never seen in the baseline from having a share of exactly 0.
    const p0 = (baseline[c]! + 0.5) / (baselinePosts + 1)
    const p1 = window[c]! / posts
    const dispersion = overdispersion(daysWithPosts, c, p0)
    const se = Math.sqrt(dispersion * p0 * (1 - p0) * (1 / posts + 1 / baselinePosts))
    const z = (p1 - p0) / se
    shares.push({ label: input.labels[c]!, share: p1, baselineShare: p0, z })
    const passes = Math.abs(z) >= zCritical && Math.abs(p1 - p0) >= s.min_change
    if (!best || (passes && !best.passes) || (passes === best.passes && Math.abs(z) > Math.abs(best.z))) {
      best = { c, z, passes }
      bestDispersion = dispersion
    }
  }
  const top = shares[best!.c]!
  const verdict: ShiftVerdict = {
    fired: best!.passes,
    label: top.label,
    observed: top.share,
    expected: top.baselineShare,
    score: top.z,
    pValue: Math.min(1, twoSidedP(top.z) * L),
    posts,
    baselinePosts,
    baselineDays: days.length,
    dispersion: bestDispersion,
    shares,
    reason: '',
  }
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`
  const what = `${top.label} ${pct(top.share)} of ${posts} posts vs ${pct(top.baselineShare)} usual (z ${top.z.toFixed(1)})`
  verdict.reason = verdict.fired
    ? what
    : Math.abs(top.share - top.baselineShare) < s.min_change
      ? `${what}: a change below ${pct(s.min_change)}`
      : `${what}: not significant at ${s.significance} (needs |z| ≥ ${zCritical.toFixed(2)})`
  return verdict
}

/**
 * Pearson's dispersion of one label's daily counts around the pooled share: 1 when days differ only by
 * chance, more when the mix really wanders from day to day. Never below 1, and capped.
 */
function overdispersion(days: readonly number[][], c: number, p0: number): number {
  let chi2 = 0
  let m = 0
  for (const k of days) {
    const nd = k.reduce((a, b) => a + b, 0)
    if (nd < MIN_POSTS_FOR_DISPERSION) continue
    chi2 += (k[c]! - nd * p0) ** 2 / (nd * p0 * (1 - p0))
    m++
  }
  return m >= MIN_BASELINE_DAYS ? Math.min(MAX_DISPERSION, Math.max(1, chi2 / (m - 1))) : 1
}
