import type { AppContext } from '../context.js'
import { StoppedError } from '../util/wait.js'
import { RateLimitedError, UnavailableError } from '../sources/errors.js'
import { setCursor } from '../store/cursors.js'
import type { Db } from '../store/db.js'
import { markGapRepaired, recordGap } from '../store/gaps.js'

export type HistorySource = 'x' | 'bluesky'

/** Why a first-run history pass ended early, in words for the gap's reason and the run's note. */
export function stopCause(e: unknown, platform: string): string {
  if (e instanceof StoppedError) return 'stopped on request'
  if (e instanceof RateLimitedError) return `a ${platform} rate limit longer than the run may wait`
  if (e instanceof UnavailableError) return `${platform} unavailable`
  return 'the run failed'
}

/**
 * What a first-run pass could not cover becomes a coverage gap, recorded once: together with the query's
 * state that keeps its id, in one transaction, so a crash can neither lose it nor record it twice.
 */
export function recordHistoryGap(
  ctx: AppContext,
  source: HistorySource,
  key: string,
  range: { from: number; to: number },
  reason: string,
  stateWithGap: (id: number) => unknown,
): number {
  const at = ctx.now().getTime()
  const id = ctx.db.transaction(() => {
    const gapId = recordGap(ctx.db, { source, startAt: range.from, endAt: range.to, reason }, at)
    setCursor(ctx.db, { source, key, value: JSON.stringify(stateWithGap(gapId)) }, at)
    return gapId
  })()
  ctx.log.warn({ source, query: key, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() }, reason)
  return id
}

/**
 * A backlog read to its end: its gap is repaired. A part the platform no longer reached by then stays a
 * gap of its own, with its own reason. Runs inside the transaction of the last page.
 */
export function settleHistory(
  db: Db,
  source: HistorySource,
  gapId: number | undefined,
  lost: { from: number; to: number; reason: string } | null,
  at: number,
): void {
  if (lost && lost.to > lost.from) recordGap(db, { source, startAt: lost.from, endAt: lost.to, reason: lost.reason }, at)
  if (gapId !== undefined) markGapRepaired(db, gapId, at)
}
