import type { Post } from '../domain/post.js'
import type { PostToStore } from '../store/posts.js'
import type { PreparedBatch } from './ingest.js'
import type { PreparedChunk } from './replay-prepare.js'

/**
 * A prepared chunk as it crosses from a worker to the writing thread. V8 clones plain objects slowly (every
 * key written and read again for every post): the posts go as arrays of fields, about half the cost on
 * each side; and the raw payloads as UTF-8 in one transferred buffer, not copied at all.
 */
export interface HandedChunk extends Omit<PreparedChunk, 'prepared'> {
  prepared: Omit<PreparedBatch, 'items' | 'unmatched'> & { items: PackedItem[]; unmatched: PackedItem[] }
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
]

/** Worker side. Off-topic replies and quotes may still join a topic on the writing thread: they travel complete. */
export function handOver(c: PreparedChunk): HandedChunk {
  const { items, unmatched, edits, ...rest } = c.prepared
  for (const item of unmatched) item.rawJson ??= JSON.stringify(item.post.raw)
  const rawBytes = packRawPayloads([...items, ...unmatched, ...edits])
  // Edits are rare and carry more (the themes of their new text): they go as they are, without the payload object.
  for (const e of edits) e.post = { ...e.post, raw: null, links: [], hashtags: [], mentions: [] }
  return { ...c, prepared: { ...rest, edits, items: items.map(pack), unmatched: unmatched.map(pack) }, rawBytes }
}

/** Writing side: the chunk as prepareChunk made it, minus what storing does not read (payload objects, entity lists). */
export function takeOver(h: HandedChunk): PreparedChunk {
  const { rawBytes: _, prepared, ...rest } = h
  return { ...rest, prepared: { ...prepared, items: prepared.items.map(unpack), unmatched: prepared.unmatched.map(unpack) } }
}

function pack(item: PostToStore): PackedItem {
  const p = item.post
  const m = p.metrics
  return [
    p.platform, p.platformId, p.url, p.author.id, p.author.handle, p.author.name, p.author.followers, p.text, p.lang, p.createdAt,
    p.createdAtSource, p.replyTo, p.quoteOf, p.conversationId, m ? [m.likes, m.reposts, m.replies, m.quotes] : null, item.langDetected,
    item.links, item.matches.map((x) => [x.topicId, x.rules, x.themes ?? null]), item.rawJson as Uint8Array | undefined,
  ]
}

function unpack(a: PackedItem): PostToStore {
  const [platform, platformId, url, id, handle, name, followers, text, lang, createdAt, createdAtSource, replyTo, quoteOf, conversationId, m, langDetected, links, matches, raw] = a
  const post: Post = {
    platform, platformId, url, author: { id, handle, name, followers }, text, lang, createdAt, createdAtSource, replyTo, quoteOf, conversationId,
    metrics: m ? { likes: m[0], reposts: m[1], replies: m[2], quotes: m[3] } : null,
    links: [], hashtags: [], mentions: [], raw: null,
  }
  return { post, langDetected, links, matches: matches.map(([topicId, rules, themes]) => (themes === null ? { topicId, rules } : { topicId, rules, themes })), rawJson: raw }
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
