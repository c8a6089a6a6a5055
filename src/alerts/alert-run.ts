import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { PLATFORMS, type Platform } from '../domain/post.js'
import {
  activeModelId,
  alertEndsSince,
  firstPostOf,
  gapsForAlerts,
  insertAlert,
  liveSince,
  stanceSeenCounts,
  volumeSeenCounts,
  type NewAlert,
} from '../store/alerts.js'
import { postsInWindow } from '../store/volume.js'
import { buildAlertContext, type StoredAlertContext } from './context.js'
import { Coverage } from './coverage.js'
import { decide, type EpisodeRule } from './episode.js'
import type { AlertLedger } from './ledger.js'
import { detectShift, shiftLookbackHours, type ShiftVerdict } from './stance-shift.js'
import { HOUR_MS, VisibleCounts } from './visible-counts.js'
import { detectSpike, spikeLookbackHours, type SpikeVerdict } from './volume-spike.js'

export const VOLUME_SPIKE = 'volume_spike'
export const STANCE_SHIFT = 'stance_shift'
export const ALERT_KINDS = [VOLUME_SPIKE, STANCE_SHIFT] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

/** What a check found: an alert to raise. */
export interface AlertHit {
  kind: AlertKind
  topic: string
  platform: Platform | null
  /** Stance shift: the label whose share moved. */
  label: string | null
  window_start: string
  window_end: string
  /** Volume: posts. Stance shift: the label's share of classified posts (0–1). */
  observed: number
  expected: number
  /** Volume: standard deviations above expected. Stance shift: the label's z (negative when it fell). */
  score: number
  /** When the check ran, and saw only what had been collected by then. */
  checked_at: string
  partial_coverage: boolean
  /** "79 posts in 3 h vs 9.0 expected", "praise 45% vs 20% usual". */
  headline: string
}

/** An alert a live check stored. */
export interface FiredAlert extends AlertHit {
  id: number
  context: StoredAlertContext
}

/** Ledger over the alerts table: cooldowns and "same event" survive restarts. */
export class StoredLedger implements AlertLedger {
  constructor(private readonly ctx: AppContext) {}
  endsSince(kind: string, topicId: string, since: number) {
    return alertEndsSince(this.ctx.db, kind, topicId, since)
  }
  keep(alert: NewAlert): number | null {
    return insertAlert(this.ctx.db, alert)
  }
}

type Verdict = SpikeVerdict | ShiftVerdict

interface ScopeData {
  volume: VisibleCounts
  stance: VisibleCounts
  labels: string[]
  historyStart: number | null
}

/**
 * One run of the rules over a span of check times: history is read once, verdicts are remembered, so a
 * backtest of a month costs about as much as a month of hourly checks spread over a month.
 */
export class AlertRun {
  private readonly data = new Map<string, ScopeData>()
  private readonly verdicts = new Map<string, Verdict>()
  private readonly coverage: Coverage
  private readonly liveSince: number | null
  private readonly loadFromHour: number
  private readonly loadTo: number
  private readonly rules: Record<AlertKind, EpisodeRule>

  constructor(
    private readonly ctx: AppContext,
    firstCheck: number,
    lastCheck: number,
    private readonly topics: readonly TopicConfig[] = ctx.config.topics,
  ) {
    const { volume_spike: v, stance_shift: s } = ctx.config.alerts
    this.rules = {
      [VOLUME_SPIKE]: { confirmHours: v.confirm_hours, cooldownHours: v.cooldown_hours, maxEventHours: (v.baseline_days + 1) * 24 },
      [STANCE_SHIFT]: { confirmHours: s.confirm_hours, cooldownHours: s.cooldown_hours, maxEventHours: (s.baseline_days + 1) * 24 },
    }
    // Far enough back for every verdict a check can ask for: confirmation and "same event" look at past checks.
    const lookback =
      Math.max(spikeLookbackHours(v) + this.rules[VOLUME_SPIKE].maxEventHours, shiftLookbackHours(s) + this.rules[STANCE_SHIFT].maxEventHours) + 24
    this.loadFromHour = Math.floor(firstCheck / HOUR_MS) - lookback
    this.loadTo = Math.floor(lastCheck / HOUR_MS) * HOUR_MS
    this.liveSince = liveSince(ctx.db)
    this.coverage = new Coverage(gapsForAlerts(ctx.db, this.loadFromHour * HOUR_MS, this.loadTo), this.liveSince)
  }

