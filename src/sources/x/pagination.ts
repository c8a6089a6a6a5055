import { snowflakeMs } from '../../domain/x-ids.js'

/**
 * Where one X query stands. `since_id` is the live watermark, the newest post collected; `pending` is a
 * live pass that was interrupted between pages (crash, budget, rate limit) and resumes with the same
 * bounds and page token, so its older pages are never skipped. `backlog` is the first run's history not
 * yet collected, below the oldest post it reached. Stored as JSON in the cursors table, written with each page.
 */
export interface XQueryState {
  since_id?: string
  /** For a query that has never returned a post: where the last pass began. */
  since_time?: string
  pending?: { next_token: string; newest_id: string | null; since_id?: string; start_time?: string; end_time?: string }
  backlog?: XBacklog
  /** Posts the last complete pass read: the fallback estimate for a dry run. */
  last_pass_reads?: number
  /** A backfill window that has been read to the end. */
  complete?: boolean
}

/** First-run history left to collect: posts older than `until_id`, down to `start_time`. */
export interface XBacklog {
  /** Where the first run's window began (recent search may since have moved past part of it). */
  start_time: string
  /** The oldest post collected so far (exclusive bound: X's until_id). */
  until_id: string
  /** The coverage gap that stands for it until it is filled. */
  gap_id?: number
}

export interface PassBounds {
  since_id?: string
  start_time?: string
  end_time?: string
}

/** Recent search reaches back 7 days; keep a margin so a bound is never refused as too old. */
export const RECENT_WINDOW_MS = 7 * 24 * 3_600_000 - 5 * 60_000

/** A query that has never been collected: its first run is history (see history.ts), not a live pass. */
export function isFirstRun(state: XQueryState): boolean {
  return !state.since_id && !state.since_time && !state.pending && !state.backlog && !state.complete
}

/**
 * The bounds of the next live pass: a pending pass's own; else newer than since_id (never together with
 * start_time, which X refuses); else from since_time; null on a first run. A watermark older than the
 * search window cannot be honoured: the pass starts at the window's edge and reports the hole.
 */
export function nextPassBounds(state: XQueryState, now: number): { bounds: PassBounds; gap: { from: number; to: number } | null } | null {
  if (state.pending) return { bounds: pendingBounds(state.pending), gap: null }
  const edge = now - RECENT_WINDOW_MS
  if (state.since_id) {
    const at = snowflakeMs(state.since_id)
    if (at !== null && at < edge) return { bounds: { start_time: iso(edge) }, gap: { from: at, to: edge } }
    return { bounds: { since_id: state.since_id }, gap: null }
  }
  if (!state.since_time) return null
  const since = Date.parse(state.since_time) - 60_000
  if (since < edge) return { bounds: { start_time: iso(edge) }, gap: { from: since, to: edge } }
  return { bounds: { start_time: iso(since) }, gap: null }
}

/** The state to store with a page: still pending while X offers a next page, else what `complete` says. */
export function stateAfterPage(
  before: XQueryState,
  bounds: PassBounds,
  newestOfPass: string | null,
  nextToken: string | undefined,
  complete: () => XQueryState,
): XQueryState {
  if (nextToken) return { ...withoutPending(before), pending: { next_token: nextToken, newest_id: newestOfPass, ...bounds } }
  return complete()
}

/** A finished live pass: the watermark moves to the newest post seen (or, if none, to when the pass began); any backlog stays. */
export function liveWatermark(before: XQueryState, newestOfPass: string | null, passStartedAt: number, passReads: number): XQueryState {
  const since = maxId(newestOfPass, before.since_id ?? null)
  const backlog = before.backlog ? { backlog: before.backlog } : {}
  return since ? { since_id: since, ...backlog, last_pass_reads: passReads } : { since_time: iso(passStartedAt), ...backlog, last_pass_reads: passReads }
}

/** The bounds an interrupted pass was paging within. */
export function pendingBounds(p: NonNullable<XQueryState['pending']>): PassBounds {
  const b: PassBounds = {}
  if (p.since_id) b.since_id = p.since_id
  if (p.start_time) b.start_time = p.start_time
  if (p.end_time) b.end_time = p.end_time
  return b
}

function withoutPending(s: XQueryState): XQueryState {
  const { pending: _, ...rest } = s
  return rest
}

export function maxId(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null
  if (!b) return a
  return BigInt(a) > BigInt(b) ? a : b
}

export function iso(ms: number): string {
  return new Date(ms).toISOString()
}
