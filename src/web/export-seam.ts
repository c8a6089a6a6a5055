/*
 * The seam for "export from the posts view with its filters". `stancewatch export` is getting the same
 * filters (--label --lang --platform --theme --min-confidence, a filter type and its SQL in src/store/) on
 * another branch; when it lands, this function streams that export's records instead of pages of the
 * posts view, and the route that calls it stays as it is.
 */
import type { AppContext } from '../context.js'
import { postsPage } from '../store/dashboard-posts.js'
import type { Filters } from './filters.js'

const CHUNK = 1000
/** A browser download, not a data pipeline: beyond this, `stancewatch export` is the tool. */
export const EXPORT_MAX = 100_000

/** The filtered posts as JSONL lines, in time order, in chunks (never the whole range in memory). */
export function* exportLines(ctx: AppContext, f: Filters): Generator<string> {
  for (let offset = 0; offset < EXPORT_MAX; offset += CHUNK) {
    const rows = postsPage(ctx.db, {
      topicId: f.topic.id,
      from: f.from,
      to: f.to,
      label: f.label,
      minConfidence: f.minConfidence,
      platform: f.platform,
      lang: f.lang,
      theme: f.theme,
      q: f.q,
      sort: f.sort,
      offset,
      limit: Math.min(CHUNK, EXPORT_MAX - offset),
    })
    for (const r of rows)
      yield `${JSON.stringify({
        id: r.id,
        platform: r.platform,
        platform_id: r.platformId,
        url: r.url,
        author: r.authorHandle,
        created_at: new Date(r.createdAt).toISOString(),
        lang: r.lang,
        text: r.text,
        likes: r.likes,
        reposts: r.reposts,
        replies: r.replies,
        quotes: r.quotes,
        stance: { label: r.label, confidence: r.confidence, source: r.source, model: r.modelVersion },
      })}\n`
    if (rows.length < CHUNK) return
  }
}
