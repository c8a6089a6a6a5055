import type { Command } from 'commander'
import { locateProblems } from '../../config/load.js'
import { checkSources } from '../../config/source-check.js'
import { reloadContext } from '../../context.js'
import { ConfigError } from '../../domain/errors.js'
import { startDaemon } from '../../schedule/daemon.js'
import type { Io } from '../io.js'
import { earlySighup } from '../early-sighup.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  runNow?: boolean
}

/** How often the daemon checks that the npm/npx process that started it is still there. */
const PARENT_CHECK_MS = 1000

export function registerStart(program: Command, io: Io): void {
  program
    .command('start')
    .description('Run the daemon: collect, classify, check alerts and write the daily digest on the configured schedules')
    .option('--run-now', 'run every job once at start-up (collect, classify, alerts, digest), then follow the schedule')
    .addHelpText(
      'after',
      `
One daemon per database: a second \`start\` on the same database exits 2 naming the running one (a daemon
that was killed is taken over). Commands such as status, stance or collect work beside it; a command that
runs a job the daemon is running at that moment refuses (or waits, with --wait).

Schedules are cron expressions under \`schedules\` in the config, run in its time zone; a slot missed while
the daemon was down runs once when it is back (missed digests are all written). Logs are JSON on stderr
(readable lines on a terminal). SIGINT or SIGTERM finishes the current batch, stores every cursor and exits 0
within daemon.shutdown_timeout_seconds; SIGHUP (or \`stancewatch reload\`) re-reads the config and keeps the
running one if the new one is invalid.

Examples:
  $ npm start
  $ stancewatch start --run-now --log-level debug
  $ kill -HUP <pid>        # re-read the config`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(
        io,
        o,
        async (ctx) => {
          // What `config check` refuses, the daemon refuses too: it would run and collect nothing.
          const sources = checkSources(ctx.config, ctx.env)
          if (sources.problems.length) throw new ConfigError(locateProblems(ctx.configFile, sources.problems))
          const daemon = startDaemon(ctx, { runNow: o.runNow, reloadConfig: reloadContext })
          let signals = 0
          const stop = (why: string) => {
            if (++signals > 1) {
              ctx.log.warn({ why }, 'second stop request: stopping at once')
              daemon.abandon()
            }
            void daemon.stop(why)
          }
          const onInt = () => stop('SIGINT')
          const onTerm = () => stop('SIGTERM')
          const onHup = () => void daemon.reload()
          process.on('SIGINT', onInt)
          process.on('SIGTERM', onTerm)
          process.on('SIGHUP', onHup)
          // A SIGHUP that came while the daemon was starting may be about a file read before the change.
          if ((earlySighup()?.count ?? 0) > 0) onHup()
          // Under npm or npx a shell sits between the wrapper and this process: when the wrapper is stopped,
          // the signal may not reach us, and we would run on as an orphan. Its disappearance is the signal.
          const parent = process.ppid
          const watch = io.env.npm_command
            ? setInterval(() => {
                if (process.ppid !== parent) stop(`the ${io.env.npm_command === 'exec' ? 'npx' : 'npm'} process that started the daemon has exited`)
              }, PARENT_CHECK_MS)
            : null
          try {
            await daemon.done
          } finally {
            if (watch) clearInterval(watch)
            process.off('SIGINT', onInt)
            process.off('SIGTERM', onTerm)
            process.off('SIGHUP', onHup)
          }
        },
        { logLevel: 'info' },
      )
    })
}
