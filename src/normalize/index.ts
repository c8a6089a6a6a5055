import type { Post, PostDeletion, ReceivedPayload } from '../domain/post.js'
import { normalizeBlueskyPosts, normalizePostView } from './bluesky.js'
import { normalizeJetstreamEvent } from './jetstream.js'
import { isObj, type Skipped } from './shape.js'
import { normalizeXPage } from './x.js'

export type { Skipped } from './shape.js'

export type PayloadKind = 'x-page' | 'bluesky-posts' | 'bluesky-postview' | 'jetstream'

/** What one raw payload (an API page, a PostView, a stream event) holds, in stancewatch's own types. */
export interface Normalized {
  kind: PayloadKind
  posts: Post[]
  /** New versions of posts already published (Bluesky edits). */
  edits: Post[]
  deletions: PostDeletion[]
  skipped: Skipped[]
  /** Items that are valid but not reactions (reposts, identity and account events). */
  ignored: number
  /** Jetstream's time_us, the stream cursor this payload advances to. */
  streamTimeUs: number | null
  /** The payload as received, when whoever read it kept it (a replayed line): stored in place of each post's item. */
  received?: ReceivedPayload
}

/** The shape of a payload decides its platform: X pages have `data`/`meta`, Bluesky outputs `posts`, Jetstream `time_us`. */
export function detectPayloadKind(payload: unknown): PayloadKind | null {
  if (!isObj(payload)) return null
  if (typeof payload.time_us === 'number' && typeof payload.kind === 'string') return 'jetstream'
  if (Array.isArray(payload.posts)) return 'bluesky-posts'
  if (typeof payload.uri === 'string' && 'record' in payload && 'author' in payload) return 'bluesky-postview'
  if ('meta' in payload || Array.isArray(payload.data) || (isObj(payload.data) && 'id' in payload.data)) return 'x-page'
  // A lookup where every requested post is gone: X answers with `errors` only.
  // (An error response carries `title`/`status` at the top and is not a page.)
  if (Array.isArray(payload.errors) && payload.errors.length > 0 && !('error' in payload) && !('title' in payload) && !('status' in payload)) return 'x-page'
  return null
}

/** Pure: any supported payload into posts, deletions and counted skips. Never throws on bad data. */
export function normalizePayload(payload: unknown): Normalized | null {
  const kind = detectPayloadKind(payload)
  if (!kind || !isObj(payload)) return null
  const out: Normalized = { kind, posts: [], edits: [], deletions: [], skipped: [], ignored: 0, streamTimeUs: null }
  switch (kind) {
    case 'x-page': {
      const r = normalizeXPage(payload)
      out.posts = r.posts
      out.skipped = r.skipped
      out.ignored = r.reposts
      break
    }
    case 'bluesky-posts': {
      const r = normalizeBlueskyPosts(payload)
      out.posts = r.posts
      out.skipped = r.skipped
      break
    }
    case 'bluesky-postview': {
      const p = normalizePostView(payload)
      if ('reason' in p) out.skipped.push(p)
      else out.posts.push(p)
      break
    }
    case 'jetstream': {
      const r = normalizeJetstreamEvent(payload)
      out.streamTimeUs = r.timeUs
      if (r.type === 'post') (r.operation === 'update' ? out.edits : out.posts).push(r.post)
      else if (r.type === 'delete') out.deletions.push(r.deletion)
      else if (r.type === 'skipped') out.skipped.push(r.skipped)
      else out.ignored++
      break
    }
    default: {
      const never: never = kind
      throw new Error(`unhandled payload kind ${String(never)}`)
    }
  }
  return out
}

/**
 * Each post's own item (what `Post.raw` holds) in a payload as received, by post id: how a post stored with
 * its payload is given back on its own (export --raw).
 */
export function itemsOfPayload(payload: unknown): Map<string, unknown> {
  const n = normalizePayload(payload)
  return new Map([...(n?.posts ?? []), ...(n?.edits ?? [])].map((p) => [p.platformId, p.raw]))
}
