import type { FinalStatus } from '../store/runs.js'

/** How a job run ended, why, and what it did. */
export interface JobOutcome {
  status: FinalStatus
  reason: string | null
  detail: unknown
}

/** One part of a job (a source of a collection, a refresh) and how it ended. */
export interface PartOutcome {
  name: string
  status: FinalStatus
  reason: string | null
  [more: string]: unknown
}

/**
 * A job made of parts: `ok` when every part that could run succeeded, `skipped` when none could run,
 * `failed` when none that ran succeeded, `partial` otherwise. The reason names the parts that did not
 * end ok, so `status` says which source failed and why.
 */
export function combineOutcomes(parts: readonly PartOutcome[]): JobOutcome {
  const ran = parts.filter((p) => p.status !== 'skipped')
  const notOk = parts.filter((p) => p.status !== 'ok')
  const reason = notOk.length ? notOk.map((p) => `${p.name} ${p.status}${p.reason ? `: ${p.reason}` : ''}`).join('; ') : null
  const status: FinalStatus =
    parts.length === 0 || ran.length === 0
      ? 'skipped'
      : ran.every((p) => p.status === 'ok')
        ? 'ok'
        : ran.every((p) => p.status === 'failed' || p.status === 'interrupted')
          ? 'failed'
          : 'partial'
  return { status, reason: reason ?? (parts.length === 0 ? 'no source enabled' : null), detail: parts }
}
