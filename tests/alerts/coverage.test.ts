import { afterEach, describe, expect, it } from 'vitest'
import { Coverage, platformsOfSource } from '../../src/alerts/coverage.js'
import { VisibleCounts } from '../../src/alerts/visible-counts.js'
import { closeContext, type AppContext } from '../../src/context.js'
import { backtestAlerts, checkAlerts } from '../../src/jobs/alerts.js'
import type { GapRecord } from '../../src/store/alerts.js'
import { recordGap } from '../../src/store/gaps.js'
import { testContext } from '../helpers.js'
import { DAY, generateSeries, HOUR } from './synthetic.js'

const gap = (g: Partial<GapRecord>): GapRecord => ({
  id: 1,
  source: 'jetstream',
  startAt: 10 * HOUR,
  endAt: 16 * HOUR,
  reason: 'outage',
  detectedAt: 17 * HOUR,
  repairedAt: null,
  ...g,
})

describe('what a check at time T could see', () => {
  it('counts a post from when it was collected, not when it was posted', () => {
    // Hour 5 had 10 posts collected at once at 05:59 and 6 more collected at 09:00 (a late backlog).
    const counts = new VisibleCounts(
      [''],
      [
        { hour: 5, seenMinute: 5 * 60 + 59, label: '', n: 10 },
        { hour: 5, seenMinute: 9 * 60, label: '', n: 6 },
      ],
    )
    expect(counts.count(5, 0, 6 * HOUR)).toBe(10)
    expect(counts.count(5, 0, 8 * HOUR + 59 * 60_000)).toBe(10)
    expect(counts.count(5, 0, 9 * HOUR)).toBe(16)
    expect(counts.count(5, 0, 5 * HOUR)).toBe(0)
  })

  it('knows a gap from its detection to its repair once live; history loaded before going live is judged as today', () => {
    const live = new Coverage([gap({ repairedAt: 20 * HOUR })], 0)
    expect(live.gapsAt(null, 0, DAY, 16 * HOUR)).toEqual([])
    expect(live.gapsAt(null, 0, DAY, 18 * HOUR)).toHaveLength(1)
    expect(live.gapsAt(null, 0, DAY, 21 * HOUR)).toEqual([])
    const replayed = new Coverage([gap({})], null)
    expect(replayed.gapsAt(null, 0, DAY, 12 * HOUR)).toHaveLength(1)
  })

  it('a Jetstream gap leaves Bluesky uncovered, not X; an unknown source leaves every platform uncovered', () => {
    const c = new Coverage([gap({})], null)
    expect(c.gapsAt('bluesky', 0, DAY, DAY)).toHaveLength(1)
    expect(c.gapsAt('x', 0, DAY, DAY)).toEqual([])
    expect(platformsOfSource('replay')).toBeNull()
    expect(c.knownHours('bluesky', 8, 18, DAY, 0).map(Number)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 1, 1])
    // Hours before the first post, and the partial first hour, are unknown too.
    expect(c.knownHours('x', 0, 4, DAY, 1.5 * HOUR).map(Number)).toEqual([0, 0, 1, 1])
  })
})

describe('coverage gaps and backlogs over stored posts', () => {
  const start = Date.UTC(2025, 5, 2)
  let ctx: AppContext
  afterEach(() => closeContext(ctx))

  for (const variant of [
    { name: 'recorded, refilled by a backlog collected all at once', gap: { hours: 6, source: 'all' as const, backlog: true } },
    { name: 'recorded, lost for good', gap: { hours: 6, source: 'all' as const, backlog: false } },
    { name: 'nobody noticed, refilled by a backlog', gap: { hours: 6, source: 'all' as const, backlog: true, recorded: false } },
    { name: 'nobody noticed, lost', gap: { hours: 6, source: 'all' as const, backlog: false, recorded: false } },
  ]) {
    it(`a 6-hour collection gap (${variant.name}) raises nothing, during or after`, () => {
      ctx = testContext()
      const g = generateSeries(ctx, { seed: 11, start, days: 20, spikes: 0, peakRate: 40, troughRate: 8, gap: variant.gap })
      expect(backtestAlerts(ctx, { from: start, to: g.end }).alerts).toEqual([])
    })
  }

  it('a spike seen while part of its window was not collected alerts, flagged as partial coverage with the gap', () => {
    ctx = testContext()
    const g = generateSeries(ctx, { seed: 12, start, days: 16, spikes: 0, peakRate: 40, troughRate: 8 })
    const spikeEnd = g.end - 6 * HOUR
    // A burst on X, while Jetstream (Bluesky) was down for the last hour of it.
    generateSeries(ctx, { seed: 13, start: spikeEnd - 3 * HOUR, days: 0.125, spikes: 0, peakRate: 250, troughRate: 250, xShare: 1 })
    recordGap(ctx.db, { source: 'jetstream', startAt: spikeEnd - HOUR, endAt: spikeEnd + HOUR, reason: 'Jetstream unreachable' }, spikeEnd)
    const spike = checkAlerts(ctx, new Date(spikeEnd + 20 * 60_000)).find((a) => a.kind === 'volume_spike')
    expect(spike).toMatchObject({ platform: null, partial_coverage: true })
    expect(spike!.context.partialCoverage).toBe(true)
    expect(spike!.context.gaps).toEqual([expect.objectContaining({ source: 'jetstream', reason: 'Jetstream unreachable' })])
  })

  it('a platform collected from a later day on does not look like a surge of the whole topic', () => {
    ctx = testContext()
    const g = generateSeries(ctx, { seed: 14, start, days: 20, spikes: 0, peakRate: 40, troughRate: 8, xShare: 0.25, blueskyFromDay: 10 })
    expect(backtestAlerts(ctx, { from: start, to: g.end }).alerts).toEqual([])
  })
})
