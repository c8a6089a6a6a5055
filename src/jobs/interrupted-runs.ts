import type { AppContext } from '../context.js'
import { markInterrupted, runningRuns } from '../store/runs.js'
import { processGone, thisProcess } from './process-identity.js'

/** A run on another host (a database on shared storage) has no heartbeat: only a day of silence says it died. */
const OTHER_HOST_RUN_STALE_MS = 24 * 3_600_000

/**
 * Close the runs a killed or crashed process left `running` as `interrupted`: they never finished, and
 * what they stored is consistent (every page committed with its cursor), so the next run resumes after it.
 * Runs of live processes (a person's command beside the daemon) are left alone. `mine` also closes this
 * process's own (a shutdown that ran out of time, or was told to stop at once), saying why it stopped.
 */
export function closeInterruptedRuns(ctx: AppContext, o: { mine?: boolean; why?: string } = {}): number {
  const me = thisProcess()
  const now = Date.now()
  let closed = 0
  for (const r of runningRuns(ctx.db)) {
    const own = r.pid === me.pid && r.host === me.host && r.bootId === me.bootId
    const gone = !own && !stillRunning(r, now)
    if (!(gone || (own && o.mine))) continue
    const why = own
      ? `stopped before it finished: ${o.why ?? 'the daemon ran out of shutdown time'}`
      : `its process (pid ${r.pid ?? '?'} on ${r.host ?? '?'}) ended without finishing it (killed or crashed)`
    markInterrupted(ctx.db, r.table, r.id, `${why}; what it stored is kept and the next run resumes after it`, ctx.now().getTime())
    closed++
  }
  return closed
}

/** Whether a run marked `running` is really running: for `status`, which only reads. */
export function stillRunning(r: { pid: number | null; host: string | null; bootId: string | null; startedAt: number }, now = Date.now()): boolean {
  if (r.pid === null || r.host === null) return false
  return !processGone({ pid: r.pid, host: r.host, bootId: r.bootId, heartbeatAt: r.startedAt }, now, OTHER_HOST_RUN_STALE_MS)
}
