import type { Post, ReceivedPayload } from '../domain/post.js'
import type { PostToStore } from '../store/posts.js'
import { serialiseItem, type PreparedBatch } from './ingest.js'
import type { PreparedChunk } from './replay-prepare.js'

/**
 * A prepared chunk as it crosses from a worker to the writing thread. V8 clones plain objects slowly (every
 * key written and read again for every post): the posts go as arrays of fields, about half the cost on
 * each side; and the payloads as received, or serialised items, as UTF-8 in transferred buffers, not copied.
 */
export interface HandedChunk extends Omit<PreparedChunk, 'prepared'> {
  prepared: Omit<PreparedBatch, 'items' | 'unmatched'> & { items: PackedItem[]; unmatched: PackedItem[] }
  /** The payloads the items arrived in, as received: items refer to them by index. */
  bodies: (Uint8Array | string)[]
  rawBytes: ArrayBuffer
}

type PackedItem = [
  platform: Post['platform'],
  platformId: string,
  url: string,
  authorId: string,
  authorHandle: string | null,
  authorName: string | null,
  authorFollowers: number | null,
  text: string,
  lang: string | null,
  createdAt: string,
  createdAtSource: Post['createdAtSource'],
  replyTo: string | null,
  quoteOf: string | null,
  conversationId: string | null,
  metrics: [likes: number, reposts: number, replies: number, quotes: number] | null,
  langDetected: string,
  links: string[],
  matches: [topicId: string, rules: string[], themes: string[] | null][],
  raw: Uint8Array | undefined,
  /** Index in `HandedChunk.bodies`, or -1. */
  payload: number,
]

/** Worker side. Off-topic replies and quotes may still join a topic on the writing thread: they travel complete. */
export function handOver(c: PreparedChunk): HandedChunk {
  const { items, unmatched, edits, ...rest } = c.prepared
  for (const item of unmatched) serialiseItem(item)
  const rawBytes = packRawPayloads([...items, ...unmatched, ...edits])
  const bodies: (Uint8Array | string)[] = []
  const indexOf = new Map<ReceivedPayload, number>()
  const pack = (item: PostToStore) => {
    let payload = -1
    if (item.payload) {
      payload = indexOf.get(item.payload) ?? -1
      if (payload < 0) indexOf.set(item.payload, (payload = bodies.push(item.payload.body) - 1))
    }
    return packItem(item, payload)
  }
  // Edits are rare and carry more (the themes of their new text): they go as they are, without the payload object.
  for (const e of edits) e.post = { ...e.post, raw: null, links: [], hashtags: [], mentions: [] }
  return { ...c, prepared: { ...rest, edits, items: items.map(pack), unmatched: unmatched.map(pack) }, bodies, rawBytes }
}

/** What a worker transfers rather than copies: the buffers the payloads and serialised items are views of. */
export function transferables(h: HandedChunk): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([h.rawBytes])
  for (const p of h.bodies) if (typeof p !== 'string') buffers.add(p.buffer as ArrayBuffer)
  for (const e of h.prepared.edits) if (e.payload && typeof e.payload.body !== 'string') buffers.add(e.payload.body.buffer as ArrayBuffer)
  return [...buffers]
}

/** Writing side: the chunk as prepareChunk made it, minus what storing does not read (payload objects, entity lists). */
export function takeOver(h: HandedChunk): PreparedChunk {
  const { rawBytes: _, bodies, prepared, ...rest } = h
  // One object per payload, shared by its posts: that is how the store knows to keep it once.
  const received: ReceivedPayload[] = bodies.map((body) => ({ body }))
  const unpack = (a: PackedItem) => unpackItem(a, received)
  return { ...rest, prepared: { ...prepared, items: prepared.items.map(unpack), unmatched: prepared.unmatched.map(unpack) } }
}

function packItem(item: PostToStore, payload: number): PackedItem {
  const p = item.post
  const m = p.metrics
  return [
    p.platform, p.platformId, p.url, p.author.id, p.author.handle, p.author.name, p.author.followers, p.text, p.lang, p.createdAt,
    p.createdAtSource, p.replyTo, p.quoteOf, p.conversationId, m ? [m.likes, m.reposts, m.replies, m.quotes] : null, item.langDetected,
    item.links, item.matches.map((x) => [x.topicId, x.rules, x.themes ?? null]), item.rawJson as Uint8Array | undefined, payload,
  ]
}

function unpackItem(a: PackedItem, received: readonly ReceivedPayload[]): PostToStore {
  const [platform, platformId, url, id, handle, name, followers, text, lang, createdAt, createdAtSource, replyTo, quoteOf, conversationId, m, langDetected, links, matches, raw, payload] = a
  const post: Post = {
    platform, platformId, url, author: { id, handle, name, followers }, text, lang, createdAt, createdAtSource, replyTo, quoteOf, conversationId,
    metrics: m ? { likes: m[0], reposts: m[1], replies: m[2], quotes: m[3] } : null,
    links: [], hashtags: [], mentions: [], raw: null,
  }
  const item: PostToStore = { post, langDetected, links, matches: matches.map(([topicId, rules, themes]) => (themes === null ? { topicId, rules } : { topicId, rules, themes })) }
  if (payload >= 0) item.payload = received[payload]
  else item.rawJson = raw
  return item
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
