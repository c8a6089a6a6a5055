import type { Post } from '../domain/post.js'
import { bskyWebUrl, parseAtUri, readPostRecord, trustedCreatedAt, viewEmbedLinks } from './bluesky-record.js'
import { capText } from './limits.js'
import { arr, count, isObj, isoOf, parseIsoMs, str, type Obj, type Skipped } from './shape.js'

export interface BlueskyResult {
  posts: Post[]
  skipped: Skipped[]
}

/** `app.bsky.feed.searchPosts` / `getPosts` output: `{posts: PostView[], cursor?}`. */
export function normalizeBlueskyPosts(output: Obj): BlueskyResult {
  const result: BlueskyResult = { posts: [], skipped: [] }
  for (const view of arr(output.posts)) {
    const p = normalizePostView(view)
    if ('reason' in p) result.skipped.push(p)
    else result.posts.push(p)
  }
  return result
}

/** One `app.bsky.feed.defs#postView`. */
export function normalizePostView(view: unknown): Post | Skipped {
  if (!isObj(view)) return { reason: 'bluesky: post view is not an object', id: null }
  const uri = str(view.uri)
  const at = uri ? parseAtUri(uri) : null
  if (!uri || !at || at.collection !== 'app.bsky.feed.post') return { reason: 'bluesky: post view without a valid post URI', id: uri }
  const author = isObj(view.author) ? view.author : null
  const did = str(author?.did)
  if (!did || did !== at.did) return { reason: 'bluesky: author missing or not the URI owner', id: uri }
  const record = isObj(view.record) ? view.record : null
  const fields = record ? readPostRecord(record) : null
  if (!record || !fields) return { reason: 'bluesky: record is not a post', id: uri }
  const created = trustedCreatedAt(record.createdAt, parseIsoMs(view.indexedAt))
  if (!created) return { reason: 'bluesky: no usable creation time', id: uri }
  const links = new Set([...fields.links, ...viewEmbedLinks(view.embed)])
  return {
    platform: 'bluesky',
    platformId: uri,
    url: bskyWebUrl(did, at.rkey),
    author: { id: did, handle: str(author?.handle), name: str(author?.displayName) || null, followers: null },
    text: capText(fields.text),
    lang: fields.lang,
    createdAt: isoOf(created.ms),
    createdAtSource: created.source,
    replyTo: fields.replyTo,
    quoteOf: fields.quoteOf,
    conversationId: fields.rootUri ?? uri,
    metrics: {
      likes: count(view.likeCount),
      reposts: count(view.repostCount),
      replies: count(view.replyCount),
      quotes: count(view.quoteCount),
    },
    links: [...links],
    hashtags: fields.hashtags,
    mentions: fields.mentions,
    raw: view,
  }
}
