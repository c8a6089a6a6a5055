import type { ServerResponse } from 'node:http'
import type { AppContext } from '../context.js'
import { exportChunks } from '../jobs/export.js'
import { postFilterOf, type Filters } from './filters.js'

/**
 * The posts view's filtered posts, exported exactly as `stancewatch export` writes them (the same records,
 * the same filter SQL), streamed: each chunk waits for the client to drain the last.
 */
export async function sendExport(ctx: AppContext, res: ServerResponse, f: Filters, format: 'jsonl' | 'csv'): Promise<void> {
  res.writeHead(200, {
    'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="${f.topic.id}-posts.${format}"`,
    'Cache-Control': 'no-store',
  })
  // A spreadsheet opening the CSV needs the byte-order mark to read Chinese and Japanese.
  const chunks = exportChunks(ctx, {
    format,
    topic: f.topic.id,
    from: f.from,
    to: f.to,
    includeDeleted: false,
    filter: postFilterOf(f),
    withRaw: false,
    bom: true,
  })
  for (const chunk of chunks) if (!res.write(chunk)) await new Promise((ok) => res.once('drain', ok))
  res.end()
}
