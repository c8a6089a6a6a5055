import type { AppContext } from '../context.js'
import { BskyApi } from '../sources/bluesky/client.js'
import { bskyAfterPage, bskyPassStart, type BskyPass, type BskyQueryState } from '../sources/bluesky/pagination.js'
import { compileBskyQueries, type BskyQuery } from '../sources/bluesky/queries.js'
import { sessionStore } from '../store/sessions.js'
import { getCursor } from '../store/cursors.js'
import { bskyState, collectBskyHistory, newestBskyHistoryFirst } from './bluesky-history.js'
import { readBskyPage } from './bluesky-page.js'
import type { Progress } from '../domain/progress.js'
import { ingest } from './ingest.js'
import { RunRecorder, runQueries } from './run-recorder.js'

/** Every topic's Bluesky queries (or one topic's), in config order. */
export function planBskyQueries(ctx: AppContext, topic?: string): BskyQuery[] {
  return ctx.config.topics.filter((t) => topic === undefined || t.id === topic).flatMap((t) => compileBskyQueries(t))
}

export function bskyApi(ctx: AppContext, signal?: AbortSignal): BskyApi {
  const cfg = ctx.config.sources.bluesky
  return new BskyApi({
    service: ctx.env.bluesky.service,
    publicApi: ctx.env.bluesky.publicApi,
    identifier: ctx.env.bluesky.identifier,
    appPassword: ctx.env.bluesky.appPassword,
    store: sessionStore(ctx.db, ctx.env.bluesky, () => ctx.now().getTime()),
    log: ctx.log,
    maxRetries: cfg.max_retries,
    maxRateLimitWaitMs: cfg.max_rate_limit_wait_seconds * 1000,
    maxLoginsPerDay: cfg.max_logins_per_day,
    signal,
    now: () => ctx.now().getTime(),
  })
}

/**
 * One collection run over Bluesky search: first every query's live pass, paging `sort=latest` from its
 * `since` watermark; then first-run history (a new query's window, or what an earlier first run could
 * not cover), newest first. Every page is stored with the query's new position in one transaction. Past
 * the offset cap a pass walks backwards with `until`. Posts failing lexicon validation are skipped and counted.
 */
export async function collectBluesky(
  ctx: AppContext,
  opts: { signal?: AbortSignal; only?: (q: BskyQuery) => boolean; topic?: string; onProgress?: (p: Progress) => void } = {},
) {
  const queries = planBskyQueries(ctx, opts.topic).filter(opts.only ?? (() => true))
  const api = bskyApi(ctx, opts.signal)
  const run = new RunRecorder(
    ctx,
    'bluesky',
    queries.map((q) => `${q.label}: ${JSON.stringify(q.params)}`),
  )
  const mode = liveBskyMode(ctx)
  const history = newestBskyHistoryFirst(queries.map((q) => ({ q, state: bskyState(ctx, q) })))
  const passes = [...queries.map((q) => ({ q, history: false })), ...history.map((q) => ({ q, history: true }))]
  const one = (p: { q: BskyQuery; history: boolean }) =>
    p.history ? collectBskyHistory(ctx, api, p.q, run, opts.onProgress) : collectBskyQuery(ctx, api, p.q, run, mode)
  return runQueries(run, passes, one, api, { signal: opts.signal })
}

/** How a pass over one query starts and ends: live collection and backfills differ only here. */
export interface BskyPassMode {
  source: 'bluesky' | 'bluesky-backfill'
  key: (q: BskyQuery) => string
  start: (state: BskyQueryState) => BskyPass | null
  complete?: (before: BskyQueryState, pass: BskyPass, newest: string | undefined, passPosts: number) => BskyQueryState
}

export function liveBskyMode(ctx: AppContext): BskyPassMode {
  const cfg = ctx.config.sources.bluesky
  return { source: 'bluesky', key: (q) => q.key, start: (state) => bskyPassStart(state, cfg.since_overlap_minutes * 60_000) }
}

export async function collectBskyQuery(ctx: AppContext, api: BskyApi, q: BskyQuery, run: RunRecorder, mode: BskyPassMode): Promise<string | null> {
  const cfg = ctx.config.sources.bluesky
  const key = mode.key(q)
  let state = JSON.parse(getCursor(ctx.db, mode.source, key) ?? '{}') as BskyQueryState
  const first = mode.start(state)
  if (!first) return null
  let pass = first
  let passPosts = 0
  for (let n = 0; n < cfg.max_pages_per_query; n++) {
    const read = await readBskyPage(ctx, api, q, run, pass)
    if (!read) return `${q.label}: unreadable page; resumes next run`
    const seen = passPosts + read.page.posts
    const before = state
    const current = pass
    const complete = mode.complete ? (newest: string | undefined) => mode.complete!(before, current, newest, seen) : undefined
    const step = bskyAfterPage(state, pass, read.page, cfg.limit, seen, complete)
    passPosts = seen
    state = step.state
    const stats = ingest(ctx, [read.normalized], { source: mode.source, query: q.label }, { source: mode.source, key, value: JSON.stringify(state) })
    run.page(stats)
    if (step.done) return null
    pass = state.pending!
  }
  // The pass continues next run from where it stopped: the rest of the window stays pending, not lost.
  return `${q.label}: stopped after ${cfg.max_pages_per_query} pages (sources.bluesky.max_pages_per_query); resumes next run`
}
