import type { CompiledTopic } from '../match/matcher.js'
import { normalizePayload, type Normalized } from '../normalize/index.js'
import { prepareBatch, type PreparedBatch } from './ingest.js'

/** Lines of a replay file, read on the main thread and prepared here or in a worker. */
export interface ReplayChunk {
  id: number
  /** With their bytes as read, a line is stored as the payload it is; without, each post's item is serialised. */
  lines: { line: number; text: string; bytes?: Uint8Array }[]
  /** The chunk's last line, blank or not: where the next run resumes once the chunk is stored. */
  lastLine: number
}

export interface BadLine {
  line: number
  reason: 'replay: line is not valid JSON' | 'replay: unknown payload shape'
  detail: string
}

export interface PreparedChunk {
  id: number
  prepared: PreparedBatch
  payloads: number
  bad: BadLine[]
  lastLine: number
}

/** Parse, normalize and match a chunk of archive lines: everything but the database (see replay-handover.ts for threads). */
export function prepareChunk(topics: readonly CompiledTopic[], chunk: ReplayChunk): PreparedChunk {
  const batch: Normalized[] = []
  const bad: BadLine[] = []
  for (const { line, text, bytes } of chunk.lines) {
    let payload: unknown
    try {
      // Lines come from linesOfPiece, which has dropped any byte-order mark.
      payload = JSON.parse(text)
    } catch (e) {
      bad.push({ line, reason: 'replay: line is not valid JSON', detail: `line ${line} is not valid JSON (${(e as Error).message})` })
      continue
    }
    const n = normalizePayload(payload)
    if (n && bytes) n.received = { body: bytes }
    if (n) batch.push(n)
    else bad.push({ line, reason: 'replay: unknown payload shape', detail: `line ${line} is not an X page, a Bluesky output or PostView, or a Jetstream event` })
  }
  const prepared = prepareBatch(topics, batch)
  return { id: chunk.id, prepared, payloads: batch.length, bad, lastLine: chunk.lastLine }
}
