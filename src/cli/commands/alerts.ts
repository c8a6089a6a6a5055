import type { Command } from 'commander'
import { DateTime } from 'luxon'
import { parseUserTime } from '../../aggregate/time-buckets.js'
import { UsageError } from '../../domain/errors.js'
import type { AlertHit } from '../../alerts/alert-run.js'
import { backtestAlerts, checkAlerts, deliverAlerts } from '../../jobs/alerts.js'
import { topicById } from '../../jobs/topics.js'
import { ALERT_STATES, alertById, recentAlerts, setAlertState, type AlertRecord, type AlertState } from '../../store/alerts.js'
import { printJson, println, type Io } from '../io.js'
import { oneOf, optionsOf, positiveInt } from '../options.js'
import { exclusive, withContext } from '../session.js'
import { formatTable } from '../table.js'
import { alertNumber, registerAlertsShow } from './alerts-show.js'

interface CheckFlags {
  at?: string
  topic?: string
  deliver?: boolean
  json?: boolean
}
interface ListFlags {
  topic?: string
  state?: AlertState
  limit: number
  json?: boolean
}
interface BacktestFlags {
  from: string
  to: string
  topic?: string
  json?: boolean
}

export function registerAlerts(program: Command, io: Io): void {
  const alerts = program.command('alerts').description('Volume spikes and stance shifts: check now, backtest on history, list, show, acknowledge')
  alerts
    .command('check')
    .description('Run the alert rules now (or as of --at) and store and log any new alert')
    .option('--at <iso>', 'evaluate as if the time were this ISO instant (default: now); only posts collected by then count')
    .option('-t, --topic <id>', 'only this topic (default: every topic)')
    .option('--deliver', 'also send new alerts through the notify channels (the daemon always does)')
    .option('--json', 'print the new alerts as JSON')
    .addHelpText(
      'after',
      `
The same event never alerts twice: a spike or shift that still holds is the event already reported, and a
cooldown (alerts.*.cooldown_hours) spaces new ones.

Examples:
  $ stancewatch alerts check --deliver
  $ stancewatch alerts check --topic china-ai-fund
  $ stancewatch alerts check --at 2025-07-16T15:05:00Z --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<CheckFlags>(cmd)
      const at = o.at ? new Date(o.at) : undefined
      if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at ${o.at}: not an ISO time such as 2025-07-16T15:00:00Z`)
      await withContext(io, o, async (ctx) => {
        const { fired, deliveries } = await exclusive(ctx, io, o, 'alerts', 'stancewatch alerts check', async () => {
          const found = checkAlerts(ctx, at, topicById(ctx, o.topic))
          return { fired: found, deliveries: o.deliver ? await deliverAlerts(ctx, found) : [] }
        })
        if (o.json) printJson(io, { alerts: fired, ...(o.deliver ? { deliveries } : {}) })
        else if (fired.length === 0) println(io, 'no new alerts')
        else for (const a of fired) println(io, `#${a.id} ${describe(a, ctx.config.timezone)}`)
        const failed = deliveries.filter((d) => d.status === 'failed')
        if (failed.length && !o.json)
          println(io, `delivery failed for ${failed.map((d) => `${d.key} on ${d.channel}`).join(', ')} (retried later by the daemon)`)
      })
    })
  alerts
    .command('backtest')
    .description('Run the rules over stored history as if live at every scheduled check; store and send nothing')
    .requiredOption('--from <date>', 'start: YYYY-MM-DD (midnight in the time zone) or an ISO time')
    .requiredOption('--to <date>', 'end: YYYY-MM-DD (that whole day included) or an ISO time (excluded)')
    .option('-t, --topic <id>', 'only this topic')
    .option('--json', 'print the alerts that would have fired as a JSON array')
    .addHelpText(
      'after',
      `
Checks run at every time the alerts schedule (schedules.alerts) fires in the range, each seeing only the
posts collected by then (history loaded before the first live collection counts from when it was posted).
Tune alerts.volume_spike and alerts.stance_shift in the config, run it again, compare.

Examples:
  $ stancewatch alerts backtest --from 2025-07-01 --to 2025-07-31
  $ stancewatch alerts backtest --from 2025-07-10 --to 2025-07-26 --topic china-ai-fund --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<BacktestFlags>(cmd)
      await withContext(
        io,
        o,
        (ctx) => {
          const zone = ctx.config.timezone
          const from = parseUserTime(o.from, zone, 'from', '--from')
          const to = parseUserTime(o.to, zone, 'to', '--to')
          if (to <= from) throw new UsageError('--to must be after --from')
          topicById(ctx, o.topic)
          const result = backtestAlerts(ctx, { from, to, topic: o.topic })
          if (o.json) {
            printJson(io, result.alerts)
            return
          }
          if (result.alerts.length) {
            println(
              io,
              formatTable(
                ['kind', 'topic', 'platform', `window (${zone})`, 'observed', 'expected', 'score'],
                result.alerts.map((a) => [
                  a.kind,
                  a.topic,
                  a.platform ?? 'all',
                  span(a.window_start, a.window_end, zone),
                  observed(a),
                  expected(a),
                  a.score.toFixed(1),
                ]),
              ),
            )
          }
          println(io, summaryLine(result.alerts, result.checks))
        },
        { readOnly: true },
      )
    })
  alerts
    .command('list')
    .description('List stored alerts, newest first')
    .option('-t, --topic <id>', 'only this topic')
    .option('--state <state>', `only alerts in this state (${ALERT_STATES.join(', ')})`, oneOf(ALERT_STATES))
    .option('-n, --limit <n>', 'how many', positiveInt, 20)
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ stancewatch alerts list\n  $ stancewatch alerts list --state open --limit 5 --json')
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<ListFlags>(cmd)
      await withContext(
        io,
        o,
        (ctx) => {
          if (o.topic) topicById(ctx, o.topic)
          const rows = recentAlerts(ctx.db, o.limit, o.topic ?? null, o.state ?? null)
          if (o.json) {
            printJson(io, { alerts: rows.map(asJson) })
            return
          }
          if (rows.length === 0) return println(io, o.state ? `no ${o.state} alerts stored` : 'no alerts stored')
          const zone = ctx.config.timezone
          println(
            io,
            formatTable(
              ['#', 'state', 'kind', 'topic', 'platform', `window (${zone})`, 'observed', 'expected', 'score'],
              rows.map((a) => {
                const hit = { kind: a.kind, label: labelOf(a), observed: a.observed, expected: a.expected }
                return [
                  String(a.id),
                  a.state,
                  a.kind,
                  a.topicId,
                  a.platform ?? 'all',
                  span(a.windowStart, a.windowEnd, zone),
                  observed(hit),
                  expected(hit),
                  a.score.toFixed(1),
                ]
              }),
            ),
          )
        },
        { readOnly: true },
      )
    })
  registerAlertsShow(alerts, io)
  for (const [name, state, what] of [
    ['ack', 'acknowledged', 'Mark alerts as seen and being handled'],
    ['resolve', 'resolved', 'Mark alerts as dealt with'],
    ['reopen', 'open', 'Mark alerts as open again'],
  ] as const) {
    alerts
      .command(`${name} <ids...>`)
      .description(`${what} (state ${state})`)
      .addHelpText('after', `\nExample:\n  $ stancewatch alerts ${name} 12 13`)
      .action(async (ids: string[], _: unknown, cmd: Command) => {
        const numbers = ids.map(alertNumber)
        await withContext(io, optionsOf<object>(cmd), (ctx) => {
          const missing = numbers.filter((n) => !alertById(ctx.db, n))
          if (missing.length) throw new UsageError(`no alert #${missing.join(', #')} (see \`stancewatch alerts list\`)`)
          for (const n of numbers) setAlertState(ctx.db, n, state)
          println(io, `${numbers.map((n) => `#${n}`).join(', ')}: ${state}`)
        })
      })
  }
}

