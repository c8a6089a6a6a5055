import { isBskyFirstRun, type BskyBacklog, type BskyPass, type BskyQueryState } from './pagination.js'

/**
 * A query's first-run history, newest first: on a first run the window [now − window, now), whose end
 * becomes the live watermark, so later live passes collect what is newer while the history pass pages
 * below it; after an interrupted first run, the backlog where it stopped. Bounded above by a fixed
 * `until`, its offset cursor is not shifted by posts arriving meanwhile.
 */
export function bskyHistoryStart(state: BskyQueryState, now: number, windowMs: number): BskyBacklog | null {
  if (isBskyFirstRun(state)) {
    const until = new Date(now).toISOString()
    return { since: new Date(now - windowMs).toISOString(), until, reached: until }
  }
  return state.backlog ?? null
}

/** The state stored with a history page: the live watermark at the window's end; the backlog moved on, or gone when done. */
export function stateAfterBskyHistoryPage(before: BskyQueryState, backlog: BskyBacklog, next: BskyPass | null, oldestOnPage: number | null): BskyQueryState {
  const { backlog: _, ...rest } = before
  const out: BskyQueryState = { ...rest, since: rest.since ?? backlog.until }
  if (next)
    out.backlog = {
      since: next.since,
      until: next.until ?? backlog.until,
      ...(next.cursor ? { cursor: next.cursor } : {}),
      reached: earlier(backlog.reached, oldestOnPage),
      ...(backlog.gap_id === undefined ? {} : { gap_id: backlog.gap_id }),
    }
  return out
}

/** The history's position as a pass (a backlog is one). */
export function backlogPass(b: BskyBacklog): BskyPass {
  return { since: b.since, until: b.until, ...(b.cursor ? { cursor: b.cursor } : {}) }
}

function earlier(iso: string, ms: number | null): string {
  return ms !== null && ms < Date.parse(iso) ? new Date(ms).toISOString() : iso
}
