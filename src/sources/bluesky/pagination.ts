/**
 * Where one Bluesky query stands. `since` is the live watermark, the sortAt of the newest post fully
 * collected; `pending` is a live pass interrupted between pages, resumed with the same bounds; `backlog`
 * is the first run's history not yet collected. Offset cursors stop near 10,000 results, so a deep pass
 * continues backwards in time with `until` (exclusive) set just after the oldest post seen: posts sharing
 * that millisecond come again (stored once), none is skipped.
 */
export interface BskyQueryState {
  since?: string
  pending?: BskyPass
  backlog?: BskyBacklog
  last_pass_posts?: number
  /** A backfill window that has been read to the end. */
  complete?: boolean
}

/** A pass's position: its bounds (`until` exclusive), the offset cursor within them, the newest post seen. */
export interface BskyPass {
  since: string
  until?: string
  cursor?: string
  newest?: string
}

/** First-run history left to collect: a pass over [since, until), with how far back it has reached. */
export interface BskyBacklog {
  since: string
  until: string
  cursor?: string
  /** The oldest post collected so far (sortAt): everything older in the window is not yet collected. */
  reached: string
  /** The coverage gap that stands for it until it is filled. */
  gap_id?: number
}

export interface BskyPage {
  posts: number
  /** Newest and oldest sortAt on the page (ms), when it had posts. */
  newest: number | null
  oldest: number | null
  cursor?: string
}

/** A query that has never been collected: its first run is history (bluesky-history), not a live pass. */
export function isBskyFirstRun(state: BskyQueryState): boolean {
  return !state.since && !state.pending && !state.backlog && !state.complete
}

/**
 * The bounds of the next live pass: a pending pass's own; else the watermark minus an overlap; null on
 * a first run. The overlap catches posts that reach the index after newer ones (their sortAt is the
 * client's createdAt when that is earlier): re-reading a few minutes costs little, a hole costs trust.
 */
export function bskyPassStart(state: BskyQueryState, overlapMs: number): BskyPass | null {
  if (state.pending) return state.pending
  if (!state.since) return null
  return { since: new Date(Date.parse(state.since) - overlapMs).toISOString() }
}

/**
 * Where the next page of a pass starts, or null when the pass is done. A full page without a cursor
 * means the offset cap: continue below the oldest post with `until`.
 */
export function bskyNextPass(pass: BskyPass, page: BskyPage, limit: number): BskyPass | null {
  const newest = maxIso(pass.newest, page.newest === null ? undefined : new Date(page.newest).toISOString())
  if (page.cursor && page.posts > 0) return { ...pass, cursor: page.cursor, newest }
  if (!page.cursor && page.posts >= limit && page.oldest !== null && page.oldest > Date.parse(pass.since)) {
    // More posts than a whole page in one millisecond would repeat forever: then step past that millisecond.
    const stuck = pass.until !== undefined && Date.parse(pass.until) === page.oldest + 1
    return { since: pass.since, until: new Date(stuck ? page.oldest : page.oldest + 1).toISOString(), newest }
  }
  return null
}

/** After a live page: the pending position for the next page, or the new watermark (any backlog kept) when the pass is done. */
export function bskyAfterPage(
  before: BskyQueryState,
  pass: BskyPass,
  page: BskyPage,
  limit: number,
  passPosts: number,
  complete: (newest: string | undefined) => BskyQueryState = (newest) => ({
    since: maxIso(before.since, newest) ?? pass.since,
    ...(before.backlog ? { backlog: before.backlog } : {}),
    last_pass_posts: passPosts,
  }),
): { state: BskyQueryState; done: boolean } {
  const next = bskyNextPass(pass, page, limit)
  if (next) return { state: { ...before, pending: next }, done: false }
  const newest = maxIso(pass.newest, page.newest === null ? undefined : new Date(page.newest).toISOString())
  return { state: complete(newest), done: true }
}

export function maxIso(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b
  if (!b) return a
  return Date.parse(a) >= Date.parse(b) ? a : b
}
