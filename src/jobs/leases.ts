import type { AppContext } from '../context.js'
import { UserError } from '../domain/errors.js'
import { sleep } from '../util/wait.js'
import { heartbeatLease, leaseHolder, releaseLease, tryAcquireLease, type LeaseHolder } from '../store/leases.js'
import { processGone, thisProcess } from './process-identity.js'

/** The lease of the one daemon a database may have. */
export const DAEMON_LEASE = 'daemon'

/** How often a holder says it is alive, and how long a holder on another host may stay silent. */
export const HEARTBEAT_MS = 15_000
export const STALE_MS = 90_000

/** Another live process holds the lease: the daemon, or a person's command running the same job. */
export class LeaseBusyError extends UserError {
  override name = 'LeaseBusyError'
  constructor(
    message: string,
    readonly holder: LeaseHolder,
  ) {
    super(message)
  }
}

export interface HeldLease {
  readonly name: string
  /** The holder this lease replaced because it was gone (killed, crashed, rebooted), if any. */
  readonly tookOver: LeaseHolder | null
  /** False once another process has taken the lease over (this one was thought gone). */
  held: () => boolean
  release: () => void
}

export function describeHolder(h: LeaseHolder, now: number): string {
  const beat = Math.max(0, Math.round((now - h.heartbeatAt) / 1000))
  return `pid ${h.pid} on ${h.host}, \`${h.command}\` since ${new Date(h.acquiredAt).toISOString()} (last heartbeat ${beat} s ago)`
}

export function isGone(h: LeaseHolder, now: number): boolean {
  return processGone(h, now, STALE_MS)
}

/** Take a lease now or say who holds it; the lease is kept alive by a heartbeat until released. */
export function tryHoldLease(ctx: AppContext, name: string, command: string): HeldLease | LeaseHolder {
  const me = thisProcess()
  // Leases are about real processes, so they keep real time even when a test or backtest moves ctx.now.
  const now = Date.now()
  const r = tryAcquireLease(ctx.db, name, { ...me, command }, now, (h) => isGone(h, now))
  if (!r.acquired) return r.holder
  let held = true
  const timer = setInterval(() => {
    if (!ctx.db.open) return
    if (!heartbeatLease(ctx.db, name, me, Date.now())) {
      held = false
      ctx.log.error({ lease: name }, 'lease taken over by another process')
    }
  }, HEARTBEAT_MS)
  timer.unref()
  return {
    name,
    tookOver: r.tookOver,
    held: () => held,
    release: () => {
      clearInterval(timer)
      if (held && ctx.db.open) releaseLease(ctx.db, name, me)
      held = false
    },
  }
}

function isHeld(x: HeldLease | LeaseHolder): x is HeldLease {
  return 'release' in x
}

export interface LeaseOptions {
  /** What the holder is doing, shown to whoever finds the lease taken (e.g. `collect --source x`). */
  command: string
  /** Wait for the holder to finish instead of refusing. */
  wait?: boolean
  signal?: AbortSignal
  /** Called once when waiting starts. */
  onWait?: (holder: LeaseHolder) => void
}

/** The lease one run of a job holds, whoever runs it: a manual run never overlaps the daemon's, nor the reverse. */
export function jobLeaseName(job: string): string {
  return `job:${job}`
}

/**
 * Run `fn` holding the job's lease. Held by another live process: refuse with who holds it and since when,
 * or with `wait`, wait for it (polling, stoppable).
 */
export async function withJobLease<T>(ctx: AppContext, job: string, o: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  const name = jobLeaseName(job)
  let told = false
  for (;;) {
    const got = tryHoldLease(ctx, name, o.command)
    if (isHeld(got)) {
      if (got.tookOver) ctx.log.warn({ lease: name, previous: got.tookOver }, 'took over a lease whose holder is gone')
      try {
        return await fn()
      } finally {
        got.release()
      }
    }
    if (!o.wait) throw new LeaseBusyError(`${job} is already running: ${describeHolder(got, Date.now())}. Wait for it to finish, or add --wait`, got)
    if (!told) {
      told = true
      o.onWait?.(got)
      ctx.log.warn({ lease: name, holder: got }, `waiting for ${job} to finish in another process`)
    }
    await sleep(1000, o.signal)
  }
}

export function currentHolder(ctx: AppContext, name: string): LeaseHolder | null {
  const h = leaseHolder(ctx.db, name)
  return h && !isGone(h, Date.now()) ? h : null
}
