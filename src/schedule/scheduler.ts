import { CronSchedule } from '../config/cron.js'
import type { Logger } from '../logger.js'
import type { Clock } from './clock.js'

export interface ScheduledJob<J extends string> {
  name: J
  cron: string
}

/** Why a job runs now: its slot came, or a slot passed while the daemon was down. */
export interface Slot {
  at: number
  trigger: 'schedule' | 'catch-up'
}

export interface SchedulerOptions<J extends string> {
  jobs: readonly ScheduledJob<J>[]
  timezone: string
  clock: Clock
  /** Where the last slot each job ran for is kept (the database), so restarts and clock changes see it. */
  slots: { last: (job: J) => number | null; save: (job: J, slotAt: number) => void }
  /** Run one slot; never throws (the caller records failures). */
  run: (job: J, slot: Slot) => Promise<void>
  log: Logger
}

/**
 * Runs each job at the slots of its cron expression in the configured zone. Each job has one loop, so it
 * never overlaps itself; slots that pass while it runs are skipped, not queued. A slot runs once: the last
 * one run is stored and the next is always after it, so a clock set back repeats nothing. At start, a job
 * whose slot passed while the daemon was down runs once to catch up (the digest then writes every day it
 * missed), however many slots were missed.
 */
export class Scheduler<J extends string> {
  private specs: Map<J, CronSchedule>
  private readonly next = new Map<J, number | null>()
  private readonly loops: Promise<void>[] = []
  private stopped = false
  private wake = new AbortController()

  constructor(private readonly o: SchedulerOptions<J>) {
    this.specs = schedules(o.jobs, o.timezone)
  }

  start(): void {
    for (const job of this.specs.keys()) this.loops.push(this.loop(job))
  }

  /** New expressions or zone (a reloaded config): waiting loops recompute their next slot at once. */
  reschedule(jobs: readonly ScheduledJob<J>[], timezone: string): void {
    this.specs = schedules(jobs, timezone)
    this.interrupt()
  }

  /** When each job runs next (ms), as the loops computed it. */
  nextRuns(): Map<J, number | null> {
    return new Map(this.next)
  }

  /** Stop starting runs; resolves once the runs in progress have returned. */
  async stop(): Promise<void> {
    this.stopped = true
    this.interrupt()
    await Promise.all(this.loops)
  }

  private interrupt(): void {
    const w = this.wake
    this.wake = new AbortController()
    w.abort()
  }

  private async loop(job: J): Promise<void> {
    const { clock, slots } = this.o
    let last = slots.last(job)
    const spec = this.specs.get(job)!
    if (last !== null) {
      const missed = spec.next(last)
      if (missed !== null && missed <= clock.now()) {
        const latest = spec.previous(clock.now()) ?? missed
        this.o.log.info({ job, missed: new Date(missed).toISOString() }, 'a scheduled run was missed while the daemon was down: catching up once')
        last = await this.fire(job, { at: latest, trigger: 'catch-up' })
      }
    }
    while (!this.stopped) {
      const current = this.specs.get(job)
      const at = current?.next(Math.max(clock.now(), last ?? Number.NEGATIVE_INFINITY)) ?? null
      this.next.set(job, at)
      const wake = this.wake.signal
      try {
        // No next slot (an expression that never fires again): wait for a reschedule or the stop.
        await (at === null ? new Promise((_, reject) => wake.addEventListener('abort', reject, { once: true })) : clock.sleepUntil(at, wake))
      } catch {
        continue
      }
      if (this.stopped || at === null) break
      last = await this.fire(job, { at, trigger: 'schedule' })
    }
    this.next.delete(job)
  }

  private async fire(job: J, slot: Slot): Promise<number> {
    await this.o.run(job, slot)
    this.o.slots.save(job, slot.at)
    return slot.at
  }
}

function schedules<J extends string>(jobs: readonly ScheduledJob<J>[], timezone: string): Map<J, CronSchedule> {
  return new Map(jobs.map((j) => [j.name, new CronSchedule(j.cron, timezone)]))
}
