import type { AppContext } from '../context.js'
import { bskyHistoryStart } from '../sources/bluesky/history.js'
import { isBskyFirstRun } from '../sources/bluesky/pagination.js'
import { bskyState } from './bluesky-history.js'
import { planBskyQueries } from './collect-bluesky.js'

export interface BskyPlanQuery {
  topic: string
  label: string
  params: unknown
  /** The live watermark (null on a first run). */
  since: string | null
  resumes: boolean
  /** A query never collected: its first run reads this window, newest first. */
  firstRun: { since: string; until: string } | null
  /** History an earlier first run left (a coverage gap), read after every live pass. */
  history: { since: string; reached: string } | null
}

export interface BskyPlan {
  queries: BskyPlanQuery[]
  limit: number
  maxPagesPerQuery: number
}

/** What the next Bluesky run would read, reading nothing: search is free, so there is no cost, only rate limits. */
export function planBskyRun(ctx: AppContext, topic?: string): BskyPlan {
  const cfg = ctx.config.sources.bluesky
  const now = ctx.now().getTime()
  return {
    queries: planBskyQueries(ctx, topic).map((q) => {
      const s = bskyState(ctx, q)
      const first = isBskyFirstRun(s) ? bskyHistoryStart(s, now, cfg.first_run_lookback_hours * 3_600_000) : null
      return {
        topic: q.topicId,
        label: q.label,
        params: q.params,
        since: s.pending?.since ?? s.since ?? null,
        resumes: Boolean(s.pending),
        firstRun: first ? { since: first.since, until: first.until } : null,
        history: s.backlog ? { since: s.backlog.since, reached: s.backlog.reached } : null,
      }
    }),
    limit: cfg.limit,
    maxPagesPerQuery: cfg.max_pages_per_query,
  }
}