function asJson(a: AlertRecord) {
  return {
    ...a,
    windowStart: new Date(a.windowStart).toISOString(),
    windowEnd: new Date(a.windowEnd).toISOString(),
    firedAt: new Date(a.firedAt).toISOString(),
  }
}

function labelOf(a: AlertRecord): string | null {
  const label = (a.context as { label?: unknown } | null)?.label
  return typeof label === 'string' ? label : null
}

type Shown = Pick<AlertHit, 'label' | 'observed' | 'expected'> & { kind: string }

const pct = (x: number) => `${(x * 100).toFixed(0)}%`
const observed = (a: Shown) => (a.kind === 'stance_shift' ? `${a.label ?? ''} ${pct(a.observed)}`.trim() : String(a.observed))
const expected = (a: Shown) => (a.kind === 'stance_shift' ? pct(a.expected) : a.expected.toFixed(1))

function span(from: string | number, to: string | number, zone: string): string {
  const a = DateTime.fromMillis(typeof from === 'number' ? from : Date.parse(from), { zone })
  const b = DateTime.fromMillis(typeof to === 'number' ? to : Date.parse(to), { zone })
  return `${a.toFormat('yyyy-MM-dd HH:mm')}–${b.toFormat(a.hasSame(b, 'day') ? 'HH:mm' : 'MM-dd HH:mm')}`
}

function describe(a: AlertHit, zone: string): string {
  const what = a.kind === 'stance_shift' ? 'stance shift' : 'volume spike'
  return `${what} ${a.topic}${a.platform ? ` on ${a.platform}` : ''} ${span(a.window_start, a.window_end, zone)} ${zone}: ${a.headline}${a.partial_coverage ? ' (partial coverage: a count is a lower bound)' : ''}`
}

function summaryLine(alerts: readonly AlertHit[], checks: number): string {
  const spikes = alerts.filter((a) => a.kind === 'volume_spike').length
  const shifts = alerts.filter((a) => a.kind === 'stance_shift').length
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  return `${plural(alerts.length, 'alert')} would have fired over ${plural(checks, 'check')}: ${plural(spikes, 'volume spike')}, ${plural(shifts, 'stance shift')} (nothing stored or sent)`
}
