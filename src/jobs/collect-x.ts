import type { AppContext } from '../context.js'
import { ConfigError } from '../domain/errors.js'
import { normalizePayload } from '../normalize/index.js'
import { isObj } from '../normalize/shape.js'
import { archivePayload } from '../sources/archive.js'
import { XApi, XBadRequestError } from '../sources/x/client.js'
import { liveWatermark, nextPassBounds, stateAfterPage, type PassBounds, type XQueryState } from '../sources/x/pagination.js'
import { compileXQueries, type XQuery } from '../sources/x/queries.js'
import { getCursor } from '../store/cursors.js'
import { recordGap } from '../store/gaps.js'
import { addReads, readsSoFar } from '../store/reads.js'
import { ingest, type IngestStats } from './ingest.js'
import { RunRecorder, runQueries } from './run-recorder.js'

export interface XRunOptions {
  signal?: AbortSignal
  /** Only these query keys (tests, backfills); default every query of every topic. */
  only?: (q: XQuery) => boolean
}

/** Every topic's X queries, in config order. */
export function planXQueries(ctx: AppContext): XQuery[] {
  return ctx.config.topics.flatMap((t) => compileXQueries(t))
}

export function xApi(ctx: AppContext, signal?: AbortSignal): XApi {
  const token = ctx.env.x.bearerToken
  if (!token) {
    throw new ConfigError([{ file: 'environment', key: 'X_BEARER_TOKEN', message: 'is not set', fix: 'put the app bearer token from console.x.com in the environment or .env' }])
  }
  const cfg = ctx.config.sources.x
  return new XApi({ bearerToken: token, baseUrl: ctx.env.x.baseUrl, log: ctx.log, maxRetries: cfg.max_retries, maxRateLimitWaitMs: cfg.max_rate_limit_wait_seconds * 1000, signal, now: () => ctx.now().getTime() })
}

/**
 * One collection run over X recent search: every query resumes from its watermark (or its interrupted
 * pass), pages with next_token, and stores each page with the query's new state and the billable reads
 * in one transaction. Budgets stop a query before they are exceeded; a long rate limit or a stop request
 * ends the run early with everything consistent.
 */
export async function collectX(ctx: AppContext, opts: XRunOptions = {}) {
  const queries = planXQueries(ctx).filter(opts.only ?? (() => true))
  const api = xApi(ctx, opts.signal)
  const run = new RunRecorder(ctx, 'x', queries.map((q) => `${q.label}: ${q.query}`))
  const mode = liveMode(ctx)
  return runQueries(run, queries, (q) => collectXQuery(ctx, api, q, run, mode), api, { price: ctx.config.sources.x.cost_per_post_usd, signal: opts.signal })
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
    start: (state) => nextPassBounds(state, passStartedAt, ctx.config.sources.x.first_run_lookback_hours * 3_600_000),
    complete: (before, newest, reads) => liveWatermark(before, newest, passStartedAt, reads),
  }
}

/** One query: pages until X has no more or the budget or page limit says stop; returns why it stopped early, if it did. */
export async function collectXQuery(ctx: AppContext, api: XApi, q: XQuery, run: RunRecorder, mode: XPassMode): Promise<string | null> {
  const cfg = ctx.config.sources.x
  const topic = ctx.config.topics.find((t) => t.id === q.topicId)!
  const key = mode.key(q)
  let state = JSON.parse(getCursor(ctx.db, mode.source, key) ?? '{}') as XQueryState
  const started = mode.start(state, q)
  if (!started) return null
  const { bounds, gap } = started
  if (gap) {
    recordGap(ctx.db, { source: 'x', startAt: gap.from, endAt: gap.to, reason: `query "${q.label}" was last collected before the 7-day reach of recent search` }, ctx.now().getTime())
    ctx.log.warn({ query: q.label, from: new Date(gap.from).toISOString(), to: new Date(gap.to).toISOString() }, 'X coverage gap: older posts are out of recent search reach')
  }
  let token = state.pending?.next_token
  let newest = state.pending?.newest_id ?? null
  let passReads = 0
  for (let page = 0; page < cfg.max_pages_per_query; page++) {
    const day = ctx.now().toISOString().slice(0, 10)
    const used = readsSoFar(ctx.db, day, topic.id, 'x')
    const left = Math.min(topic.budget.x_daily_post_reads - used.day, topic.budget.x_monthly_post_reads - used.month)
    if (left < 10) return `${q.label}: ${left <= 0 ? 'budget reached' : 'budget nearly reached'} (${used.day} post reads today, ${used.month} this month); resumes when it allows`
    const params: Record<string, string> = { query: q.query, max_results: String(Math.min(cfg.max_results, left)), ...definedStrings(bounds) }
    if (token) params.next_token = token
    let body: unknown
    try {
      body = await api.searchRecent(params)
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
    archivePayload(ctx.config.sources.archive_dir, 'x', body, ctx.now().getTime())
    const normalized = normalizePayload(body)
    if (!normalized || normalized.kind !== 'x-page') {
      run.skip('x: unreadable search page')
      run.error(`${q.label}: X returned a page of an unexpected shape; the query stops here and resumes next run`)
      return null
    }
    const meta = isObj(body) && isObj(body.meta) ? body.meta : {}
    const count = typeof meta.result_count === 'number' ? meta.result_count : normalized.posts.length + normalized.skipped.length
    newest ??= typeof meta.newest_id === 'string' ? meta.newest_id : null
    const next = typeof meta.next_token === 'string' && count > 0 ? meta.next_token : undefined
    passReads += count
    const reads = passReads
    state = stateAfterPage(state, bounds, newest, next, () => mode.complete(state, newest, reads))
    const stats: IngestStats = ingest(ctx, [normalized], { source: mode.source, query: q.label }, { source: mode.source, key, value: JSON.stringify(state) }, (db) => addReads(db, day, topic.id, 'x', count))
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
