import { createTask, setLogger, type ScheduledTask } from 'node-cron'
import type { AppContext } from '../context.js'
import { consumeJetstream } from '../jobs/collect-jetstream.js'
import { JOBS, runJob, sourceUnavailable, type JobName } from '../jobs/scheduled.js'
import { sleep } from '../sources/wait.js'

export interface Scheduler {
  tasks: Map<JobName, ScheduledTask>
  /** Stop firing, let running jobs finish their current batch, then resolve. */
  stop: () => Promise<void>
}

/**
 * Wire each job to its cron expression in the configured time zone. A job never overlaps itself; a failed
 * run is logged and recorded, and the next tick tries again.
 */
export function startScheduler(ctx: AppContext): Scheduler {
  setLogger({
    info: (m) => ctx.log.debug({ cron: true }, m),
    warn: (m) => ctx.log.warn({ cron: true }, m),
    error: (m, err) => ctx.log.error({ cron: true, err: err ?? m }, typeof m === 'string' ? m : m.message),
    debug: (m) => ctx.log.debug({ cron: true }, typeof m === 'string' ? m : m.message),
  })
  const abort = new AbortController()
  const running = new Set<Promise<unknown>>()
  const tasks = new Map<JobName, ScheduledTask>()
  for (const source of ctx.config.sources.enabled) {
    const why = sourceUnavailable(ctx, source)
    if (why) ctx.log.warn({ source }, `source ${source} will be skipped: ${why}`)
  }
  for (const job of JOBS) {
    const expr = ctx.config.schedules[job]
    const task = createTask(
      expr,
      async () => {
        if (abort.signal.aborted) return
        const p = runJob(ctx, job, abort.signal)
        running.add(p)
        try {
          const detail = await p
          ctx.log.info({ job, detail }, 'job finished')
        } catch (e) {
          ctx.log.error({ job, err: e }, 'job failed')
        } finally {
          running.delete(p)
        }
      },
      { name: `stancewatch:${job}`, timezone: ctx.config.timezone, noOverlap: true },
    )
    task.on('execution:missed', () => ctx.log.warn({ job }, 'a scheduled run was missed (the process was busy or asleep)'))
    void task.start()
    tasks.set(job, task)
    ctx.log.info({ job, cron: expr, timezone: ctx.config.timezone, next: task.getNextRun()?.toISOString() }, 'job scheduled')
  }
  // The live stream runs for the daemon's whole life; if it fails it is restarted after a pause.
  const stream = ctx.config.sources.enabled.includes('jetstream') ? keepStreaming(ctx, abort.signal) : null
  return {
    tasks,
    stop: async () => {
      abort.abort()
      for (const t of tasks.values()) await t.stop()
      await Promise.allSettled([...running, ...(stream ? [stream] : [])])
      for (const t of tasks.values()) await t.destroy()
    },
  }
}

async function keepStreaming(ctx: AppContext, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const r = await consumeJetstream(ctx, { signal })
      ctx.log.info({ source: 'jetstream', run: r.runId, events: r.events }, 'Jetstream consumer stopped')
    } catch (e) {
      ctx.log.error({ source: 'jetstream', err: e }, 'Jetstream consumer failed; restarting in a minute')
      await sleep(60_000, signal).catch(() => undefined)
    }
  }
}
