import type { AppContext } from '../../context.js'
import { planBskyRun, type BskyPlan } from '../../jobs/dry-run-bluesky.js'
import { planXRun, type XPlan } from '../../jobs/dry-run-x.js'
import { printJson, println, type Io } from '../io.js'

type Plan = { source: 'x'; plan: XPlan } | ({ source: 'bluesky' } & BskyPlan)

/** What `collect --dry-run` would do: queries, where each resumes, first-run windows and (X) estimated reads, cost and budget. */
export async function collectPlan(ctx: AppContext, source: 'x' | 'bluesky', topic?: string): Promise<Plan> {
  if (source === 'x') return { source, plan: await planXRun(ctx, topic) }
  return { source, ...planBskyRun(ctx, topic) }
}

export function printPlan(io: Io, p: Plan, json: boolean): void {
  if (json) return printJson(io, p)
  if (p.source === 'bluesky') return printBskyPlan(io, p)
  const x = p.plan
  const usd = (reads: number) => `$${(reads * x.costPerPostUsd).toFixed(2)}`
  println(io, `X: ${x.queries.length} recent-search queries, no posts read (dry run)`)
  for (const q of x.queries) {
    const about = `≈ ${q.estimate ?? '?'} posts (${q.estimateFrom})`
    if (q.firstRun) {
      println(
        io,
        `  ${q.label} (${q.query.length} chars) — first run: ${span(q.firstRun.since, q.firstRun.until)} back, ${q.firstRun.since} – now, newest first; ${about}`,
      )
      continue
    }
    const where = q.resumes
      ? 'resumes an interrupted pass'
      : Object.entries(q.bounds)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
    const left = q.history ? `; then first-run history left, ${q.history.since} – ${q.history.until}` : ''
    println(io, `  ${q.label} (${q.query.length} chars) — ${where}${left}; ${about}`)
  }
  println(io, `Estimated post reads: ${x.estimatedReads} ≈ ${usd(x.estimatedReads)} at $${x.costPerPostUsd} a post`)
  for (const b of x.budgets) {
    println(io, `  budget ${b.topic}: ${b.today}/${b.dailyLimit} today, ${b.month}/${b.monthlyLimit} this month`)
    if (b.leftForLater > 0) {
      const days = b.laterDays === null ? 'the daily budget is 0' : `≈ ${b.laterDays} more day${b.laterDays === 1 ? '' : 's'} at ${b.dailyLimit} a day`
      println(io, `    today allows ≈ ${b.allowedToday} of ≈ ${b.estimatedReads} (${usd(b.allowedToday)}): new posts first, then history, newest first;`)
      println(io, `    ≈ ${b.leftForLater} stay a coverage gap that later days fill (${days}); \`status\` lists it`)
    } else if (b.estimatedReads > 0) println(io, `    today's budget covers all of it`)
  }
  if (x.note) println(io, `  note: ${x.note}`)
}

function printBskyPlan(io: Io, p: BskyPlan): void {
  println(io, `Bluesky: ${p.queries.length} searchPosts queries (sort=latest), no posts read (dry run)`)
  for (const q of p.queries) {
    const where = q.firstRun
      ? `first run: ${span(q.firstRun.since, q.firstRun.until)} back, ${q.firstRun.since} – now, newest first`
      : `${q.resumes ? 'resumes an interrupted pass' : `since ${q.since}`}${q.history ? `; then first-run history left, ${q.history.since} – ${q.history.reached}` : ''}`
    println(io, `  ${q.label}: ${JSON.stringify(q.params)} — ${where}`)
  }
  println(io, `Search is free but rate-limited (the PDS allows 3,000 requests per 5 minutes; a 429 waits for its reset, up to max_rate_limit_wait_seconds).`)
  println(io, `  Each run reads at most ${p.maxPagesPerQuery} pages of ${p.limit} posts per query and pass; a first run that needs more`)
  println(io, `  leaves a coverage gap that later runs fill (\`status\` lists it). Older windows: \`backfill --source bluesky\`.`)
}

function span(since: string, until: string): string {
  const days = (Date.parse(until) - Date.parse(since)) / 86_400_000
  return days >= 1 ? `${Math.round(days * 10) / 10} days` : `${Math.round(days * 24)} hours`
}
