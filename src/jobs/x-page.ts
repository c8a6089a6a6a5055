import type { AppContext } from '../context.js'
import { normalizePayload, type Normalized } from '../normalize/index.js'
import { isObj } from '../normalize/shape.js'
import { archivePayload } from '../sources/archive.js'
import type { XApi } from '../sources/x/client.js'
import { maxId } from '../sources/x/pagination.js'
import type { XQuery } from '../sources/x/queries.js'
import { readsSoFar } from '../store/reads.js'
import type { RunRecorder } from './run-recorder.js'

export interface XPage {
  kind: 'page'
  normalized: Normalized
  /** Billable post reads: what X says it returned. */
  count: number
  newest: string | null
  oldest: string | null
  next?: string
  /** The UTC day the reads are billed to. */
  day: string
}

export type XPageOutcome = XPage | { kind: 'budget'; what: 'budget reached' | 'budget nearly reached'; detail: string } | { kind: 'unreadable' }

/**
 * One search page, within the topic's budget: X bills every post read, so the budget is checked before
 * the request and the page asks for no more posts than it allows. The page is archived as received.
 */
export async function readXPage(ctx: AppContext, api: XApi, q: XQuery, run: RunRecorder, bounds: Record<string, string>): Promise<XPageOutcome> {
  const topic = ctx.config.topics.find((t) => t.id === q.topicId)!
  const day = ctx.now().toISOString().slice(0, 10)
  const used = readsSoFar(ctx.db, day, topic.id, 'x')
  const left = Math.min(topic.budget.x_daily_post_reads - used.day, topic.budget.x_monthly_post_reads - used.month)
  if (left < 10)
    return { kind: 'budget', what: left <= 0 ? 'budget reached' : 'budget nearly reached', detail: `${used.day} post reads today, ${used.month} this month` }
  const body = await api.searchRecent({ query: q.query, max_results: String(Math.min(ctx.config.sources.x.max_results, left)), ...bounds })
  archivePayload(ctx.config.sources.archive_dir, 'x', body, ctx.now().getTime())
  const normalized = normalizePayload(body)
  if (!normalized || normalized.kind !== 'x-page') {
    run.skip('x: unreadable search page')
    run.error(`${q.label}: X returned a page of an unexpected shape; the query stops here and resumes next run`)
    return { kind: 'unreadable' }
  }
  const meta = isObj(body) && isObj(body.meta) ? body.meta : {}
  const count = typeof meta.result_count === 'number' ? meta.result_count : normalized.posts.length + normalized.skipped.length
  const next = typeof meta.next_token === 'string' && count > 0 ? meta.next_token : undefined
  return { kind: 'page', normalized, count, newest: idOf(meta.newest_id), oldest: idOf(meta.oldest_id) ?? oldestOf(normalized), next, day }
}

function idOf(v: unknown): string | null {
  return typeof v === 'string' && /^\d+$/.test(v) ? v : null
}

function oldestOf(n: Normalized): string | null {
  let oldest: string | null = null
  for (const p of n.posts) if (/^\d+$/.test(p.platformId) && (oldest === null || maxId(oldest, p.platformId) === oldest)) oldest = p.platformId
  return oldest
}
