import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { pendingBounds, RECENT_WINDOW_MS } from '../sources/x/pagination.js'
import { recordGap } from '../store/gaps.js'
import { bskyApi, collectBskyQuery, planBskyQueries, type BskyPassMode } from './collect-bluesky.js'
import { collectXQuery, planXQueries, xApi, type XPassMode } from './collect-x.js'
import type { Progress } from '../domain/progress.js'
import { RunRecorder, runQueries, type RunResult } from './run-recorder.js'

export interface BackfillOptions {
  source: 'x' | 'bluesky'
  since: number
  until: number
  signal?: AbortSignal
  onProgress?: (p: Progress) => void
  /** Only this topic's queries (what they read is still matched against every topic). */
  topic?: string
}

export interface BackfillResult extends RunResult {
  window: { since: string; until: string }
  /** X only: the part of the window recent search cannot reach. */
  unreachable: { since: string; until: string } | null
}

/** X refuses an end_time closer than about 10 seconds to now. */
const X_END_MARGIN_MS = 30_000

/**
 * Collect a past window for every query. Each query's progress through the window is stored with every
 * page (apart from the live watermarks), so an interrupted backfill resumes where it stopped and a
 * finished one is not read again. X recent search reaches 7 days: older parts are reported, not faked.
 */
export async function backfill(ctx: AppContext, o: BackfillOptions): Promise<BackfillResult> {
  const now = ctx.now().getTime()
  const until = Math.min(o.until, now - (o.source === 'x' ? X_END_MARGIN_MS : 0))
  if (until <= o.since) throw new UsageError('--until must be after --since (and not in the future)')
  const window = { since: new Date(o.since).toISOString(), until: new Date(until).toISOString() }
  const progress = (done: number, total: number) => o.onProgress?.({ done, total, label: `${o.source} backfill` })

  if (o.source === 'x') {
    const edge = now - RECENT_WINDOW_MS
    const since = Math.max(o.since, edge)
    const unreachable = o.since < edge ? { since: window.since, until: new Date(Math.min(edge, until)).toISOString() } : null
    if (unreachable) {
      recordGap(
        ctx.db,
        { source: 'x', startAt: o.since, endAt: Math.min(edge, until), reason: 'backfill asked for posts older than the 7 days recent search reaches' },
        now,
      )
      ctx.log.warn(unreachable, 'X recent search reaches 7 days back: the older part of the window is recorded as a coverage gap')
    }
    const result =
      since < until
        ? await backfillX(ctx, new Date(since).toISOString(), new Date(until).toISOString(), o.signal, progress, o.topic)
        : new RunRecorder(ctx, 'x-backfill', []).finish('ok', 'the whole window is older than the 7 days recent search reaches')
    return { ...result, window, unreachable }
  }
  return { ...(await backfillBluesky(ctx, window.since, window.until, o.signal, progress, o.topic)), window, unreachable: null }
}

async function backfillX(
  ctx: AppContext,
  startTime: string,
  endTime: string,
  signal: AbortSignal | undefined,
  onQueryDone: (d: number, t: number) => void,
  topic: string | undefined,
): Promise<RunResult> {
  const queries = planXQueries(ctx, topic)
  const api = xApi(ctx, signal)
  const run = new RunRecorder(
    ctx,
    'x-backfill',
    queries.map((q) => `${q.label}: ${q.query} [${startTime} – ${endTime}]`),
  )
  const mode: XPassMode = {
    source: 'x-backfill',
    key: (q) => `${q.key}|${startTime}|${endTime}`,
    start: (state) =>
      state.complete ? null : { bounds: state.pending ? pendingBounds(state.pending) : { start_time: startTime, end_time: endTime }, gap: null },
    complete: () => ({ complete: true }),
  }
  return runQueries(run, queries, (q) => collectXQuery(ctx, api, q, run, mode), api, { price: ctx.config.sources.x.cost_per_post_usd, signal, onQueryDone })
}

async function backfillBluesky(
  ctx: AppContext,
  since: string,
  until: string,
  signal: AbortSignal | undefined,
  onQueryDone: (d: number, t: number) => void,
  topic: string | undefined,
): Promise<RunResult> {
  const queries = planBskyQueries(ctx, topic)
  const api = bskyApi(ctx, signal)
  const run = new RunRecorder(
    ctx,
    'bluesky-backfill',
    queries.map((q) => `${q.label}: ${JSON.stringify(q.params)} [${since} – ${until}]`),
  )
  const mode: BskyPassMode = {
    source: 'bluesky-backfill',
    key: (q) => `${q.key}|${since}|${until}`,
    start: (state) => (state.complete ? null : (state.pending ?? { since, until })),
    complete: () => ({ complete: true }),
  }
  return runQueries(run, queries, (q) => collectBskyQuery(ctx, api, q, run, mode), api, { signal, onQueryDone })
}
