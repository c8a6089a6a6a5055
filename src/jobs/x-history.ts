import type { AppContext } from '../context.js'
import type { XApi } from '../sources/x/client.js'
import { reachedMs, stateAfterHistoryPage, withoutBacklog, xHistoryStart } from '../sources/x/history.js'
import { iso, type XQueryState } from '../sources/x/pagination.js'
import type { XQuery } from '../sources/x/queries.js'
import { getCursor, setCursor } from '../store/cursors.js'
import { addReads } from '../store/reads.js'
import type { Progress } from '../domain/progress.js'
import { recordHistoryGap, settleHistory, stopCause } from './history-gaps.js'
import { ingest } from './ingest.js'
import type { RunRecorder } from './run-recorder.js'
import { readXPage } from './x-page.js'

const HOUR_MS = 3_600_000

export function xState(ctx: AppContext, q: XQuery): XQueryState {
  return JSON.parse(getCursor(ctx.db, 'x', q.key) ?? '{}') as XQueryState
}

export interface XHistoryOptions {
  onProgress?: (p: Progress) => void
  /** A first run that could not start (its note would repeat for every query): the caller sums them up. */
  notStarted?: (why: string) => void
}

/**
 * A query's first-run history, newest first, with the budget the live passes left: the whole window on a
 * first run, the backlog on later runs. Each page is stored with the query's state (live watermark and
 * backlog) and its billable reads in one transaction. What it cannot cover stays a coverage gap, which the
 * page that reaches the window's start marks repaired. Returns why it stopped early, if it did.
 */
export async function collectXHistory(ctx: AppContext, api: XApi, q: XQuery, run: RunRecorder, opts: XHistoryOptions = {}): Promise<string | null> {
  const { onProgress } = opts
  const cfg = ctx.config.sources.x
  const now = ctx.now().getTime()
  let state = xState(ctx, q)
  const found = xHistoryStart(state, now, cfg.first_run_lookback_hours * HOUR_MS)
  if (!found) return null
  const { pass } = found
  const lost = found.lost && {
    ...found.lost,
    reason: `first-run history of query "${q.label}" was older than the 7 days recent search reaches by the time a run got to it`,
  }
  const cursor = (s: XQueryState) => ({ source: 'x', key: q.key, value: JSON.stringify(s) })
  if (found.done) {
    ctx.db.transaction(() => {
      setCursor(ctx.db, cursor(withoutBacklog(state)), now)
      settleHistory(ctx.db, 'x', pass.gapId, lost, now)
    })()
    return lost ? `${q.label}: the rest of its first-run history is older than the 7 days recent search reaches (recorded as a coverage gap)` : null
  }

  let untilId = pass.untilId
  const progress = () => onProgress?.({ done: now - reachedMs(untilId, now), total: now - pass.start, label: `X history ${q.label}` })
  const stopped = (why: string, detail?: string): string | null => {
    const reached = reachedMs(untilId, now)
    if (!state.backlog) {
      if (!opts.notStarted) return `${q.label}: first run not started (${why})`
      opts.notStarted(why)
      return null
    }
    const range = `${iso(pass.start)} – ${iso(reached)}`
    if (state.backlog.gap_id === undefined) {
      const backlog = state.backlog
      recordHistoryGap(
        ctx,
        'x',
        q.key,
        { from: pass.start, to: reached },
        `first-run history of query "${q.label}" not yet collected: ${why}; later runs fill it`,
        (id) => {
          state = { ...state, backlog: { ...backlog, gap_id: id } }
          return state
        },
      )
    }
    return `${q.label}: first-run history reaches back to ${iso(reached)}; ${range} is a coverage gap until later runs fill it: ${why}${detail ? ` (${detail})` : ''}`
  }

  try {
    for (let n = 0; n < cfg.max_pages_per_query; n++) {
      const read = await readXPage(ctx, api, q, run, { start_time: iso(pass.start), ...(untilId ? { until_id: untilId } : {}) })
      if (read.kind === 'budget') return stopped(`X ${read.what}`, read.detail)
      if (read.kind === 'unreadable') return stopped('X returned an unreadable page')
      const more = read.next !== undefined && read.oldest !== null
      state = stateAfterHistoryPage(state, pass, { newest: read.newest, oldest: read.oldest, more }, now)
      const { count, day } = read
      const stats = ingest(ctx, [read.normalized], { source: 'x', query: q.label }, cursor(state), (db) => {
        addReads(db, day, q.topicId, 'x', count)
        if (!more) settleHistory(db, 'x', pass.gapId, lost, ctx.now().getTime())
      })
      run.page(stats, count)
      if (!more) {
        untilId = undefined
        onProgress?.({ done: now - pass.start, total: now - pass.start, label: `X history ${q.label}` })
        return null
      }
      untilId = read.oldest!
      progress()
    }
  } catch (e) {
    try {
      stopped(stopCause(e, 'X'))
    } catch (e2) {
      ctx.log.warn({ query: q.label, error: (e2 as Error).message }, 'could not record the first-run history gap')
    }
    throw e
  }
  return stopped(`${cfg.max_pages_per_query} pages, the limit per query and run (sources.x.max_pages_per_query)`)
}

/** One note for the queries whose first run could not start, instead of the same note for each. */
export function notStartedSummary(why: string, count: number): string {
  return `first run of ${count} more quer${count === 1 ? 'y' : 'ies'} not started (${why}); they start when it allows`
}

/**
 * The order history passes run in after every live pass: the newest uncovered history first, so a query
 * that has never run is not held back behind another's older backlog.
 */
export function newestHistoryFirst<Q>(items: readonly { q: Q; state: XQueryState }[], now: number): Q[] {
  const top = (s: XQueryState) => (s.backlog ? reachedMs(s.backlog.until_id, now) : now)
  return [...items].sort((a, b) => top(b.state) - top(a.state)).map((i) => i.q)
}
