import type { Command } from 'commander'
import { UsageError } from '../../domain/errors.js'
import { checkAlerts, type FiredAlert } from '../../jobs/alerts.js'
import { recentAlerts } from '../../store/alerts.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf, positiveInt } from '../options.js'
import { withContext } from '../session.js'
import { formatTable } from '../table.js'

interface CheckFlags {
  at?: string
  json?: boolean
}
interface ListFlags {
  topic?: string
  limit: number
  json?: boolean
}

export function registerAlerts(program: Command, io: Io): void {
  const alerts = program.command('alerts').description('Volume-spike alerts: check now, or list what fired')
  alerts
    .command('check')
    .description('Run the alert rules now (or as of --at) and store and log any new alert')
    .option('--at <iso>', 'evaluate as if the time were this ISO instant (default: now)')
    .option('--json', 'print the new alerts as JSON')
    .addHelpText(
      'after',
      `
The same event never alerts twice; a cooldown (alerts.volume_spike.cooldown_hours) spaces repeats.

Examples:
  $ stancewatch alerts check
  $ stancewatch alerts check --at 2025-07-16T15:00:00Z --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<CheckFlags>(cmd)
      const at = o.at ? new Date(o.at) : undefined
      if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at ${o.at}: not an ISO time such as 2025-07-16T15:00:00Z`)
      await withContext(io, o, (ctx) => {
        const fired = checkAlerts(ctx, at)
        if (o.json) printJson(io, { alerts: fired })
        else if (fired.length === 0) println(io, 'no new alerts')
        else for (const a of fired) println(io, describe(a))
      })
    })
  alerts
    .command('list')
    .description('List stored alerts, newest first')
    .option('-t, --topic <id>', 'only this topic')
    .option('-n, --limit <n>', 'how many', positiveInt, 20)
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ stancewatch alerts list\n  $ stancewatch alerts list --limit 5 --json')
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<ListFlags>(cmd)
      await withContext(io, o, (ctx) => {
        const rows = recentAlerts(ctx.db, o.limit, o.topic ?? null)
        if (o.json) {
          printJson(io, { alerts: rows.map((a) => ({ ...a, windowStart: new Date(a.windowStart).toISOString(), windowEnd: new Date(a.windowEnd).toISOString(), firedAt: new Date(a.firedAt).toISOString() })) })
          return
        }
        if (rows.length === 0) return println(io, 'no alerts stored')
        println(
          io,
          formatTable(
            ['#', 'kind', 'topic', 'platform', 'window (UTC)', 'observed', 'expected', 'σ'],
            rows.map((a) => [String(a.id), a.kind, a.topicId, a.platform ?? 'all', `${new Date(a.windowStart).toISOString().slice(0, 16)}–${new Date(a.windowEnd).toISOString().slice(11, 16)}`, String(a.observed), a.expected.toFixed(1), a.score.toFixed(1)]),
          ),
        )
      })
    })
}

function describe(a: FiredAlert): string {
  return `${a.kind} ${a.topic}${a.platform ? ` on ${a.platform}` : ''} ${a.window_start}–${a.window_end}: ${a.observed} posts vs ${a.expected.toFixed(1)} expected (${a.score.toFixed(1)} σ)`
}
