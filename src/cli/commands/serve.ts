import type { Command } from 'commander'
import { topicById } from '../../jobs/topics.js'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../web/address.js'
import { startDashboard } from '../../web/server.js'
import { println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { dashboardToken, port, SERVE_HELP } from '../serve-options.js'
import { withContext } from '../session.js'

interface Flags {
  port: number
  host: string
  topic?: string
}

export function registerServe(program: Command, io: Io): void {
  program
    .command('serve')
    .description('The local web dashboard: stance over time, posts, labelling and review, alerts, digests, health')
    .option('-p, --port <n>', 'port to listen on (0: any free port)', port, DEFAULT_PORT)
    .option('--host <address>', 'address to listen on; anything but loopback needs STANCEWATCH_DASHBOARD_TOKEN', DEFAULT_HOST)
    .option('-t, --topic <id>', 'topic shown first (default: the first in the config)')
    .addHelpText(
      'after',
      `${SERVE_HELP}

The first line on stdout is \`listening on http://HOST:PORT\`. SIGINT or SIGTERM closes the server and the
database and exits 0. It runs beside the daemon (\`start --serve\` runs both in one process).

Examples:
  $ stancewatch serve                                  # http://127.0.0.1:8787
  $ stancewatch --db db/demo.sqlite serve --port 8080
  $ STANCEWATCH_DASHBOARD_TOKEN=$(openssl rand -hex 24) stancewatch serve --host 0.0.0.0`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(
        io,
        o,
        async (ctx) => {
          // A topic the config does not have is a usage error now, not a 400 on every page.
          if (o.topic) topicById(ctx, o.topic)
          const dashboard = await startDashboard(ctx, { host: o.host, port: o.port, token: dashboardToken(io), topic: o.topic })
          println(io, `listening on ${dashboard.url}`)
          await new Promise<void>((resolve) => {
            const stop = (signal: string) => {
              ctx.log.info({ signal }, 'dashboard stopping')
              process.off('SIGINT', onInt)
              process.off('SIGTERM', onTerm)
              resolve()
            }
            const onInt = () => stop('SIGINT')
            const onTerm = () => stop('SIGTERM')
            process.on('SIGINT', onInt)
            process.on('SIGTERM', onTerm)
          })
          await dashboard.close()
        },
        { readOnly: true },
      )
    })
}
