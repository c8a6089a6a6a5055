import type { AppContext } from '../context.js'
import { ConfigError, UserError } from '../domain/errors.js'
import { consumeJetstream } from '../jobs/collect-jetstream.js'
import { closeInterruptedRuns } from '../jobs/interrupted-runs.js'
import { DAEMON_LEASE, describeHolder, tryHoldLease, type HeldLease } from '../jobs/leases.js'
import { noteOutcome } from '../jobs/ops-health.js'
import { JOBS, sourceUnavailable, type JobName } from '../jobs/job-names.js'
import { runJob } from '../jobs/scheduled.js'
import { StoppedError, sleep } from '../util/wait.js'
import { lastSlot, saveSlot } from '../store/schedule-slots.js'
import { systemClock, type Clock } from './clock.js'
import { Scheduler } from './scheduler.js'

/** A second daemon on the same database: it would run every job twice (and bill every X search twice). */
export class DaemonRunningError extends UserError {
  override name = 'DaemonRunningError'
}

export interface DaemonOptions {
  /** Run every job once at start, then follow the schedule. */
  runNow?: boolean
  clock?: Clock
  /** Re-read and validate the configuration: a context with the new config, or a ConfigError. */
  reloadConfig: (current: AppContext) => AppContext
}

export interface Daemon {
  /** The context runs start with: replaced by a reload. */
  context: () => AppContext
  nextRuns: () => Map<JobName, number | null>
  /** Re-read the config (SIGHUP, `stancewatch reload`); an invalid one is logged and the running one kept. */
  reload: () => boolean
  /** Stop: no new runs, running ones finish their batch (within the shutdown timeout), then release the database. */
  stop: (why: string) => Promise<void>
  /** Stop at once, without waiting for running jobs (a second signal). */
  abandon: () => void
  /** Resolves when the daemon has stopped. */
  done: Promise<void>
}

/**
 * The bot: one per database (a lease in the database, taken over only from a process that is gone), the
 * scheduled jobs, and the live stream. Runs left `running` by a killed daemon are closed as interrupted.
 */
export function startDaemon(initial: AppContext, o: DaemonOptions): Daemon {
  const got = tryHoldLease(initial, DAEMON_LEASE, 'stancewatch start')
  if (!('release' in got)) {
    throw new DaemonRunningError(
      `another stancewatch daemon is running on this database (${initial.db.name}): ${describeHolder(got, Date.now())}. Stop it first (kill -TERM ${got.pid}, or systemctl stop stancewatch); commands such as status, stance and collect work beside it.`,
    )
  }
  const lease: HeldLease = got
  let ctx = initial
  const log = () => ctx.log
  if (lease.tookOver) log().warn({ previous: lease.tookOver }, 'took over the database from a daemon that is gone (killed, crashed or rebooted)')
  const closed = closeInterruptedRuns(ctx)
  if (closed) log().warn({ runs: closed }, 'closed runs left running by a process that is gone as interrupted')

  const clock = o.clock ?? systemClock
  const stopping = new AbortController()
  let abandon: () => void = () => {}
  const abandoned = new Promise<void>((resolve) => (abandon = resolve))
  announceSources(ctx)

  const scheduler = new Scheduler<JobName>({
    jobs: jobsOf(ctx),
    timezone: ctx.config.timezone,
    clock,
    slots: { last: (job) => lastSlot(ctx.db, job), save: (job, at) => saveSlot(ctx.db, job, at, clock.now()) },
    run: async (job, slot) => {
      if (stopping.signal.aborted) return
      const outcome = await runJob(ctx, job, { signal: stopping.signal, trigger: slot.trigger, slotAt: slot.at })
      const level = outcome.status === 'failed' ? 'error' : outcome.status === 'ok' ? 'info' : 'warn'
      log()[level]({ job, status: outcome.status, reason: outcome.reason, slot: new Date(slot.at).toISOString(), trigger: slot.trigger }, 'job finished')
    },
    log: ctx.log,
  })

  let stream = streamSupervisor(() => ctx, stopping.signal)
  /** A stream being restarted by a reload: the stop waits for it too. */
  let restarting: Promise<void> = Promise.resolve()
  const started = (async () => {
    if (o.runNow) {
      for (const job of JOBS) {
        if (stopping.signal.aborted) break
        await runJob(ctx, job, { signal: stopping.signal, trigger: 'run-now' })
      }
    }
    if (!stopping.signal.aborted) scheduler.start()
    log().info({ pid: process.pid, db: ctx.db.name, config: ctx.configFile }, 'stancewatch daemon started')
  })()

  let resolveDone: () => void = () => {}
  const done = new Promise<void>((resolve) => (resolveDone = resolve))
  let stopped: Promise<void> | null = null

  return {
    context: () => ctx,
    nextRuns: () => scheduler.nextRuns(),
    reload: () => {
      let next: AppContext
      try {
        next = o.reloadConfig(ctx)
      } catch (e) {
        const problems = e instanceof ConfigError ? e.problems : [{ message: (e as Error).message }]
        log().error({ problems }, 'configuration NOT reloaded: the new file is invalid; the running configuration stays in force')
        return false
      }
      const restartStream = streamConfig(ctx) !== streamConfig(next)
      ctx = next
      scheduler.reschedule(jobsOf(ctx), ctx.config.timezone)
      if (restartStream) {
        const old = stream
        stream = null
        restarting = (old?.stop() ?? Promise.resolve()).then(() => {
          if (!stopping.signal.aborted) stream = streamSupervisor(() => ctx, stopping.signal)
        })
      }
      announceSources(ctx)
      log().info({ config: ctx.configFile, schedules: ctx.config.schedules, streamRestarted: restartStream }, 'configuration reloaded')
      return true
    },
    stop: (why) => {
      stopped ??= (async () => {
        log().info({ why }, 'stopping: running jobs finish their current batch')
        stopping.abort()
        const timeoutMs = ctx.config.daemon.shutdown_timeout_seconds * 1000
        let timer: NodeJS.Timeout | undefined
        const finished = Promise.all([started, scheduler.stop(), restarting.then(() => stream?.stop())]).then(() => 'finished' as const)
        const outcome = await Promise.race([
          finished,
          new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
          abandoned.then(() => 'abandoned' as const),
        ])
        clearTimeout(timer)
        if (outcome !== 'finished') {
          const why = outcome === 'timeout' ? `the daemon ran out of shutdown time (${timeoutMs / 1000} s)` : 'a second stop request stopped the daemon at once'
          const n = closeInterruptedRuns(ctx, { mine: true, why })
          log().error(
            { runs: n, why: outcome },
            outcome === 'timeout'
              ? `shutdown took longer than ${timeoutMs / 1000} s: closing the database anyway (every stored page is consistent; the unfinished runs resume next time)`
              : 'stopping at once: unfinished runs resume next time',
          )
        }
        lease.release()
        log().info('stancewatch daemon stopped')
        resolveDone()
      })()
      return stopped
    },
    abandon: () => abandon(),
    done,
  }
}

