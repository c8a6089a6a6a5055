import type { AppContext } from '../context.js'
import { isObj } from '../normalize/shape.js'
import { nextPassBounds, type XQueryState } from '../sources/x/pagination.js'
import { AuthError, UnavailableError } from '../sources/wait.js'
import { getCursor } from '../store/cursors.js'
import { readsSoFar } from '../store/reads.js'
import { planXQueries, xApi } from './collect-x.js'

export interface XPlanQuery {
  topic: string
  label: string
  query: string
  bounds: Record<string, string>
  resumes: boolean
  estimate: number | null
  estimateFrom: 'counts' | 'last pass' | 'unknown'
}

export interface XPlan {
  queries: XPlanQuery[]
  estimatedReads: number
  estimatedCostUsd: number
  budgets: { topic: string; today: number; dailyLimit: number; month: number; monthlyLimit: number }[]
  note: string | null
}

/**
 * What the next X run would read, and roughly what it would cost, without reading a single post: the
 * counts endpoint where the plan allows it (it returns numbers, not posts), else the last pass's reads.
 */
export async function planXRun(ctx: AppContext): Promise<XPlan> {
  const api = xApi(ctx)
  const now = ctx.now().getTime()
  let countsAllowed = true
  let note: string | null = null
  const queries: XPlanQuery[] = []
  for (const q of planXQueries(ctx)) {
    const state = JSON.parse(getCursor(ctx.db, 'x', q.key) ?? '{}') as XQueryState
    const { bounds } = nextPassBounds(state, now, ctx.config.sources.x.first_run_lookback_hours * 3_600_000)
    const b: Record<string, string> = {}
    for (const [k, v] of Object.entries(bounds)) if (typeof v === 'string') b[k] = v
    let estimate: number | null = null
    let from: XPlanQuery['estimateFrom'] = 'unknown'
    if (countsAllowed) {
      try {
        const body = await api.countsRecent({ query: q.query, granularity: 'day', ...b })
        const total = isObj(body) && isObj(body.meta) ? body.meta.total_tweet_count : undefined
        if (typeof total === 'number') {
          estimate = total
          from = 'counts'
        }
      } catch (e) {
        if (!(e instanceof AuthError || e instanceof UnavailableError)) throw e
        countsAllowed = false
        note = `counts endpoint unavailable (${e.message}); estimates come from each query's last pass`
      }
    }
    if (estimate === null && typeof state.last_pass_reads === 'number') {
      estimate = state.last_pass_reads
      from = 'last pass'
    }
    queries.push({ topic: q.topicId, label: q.label, query: q.query, bounds: state.pending ? { ...b, next_token: '(resumes an interrupted pass)' } : b, resumes: Boolean(state.pending), estimate, estimateFrom: from })
  }
  const estimatedReads = queries.reduce((s, q) => s + (q.estimate ?? 0), 0)
  const day = ctx.now().toISOString().slice(0, 10)
  return {
    queries,
    estimatedReads,
    estimatedCostUsd: estimatedReads * ctx.config.sources.x.cost_per_post_usd,
    budgets: ctx.config.topics.map((t) => {
      const used = readsSoFar(ctx.db, day, t.id, 'x')
      return { topic: t.id, today: used.day, dailyLimit: t.budget.x_daily_post_reads, month: used.month, monthlyLimit: t.budget.x_monthly_post_reads }
    }),
    note,
  }
}
