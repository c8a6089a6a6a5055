import type { Post } from '../src/domain/post.js'

export type PostInput = Partial<Omit<Post, 'author'>> & { author?: Partial<Post['author']> }

/** A normalized post with plain defaults (an X post by @someone on the article's day); override what a test is about. */
export function makePost(over: PostInput = {}): Post {
  const platformId = over.platformId ?? '1945600000000000000'
  return {
    platform: 'x',
    url: `https://x.com/someone/status/${platformId}`,
    text: '',
    lang: null,
    createdAt: '2025-07-16T20:00:00.000Z',
    createdAtSource: 'platform',
    replyTo: null,
    quoteOf: null,
    conversationId: null,
    metrics: null,
    links: [],
    hashtags: [],
    mentions: [],
    raw: null,
    ...over,
    platformId,
    author: { id: '1234567890', handle: 'someone', name: null, followers: null, ...over.author },
  }
}
