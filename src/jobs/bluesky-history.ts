import type { AppContext } from '../context.js'
import type { BskyApi } from '../sources/bluesky/client.js'
import { backlogPass, bskyHistoryStart, stateAfterBskyHistoryPage } from '../sources/bluesky/history.js'
import { bskyNextPass, type BskyBacklog, type BskyQueryState } from '../sources/bluesky/pagination.js'
import type { BskyQuery } from '../sources/bluesky/queries.js'
import { getCursor } from '../store/cursors.js'
import { readBskyPage } from './bluesky-page.js'
import type { Progress } from '../domain/progress.js'
import { recordHistoryGap, settleHistory, stopCause } from './history-gaps.js'
import { ingest } from './ingest.js'
import type { RunRecorder } from './run-recorder.js'

const HOUR_MS = 3_600_000

export function bskyState(ctx: AppContext, q: BskyQuery): BskyQueryState {
  return JSON.parse(getCursor(ctx.db, 'bluesky', q.key) ?? '{}') as BskyQueryState
}

/**
 * A query's first-run history, newest first, after every live pass: the whole window on a first run
 * (`sources.bluesky.first_run_lookback_hours`), the backlog on later runs. Each page is stored with the
 * query's state (live watermark and backlog) in one transaction. What a run cannot cover stays a
 * coverage gap, which the page that reaches the window's start marks repaired. Returns why it stopped early.
 */
export async function collectBskyHistory(
  ctx: AppContext,
  api: BskyApi,
  q: BskyQuery,
  run: RunRecorder,
  onProgress?: (p: Progress) => void,
): Promise<string | null> {
  const cfg = ctx.config.sources.bluesky
  const now = ctx.now().getTime()
  let state = bskyState(ctx, q)
  let backlog = bskyHistoryStart(state, now, cfg.first_run_lookback_hours * HOUR_MS)
  if (!backlog) return null
  const start = Date.parse(backlog.since)
  const gapId = backlog.gap_id
  const label = `Bluesky history ${q.label}`
  const progress = (reached: number) => onProgress?.({ done: now - reached, total: now - start, label })
  const stopped = (why: string): string => {
    const current = state.backlog
    if (!current) return `${q.label}: first run not started (${why})`
    const reached = current.reached
    if (current.gap_id === undefined) {
      recordHistoryGap(
        ctx,
        'bluesky',
        q.key,
        { from: start, to: Date.parse(reached) },
        `first-run history of query "${q.label}" not yet collected: ${why}; later runs fill it`,
        (id) => {
          state = { ...state, backlog: { ...current, gap_id: id } }
          return state
        },
      )
    }
    return `${q.label}: first-run history reaches back to ${reached}; ${current.since} – ${reached} is a coverage gap until later runs fill it: ${why}`
  }

  try {
    for (let n = 0; n < cfg.max_pages_per_query; n++) {
      const read = await readBskyPage(ctx, api, q, run, backlogPass(backlog))
      if (!read) return stopped('Bluesky returned an unreadable page')
      const next = bskyNextPass(backlogPass(backlog), read.page, cfg.limit)
      state = stateAfterBskyHistoryPage(state, backlog, next, read.page.oldest)
      const stats = ingest(
        ctx,
        [read.normalized],
        { source: 'bluesky', query: q.label },
        { source: 'bluesky', key: q.key, value: JSON.stringify(state) },
        next ? undefined : (db) => settleHistory(db, 'bluesky', gapId, null, ctx.now().getTime()),
      )
      run.page(stats)
      if (!next) {
        progress(start)
        return null
      }
      backlog = state.backlog!
      progress(Date.parse(backlog.reached))
    }
  } catch (e) {
    try {
      stopped(stopCause(e, 'Bluesky'))
    } catch (e2) {
      ctx.log.warn({ query: q.label, error: (e2 as Error).message }, 'could not record the first-run history gap')
    }
    throw e
  }
  return stopped(`${cfg.max_pages_per_query} pages, the limit per query and run (sources.bluesky.max_pages_per_query)`)
}

/** History passes run newest uncovered history first: a query never run is not held back behind another's backlog. */
export function newestBskyHistoryFirst<Q>(items: readonly { q: Q; state: BskyQueryState }[]): Q[] {
  const top = (b: BskyBacklog | undefined) => (b ? Date.parse(b.reached) : Number.MAX_SAFE_INTEGER)
  return [...items].sort((a, b) => top(b.state.backlog) - top(a.state.backlog)).map((i) => i.q)
}
