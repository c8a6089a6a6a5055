import { sleep } from '../util/wait.js'

/** Wall-clock time for the scheduler: the system's in production, one a test moves by hand. */
export interface Clock {
  now: () => number
  /** Resolves once `now() >= at`; rejects (StoppedError) when the signal aborts. */
  sleepUntil: (at: number, signal?: AbortSignal) => Promise<void>
}

/**
 * Timers count elapsed time, not the wall clock: sleeping in steps of at most a minute notices a clock that
 * was set forward (or a machine that slept) within a minute, and one set back never fires a slot early.
 */
const MAX_STEP_MS = 60_000

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: async (at, signal) => {
    for (let left = at - Date.now(); left > 0; left = at - Date.now()) await sleep(Math.min(left, MAX_STEP_MS), signal)
  },
}
