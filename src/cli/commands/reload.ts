import type { Command } from 'commander'
import { locateProblems } from '../../config/load.js'
import { checkSources } from '../../config/source-check.js'
import { ConfigError, UsageError } from '../../domain/errors.js'
import { currentHolder, DAEMON_LEASE } from '../../jobs/leases.js'
import { thisProcess } from '../../jobs/process-identity.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'

export function registerReload(program: Command, io: Io): void {
  program
    .command('reload')
    .description('Make the running daemon re-read its configuration (SIGHUP), after checking the file here first')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The file is validated first (as \`config check\` does): an invalid one is reported here (exit 2) and the
daemon is not disturbed. A daemon that receives SIGHUP with a file that has become invalid keeps running
with the configuration it has, and logs why. Schedules, topics, thresholds and channels change at once;
the live stream restarts (after its current batch) when its topics or settings changed. Environment
variables (credentials) are read at start only: restart the daemon for those.

Examples:
  $ stancewatch reload
  $ sudo systemctl reload stancewatch      # the same, through the unit's ExecReload`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<{ json?: boolean }>(cmd)
      await withContext(
        io,
        o,
        (ctx) => {
          const sources = checkSources(ctx.config, ctx.env)
          if (sources.problems.length) throw new ConfigError(locateProblems(ctx.configFile, sources.problems))
          const holder = currentHolder(ctx, DAEMON_LEASE)
          if (!holder) throw new UsageError(`no stancewatch daemon is running on ${ctx.db.name}; the configuration is valid and will be read when one starts`)
          if (holder.host !== thisProcess().host)
            throw new UsageError(`the daemon runs on ${holder.host} (pid ${holder.pid}): run \`stancewatch reload\` there`)
          process.kill(holder.pid, 'SIGHUP')
          if (o.json) return printJson(io, { reloaded: true, pid: holder.pid, config: ctx.configFile })
          println(io, `asked the daemon (pid ${holder.pid}) to re-read ${ctx.configFile}; it logs "configuration reloaded"`)
        },
        { readOnly: true },
      )
    })
}
