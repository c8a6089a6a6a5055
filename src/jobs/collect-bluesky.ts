import type { AppContext } from '../context.js'
import { normalizePayload } from '../normalize/index.js'
import { isObj, parseIsoMs } from '../normalize/shape.js'
import { archivePayload } from '../sources/archive.js'
import { BskyApi } from '../sources/bluesky/client.js'
import { bskyAfterPage, bskyPassStart, type BskyQueryState } from '../sources/bluesky/pagination.js'
import { compileBskyQueries, type BskyQuery } from '../sources/bluesky/queries.js'
import { sessionStore } from '../sources/bluesky/session-store.js'
import { getCursor } from '../store/cursors.js'
import { ingest } from './ingest.js'
import { RunRecorder, runQueries } from './run-recorder.js'

export function planBskyQueries(ctx: AppContext): BskyQuery[] {
  return ctx.config.topics.flatMap((t) => compileBskyQueries(t))
}

export function bskyApi(ctx: AppContext, signal?: AbortSignal): BskyApi {
  const cfg = ctx.config.sources.bluesky
  return new BskyApi({
    service: ctx.env.bluesky.service,
    publicApi: ctx.env.bluesky.publicApi,
    identifier: ctx.env.bluesky.identifier,
    appPassword: ctx.env.bluesky.appPassword,
    store: sessionStore(ctx),
    log: ctx.log,
    maxRetries: cfg.max_retries,
    maxRateLimitWaitMs: cfg.max_rate_limit_wait_seconds * 1000,
    maxLoginsPerDay: cfg.max_logins_per_day,
    signal,
    now: () => ctx.now().getTime(),
  })
}

/**
 * One collection run over Bluesky search: each query pages `sort=latest` from its `since` watermark,
 * stores every page with the query's new position in one transaction, and stops at the watermark. Past
 * the offset cap it walks backwards with `until`. Posts failing lexicon validation are skipped and counted.
 */
export async function collectBluesky(ctx: AppContext, opts: { signal?: AbortSignal; only?: (q: BskyQuery) => boolean } = {}) {
  const queries = planBskyQueries(ctx).filter(opts.only ?? (() => true))
  const api = bskyApi(ctx, opts.signal)
  const run = new RunRecorder(ctx, 'bluesky', queries.map((q) => `${q.label}: ${JSON.stringify(q.params)}`))
  const mode = liveBskyMode(ctx)
  return runQueries(run, queries, (q) => collectBskyQuery(ctx, api, q, run, mode), api, { signal: opts.signal })
}

/** How a pass over one query starts and ends: live collection and backfills differ only here. */
export interface BskyPassMode {
  source: 'bluesky' | 'bluesky-backfill'
  key: (q: BskyQuery) => string
  start: (state: BskyQueryState) => NonNullable<BskyQueryState['pending']> | null
  complete?: (before: BskyQueryState, pass: NonNullable<BskyQueryState['pending']>, newest: string | undefined, passPosts: number) => BskyQueryState
}

export function liveBskyMode(ctx: AppContext): BskyPassMode {
  const now = ctx.now().getTime()
  const cfg = ctx.config.sources.bluesky
  return { source: 'bluesky', key: (q) => q.key, start: (state) => bskyPassStart(state, now, cfg.first_run_lookback_hours * 3_600_000, cfg.since_overlap_minutes * 60_000) }
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
    const page = await api.searchPosts({ ...q.params, sort: 'latest', since: pass.since, until: pass.until, cursor: pass.cursor, limit: cfg.limit })
    archivePayload(ctx.config.sources.archive_dir, 'bluesky', page.raw, ctx.now().getTime())
    if (page.invalid) run.skip('bluesky: post failed lexicon validation', page.invalid)
    const normalized = normalizePayload(page.body)
    if (!normalized) {
      run.skip('bluesky: unreadable search page')
      return `${q.label}: unreadable page; resumes next run`
    }
    const times = page.body.posts.map(sortAt).filter((t): t is number => t !== null)
    const seen = passPosts + page.body.posts.length
    const before = state
    const current = pass
    const complete = mode.complete ? (newest: string | undefined) => mode.complete!(before, current, newest, seen) : undefined
    const step = bskyAfterPage(state, pass, { posts: page.body.posts.length + page.invalid, newest: times.length ? Math.max(...times) : null, oldest: times.length ? Math.min(...times) : null, cursor: page.body.cursor }, cfg.limit, seen, complete)
    passPosts = seen
    state = step.state
    const stats = ingest(ctx, [normalized], { source: mode.source, query: q.label }, { source: mode.source, key, value: JSON.stringify(state) })
    run.page(stats)
    if (step.done) return null
    pass = state.pending!
  }
  // The pass continues next run from where it stopped: the rest of the window stays pending, not lost.
  return `${q.label}: stopped after ${cfg.max_pages_per_query} pages (sources.bluesky.max_pages_per_query); resumes next run`
}

/** Bluesky orders search by sortAt: the earlier of the claimed creation time and when the network saw it. */
export function sortAt(view: unknown): number | null {
  if (!isObj(view)) return null
  const indexed = parseIsoMs(view.indexedAt)
  const created = isObj(view.record) ? parseIsoMs(view.record.createdAt) : null
  if (indexed === null) return created
  return created === null ? indexed : Math.min(created, indexed)
}
