import { StoppedError } from '../../src/util/wait.js'
import type { Clock } from '../../src/schedule/clock.js'

/**
 * A wall clock a test moves by hand. Sleepers wake in time order as it is advanced, and the test waits
 * (`settle`) until everyone woken has gone back to sleep, so each step is deterministic.
 */
export class FakeClock implements Clock {
  private waiters: { at: number; resolve: () => void }[] = []

  constructor(private t: number) {}

  now = (): number => this.t

  sleepUntil = (at: number, signal?: AbortSignal): Promise<void> => {
    if (at <= this.t) return Promise.resolve()
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new StoppedError())
      const onAbort = () => {
        this.waiters = this.waiters.filter((x) => x !== w)
        reject(new StoppedError())
      }
      const w = {
        at,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      this.waiters.push(w)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** How many are asleep: the scheduler has one sleeper per job when it is idle. */
  sleeping(): number {
    return this.waiters.length
  }

  /** Set the clock (forwards or backwards) without waking anyone whose time has not come. */
  set(t: number): void {
    this.t = t
  }

  /** Move forward to `to`, waking each sleeper at its own time, waiting until `idle()` holds after each wake. */
  async advanceTo(to: number, idle: () => boolean): Promise<void> {
    for (;;) {
      await until(idle)
      const due = this.waiters.filter((w) => w.at <= to).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.t = Math.max(this.t, due.at)
      this.waiters = this.waiters.filter((w) => w !== due)
      due.resolve()
    }
    this.t = Math.max(this.t, to)
  }
}

/** Resolve once `cond` holds, checking after every turn of the event loop. */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r))
}
