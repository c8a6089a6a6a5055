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
          if (o.runNow) for (const job of JOBS) await runJob(ctx, job).catch((e: unknown) => ctx.log.error({ job, err: e }, 'job failed'))
          const scheduler = startScheduler(ctx)
          ctx.log.info({ pid: process.pid }, 'stancewatch daemon started')
          await new Promise<void>((resolve) => {
            const stop = (signal: string) => {
              ctx.log.info({ signal }, 'stopping: finishing the current batch')
              void scheduler.stop().then(resolve)
            }
            process.once('SIGINT', () => stop('SIGINT'))
            process.once('SIGTERM', () => stop('SIGTERM'))
          })
          ctx.log.info('stancewatch daemon stopped')
        },
        'info',
      )
    })
}
