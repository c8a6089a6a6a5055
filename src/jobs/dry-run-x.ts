import type { AppContext } from '../context.js'
import { isObj } from '../normalize/shape.js'
import { reachedMs, xHistoryStart } from '../sources/x/history.js'
import { iso, nextPassBounds } from '../sources/x/pagination.js'
import type { XQuery } from '../sources/x/queries.js'
import { AuthError, UnavailableError } from '../sources/errors.js'
import { readsSoFar } from '../store/reads.js'
import { planXQueries, xApi } from './collect-x.js'
import { xState } from './x-history.js'

export interface XPlanQuery {
  topic: string
  label: string
  query: string
  /** The live pass's bounds; on a first run, what its first request sends. */
  bounds: Record<string, string>
  resumes: boolean
  /** A query never collected: its first run reads this window, newest first. */
  firstRun: { since: string; until: string } | null
  /** History an earlier first run left (a coverage gap): read after every live pass, as budget allows. */
  history: { since: string; until: string; estimate: number | null } | null
  /** Every post the next run would read for this query if the budget allowed (live pass and history). */
  estimate: number | null
  estimateFrom: 'counts' | 'last pass' | 'unknown'
}

export interface XPlanBudget {
  topic: string
  today: number
  dailyLimit: number
  month: number
  monthlyLimit: number
  /** The topic's estimated reads (queries without an estimate count 0). */
  estimatedReads: number
  /** What the budget lets the next run read today. */
  allowedToday: number
  /** Estimated reads the budget leaves for later days: a coverage gap until then. */
  leftForLater: number
  /** Days at the daily budget that would take (null: the daily budget is 0). */
  laterDays: number | null
}

export interface XPlan {
  queries: XPlanQuery[]
  estimatedReads: number
  estimatedCostUsd: number
  costPerPostUsd: number
  budgets: XPlanBudget[]
  note: string | null
}

const HOUR_MS = 3_600_000

/**
 * What the next X run would read, and roughly what it would cost, without reading a single post: the
 * counts endpoint where the plan allows it (it returns numbers, not posts), else the last pass's reads.
 * A query's first run reads its whole window (7 days back); the topic's budget decides how much of it
 * today's run covers and how much waits, as a coverage gap, for later days.
 */
export async function planXRun(ctx: AppContext, topic?: string): Promise<XPlan> {
  const api = xApi(ctx)
  const now = ctx.now().getTime()
  let countsAllowed = true
  let note: string | null = null
  const count = async (q: XQuery, bounds: Record<string, string>): Promise<number | null> => {
    if (!countsAllowed) return null
    try {
      const body = await api.countsRecent({ query: q.query, granularity: 'day', ...bounds })
      const total = isObj(body) && isObj(body.meta) ? body.meta.total_tweet_count : undefined
      return typeof total === 'number' ? total : null
    } catch (e) {
      if (!(e instanceof AuthError || e instanceof UnavailableError)) throw e
      countsAllowed = false
      note = `counts endpoint unavailable (${e.message}); estimates come from each query's last pass`
      return null
    }
  }

  const queries: XPlanQuery[] = []
  for (const q of planXQueries(ctx, topic)) {
    const state = xState(ctx, q)
    const live = nextPassBounds(state, now)
    const history = xHistoryStart(state, now, ctx.config.sources.x.first_run_lookback_hours * HOUR_MS)
    const b: Record<string, string> = {}
    for (const [k, v] of Object.entries(live?.bounds ?? {})) if (typeof v === 'string') b[k] = v
    let estimate: number | null
    let from: XPlanQuery['estimateFrom'] = 'unknown'
    let firstRun: XPlanQuery['firstRun'] = null
    let left: XPlanQuery['history'] = null
    if (!live && history) {
      b.start_time = iso(history.pass.start)
      firstRun = { since: b.start_time, until: iso(now) }
      estimate = await count(q, b)
    } else {
      estimate = live ? await count(q, b) : 0
      if (history && !history.done) {
        const bounds = { start_time: iso(history.pass.start), until_id: history.pass.untilId! }
        left = { since: bounds.start_time, until: iso(reachedMs(history.pass.untilId, now)), estimate: await count(q, bounds) }
        estimate = estimate === null || left.estimate === null ? null : estimate + left.estimate
      }
    }
    if (estimate !== null) from = 'counts'
    else if (typeof state.last_pass_reads === 'number' && !firstRun && !left) {
      estimate = state.last_pass_reads
      from = 'last pass'
    }
    queries.push({
      topic: q.topicId,
      label: q.label,
      query: q.query,
      bounds: state.pending ? { ...b, next_token: '(resumes an interrupted pass)' } : b,
      resumes: Boolean(state.pending),
      firstRun,
      history: left,
      estimate,
      estimateFrom: from,
    })
  }

  const estimatedReads = queries.reduce((s, q) => s + (q.estimate ?? 0), 0)
  const day = ctx.now().toISOString().slice(0, 10)
  return {
    queries,
    estimatedReads,
    estimatedCostUsd: estimatedReads * ctx.config.sources.x.cost_per_post_usd,
    costPerPostUsd: ctx.config.sources.x.cost_per_post_usd,
    budgets: ctx.config.topics
      .filter((t) => topic === undefined || t.id === topic)
      .map((t) => {
        const used = readsSoFar(ctx.db, day, t.id, 'x')
        const estimated = queries.filter((q) => q.topic === t.id).reduce((s, q) => s + (q.estimate ?? 0), 0)
        const allowedToday = Math.max(0, Math.min(t.budget.x_daily_post_reads - used.day, t.budget.x_monthly_post_reads - used.month))
        const leftForLater = Math.max(0, estimated - allowedToday)
        const daily = t.budget.x_daily_post_reads
        return {
          topic: t.id,
          today: used.day,
          dailyLimit: daily,
          month: used.month,
          monthlyLimit: t.budget.x_monthly_post_reads,
          estimatedReads: estimated,
          allowedToday,
          leftForLater,
          laterDays: daily > 0 ? Math.ceil(leftForLater / daily) : null,
        }
      }),
    note,
  }
}