  /** Every rule, topic and scope at one check time; new alerts go to the ledger (with their context when `describe`). */
  check(at: number, ledger: AlertLedger, describe: boolean): (AlertHit | FiredAlert)[] {
    const end = Math.floor(at / HOUR_MS) * HOUR_MS
    const offset = at - end
    const out: (AlertHit | FiredAlert)[] = []
    for (const topic of this.topics) {
      for (const kind of ALERT_KINDS) {
        const rule = this.rules[kind]
        const earlier = ledger.endsSince(kind, topic.id, end - (rule.maxEventHours + rule.cooldownHours) * HOUR_MS)
        // One event, one alert: the overall scope speaks first; a platform only when the overall one is quiet.
        // An alert on a platform holds back the overall scope (and the overall one every platform) for the same event.
        for (const scope of [null, ...PLATFORMS] as (Platform | null)[]) {
          const last = earlier
            .filter((e) => scope === null || e.platform === null || e.platform === scope)
            .reduce<number | null>((m, e) => Math.max(m ?? -Infinity, e.windowEnd), null)
          const holds = (h: number) => this.verdict(kind, topic, scope, h, Math.min(at, h + offset)).fired
          const decision = decide(end, holds, last, rule)
          if (decision === 'fire') {
            const hit = this.raise(kind, topic, scope, end, at, ledger, describe)
            if (hit) out.push(hit)
          }
          if (scope === null && holds(end)) break
        }
      }
    }
    return out
  }

