import { appendFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'

/**
 * Append a raw payload, exactly as received, to the day's archive (`<dir>/<source>-YYYY-MM-DD.jsonl`, UTC).
 * The archive is the replay format: `collect --source replay` reads it back. It is written before the page
 * is stored, so a crash can leave a page archived twice (replay is idempotent) but never not at all.
 */
export function archivePayload(dir: string | null, source: string, payload: unknown, at: number): void {
  if (!dir) return
  mkdirSync(dir, { recursive: true })
  const day = new Date(at).toISOString().slice(0, 10)
  appendFileSync(path.join(dir, `${source}-${day}.jsonl`), `${JSON.stringify(payload)}\n`)
}
