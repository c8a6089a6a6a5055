import { snowflakeMs } from '../../domain/x-ids.js'
import { isFirstRun, iso, maxId, RECENT_WINDOW_MS, type XQueryState } from './pagination.js'

/**
 * A query's first-run history, newest first: on a first run the whole window down from the newest post;
 * after an interrupted one, the backlog below the oldest post it reached. Each page asks for posts older
 * than the oldest so far (until_id), a bound that never goes stale the way a page token can, so a backlog
 * left for days resumes exactly where it stopped.
 */
export interface XHistoryPass {
  /** Where the window began. */
  windowStart: number
  /** What recent search still reaches of it: later than windowStart once the 7 days have moved on. */
  start: number
  /** Absent on a first run: the pass begins at the newest post. */
  untilId?: string
  gapId?: number
}

export interface XHistoryStart {
  pass: XHistoryPass
  /** Part of the window recent search no longer reaches (the backlog waited too long for budget). */
  lost: { from: number; to: number } | null
  /** Nothing reachable is left: the backlog is settled without reading. */
  done: boolean
}

export function xHistoryStart(state: XQueryState, now: number, lookbackMs: number): XHistoryStart | null {
  const edge = now - RECENT_WINDOW_MS
  if (isFirstRun(state)) {
    const start = Math.max(now - lookbackMs, edge)
    return { pass: { windowStart: start, start }, lost: null, done: false }
  }
  const b = state.backlog
  if (!b) return null
  const windowStart = Date.parse(b.start_time)
  const until = snowflakeMs(b.until_id) ?? windowStart
  const start = Math.max(windowStart, edge)
  const lost = start > windowStart ? { from: windowStart, to: Math.min(start, until) } : null
  return { pass: { windowStart, start, untilId: b.until_id, ...(b.gap_id === undefined ? {} : { gapId: b.gap_id }) }, lost, done: until <= start }
}

/**
 * The state stored with a history page: on a first run the live watermark is the newest post of its first
 * page (or, with no post at all, when it began), so later runs collect only what is newer; the backlog
 * moves down to the page's oldest post, and is gone when X has nothing older.
 */
export function stateAfterHistoryPage(
  before: XQueryState,
  pass: XHistoryPass,
  page: { newest: string | null; oldest: string | null; more: boolean },
  passStartedAt: number,
): XQueryState {
  const { backlog: _, since_time, ...rest } = before
  const since = maxId(before.since_id, page.newest)
  const out: XQueryState = since ? { ...rest, since_id: since } : { ...rest, since_time: since_time ?? iso(passStartedAt) }
  if (page.more && page.oldest)
    out.backlog = { start_time: iso(pass.windowStart), until_id: page.oldest, ...(pass.gapId === undefined ? {} : { gap_id: pass.gapId }) }
  return out
}

/** The state once the backlog is settled without reading (nothing reachable was left). */
export function withoutBacklog(state: XQueryState): XQueryState {
  const { backlog: _, ...rest } = state
  return rest
}

/** How far back in time the pass has reached (ms): the time of the oldest post collected so far. */
export function reachedMs(untilId: string | undefined, now: number): number {
  return untilId ? (snowflakeMs(untilId) ?? now) : now
}