  private raise(
    kind: AlertKind,
    topic: TopicConfig,
    scope: Platform | null,
    end: number,
    at: number,
    ledger: AlertLedger,
    describe: boolean,
  ): AlertHit | FiredAlert | null {
    const v = this.verdict(kind, topic, scope, end, at)
    const hours = kind === VOLUME_SPIKE ? (v as SpikeVerdict).windowHours : this.ctx.config.alerts.stance_shift.window_hours
    const windowStart = end - hours * HOUR_MS
    const label = kind === STANCE_SHIFT ? (v as ShiftVerdict).label : null
    const partial = kind === VOLUME_SPIKE && (v as SpikeVerdict).partialCoverage
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`
    const hit: AlertHit = {
      kind,
      topic: topic.id,
      platform: scope,
      label,
      window_start: new Date(windowStart).toISOString(),
      window_end: new Date(end).toISOString(),
      observed: v.observed,
      expected: v.expected,
      score: v.score,
      checked_at: new Date(at).toISOString(),
      partial_coverage: partial,
      headline:
        kind === VOLUME_SPIKE
          ? `${v.observed} posts in ${hours} h vs ${v.expected.toFixed(1)} expected`
          : `${label} ${pct(v.observed)} vs ${pct(v.expected)} usual`,
    }
    const context = describe ? this.describe(kind, topic, scope, windowStart, end, at, v) : ({} as StoredAlertContext)
    const id = ledger.keep({
      dedupeKey: `${kind}|${topic.id}|${scope ?? 'all'}|${end}`,
      kind,
      topicId: topic.id,
      platform: scope,
      windowStart,
      windowEnd: end,
      observed: v.observed,
      expected: v.expected,
      score: v.score,
      context,
      firedAt: this.ctx.now().getTime(),
    })
    if (id === null) return null
    if (!describe) return hit
    this.ctx.log.warn(
      {
        alert: {
          id,
          kind,
          topic: topic.id,
          platform: scope,
          label,
          window_start: hit.window_start,
          observed: v.observed,
          expected: v.expected,
          score: v.score,
          partial_coverage: partial,
        },
      },
      v.reason,
    )
    return { ...hit, id, context }
  }

  /** The window's posts as the check saw them, against the week before for terms. */
  private describe(kind: AlertKind, topic: TopicConfig, scope: Platform | null, from: number, to: number, at: number, v: Verdict): StoredAlertContext {
    const seenBy = { asOf: at, liveSince: this.liveSince }
    const posts = postsInWindow(this.ctx.db, topic.id, from, to, scope, seenBy)
    const baseline = postsInWindow(this.ctx.db, topic.id, from - 7 * 24 * HOUR_MS, from, scope, seenBy).slice(-5000)
    const gaps = this.coverage.gapsAt(scope, from, to, at)
    const shift = kind === STANCE_SHIFT ? (v as ShiftVerdict) : null
    return {
      ...buildAlertContext(posts, { baseline, topPosts: 5 }),
      ...(shift ? { label: shift.label ?? undefined, shares: shift.shares, pValue: shift.pValue } : {}),
      windowHours: Math.round((to - from) / HOUR_MS),
      baselineDays: v.baselineDays,
      partialCoverage: kind === VOLUME_SPIKE && (v as SpikeVerdict).partialCoverage,
      gaps: gaps.map((g) => ({ source: g.source, start: new Date(g.startAt).toISOString(), end: new Date(g.endAt).toISOString(), reason: g.reason })),
      checkedAt: new Date(at).toISOString(),
    }
  }

  /** The rule's verdict for the hour ending at `end`, from what had been collected by `asOf`. */
  private verdict(kind: AlertKind, topic: TopicConfig, scope: Platform | null, end: number, asOf: number): Verdict {
    const key = `${kind}|${topic.id}|${scope}|${end}|${asOf}`
    let v = this.verdicts.get(key)
    if (v) return v
    const data = this.scopeData(topic, scope)
    const endHour = end / HOUR_MS
    const { volume_spike, stance_shift } = this.ctx.config.alerts
    const fromHour = endHour - (kind === VOLUME_SPIKE ? spikeLookbackHours(volume_spike) : shiftLookbackHours(stance_shift))
    // Hours before what was loaded are unknown, never zeros.
    const known = this.coverage.knownHours(scope, fromHour, endHour, asOf, data.historyStart).map((k, i) => k && fromHour + i >= this.loadFromHour)
    v =
      kind === VOLUME_SPIKE
        ? detectSpike({ hourly: data.volume.totals(fromHour, endHour, asOf), known }, volume_spike)
        : detectShift({ labels: data.labels, counts: data.stance.table(fromHour, endHour, asOf), known }, stance_shift)
    this.verdicts.set(key, v)
    return v
  }

  private scopeData(topic: TopicConfig, scope: Platform | null): ScopeData {
    const key = `${topic.id}|${scope}`
    let d = this.data.get(key)
    if (d) return d
    const filter = { topicId: topic.id, from: this.loadFromHour * HOUR_MS, to: this.loadTo, platform: scope, liveSince: this.liveSince }
    // 'uncertain' is left out of the shares: a model less sure of itself is not a change of opinion.
    const labels = topic.stance.labels.map((l) => l.id)
    d = {
      volume: new VisibleCounts([''], volumeSeenCounts(this.ctx.db, filter)),
      stance: new VisibleCounts(labels, stanceSeenCounts(this.ctx.db, { ...filter, modelId: activeModelId(this.ctx.db, topic.id) })),
      labels,
      historyStart: this.historyStart(topic, scope),
    }
    this.data.set(key, d)
    return d
  }

  /**
   * The first post of the scope. Overall, the latest first post among the platforms: a platform collected
   * from a later day on would otherwise look like a surge of the whole topic.
   */
  private historyStart(topic: TopicConfig, scope: Platform | null): number | null {
    if (scope !== null) return firstPostOf(this.ctx.db, topic.id, scope)
    const firsts = PLATFORMS.map((p) => firstPostOf(this.ctx.db, topic.id, p)).filter((t): t is number => t !== null)
    return firsts.length ? Math.max(...firsts) : null
  }
}
