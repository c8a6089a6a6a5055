/**
 * Where one Bluesky query stands. `since` is the sortAt watermark of the newest post fully collected;
 * `pending` is a pass interrupted between pages, resumed with the same bounds. Offset cursors stop near
 * 10,000 results, so a deep pass continues backwards in time with `until` (exclusive) set just after the
 * oldest post seen: posts sharing that millisecond come again (stored once), none is skipped.
 */
export interface BskyQueryState {
  since?: string
  pending?: { since: string; until?: string; cursor?: string; newest?: string }
  last_pass_posts?: number
  /** A backfill window that has been read to the end. */
  complete?: boolean
}

export interface BskyPage {
  posts: number
  /** Newest and oldest sortAt on the page (ms), when it had posts. */
  newest: number | null
  oldest: number | null
  cursor?: string
}

/**
 * The bounds of the next pass: a pending pass's own; else the watermark minus an overlap; else the
 * first-run lookback. The overlap catches posts that reach the index after newer ones (their sortAt is
 * the client's createdAt when that is earlier): re-reading a few minutes costs little, a hole costs trust.
 */
export function bskyPassStart(state: BskyQueryState, now: number, lookbackMs: number, overlapMs: number): NonNullable<BskyQueryState['pending']> {
  if (state.pending) return state.pending
  return { since: state.since ? new Date(Date.parse(state.since) - overlapMs).toISOString() : new Date(now - lookbackMs).toISOString() }
}

/**
 * After a page: the pending position for the next page, or the new watermark when the pass is done. A
 * full page without a cursor means the offset cap: continue below the oldest post with `until`.
 */
export function bskyAfterPage(
  before: BskyQueryState,
  pass: NonNullable<BskyQueryState['pending']>,
  page: BskyPage,
  limit: number,
  passPosts: number,
  complete: (newest: string | undefined) => BskyQueryState = (newest) => ({ since: maxIso(before.since, newest) ?? pass.since, last_pass_posts: passPosts }),
): { state: BskyQueryState; done: boolean } {
  const newest = maxIso(pass.newest, page.newest === null ? undefined : new Date(page.newest).toISOString())
  if (page.cursor && page.posts > 0) return { state: { ...before, pending: { ...pass, cursor: page.cursor, newest } }, done: false }
  if (!page.cursor && page.posts >= limit && page.oldest !== null && page.oldest > Date.parse(pass.since)) {
    // More posts than a whole page in one millisecond would repeat forever: then step past that millisecond.
    const stuck = pass.until !== undefined && Date.parse(pass.until) === page.oldest + 1
    return { state: { ...before, pending: { since: pass.since, until: new Date(stuck ? page.oldest : page.oldest + 1).toISOString(), newest } }, done: false }
  }
  return { state: complete(newest), done: true }
}

function maxIso(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b
  if (!b) return a
  return Date.parse(a) >= Date.parse(b) ? a : b
}
