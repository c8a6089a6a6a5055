import type { Post, ReceivedPayload } from '../domain/post.js'
import type { MatchToStore, PostToStore } from '../store/posts.js'
import { FieldReader, FieldWriter } from '../threads/fields.js'
import { serialiseItem, type PreparedBatch } from './ingest.js'
import type { PreparedChunk } from './replay-prepare.js'

/**
 * A prepared chunk as it crosses from a worker to the writing thread. Cloned as objects, every post's
 * strings, arrays and objects were written one by one on one side and allocated again on the other, then
 * traced by the writer's garbage collector while the chunk waited its turn: the posts travel as fields
 * (see threads/fields.ts), and are made objects again only when their turn to be written comes. The
 * payloads as received, and serialised items, go as UTF-8 in transferred buffers, not copied.
 */
export interface HandedChunk extends Omit<PreparedChunk, 'prepared'> {
  prepared: Omit<PreparedBatch, 'items' | 'unmatched'> & { items: number; unmatched: number }
  /** The items' and then the unmatched posts' string fields, end to end. */
  strings: string
  /** Per post, in the order `writePost` writes them: string lengths (-1 for null) and numbers. */
  fields: Float64Array
  /** The payloads the posts arrived in, as received: posts refer to them by index. */
  bodies: (Uint8Array | string)[]
  /** Serialised items of posts without a payload as received; posts give offset and length. */
  rawBytes: ArrayBuffer
}

/** Worker side. Off-topic replies and quotes may still join a topic on the writing thread: they travel complete. */
export function handOver(c: PreparedChunk): HandedChunk {
  const { items, unmatched, edits, ...rest } = c.prepared
  for (const item of unmatched) serialiseItem(item)
  const rawBytes = packRawPayloads([...items, ...unmatched, ...edits])
  const bodies: (Uint8Array | string)[] = []
  const indexOf = new Map<ReceivedPayload, number>()
  const out = new FieldWriter()
  for (const item of [...items, ...unmatched]) {
    let payload = -1
    if (item.payload) {
      payload = indexOf.get(item.payload) ?? -1
      if (payload < 0) indexOf.set(item.payload, (payload = bodies.push(item.payload.body) - 1))
    }
    writePost(out, item, payload)
  }
  // Edits are rare and carry more (the themes of their new text): they go as they are, without the payload object.
  for (const e of edits) e.post = { ...e.post, raw: null, links: [], hashtags: [], mentions: [] }
  return { ...c, prepared: { ...rest, edits, items: items.length, unmatched: unmatched.length }, ...out.done(), bodies, rawBytes }
}

/** What a worker transfers rather than copies: the buffers of the numbers, the payloads and the serialised items. */
export function transferables(h: HandedChunk): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([h.rawBytes, h.fields.buffer as ArrayBuffer])
  for (const p of h.bodies) if (typeof p !== 'string') buffers.add(p.buffer as ArrayBuffer)
  for (const e of h.prepared.edits) if (e.payload && typeof e.payload.body !== 'string') buffers.add(e.payload.body.buffer as ArrayBuffer)
  return [...buffers]
}

/** Writing side: the chunk as prepareChunk made it, minus what storing does not read (payload objects, entity lists). */
export function takeOver(h: HandedChunk): PreparedChunk {
  const { rawBytes, bodies, strings, fields, prepared, ...rest } = h
  // One object per payload, shared by its posts: that is how the store knows to keep it once.
  const received: ReceivedPayload[] = bodies.map((body) => ({ body }))
  const input = new FieldReader(strings, fields)
  const read = (n: number) => {
    const posts: PostToStore[] = []
    for (let i = 0; i < n; i++) posts.push(readPost(input, received, rawBytes))
    return posts
  }
  const items = read(prepared.items)
  const unmatched = read(prepared.unmatched)
  return { ...rest, prepared: { ...prepared, items, unmatched } }
}

