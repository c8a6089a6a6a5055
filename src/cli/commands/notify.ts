import type { Command } from 'commander'
import { UsageError } from '../../domain/errors.js'
import { deliver } from '../../notify/deliver.js'
import type { DeliveryResult } from '../../domain/message.js'
import { testMessage } from '../../notify/test-message.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'
import { formatTable } from '../table.js'

interface TestFlags {
  channel?: string[]
  json?: boolean
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function registerNotify(program: Command, io: Io): void {
  const notify = program.command('notify').description('Notification channels (log, webhook, Slack, Discord, e-mail, Bluesky)')
  notify
    .command('test')
    .description('Send a harmless test message through the configured channels and show what each did')
    .option('--channel <id>', 'only this channel (repeat for several)', collect)
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
Each channel gets the test as an alert, or as a digest (or an operational alert) if it takes only those
(its \`send\` setting), with the same retries as a real delivery. A channel whose secret variable is not set is reported as skipped.
Channels are configured under notify.channels in the config; secrets come from the environment.

Examples:
  $ stancewatch notify test
  $ stancewatch notify test --channel team-slack
  $ SLACK_WEBHOOK_URL=https://hooks.slack.com/services/… stancewatch notify test --channel team-slack --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<TestFlags>(cmd)
      await withContext(io, o, async (ctx) => {
        const configured = ctx.config.notify.channels
        const unknown = (o.channel ?? []).filter((id) => !configured.some((c) => c.id === id))
        if (unknown.length) {
          throw new UsageError(
            `--channel ${unknown.join(', ')}: no such channel in ${ctx.configFile}; configured: ${configured.map((c) => c.id).join(', ') || '(none: add some under notify.channels)'}`,
          )
        }
        const chosen = o.channel ? configured.filter((c) => o.channel!.includes(c.id)) : configured
        const results: DeliveryResult[] = []
        for (const c of chosen) {
          const message = testMessage(ctx.config, c.send.includes('alerts') ? 'alert' : c.send.includes('digest') ? 'digest' : 'ops', ctx.now())
          results.push(...(await deliver(ctx, message, { channels: [c.id], force: true })))
        }
        if (o.json) return printJson(io, { results })
        if (results.length === 0) return println(io, `no notify channels configured in ${ctx.configFile}`)
        println(
          io,
          formatTable(
            ['channel', 'type', 'result', 'tries', 'detail'],
            results.map((r) => [r.channel, chosen.find((c) => c.id === r.channel)!.type, r.status, String(r.attempts), r.error ?? '']),
          ),
        )
      })
    })
}
