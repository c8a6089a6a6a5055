import type { Command } from 'commander'
import { alertDetails } from '../../alerts/details.js'
import { UsageError } from '../../domain/errors.js'
import { alertDetailsText } from '../alert-details-text.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'

/** An alert number as people type it: 12 or #12. */
export function alertNumber(id: string): number {
  const n = Number(id.replace(/^#/, ''))
  if (!/^#?\d+$/.test(id) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${id}: not an alert number (see \`stancewatch alerts list\`)`)
  return n
}

export function registerAlertsShow(alerts: Command, io: Io): void {
  alerts
    .command('show <id>')
    .description('One alert in full: state, window, observed against expected, stance mix, terms, accounts and posts')
    .option('--json', 'print the alert as one JSON document')
    .addHelpText(
      'after',
      `
Shows what the alert stored when it fired (the window as collected by then), not today's counts. Times
are in the configured zone (--json: ISO UTC). Post text is shown as written, minus control characters.

Examples:
  $ stancewatch alerts show 12
  $ stancewatch alerts show '#12' --json`,
    )
    .action(async (id: string, _: unknown, cmd: Command) => {
      const o = optionsOf<{ json?: boolean }>(cmd)
      const n = alertNumber(id)
      await withContext(
        io,
        o,
        (ctx) => {
          const d = alertDetails(ctx.db, n)
          // A number that names nothing is a mistyped argument, as for `alerts ack` and `label`: exit 2.
          if (!d) throw new UsageError(`no alert #${n} (see \`stancewatch alerts list\`)`)
          if (o.json) printJson(io, d)
          else println(io, alertDetailsText(d, ctx.config.timezone))
        },
        { readOnly: true },
      )
    })
}