function writePost(out: FieldWriter, item: PostToStore, payload: number): void {
  const p = item.post
  out
    .str(p.platform)
    .str(p.platformId)
    .str(p.url)
    .str(p.author.id)
    .str(p.author.handle)
    .str(p.author.name)
    .num(p.author.followers ?? NaN)
  out.str(p.text).str(p.lang).str(p.createdAt).num(Date.parse(p.createdAt)).str(p.createdAtSource).str(p.replyTo).str(p.quoteOf).str(p.conversationId)
  const m = p.metrics
  if (m) out.num(1).num(m.likes).num(m.reposts).num(m.replies).num(m.quotes)
  else out.num(0)
  out.str(item.langDetected).strs(item.links).num(item.matches.length)
  for (const x of item.matches)
    out
      .str(x.topicId)
      .strs(x.rules)
      .num(x.themes ? 1 : 0)
      .strs(x.themes ?? [])
  out.num(payload)
  if (payload >= 0) return
  // packRawPayloads made the serialised item a view of the chunk's raw buffer.
  const raw = item.rawJson as Uint8Array | undefined
  if (raw) out.num(raw.byteOffset).num(raw.byteLength)
  else out.num(-1)
}

function readPost(input: FieldReader, received: readonly ReceivedPayload[], rawBytes: ArrayBuffer): PostToStore {
  const platform = input.str() as Post['platform']
  const platformId = input.str()!
  const url = input.str()!
  const author = { id: input.str()!, handle: input.str(), name: input.str(), followers: input.numOrNull() }
  const text = input.str()!
  const lang = input.str()
  const createdAt = input.str()!
  // Parsed by the worker: the writing thread is the busier one.
  const createdAtMs = input.num()
  const createdAtSource = input.str() as Post['createdAtSource']
  const replyTo = input.str()
  const quoteOf = input.str()
  const conversationId = input.str()
  const metrics = input.num() ? { likes: input.num(), reposts: input.num(), replies: input.num(), quotes: input.num() } : null
  const post: Post = {
    platform,
    platformId,
    url,
    author,
    text,
    lang,
    createdAt,
    createdAtSource,
    replyTo,
    quoteOf,
    conversationId,
    metrics,
    links: [],
    hashtags: [],
    mentions: [],
    raw: null,
  }
  const langDetected = input.str()!
  const links = input.strs()
  const matches: MatchToStore[] = []
  for (let i = input.num(); i > 0; i--) {
    const topicId = input.str()!
    const rules = input.strs()
    const hasThemes = input.num() === 1
    const themes = input.strs()
    matches.push(hasThemes ? { topicId, rules, themes } : { topicId, rules })
  }
  const item: PostToStore = { post, langDetected, links, matches, createdAtMs }
  const payload = input.num()
  if (payload >= 0) item.payload = received[payload]
  else {
    const offset = input.num()
    if (offset >= 0) item.rawJson = new Uint8Array(rawBytes, offset, input.num())
  }
  return item
}

/**
 * The serialised items as UTF-8 in one buffer, each item's `rawJson` a view of it. Cloned as strings, they were
 * most of what crossed between threads (Chinese text travels as two bytes a character) and were converted
 * to UTF-8 again for SQLite on the writing thread; as bytes, the buffer is transferred and stored as is.
 */
function packRawPayloads(items: readonly PostToStore[]): ArrayBuffer {
  // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
  let room = 0
  for (const item of items) if (item.rawJson !== undefined) room += typeof item.rawJson === 'string' ? item.rawJson.length * 3 : item.rawJson.byteLength
  const bytes = Buffer.from(new ArrayBuffer(room))
  let at = 0
  for (const item of items) {
    const raw = item.rawJson
    if (raw === undefined) continue
    const n = typeof raw === 'string' ? bytes.write(raw, at, 'utf8') : (bytes.set(raw, at), raw.byteLength)
    item.rawJson = new Uint8Array(bytes.buffer, at, n)
    at += n
  }
  return bytes.buffer
}
