import type { CompiledTopic } from '../match/matcher.js'
import { normalizePayload, type Normalized } from '../normalize/index.js'
import { linesOfPiece, type ReplayPiece, type TooLongLine } from '../sources/replay.js'
import { prepareBatch, type PreparedBatch } from './ingest.js'

/** Lines of a replay file, read on the main thread and prepared here or in a worker. */
export interface ReplayChunk {
  id: number
  /** With their bytes as read, a line is stored as the payload it is; without, each post's item is serialised. */
  lines: { line: number; text: string; bytes?: Uint8Array }[]
  /** The chunk's last line, blank or not: where the next run resumes once the chunk is stored. */
  lastLine: number
  /** Lines skipped for their length (see readReplayPieces). */
  tooLong?: TooLongLine[]
  /** The last line has no line break: the end of the file, maybe still being written. */
  unterminated?: boolean
}

export interface BadLine {
  line: number
  reason: 'replay: line is not valid JSON' | 'replay: unknown payload shape' | 'replay: line too long'
  detail: string
}

export interface PreparedChunk {
  id: number
  prepared: PreparedBatch
  payloads: number
  bad: BadLine[]
  lastLine: number
  /** The file's last line, not yet complete JSON and without a line break: left for the next run (not in `lastLine`). */
  incompleteLine?: number
}

/** The chunk of a piece of an archive, as read. */
export function chunkOfPiece(id: number, piece: Omit<ReplayPiece, 'bytesRead'>): ReplayChunk {
  return { id, lines: linesOfPiece(piece), lastLine: piece.lastLine, tooLong: piece.tooLong, unterminated: piece.unterminated }
}

/** Parse, normalize and match a chunk of archive lines: everything but the database (see replay-handover.ts for threads). */
export function prepareChunk(topics: readonly CompiledTopic[], chunk: ReplayChunk): PreparedChunk {
  const batch: Normalized[] = []
  const bad: BadLine[] = (chunk.tooLong ?? []).map(({ line, bytes }) => ({
    line,
    reason: 'replay: line too long',
    detail: `line ${line} is ${megabytes(bytes)} long, over sources.replay_max_line_mb; skipped`,
  }))
  const { lines, lastLine, incompleteLine } = withoutIncompleteEnd(chunk)
  for (const { line, text, bytes } of lines) {
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
    else
      bad.push({ line, reason: 'replay: unknown payload shape', detail: `line ${line} is not an X page, a Bluesky output or PostView, or a Jetstream event` })
  }
  const prepared = prepareBatch(topics, batch)
  const out: PreparedChunk = { id: chunk.id, prepared, payloads: batch.length, bad, lastLine }
  if (incompleteLine !== undefined) out.incompleteLine = incompleteLine
  return out
}

/**
 * A file's last line without a line break is read only if it is complete JSON: otherwise the daemon is
 * probably still writing it, and the chunk ends before it, so that the next run reads it whole. (A
 * payload is a JSON object: cut anywhere, it no longer parses.) A blank one ends nothing either.
 */
function withoutIncompleteEnd(chunk: ReplayChunk): { lines: ReplayChunk['lines']; lastLine: number; incompleteLine?: number } {
  const { lines, lastLine } = chunk
  if (!chunk.unterminated) return { lines, lastLine }
  const last = lines.at(-1)
  if (last?.line !== lastLine) return { lines, lastLine: lastLine - 1 }
  if (parses(last.text)) return { lines, lastLine }
  return { lines: lines.slice(0, -1), lastLine: lastLine - 1, incompleteLine: lastLine }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MB`
}
