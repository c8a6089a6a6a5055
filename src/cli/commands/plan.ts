import type { AppContext } from '../../context.js'
import { planBskyQueries } from '../../jobs/collect-bluesky.js'
import { planXRun, type XPlan } from '../../jobs/dry-run-x.js'
import type { BskyQueryState } from '../../sources/bluesky/pagination.js'
import { getCursor } from '../../store/cursors.js'
import { printJson, println, type Io } from '../io.js'

type Plan = { source: 'x'; plan: XPlan } | { source: 'bluesky'; queries: { topic: string; label: string; params: unknown; since: string | null; resumes: boolean }[] }

/** What `collect --dry-run` would do: queries, where each resumes, and (X) estimated reads and cost. */
export async function collectPlan(ctx: AppContext, source: 'x' | 'bluesky'): Promise<Plan> {
  if (source === 'x') return { source, plan: await planXRun(ctx) }
  return {
    source,
    queries: planBskyQueries(ctx).map((q) => {
      const s = JSON.parse(getCursor(ctx.db, 'bluesky', q.key) ?? '{}') as BskyQueryState
      return { topic: q.topicId, label: q.label, params: q.params, since: s.pending?.since ?? s.since ?? null, resumes: Boolean(s.pending) }
    }),
  }
}

export function printPlan(io: Io, p: Plan, json: boolean): void {
  if (json) return printJson(io, p)
  if (p.source === 'bluesky') {
    println(io, `Bluesky: ${p.queries.length} searchPosts queries (sort=latest), no posts read (dry run)`)
    for (const q of p.queries) println(io, `  ${q.label}: ${JSON.stringify(q.params)} — ${q.resumes ? 'resumes an interrupted pass' : q.since ? `since ${q.since}` : 'first run (lookback window)'}`)
    return
  }
  const x = p.plan
  println(io, `X: ${x.queries.length} recent-search queries, no posts read (dry run)`)
  for (const q of x.queries) {
    const where = q.resumes ? 'resumes an interrupted pass' : Object.entries(q.bounds).map(([k, v]) => `${k}=${v}`).join(' ')
    println(io, `  ${q.label} (${q.query.length} chars) — ${where}; ≈ ${q.estimate ?? '?'} posts (${q.estimateFrom})`)
  }
  println(io, `Estimated post reads: ${x.estimatedReads} ≈ $${x.estimatedCostUsd.toFixed(2)} at the configured price`)
  for (const b of x.budgets) println(io, `  budget ${b.topic}: ${b.today}/${b.dailyLimit} today, ${b.month}/${b.monthlyLimit} this month`)
  if (x.note) println(io, `  note: ${x.note}`)
}
