import type { Command } from 'commander'
import { runJob, JOBS } from '../../jobs/scheduled.js'
import { startScheduler } from '../../schedule/scheduler.js'
import type { Io } from '../io.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  runNow?: boolean
}

export function registerStart(program: Command, io: Io): void {
  program
    .command('start')
    .description('Run the daemon: collect, classify, check alerts and write the daily digest on the configured schedules')
    .option('--run-now', 'run every job once at start-up (collect, classify, alerts, digest), then follow the schedule')
    .addHelpText(
      'after',
      `
Schedules are cron expressions under \`schedules\` in the config, run in its time zone. Missed digests
(the daemon was down) are written at the next digest run. Logs are JSON on stderr. SIGINT or SIGTERM
finishes the current batch, stores every cursor and exits 0.

Examples:
  $ npm start
  $ stancewatch start --run-now --log-level debug`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(
        io,
        o,
        async (ctx) => {
          // Signals are handled from the first moment: a stop during --run-now also ends cleanly.
          const abort = new AbortController()
          const stopped = new Promise<string>((resolve) => {
            const stop = (signal: string) => {
              ctx.log.info({ signal }, 'stopping: finishing the current batch')
              abort.abort()
              resolve(signal)
            }
            process.once('SIGINT', () => stop('SIGINT'))
            process.once('SIGTERM', () => stop('SIGTERM'))
          })
          if (o.runNow) {
            for (const job of JOBS) {
              if (abort.signal.aborted) break
              await runJob(ctx, job, abort.signal).catch((e: unknown) => ctx.log.error({ job, err: e }, 'job failed'))
            }
          }
          if (!abort.signal.aborted) {
            const scheduler = startScheduler(ctx)
            ctx.log.info({ pid: process.pid }, 'stancewatch daemon started')
            await stopped
            await scheduler.stop()
          }
          ctx.log.info('stancewatch daemon stopped')
        },
        'info',
      )
    })
}
