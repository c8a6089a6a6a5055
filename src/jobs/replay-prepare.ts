import type { Post } from '../domain/post.js'
import type { CompiledTopic } from '../match/matcher.js'
import { normalizePayload, type Normalized } from '../normalize/index.js'
import type { PostToStore } from '../store/posts.js'
import { prepareBatch, type PreparedBatch } from './ingest.js'

function slim(post: Post): void {
  post.raw = null
  // The item carries the links canonicalised; the post's own list is not needed past matching.
  post.links = []
  post.hashtags = []
  post.mentions = []
}

/** Lines of a replay file, read on the main thread and prepared here or in a worker. */
export interface ReplayChunk {
  id: number
  lines: { line: number; text: string }[]
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
  /** The buffer every raw payload of the chunk is a view of: handed to the writing thread, not copied. */
  rawBytes: ArrayBuffer
}

/**
 * Parse, normalize and match a chunk of archive lines: everything but the database. Raw payloads travel
 * back as the JSON string already written in the line's item form, not as objects, so handing a chunk
 * across threads copies strings rather than object trees.
 */
export function prepareChunk(topics: readonly CompiledTopic[], chunk: ReplayChunk): PreparedChunk {
  const batch: Normalized[] = []
  const bad: BadLine[] = []
  for (const { line, text } of chunk.lines) {
    let payload: unknown
    try {
      payload = JSON.parse(text.replace(/^\uFEFF/, ''))
    } catch (e) {
      bad.push({ line, reason: 'replay: line is not valid JSON', detail: `line ${line} is not valid JSON (${(e as Error).message})` })
      continue
    }
    const n = normalizePayload(payload)
    if (n) batch.push(n)
    else bad.push({ line, reason: 'replay: unknown payload shape', detail: `line ${line} is not an X page, a Bluesky output or PostView, or a Jetstream event` })
  }
  // Languages are detected by the writing thread (see commitPrepared), which has time to spare.
  const prepared = prepareBatch(topics, batch, { detectLanguages: false })
  // What crosses to the writing thread: the fields it stores, not the parsed payload or the entity lists.
  for (const item of prepared.items) slim(item.post)
  // Off-topic posts may still join a topic on the writing thread (replies): they travel complete.
  for (const item of prepared.unmatched) {
    item.rawJson ??= JSON.stringify(item.post.raw)
    slim(item.post)
  }
  const rawBytes = packRawPayloads([...prepared.items, ...prepared.unmatched, ...prepared.edits])
  return { id: chunk.id, prepared, payloads: batch.length, bad, lastLine: chunk.lines.at(-1)?.line ?? 0, rawBytes }
}

/**
 * The raw payloads as UTF-8 in one buffer, each item's `rawJson` a view of it. Cloned as strings, they were
 * most of what crossed between threads (Chinese text travels as two bytes a character) and were converted
 * to UTF-8 again for SQLite on the writing thread; as bytes, the buffer is transferred and stored as is.
 */
function packRawPayloads(items: readonly PostToStore[]): ArrayBuffer {
  // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
  let room = 0
  for (const item of items) if (typeof item.rawJson === 'string') room += item.rawJson.length * 3
  const bytes = Buffer.from(new ArrayBuffer(room))
  let at = 0
  for (const item of items) {
    if (typeof item.rawJson !== 'string') continue
    const n = bytes.write(item.rawJson, at, 'utf8')
    item.rawJson = new Uint8Array(bytes.buffer, at, n)
    at += n
  }
  return bytes.buffer
}
