import { HOUR_MS } from './visible-counts.js'

export interface EpisodeRule {
  /** The condition must hold at this many consecutive hourly checks. */
  confirmHours: number
  /** No new alert this soon after the previous one. */
  cooldownHours: number
  /** An event that has held longer than this since its alert is not followed further back. */
  maxEventHours: number
}

export type Decision = 'fire' | 'quiet' | 'unconfirmed' | 'cooldown' | 'same-event'

/**
 * Whether the check of the hour ending at `end` raises a new alert. `holds(h)` says whether the rule's
 * condition held at the check of the hour ending at h, with the data of then. The answer depends only on
 * stored alerts and stored posts, so a restart, a re-run or a backtest gives the same one:
 * - it must hold at `confirmHours` consecutive checks (a lone noisy hour does not alert);
 * - not within `cooldownHours` of the previous alert;
 * - and not when it has held at every check since the previous alert: that is the same event, still going
 *   (overlapping windows of one spike, a new normal the baseline has not absorbed yet).
 */
export function decide(end: number, holds: (end: number) => boolean, lastAlertEnd: number | null, rule: EpisodeRule): Decision {
  if (!holds(end)) return 'quiet'
  for (let k = 1; k < rule.confirmHours; k++) if (!holds(end - k * HOUR_MS)) return 'unconfirmed'
  if (lastAlertEnd === null || lastAlertEnd >= end) return lastAlertEnd === null ? 'fire' : 'same-event'
  if (end - lastAlertEnd < rule.cooldownHours * HOUR_MS) return 'cooldown'
  if (end - lastAlertEnd <= rule.maxEventHours * HOUR_MS) {
    let h = end - rule.confirmHours * HOUR_MS
    while (h > lastAlertEnd && holds(h)) h -= HOUR_MS
    if (h <= lastAlertEnd) return 'same-event'
  }
  return 'fire'
}
