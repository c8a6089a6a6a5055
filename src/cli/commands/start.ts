import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { locateProblems } from '../../config/load.js'
import { checkSources } from '../../config/source-check.js'
import { reloadContext } from '../../context.js'
import { ConfigError } from '../../domain/errors.js'
import { startDaemon, type Daemon } from '../../schedule/daemon.js'
import { preloadLanguageIdentifier } from '../../text/detect-lang.js'
import { limitHeapGrowth } from '../heap-growth.js'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../web/address.js'
import type { Dashboard } from '../../web/server.js'
import { println, type Io } from '../io.js'
import { dashboardToken, port } from '../serve-options.js'
import { earlySighup } from '../early-sighup.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  runNow?: boolean
  serve?: boolean
  port: number
  host: string
}

/** How often the daemon checks that the npm/npx process that started it is still there. */
const PARENT_CHECK_MS = 1000

export function registerStart(program: Command, io: Io): void {
  program
    .command('start')
    .description('Run the daemon: collect, classify, check alerts and write the daily digest on the configured schedules')
    .option('--run-now', 'run every job once at start-up (collect, classify, alerts, digest), then follow the schedule')
    .option('--serve', 'also serve the web dashboard from this process (see `stancewatch serve --help`)')
    .option('-p, --port <n>', 'with --serve: the dashboard port (0: any free port)', port, DEFAULT_PORT)
    .option('--host <address>', 'with --serve: the dashboard address; anything but loopback needs STANCEWATCH_DASHBOARD_TOKEN', DEFAULT_HOST)
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

With --serve the dashboard runs beside the daemon in the same process and stops with it; its first stdout
line is \`listening on http://HOST:PORT\`.

Examples:
  $ npm start
  $ stancewatch start --serve                      # daemon + dashboard on http://127.0.0.1:8787
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
          // Handlers and the parent watch are in place before the daemon says it has started (it logs that
          // from startDaemon): a SIGTERM sent the moment it says so must find them, not Node's default (exit at
          // once), and a wrapper killed at that moment must already be known. Signals reach these listeners on
          // the next turn of the event loop, by when `daemon` is set.
          let daemon: Daemon | null = null
          let signals = 0
          const stop = (why: string) => {
            if (!daemon) return
            if (++signals > 1) {
              ctx.log.warn({ why }, 'second stop request: stopping at once')
              daemon.abandon()
            }
            void daemon.stop(why)
          }
          const onInt = () => stop('SIGINT')
          const onTerm = () => stop('SIGTERM')
          const onHup = () => void daemon?.reload()
          process.on('SIGINT', onInt)
          process.on('SIGTERM', onTerm)
          process.on('SIGHUP', onHup)
          // Under npm or npx a shell sits between the wrapper and this process: when the wrapper is stopped,
          // the signal may not reach us, and we would run on as an orphan. Its disappearance is the signal.
          // Under npx the parent is that shell, which outlives an npx killed outright (SIGKILL): npx is watched.
          const parent = process.ppid
          const wrapper = io.env.npm_command ? npmAbove(parent) : parent
          const watch = io.env.npm_command
            ? setInterval(() => {
                if (process.ppid !== parent || (wrapper !== parent && !exists(wrapper)))
                  stop(`the ${io.env.npm_command === 'exec' ? 'npx' : 'npm'} process that started the daemon has exited`)
              }, PARENT_CHECK_MS)
            : null
          let dashboard: Dashboard | null = null
          try {
            // The dashboard first: a port in use or a missing token stops the start before any job runs. Loaded
            // only when asked for, so a daemon without it carries none of its modules.
            if (o.serve) {
              const { startDashboard } = await import('../../web/server.js')
              dashboard = await startDashboard(() => daemon?.context() ?? ctx, { host: o.host, port: o.port, token: dashboardToken(io) })
              println(io, `listening on ${dashboard.url}`)
            }
            daemon = startDaemon(ctx, { runNow: o.runNow, reloadConfig: reloadContext })
            preloadLanguageIdentifier()
            limitHeapGrowth()
            // A SIGHUP that came while the daemon was starting may be about a file read before the change.
            if ((earlySighup()?.count ?? 0) > 0) onHup()
            await daemon.done
          } finally {
            await dashboard?.close()
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

/**
 * The npm process that started this one: the parent, or the parent's parent when the parent is the shell
 * npm ran the command in (npm titles its process `npm <command>`). Read from /proc; elsewhere, the parent.
 */
function npmAbove(parent: number): number {
  const cmdline = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      return ''
    }
  }
  if (/^npm\b/.test(cmdline(parent))) return parent
  try {
    const stat = readFileSync(`/proc/${parent}/stat`, 'utf8')
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const grand = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return Number.isInteger(grand) && grand > 1 && /^npm\b/.test(cmdline(grand)) ? grand : parent
  } catch {
    return parent
  }
}

/** Whether a process is there and running (a zombie, killed and not yet reaped, is not). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}
