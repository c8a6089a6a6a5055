import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import type { Platform } from '../domain/post.js'
import { buildAlertContext, type AlertContext } from '../alerts/context.js'
import { detectSpike } from '../alerts/volume-spike.js'
import { insertAlert, lastAlertEnd } from '../store/alerts.js'
import { gapsOverlapping } from '../store/gaps.js'
import { firstPostAt, HOUR_MS, hourlyCounts, postsInWindow } from '../store/volume.js'

export const VOLUME_SPIKE = 'volume_spike'

export interface FiredAlert {
  id: number
  kind: string
  topic: string
  platform: Platform | null
  window_start: string
  window_end: string
  observed: number
  expected: number
  score: number
  context: AlertContext
}

const SCOPES: (Platform | null)[] = [null, 'x', 'bluesky']

/**
 * Run the alert rules as of `at` (rounded down to the hour) for every topic, overall and per platform.
 * New alerts are stored (the same event never twice) and logged; returns them.
 */
export function checkAlerts(ctx: AppContext, at: Date = ctx.now()): FiredAlert[] {
  const end = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS
  const fired: FiredAlert[] = []
  for (const topic of ctx.config.topics) {
    // One event, one alert: a spike across all platforms covers the same spike seen on X or Bluesky, so
    // the per-platform rule only speaks when the overall one is quiet.
    const overall = checkVolumeSpike(ctx, topic, null, end)
    if (overall) {
      fired.push(overall)
      continue
    }
    for (const platform of SCOPES.filter((p) => p !== null)) {
      const a = checkVolumeSpike(ctx, topic, platform, end)
      if (a) fired.push(a)
    }
  }
  return fired
}

function checkVolumeSpike(ctx: AppContext, topic: TopicConfig, platform: Platform | null, end: number): FiredAlert | null {
  const s = ctx.config.alerts.volume_spike
  const windowStart = end - s.window_hours * HOUR_MS
  // Cooldown against this scope and, for a platform, against the overall alert of the same event.
  const last = Math.max(lastAlertEnd(ctx.db, VOLUME_SPIKE, topic.id, platform) ?? -Infinity, platform ? (lastAlertEnd(ctx.db, VOLUME_SPIKE, topic.id, null) ?? -Infinity) : -Infinity)
  if (windowStart < last + s.cooldown_hours * HOUR_MS) return null
  // A window that overlaps a collection gap is not comparable with its baseline: no verdict at all.
  if (gapsOverlapping(ctx.db, windowStart, end).length) return null

  const historyStart = end - (s.baseline_days * 24 + s.window_hours) * HOUR_MS
  const first = firstPostAt(ctx.db, topic.id)
  if (first === null) return null
  const hourly = hourlyCounts(ctx.db, topic.id, historyStart, end, platform)
  const historyHours = Math.max(0, Math.floor((end - Math.floor(first / HOUR_MS) * HOUR_MS) / HOUR_MS))
  const v = detectSpike({ hourly, historyHours }, s)
  if (!v.fired) return null

  const context = buildAlertContext(postsInWindow(ctx.db, topic.id, windowStart, end, platform))
  const firedAt = ctx.now().getTime()
  const id = insertAlert(ctx.db, {
    dedupeKey: `${VOLUME_SPIKE}|${topic.id}|${platform ?? 'all'}|${windowStart}`,
    kind: VOLUME_SPIKE,
    topicId: topic.id,
    platform,
    windowStart,
    windowEnd: end,
    observed: v.observed,
    expected: v.expected,
    score: v.score,
    context,
    firedAt,
  })
  if (id === null) return null
  const alert: FiredAlert = {
    id,
    kind: VOLUME_SPIKE,
    topic: topic.id,
    platform,
    window_start: new Date(windowStart).toISOString(),
    window_end: new Date(end).toISOString(),
    observed: v.observed,
    expected: v.expected,
    score: v.score,
    context,
  }
  ctx.log.warn({ alert: { id, kind: VOLUME_SPIKE, topic: topic.id, platform, window_start: alert.window_start, observed: v.observed, expected: v.expected, score: v.score } }, v.reason)
  return alert
}

/** Run the checks at every hour in [from, to), as the daemon would have: for the demo and catch-up. */
export function checkAlertsOverRange(ctx: AppContext, from: number, to: number): FiredAlert[] {
  const fired: FiredAlert[] = []
  for (let t = Math.ceil(from / HOUR_MS) * HOUR_MS; t <= to; t += HOUR_MS) fired.push(...checkAlerts(ctx, new Date(t)))
  return fired
}
