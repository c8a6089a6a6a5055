import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { AlertRun, StoredLedger, type AlertHit, type FiredAlert } from '../alerts/alert-run.js'
import { scheduleTimes } from '../alerts/check-times.js'
import { MemoryLedger } from '../alerts/ledger.js'
import { alertMessage } from '../alerts/message.js'
import type { DeliveryResult, Message } from '../domain/message.js'
import { deliver } from '../notify/deliver.js'
import { alertById } from '../store/alerts.js'

/**
 * Run the alert rules as of `at` for every topic, overall and per platform. New alerts are stored (the same
 * event never twice) and logged; returns them. The check sees only what had been collected by `at`.
 */
export function checkAlerts(ctx: AppContext, at: Date = ctx.now(), topics?: readonly TopicConfig[]): FiredAlert[] {
  const t = at.getTime()
  return new AlertRun(ctx, t, t, topics).check(t, new StoredLedger(ctx), true) as FiredAlert[]
}

/** Check at every time the alerts schedule fires in [from, to], as the daemon would have; stores what fires (demo, catch-up). */
export function checkAlertsOverRange(ctx: AppContext, from: number, to: number): FiredAlert[] {
  const times = scheduleTimes(ctx.config.schedules.alerts, ctx.config.timezone, from, to + 1)
  if (!times.length) return []
  const run = new AlertRun(ctx, times[0]!, times.at(-1)!)
  const ledger = new StoredLedger(ctx)
  return times.flatMap((t) => run.check(t, ledger, true) as FiredAlert[])
}

export interface BacktestResult {
  from: string
  to: string
  /** Times the rules were run: every firing of the alerts schedule in the range. */
  checks: number
  alerts: AlertHit[]
}

/**
 * The rules over stored history as if live at every scheduled check in [from, to): each check sees only
 * what had been collected by then, cooldowns and "same event" follow the alerts of the backtest itself.
 * Nothing is stored and nothing is sent.
 */
export function backtestAlerts(ctx: AppContext, opts: { from: number; to: number; topic?: string }): BacktestResult {
  const times = scheduleTimes(ctx.config.schedules.alerts, ctx.config.timezone, opts.from, opts.to)
  const result = { from: new Date(opts.from).toISOString(), to: new Date(opts.to).toISOString(), checks: times.length, alerts: [] as AlertHit[] }
  if (!times.length) return result
  const topics = ctx.config.topics.filter((t) => opts.topic === undefined || t.id === opts.topic)
  const run = new AlertRun(ctx, times[0]!, times.at(-1)!, topics)
  const ledger = new MemoryLedger()
  for (const t of times) result.alerts.push(...run.check(t, ledger, false))
  return result
}

/** The messages for newly fired alerts, ready for the notify module (see deliverAlerts). */
export function alertMessages(ctx: AppContext, fired: readonly FiredAlert[]): Message[] {
  return fired.flatMap((a) => {
    const stored = alertById(ctx.db, a.id)
    if (!stored) return []
    const topic = ctx.config.topics.find((t) => t.id === stored.topicId)
    const labelNames = Object.fromEntries((topic?.stance.labels ?? []).map((l) => [l.id, l.name]))
    return [alertMessage(stored, { zone: ctx.config.timezone, labelNames })]
  })
}

/**
 * Send newly fired alerts through the configured notify channels: the one place alerts meet delivery. Each
 * channel sends a given alert once (its key is `alert:<id>`); failures are recorded and retried by notify.
 */
export async function deliverAlerts(ctx: AppContext, fired: readonly FiredAlert[], o: { signal?: AbortSignal } = {}): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = []
  for (const m of alertMessages(ctx, fired)) results.push(...(await deliver(ctx, m, { signal: o.signal })))
  return results
}
