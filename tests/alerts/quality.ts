import type { AlertHit } from '../../src/alerts/alert-run.js'
import { backtestAlerts } from '../../src/jobs/alerts.js'
import { testContext } from '../helpers.js'
import { closeContext } from '../../src/context.js'
import { generateSeries, HOUR, DAY, type SeriesSpec, type Spike } from './synthetic.js'

export interface QualityFigures {
  seed: number
  spikes: number
  found: number
  falseAlarms: number
  gapAlerts: number
  /** Per spike found: hours from its start to the end of the window that alerted. */
  latencies: number[]
  /** Alerts that fell on a spike already alerted (must be 0: one event, one alert). */
  repeats: number
  alerts: AlertHit[]
  spikeList: Spike[]
  gap: { start: number; end: number } | null
}

/** A spike counts as found when an alert's window overlaps it and the alert came at the latest 2 hours after it ended. */
export const LATE_BY = 2 * HOUR

export function runQuality(spec: SeriesSpec, configPath?: string): QualityFigures {
  const ctx = testContext({ configPath })
  try {
    const g = generateSeries(ctx, spec)
    const alerts = backtestAlerts(ctx, { from: spec.start, to: g.end }).alerts.filter((a) => a.kind === 'volume_spike')
    const span = (a: AlertHit) => [Date.parse(a.window_start), Date.parse(a.window_end)] as const
    let found = 0
    let repeats = 0
    const latencies: number[] = []
    for (const s of g.spikes) {
      const hits = alerts.filter((a) => {
        const [ws, we] = span(a)
        return ws < s.end && we > s.start && we <= s.end + LATE_BY
      })
      if (hits.length) {
        found++
        latencies.push((span(hits[0]!)[1] - s.start) / HOUR)
      }
      repeats += Math.max(0, alerts.filter((a) => span(a)[1] > s.start && span(a)[0] < s.end + 3 * HOUR).length - 1)
    }
    const falseAlarms = alerts.filter((a) => !g.spikes.some((s) => span(a)[0] < s.end + 3 * HOUR && span(a)[1] > s.start)).length
    const gapAlerts = g.gap ? alerts.filter((a) => span(a)[0] < g.gap!.end + DAY && span(a)[1] > g.gap!.start).length : 0
    return { seed: spec.seed, spikes: g.spikes.length, found, falseAlarms, gapAlerts, latencies, repeats, alerts, spikeList: g.spikes, gap: g.gap }
  } finally {
    closeContext(ctx)
  }
}
