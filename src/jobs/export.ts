import { stringify } from 'csv-stringify/sync'
import type { AppContext } from '../context.js'
import { CSV_COLUMNS, RawItems, toCsvRow, toExported } from '../export/records.js'
import { iterateExport } from '../store/export.js'
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

const CHUNK_ROWS = 500

/** Stream a topic's posts as JSONL or CSV through `write`; returns how many posts were written. */
export function exportPosts(ctx: AppContext, o: ExportOptions, write: (chunk: string) => void): number {
  const [topic] = topicById(ctx, o.topic ?? ctx.config.topics[0]!.id)
  const rows = iterateExport(ctx.db, {
    topicId: topic!.id,
    from: o.from ?? 0,
    to: o.to ?? Number.MAX_SAFE_INTEGER,
    includeDeleted: o.includeDeleted,
    withPayloads: o.withRaw,
    posts: o.filter,
  })
  const rawItems = new RawItems()
  let n = 0
  let buf: string[] = []
  if (o.format === 'csv') write(`${o.bom ? '\uFEFF' : ''}${stringify([[...CSV_COLUMNS]])}`)
  for (const row of rows) {
    const post = toExported(row, o.withRaw ? rawItems : null)
    buf.push(o.format === 'csv' ? stringify([toCsvRow(post)]) : `${JSON.stringify(post)}\n`)
    n++
    if (buf.length >= CHUNK_ROWS) {
      write(buf.join(''))
      buf = []
    }
  }
  if (buf.length) write(buf.join(''))
  return n
}
