import type { AppContext } from '../context.js'
import { ConfigError } from '../domain/errors.js'
import { XApi, XBadRequestError } from '../sources/x/client.js'
import { liveWatermark, nextPassBounds, stateAfterPage, type PassBounds, type XQueryState } from '../sources/x/pagination.js'
import { compileXQueries, type XQuery } from '../sources/x/queries.js'
import { getCursor } from '../store/cursors.js'
import { recordGap } from '../store/gaps.js'
import { addReads } from '../store/reads.js'
import type { Progress } from '../domain/progress.js'
import { ingest, type IngestStats } from './ingest.js'
import { RunRecorder, runQueries } from './run-recorder.js'
import { collectXHistory, newestHistoryFirst, notStartedSummary, xState } from './x-history.js'
import { readXPage, type XPageOutcome } from './x-page.js'

export interface XRunOptions {
  signal?: AbortSignal
  /** Only these query keys (tests, backfills); default every query of every topic. */
  only?: (q: XQuery) => boolean
  /** Only this topic's queries (what they read is still matched against every topic). */
  topic?: string
  /** How far back a first-run history pass has reached, per query. */
  onProgress?: (p: Progress) => void
}

/** Every topic's X queries (or one topic's), in config order. */
export function planXQueries(ctx: AppContext, topic?: string): XQuery[] {
  return ctx.config.topics.filter((t) => topic === undefined || t.id === topic).flatMap((t) => compileXQueries(t))
}

export function xApi(ctx: AppContext, signal?: AbortSignal): XApi {
  const token = ctx.env.x.bearerToken
  if (!token) {
    throw new ConfigError([
      { file: 'environment', key: 'X_BEARER_TOKEN', message: 'is not set', fix: 'put the app bearer token from console.x.com in the environment or .env' },
    ])
  }
  const cfg = ctx.config.sources.x
  return new XApi({
    bearerToken: token,
    baseUrl: ctx.env.x.baseUrl,
    log: ctx.log,
    maxRetries: cfg.max_retries,
    maxRateLimitWaitMs: cfg.max_rate_limit_wait_seconds * 1000,
    signal,
    now: () => ctx.now().getTime(),
  })
}

/**
 * One collection run over X recent search: first every query's live pass, from its watermark (or its
 * interrupted pass) with next_token; then, with the budget left, first-run history (a new query's window,
 * or what an earlier first run could not cover), newest first. Each page is stored with the query's new
 * state and the billable reads in one transaction. Budgets stop a query before they are exceeded; a long
 * rate limit or a stop request ends the run early with everything consistent.
 */
export async function collectX(ctx: AppContext, opts: XRunOptions = {}) {
  const queries = planXQueries(ctx, opts.topic).filter(opts.only ?? (() => true))
  const api = xApi(ctx, opts.signal)
  const run = new RunRecorder(
    ctx,
    'x',
    queries.map((q) => `${q.label}: ${q.query}`),
  )
  const mode = liveMode(ctx)
  const history = newestHistoryFirst(
    queries.map((q) => ({ q, state: xState(ctx, q) })),
    ctx.now().getTime(),
  )
  const passes = [...queries.map((q) => ({ q, history: false })), ...history.map((q) => ({ q, history: true }))]
  const waiting = new Map<string, number>()
  const notStarted = (why: string) => void waiting.set(why, (waiting.get(why) ?? 0) + 1)
  const one = async (p: (typeof passes)[number]) => {
    if (!p.history) return collectXQuery(ctx, api, p.q, run, mode)
    const note = await collectXHistory(ctx, api, p.q, run, { onProgress: opts.onProgress, notStarted })
    if (p !== passes.at(-1) || waiting.size === 0) return note
    return [note, ...[...waiting].map(([why, n]) => notStartedSummary(why, n))].filter(Boolean).join('; ')
  }
  return runQueries(run, passes, one, api, { price: ctx.config.sources.x.cost_per_post_usd, signal: opts.signal })
}

/** How a pass over one query starts and ends: live collection and backfills differ only here. */
export interface XPassMode {
  /** Cursor namespace and provenance: `x` for live runs, `x-backfill` for history. */
  source: 'x' | 'x-backfill'
  key: (q: XQuery) => string
  /** The bounds to page within, or null when there is nothing left to do. */
  start: (state: XQueryState, q: XQuery) => { bounds: PassBounds; gap: { from: number; to: number } | null } | null
  /** The state once X has no next page. */
  complete: (before: XQueryState, newest: string | null, passReads: number) => XQueryState
}

export function liveMode(ctx: AppContext): XPassMode {
  const passStartedAt = ctx.now().getTime()
  return {
    source: 'x',
    key: (q) => q.key,
    start: (state) => nextPassBounds(state, passStartedAt),
    complete: (before, newest, reads) => liveWatermark(before, newest, passStartedAt, reads),
  }
}

/** One query: pages until X has no more or the budget or page limit says stop; returns why it stopped early, if it did. */
export async function collectXQuery(ctx: AppContext, api: XApi, q: XQuery, run: RunRecorder, mode: XPassMode): Promise<string | null> {
  const cfg = ctx.config.sources.x
  const key = mode.key(q)
  let state = JSON.parse(getCursor(ctx.db, mode.source, key) ?? '{}') as XQueryState
  const started = mode.start(state, q)
  if (!started) return null
  const { bounds, gap } = started
  if (gap) {
    recordGap(
      ctx.db,
      { source: 'x', startAt: gap.from, endAt: gap.to, reason: `query "${q.label}" was last collected before the 7-day reach of recent search` },
      ctx.now().getTime(),
    )
    ctx.log.warn(
      { query: q.label, from: new Date(gap.from).toISOString(), to: new Date(gap.to).toISOString() },
      'X coverage gap: older posts are out of recent search reach',
    )
  }
  let token = state.pending?.next_token
  let newest = state.pending?.newest_id ?? null
  let passReads = 0
  for (let page = 0; page < cfg.max_pages_per_query; page++) {
    let read: XPageOutcome
    try {
      read = await readXPage(ctx, api, q, run, { ...definedStrings(bounds), ...(token ? { next_token: token } : {}) })
    } catch (e) {
      if (e instanceof XBadRequestError && token && /pagination|token/i.test(`${e.message} ${JSON.stringify(e.detail)}`)) {
        // A stale page token: start the pass again from its bounds; idempotent storage absorbs the overlap.
        ctx.log.warn({ query: q.label }, 'X page token no longer valid; restarting the pass from its bounds')
        token = undefined
        newest = null
        state = { ...state, pending: undefined }
        page--
        continue
      }
      throw e
    }
    if (read.kind === 'budget') return `${q.label}: ${read.what} (${read.detail}); resumes when it allows`
    if (read.kind === 'unreadable') return null
    newest ??= read.newest
    passReads += read.count
    const reads = passReads
    const { next, count, day } = read
    state = stateAfterPage(state, bounds, newest, next, () => mode.complete(state, newest, reads))
    const stats: IngestStats = ingest(
      ctx,
      [read.normalized],
      { source: mode.source, query: q.label },
      { source: mode.source, key, value: JSON.stringify(state) },
      (db) => addReads(db, day, q.topicId, 'x', count),
    )
    run.page(stats, count)
    if (!next) return null
    token = next
  }
  return `${q.label}: stopped after ${cfg.max_pages_per_query} pages (sources.x.max_pages_per_query); resumes next run`
}

function definedStrings(o: PassBounds): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v
  return out
}
