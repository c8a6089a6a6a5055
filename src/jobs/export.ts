import { stringify } from 'csv-stringify/sync'
import type { AppContext } from '../context.js'
import { CSV_COLUMNS, RawItems, toCsvRow, toExported } from '../export/records.js'
import { EXPORT_START, exportPage, type ExportFilter } from '../store/export.js'
import type { PostFilter } from '../store/post-filter.js'
import { topicById } from './topics.js'

export interface ExportOptions {
  format: 'jsonl' | 'csv'
  topic?: string
  from?: number
  to?: number
  includeDeleted: boolean
  /** Labels, language, platform, theme, confidence; check it first with checkPostFilter (post-filter-check.ts). */
  filter?: PostFilter
  withRaw: boolean
  /** Start CSV with a byte-order mark so spreadsheet programs read Chinese and Japanese correctly. */
  bom: boolean
}

const PAGE_ROWS = 500

/** Stream a topic's posts as JSONL or CSV through `write`; returns how many posts were written. */
export function exportPosts(ctx: AppContext, o: ExportOptions, write: (chunk: string) => void): number {
  const chunks = exportChunks(ctx, o)
  for (let c = chunks.next(); ; c = chunks.next()) {
    if (c.done) return c.value
    write(c.value)
  }
}

/**
 * The export as chunks of text, produced only as they are taken: a reader that waits (an HTTP response
 * draining to a slow client) holds back the query instead of buffering the whole export. Returns the count.
 */
export function* exportChunks(ctx: AppContext, o: ExportOptions): Generator<string, number> {
  const [topic] = topicById(ctx, o.topic ?? ctx.config.topics[0]!.id)
  const filter: ExportFilter = {
    topicId: topic!.id,
    from: o.from ?? 0,
    to: o.to ?? Number.MAX_SAFE_INTEGER,
    includeDeleted: o.includeDeleted,
    withPayloads: o.withRaw,
    posts: o.filter,
  }
  const rawItems = new RawItems()
  let n = 0
  if (o.format === 'csv') yield `${o.bom ? '\uFEFF' : ''}${stringify([[...CSV_COLUMNS]])}`
  for (let after = EXPORT_START; ;) {
    const rows = exportPage(ctx.db, filter, after, PAGE_ROWS)
    if (!rows.length) break
    const lines = rows.map((row) => {
      const post = toExported(row, o.withRaw ? rawItems : null)
      return o.format === 'csv' ? stringify([toCsvRow(post)]) : `${JSON.stringify(post)}\n`
    })
    n += rows.length
    yield lines.join('')
    const last = rows.at(-1)!
    after = { createdAt: last.position_at, postId: last.post_id }
  }
  return n
}
