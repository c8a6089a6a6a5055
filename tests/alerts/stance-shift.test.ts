import { afterEach, describe, expect, it } from 'vitest'
import { detectShift, type ShiftSettings } from '../../src/alerts/stance-shift.js'
import { closeContext, type AppContext } from '../../src/context.js'
import { backtestAlerts, checkAlerts } from '../../src/jobs/alerts.js'
import { findPost, setHumanLabel } from '../../src/store/labels.js'
import { stanceSeenCounts } from '../../src/store/alerts.js'
import { testContext } from '../helpers.js'
import { DAY, draw, generateSeries, HOUR, labelPosts, rng } from './synthetic.js'

const SETTINGS: ShiftSettings = {
  window_hours: 6,
  baseline_days: 14,
  min_posts: 30,
  min_change: 0.15,
  significance: 0.001,
  confirm_hours: 2,
  cooldown_hours: 12,
}
const LABELS = ['praise', 'concern', 'neutral']

/** Hourly label counts for `days` days plus `extraHours`, each hour with these counts. */
function steady(days: number, perHour: number[], extraHours = 0): number[][] {
  return Array.from({ length: days * 24 + extraHours }, () => [...perHour])
}
const allKnown = (counts: unknown[]) => counts.map(() => true)

describe('detectShift', () => {
  it('fires when praise goes from 20% to 45% of a window, naming the label and both shares', () => {
    const counts = steady(15, [4, 8, 8]) // 20% praise
    for (let h = counts.length - 6; h < counts.length; h++) counts[h] = [9, 6, 5] // 45% praise
    const v = detectShift({ labels: LABELS, counts, known: allKnown(counts) }, SETTINGS)
    expect(v).toMatchObject({ fired: true, label: 'praise', posts: 120 })
    expect(v.observed).toBeCloseTo(0.45, 6)
    expect(v.expected).toBeCloseTo(0.2, 2)
    expect(v.score).toBeGreaterThan(4)
    expect(v.pValue).toBeLessThan(0.001)
  })

  it('a dip is a shift too (negative z)', () => {
    const counts = steady(15, [8, 6, 6]) // 40% praise
    for (let h = counts.length - 6; h < counts.length; h++) counts[h] = [3, 9, 8] // 15%
    const v = detectShift({ labels: LABELS, counts, known: allKnown(counts) }, SETTINGS)
    expect(v.fired).toBe(true)
    expect(v.label).toBe('praise')
    expect(v.score).toBeLessThan(0)
  })

  it('compares the night with nights: a mix that is usual at this hour is not a shift', () => {
    // Praise is 45% every night (hours 0–6) and 20% by day.
    const counts = Array.from({ length: 15 * 24 + 6 }, (_, h) => (h % 24 < 6 ? [9, 6, 5] : [4, 8, 8]))
    expect(detectShift({ labels: LABELS, counts, known: allKnown(counts) }, SETTINGS).fired).toBe(false)
  })

  it('needs enough posts, a big enough change, and significance', () => {
    const few = steady(15, [1, 2, 2])
    for (let h = few.length - 6; h < few.length; h++) few[h] = [2, 1, 0] // 18 posts
    expect(detectShift({ labels: LABELS, counts: few, known: allKnown(few) }, SETTINGS).reason).toMatch(/below the minimum/)
    const small = steady(15, [40, 80, 80])
    for (let h = small.length - 6; h < small.length; h++) small[h] = [60, 70, 70] // 20% → 30%: significant, but 10 points
    const v = detectShift({ labels: LABELS, counts: small, known: allKnown(small) }, SETTINGS)
    expect(v.fired).toBe(false)
    expect(v.reason).toMatch(/change below 15%/)
  })

  it('a mix that wanders from day to day needs a bigger move (over-dispersion from the baseline days)', () => {
    const wander = Array.from({ length: 15 * 24 + 6 }, (_, h) => (Math.floor(h / 24) % 2 ? [3, 9, 8] : [8, 6, 6]))
    for (let h = wander.length - 6; h < wander.length; h++) wander[h] = [9, 6, 5]
    expect(detectShift({ labels: LABELS, counts: wander, known: allKnown(wander) }, SETTINGS).fired).toBe(false)
    // The same window against a steady baseline with the same average mix (27.5% praise) is a shift.
    const still = steady(15, [5.5, 7.5, 7])
    for (let h = still.length - 6; h < still.length; h++) still[h] = [9, 6, 5]
    expect(detectShift({ labels: LABELS, counts: still, known: allKnown(still) }, SETTINGS)).toMatchObject({ fired: true, label: 'praise', dispersion: 1 })
  })

  it('gives no verdict on a window that overlaps a coverage gap, and leaves gap days out of the baseline', () => {
    const counts = steady(15, [4, 8, 8])
    for (let h = counts.length - 6; h < counts.length; h++) counts[h] = [9, 6, 5]
    const known = counts.map((_, h) => h !== counts.length - 2)
    expect(detectShift({ labels: LABELS, counts, known }, SETTINGS).reason).toMatch(/coverage gap/)
    const baselineGap = counts.map((_, h) => h < 3 * 24 || h >= 5 * 24)
    expect(detectShift({ labels: LABELS, counts, known: baselineGap }, SETTINGS).baselineDays).toBeLessThan(14)
  })
})