function jobsOf(ctx: AppContext) {
  return JOBS.map((name) => ({ name, cron: ctx.config.schedules[name] }))
}

function announceSources(ctx: AppContext): void {
  for (const source of ctx.config.sources.enabled) {
    const why = sourceUnavailable(ctx, source)
    if (why) ctx.log.warn({ source }, `source ${source} is enabled but will be skipped: ${why}`)
  }
  if (ctx.config.sources.enabled.includes('jetstream')) {
    const cfg = ctx.config.sources.jetstream
    ctx.log.info(
      { source: 'jetstream', url: ctx.env.jetstreamUrl, wantedCollections: cfg.wanted_collections, topics: ctx.config.topics.map((t) => t.id) },
      `following the live Bluesky network through Jetstream (${ctx.env.jetstreamUrl}, ${cfg.wanted_collections.join(', ')}): every new post is matched here against ${ctx.config.topics.length} topic(s); no credentials needed`,
    )
  }
}

/** What the live stream depends on: a reload that changes it restarts the stream (after its current batch). */
function streamConfig(ctx: AppContext): string {
  return JSON.stringify({ enabled: ctx.config.sources.enabled.includes('jetstream'), jetstream: ctx.config.sources.jetstream, topics: ctx.config.topics })
}

/**
 * Keep the Jetstream consumer running for the daemon's life, restarting it after a failure. Its health:
 * a stored batch is a success (at most one record a minute), a failed connection attempt a failure.
 */
function streamSupervisor(context: () => AppContext, daemonStop: AbortSignal): { stop: () => Promise<void> } | null {
  if (!context().config.sources.enabled.includes('jetstream')) return null
  const own = new AbortController()
  const signal = AbortSignal.any([daemonStop, own.signal])
  let lastOk = 0
  const loop = (async () => {
    while (!signal.aborted) {
      const ctx = context()
      const health = (status: 'ok' | 'failed', reason: string | null) =>
        void noteOutcome(ctx, 'source:jetstream', { status, reason }, { stream: true }).catch((e: unknown) =>
          ctx.log.error({ err: e }, 'could not record Jetstream health'),
        )
      try {
        const r = await consumeJetstream(ctx, {
          signal,
          onBatch: () => {
            if (Date.now() - lastOk < 60_000) return
            lastOk = Date.now()
            health('ok', null)
          },
          onConnectFailed: (error) => health('failed', `cannot connect to ${ctx.env.jetstreamUrl}: ${error}`),
        })
        ctx.log.info({ source: 'jetstream', run: r.runId, status: r.status, events: r.events }, 'Jetstream consumer stopped')
      } catch (e) {
        ctx.log.error({ source: 'jetstream', err: e }, 'Jetstream consumer failed; restarting in a minute')
        health('failed', (e as Error).message)
        await sleep(60_000, signal).catch((err: unknown) => {
          if (!(err instanceof StoppedError)) throw err
        })
      }
    }
  })()
  return {
    stop: async () => {
      own.abort()
      await loop
    },
  }
}
