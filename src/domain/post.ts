/** The platforms stancewatch reads. Adding one means a normalizer and a source, nothing downstream. */
export type Platform = 'x' | 'bluesky'

export const PLATFORMS: readonly Platform[] = ['x', 'bluesky']

export interface PostMetrics {
  likes: number
  reposts: number
  replies: number
  quotes: number
}

export interface PostAuthor {
  /** X user id or Bluesky DID: stable across handle changes. */
  id: string
  handle: string | null
  name: string | null
  followers: number | null
}

/**
 * Where `createdAt` came from. Bluesky's `createdAt` is written by the client and can be forged
 * (year 0001, far future), so a suspicious claim is replaced by the time the network saw the post.
 */
export type CreatedAtSource = 'platform' | 'claimed' | 'indexed' | 'id'

/** One post as every stage after `normalize/` sees it: no platform type crosses this line. */
export interface Post {
  platform: Platform
  /** Tweet id, or the at:// URI of a Bluesky post. */
  platformId: string
  url: string
  author: PostAuthor
  /** Exactly what the author typed (X's HTML entities decoded once; long X posts from `note_tweet`). */
  text: string
  /** The language the platform or the author declared; often wrong, kept for reference. */
  lang: string | null
  /** ISO-8601 UTC. */
  createdAt: string
  createdAtSource: CreatedAtSource
  replyTo: string | null
  quoteOf: string | null
  conversationId: string | null
  /** Null when the source carries no counts (Jetstream). */
  metrics: PostMetrics | null
  /** Link targets as the platform resolved them (expanded, unwound, facet or embed URIs), not canonical yet. */
  links: string[]
  hashtags: string[]
  mentions: string[]
  /** The item exactly as received, for audit and re-processing. */
  raw: unknown
}

/**
 * A payload exactly as received (a line of an archive), kept once for all the posts it holds instead of
 * each post's item serialised again. Posts of one payload share the same object: that is what makes it one.
 */
export interface ReceivedPayload {
  /** JSON, UTF-8 bytes as read or a string. */
  body: Uint8Array | string
}

/** A removal seen on the wire (Jetstream delete, X compliance). */
export interface PostDeletion {
  platform: Platform
  platformId: string
  deletedAt: string
}