describe('stance shift over stored posts', () => {
  const start = Date.UTC(2025, 5, 2)
  const shiftStart = start + 20 * DAY + 14 * HOUR
  let ctx: AppContext | null = null
  afterEach(() => {
    if (ctx) closeContext(ctx)
    ctx = null
  })

  /**
   * A month of posts whose mix has its own rhythm (more praise 06–14 UTC, Asia's day), wanders a little from
   * day to day, and optionally jumps to 45% praise for six hours. About 10% are `uncertain`.
   */
  function month(seed: number, shift: boolean): { ctx: AppContext; end: number; mix: (t: number) => Record<string, number> } {
    const c = testContext()
    const g = generateSeries(c, { seed, start, days: 30, spikes: 0, peakRate: 40, troughRate: 8 })
    const jitter = rng(seed * 7)
    const dayShift = Array.from({ length: 31 }, () => (jitter() - 0.5) * 0.08)
    const mix = (t: number) => {
      const asia = ((t % DAY) / HOUR + 18) % 24 < 8
      let praise = (asia ? 0.3 : 0.2) + dayShift[Math.floor((t - start) / DAY)]!
      if (shift && t >= shiftStart && t < shiftStart + 6 * HOUR) praise = 0.45
      const rest = (1 - praise) / 2
      return { praise: praise * 0.9, concern: rest * 0.9, neutral: rest * 0.9 }
    }
    labelPosts(c, seed, (t, r) => draw(mix(t), r))
    return { ctx: c, end: g.end, mix }
  }
  const shifts = (c: AppContext, end: number) => backtestAlerts(c, { from: start, to: end }).alerts.filter((a) => a.kind === 'stance_shift')

  it('praise going from 20% to 45% for six hours fires exactly one shift alert, during the shift', () => {
    for (const seed of [1, 2, 3]) {
      const m = month(seed, true)
      ctx = m.ctx
      const fired = shifts(ctx, m.end)
      const during = fired.filter((a) => Date.parse(a.window_end) > shiftStart && Date.parse(a.window_start) < shiftStart + 6 * HOUR)
      expect(during, `seed ${seed}`).toHaveLength(1)
      expect(during[0]).toMatchObject({ label: 'praise', platform: null })
      expect(during[0]!.observed).toBeGreaterThan(0.35)
      expect(during[0]!.expected).toBeLessThan(0.27)
      expect(fired.length - during.length, `seed ${seed}: others`).toBeLessThanOrEqual(1)
      closeContext(ctx)
      ctx = null
    }
  })

  it('a stable mix with noise over 30 days fires at most one shift alert per month (figures printed)', () => {
    const figures: string[] = []
    let total = 0
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const m = month(seed, false)
      ctx = m.ctx
      const n = shifts(ctx, m.end).length
      figures.push(`seed ${seed}: ${n}`)
      total += n
      expect(n, `seed ${seed}`).toBeLessThanOrEqual(1)
      closeContext(ctx)
      ctx = null
    }
    console.log(`stance shift, stable mix, 30 days: false alarms ${figures.join(', ')} (total ${total})`)
    expect(total).toBeLessThanOrEqual(2)
  })

  it('a retrain alone fires nothing: history re-labelled by a new model with the same mix', () => {
    const m = month(4, false)
    ctx = m.ctx
    const lastDays = { from: m.end - 3 * DAY, to: m.end + HOUR }
    expect(backtestAlerts(ctx, lastDays).alerts.filter((a) => a.kind === 'stance_shift')).toEqual([])
    labelPosts(ctx, 104, (t, r) => draw(m.mix(t), r))
    // Window and baseline are both read with the labels as they are now: the same model on both sides.
    expect(backtestAlerts(ctx, lastDays).alerts.filter((a) => a.kind === 'stance_shift')).toEqual([])
    expect(shifts(ctx, m.end).length).toBeLessThanOrEqual(1)
  })

  it('halfway through re-scoring (oldest first), posts still labelled by the old model are left out: no shift from two models', () => {
    const m = month(5, false)
    ctx = m.ctx
    // The new model sees far more praise; it has re-scored the oldest 70% so far.
    labelPosts(ctx, 105, (_t, r) => draw({ praise: 0.7, concern: 0.1, neutral: 0.1 }, r), { share: 0.7 })
    // (Read with both models' labels mixed, this fires around the boundary between them.)
    expect(backtestAlerts(ctx, { from: m.end - 10 * DAY, to: m.end }).alerts.filter((a) => a.kind === 'stance_shift')).toEqual([])
    expect(checkAlerts(ctx, new Date(m.end + 5 * 60_000))).toEqual([])
  })

  it("a person's label counts whatever model is active; the model's labels only when from the active model", () => {
    ctx = testContext()
    generateSeries(ctx, { seed: 31, start, days: 1, spikes: 0, peakRate: 10, troughRate: 10, xShare: 1 })
    const first = labelPosts(ctx, 31, () => 'concern')
    for (let n = 1; n <= 5; n++)
      setHumanLabel(ctx.db, findPost(ctx.db, { kind: 'tweet', id: `31${String(n).padStart(7, '0')}`, text: '' })!, 'china-ai-fund', 'praise', 'tester', 0)
    const filter = { topicId: 'china-ai-fund', from: start, to: start + DAY, platform: null, liveSince: null }
    const total = (modelId: number | null) => {
      const m: Record<string, number> = {}
      for (const r of stanceSeenCounts(ctx!.db, { ...filter, modelId })) m[r.label] = (m[r.label] ?? 0) + r.n
      return m
    }
    expect(total(first).praise).toBe(5)
    expect(total(first).concern).toBeGreaterThan(100)
    // A new model, nothing re-scored yet: only the people's labels are comparable.
    expect(total(first + 1000)).toEqual({ praise: 5 })
  })
})
