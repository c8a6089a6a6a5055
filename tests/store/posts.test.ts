import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import type { Platform, Post, ReceivedPayload } from '../../src/domain/post.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload, type Normalized } from '../../src/normalize/index.js'
import { getCursor } from '../../src/store/cursors.js'
import type { Db } from '../../src/store/db.js'
import { savePage, type PageWrite, type PostToStore } from '../../src/store/posts.js'
import { testContext } from '../helpers.js'

const TOPIC = 'china-ai-fund'
const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
const ARTICLE_CANONICAL = 'https://nytimes.com/2025/07/16/technology/china-ai.html'
const T0 = Date.parse('2025-07-16T15:00:00Z')

let ctx: AppContext
let db: Db
beforeEach(() => {
  ctx = testContext({ now: new Date(T0) })
  db = ctx.db
})
afterEach(() => closeContext(ctx))

function post(id: string, over: Partial<Post> = {}): Post {
  return {
    platform: 'x',
    platformId: id,
    url: `https://x.com/alice/status/${id}`,
    author: { id: '42', handle: 'alice', name: 'Alice', followers: 100 },
    text: `China's state AI fund is pouring $8.5bn into start-ups ${ARTICLE}`,
    lang: 'en',
    createdAt: '2025-07-16T12:00:00.000Z',
    createdAtSource: 'platform',
    replyTo: null,
    quoteOf: null,
    conversationId: id,
    metrics: { likes: 1, reposts: 2, replies: 3, quotes: 4 },
    links: [ARTICLE],
    hashtags: [],
    mentions: [],
    raw: { id },
    ...over,
  }
}

function item(p: Post, rules: string[] = ['article'], topicId = TOPIC): PostToStore {
  return { post: p, langDetected: 'en', links: [ARTICLE_CANONICAL], matches: [{ topicId, rules }] }
}

function page(items: PostToStore[], over: Partial<PageWrite> = {}): PageWrite {
  return { items, source: 'x', query: 'q1', observedAt: T0, ...over }
}

function dump(): Record<string, unknown[]> {
  return {
    posts: db.prepare('SELECT * FROM posts ORDER BY id').all(),
    post_topics: db.prepare('SELECT * FROM post_topics ORDER BY topic_id, post_id').all(),
  }
}

interface PostRow {
  id: number
  platform: string
  platform_id: string
  author_handle: string | null
  author_name: string | null
  author_followers: number | null
  likes: number | null
  reposts: number | null
  replies: number | null
  quotes: number | null
  metrics_at: number | null
  first_seen_at: number
  last_seen_at: number
  deleted_at: number | null
  created_at: number
  raw: string
  text: string
  links: string
  topics: string
}

function row(platformId: string, platform: Platform = 'x'): PostRow {
  return db.prepare('SELECT * FROM posts WHERE platform = ? AND platform_id = ?').get(platform, platformId) as PostRow
}

function topicRow(
  platformId: string,
  topicId = TOPIC,
  platform: Platform = 'x',
): { rules: string; source: string; query: string | null; matched_at: number; created_at: number } | undefined {
  return db
    .prepare('SELECT pt.* FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.platform = ? AND p.platform_id = ? AND pt.topic_id = ?')
    .get(platform, platformId, topicId) as never
}

const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number

describe('savePage', () => {
  it('stores posts, links and topics with provenance', () => {
    const r = savePage(db, page([item(post('100'))]))
    expect(r).toEqual({ inserted: 1, duplicates: 0, deleted: 0, edited: 0, editsIgnored: 0 })
    const p = row('100')
    expect(p).toMatchObject({
      author_handle: 'alice',
      likes: 1,
      reposts: 2,
      replies: 3,
      quotes: 4,
      metrics_at: T0,
      first_seen_at: T0,
      last_seen_at: T0,
      deleted_at: null,
      created_at: Date.parse('2025-07-16T12:00:00.000Z'),
    })
    expect(JSON.parse(p.raw)).toEqual({ id: '100' })
    expect(JSON.parse(p.links)).toEqual([ARTICLE_CANONICAL])
    expect(JSON.parse(p.topics)).toEqual(['china-ai-fund'])
    expect(topicRow('100')).toMatchObject({ rules: '["article"]', source: 'x', query: 'q1', matched_at: T0, created_at: p.created_at })
  })

  it('is idempotent: the same page twice leaves the same rows', () => {
    const pg = page(
      [
        item(post('100')),
        item(post('101', { author: { id: '7', handle: 'bob', name: null, followers: null }, metrics: null })),
        item(post('102'), ['keyword:fund-en', 'article']),
      ],
      {
        deletions: [{ platform: 'x', platformId: '101', deletedAt: '2025-07-16T14:00:00.000Z' }],
        cursor: { source: 'x', key: 'q1', value: '102' },
      },
    )
    expect(savePage(db, pg)).toEqual({ inserted: 3, duplicates: 0, deleted: 1, edited: 0, editsIgnored: 0 })
    const first = dump()
    expect(first.posts).toHaveLength(3)
    expect(first.post_topics).toHaveLength(3)

    expect(savePage(db, pg)).toEqual({ inserted: 0, duplicates: 3, deleted: 0, edited: 0, editsIgnored: 0 })
    expect(dump()).toEqual(first)
    expect(getCursor(db, 'x', 'q1')).toBe('102')
  })

  it('the same post twice in one page counts one insert and one duplicate', () => {
    expect(savePage(db, page([item(post('100')), item(post('100'))]))).toEqual({ inserted: 1, duplicates: 1, deleted: 0, edited: 0, editsIgnored: 0 })
    expect(count('posts')).toBe(1)
    expect(count('post_topics')).toBe(1)
  })

  it('metrics take the newest observation; an older one does not overwrite newer counts', () => {
    savePage(db, page([item(post('100', { metrics: { likes: 10, reposts: 20, replies: 30, quotes: 40 } }))], { observedAt: T0 + 2000 }))
    savePage(db, page([item(post('100', { metrics: { likes: 5, reposts: 5, replies: 5, quotes: 5 } }))], { observedAt: T0 + 1000 }))
    expect(row('100')).toMatchObject({
      likes: 10,
      reposts: 20,
      replies: 30,
      quotes: 40,
      metrics_at: T0 + 2000,
      first_seen_at: T0 + 2000,
      last_seen_at: T0 + 2000,
    })

    savePage(db, page([item(post('100', { metrics: { likes: 11, reposts: 21, replies: 31, quotes: 41 } }))], { observedAt: T0 + 3000 }))
    expect(row('100')).toMatchObject({ likes: 11, reposts: 21, replies: 31, quotes: 41, metrics_at: T0 + 3000, last_seen_at: T0 + 3000 })
  })

  it('a re-observation without metrics keeps the counts', () => {
    savePage(db, page([item(post('100', { metrics: { likes: 10, reposts: 20, replies: 30, quotes: 40 } }))], { observedAt: T0 }))
    savePage(db, page([item(post('100', { metrics: null }))], { observedAt: T0 + 5000 }))
    expect(row('100')).toMatchObject({ likes: 10, reposts: 20, replies: 30, quotes: 40, metrics_at: T0, last_seen_at: T0 + 5000, first_seen_at: T0 })
  })

  it('counts arrive later for a post first seen without any', () => {
    savePage(db, page([item(post('100', { metrics: null }))], { observedAt: T0 + 5000 }))
    expect(row('100')).toMatchObject({ likes: null, metrics_at: null })
    // Even an observation stamped earlier than the first sighting is better than no counts.
    savePage(db, page([item(post('100', { metrics: { likes: 3, reposts: 0, replies: 0, quotes: 0 } }))], { observedAt: T0 }))
    expect(row('100')).toMatchObject({ likes: 3, metrics_at: T0, last_seen_at: T0 + 5000 })
  })

  it('handles and names are filled in later by a richer payload, never erased by a poorer one', () => {
    savePage(db, page([item(post('100', { author: { id: '42', handle: null, name: null, followers: null } }))]))
    expect(row('100')).toMatchObject({ author_handle: null, author_name: null, author_followers: null })
    savePage(db, page([item(post('100', { author: { id: '42', handle: 'alice', name: 'Alice A.', followers: 500 } }))], { observedAt: T0 + 1 }))
    expect(row('100')).toMatchObject({ author_handle: 'alice', author_name: 'Alice A.', author_followers: 500 })
    savePage(db, page([item(post('100', { author: { id: '42', handle: null, name: null, followers: null } }))], { observedAt: T0 + 2 }))
    expect(row('100')).toMatchObject({ author_handle: 'alice', author_name: 'Alice A.', author_followers: 500 })
  })

  it('merges topic rules when a post is matched again by another rule, keeping the first provenance', () => {
    savePage(db, page([item(post('100'), ['keyword:fund-en'])], { source: 'x', query: 'q1' }))
    savePage(db, page([item(post('100'), ['article', 'keyword:fund-en'])], { source: 'replay', query: 'file.jsonl', observedAt: T0 + 10 }))
    expect(topicRow('100')).toMatchObject({ rules: '["keyword:fund-en","article"]', source: 'x', query: 'q1', matched_at: T0 })
    // No change when nothing new matched.
    savePage(db, page([item(post('100'), ['article'])], { observedAt: T0 + 20 }))
    expect(JSON.parse(topicRow('100')!.rules)).toEqual(['keyword:fund-en', 'article'])
  })

  it('a post matched later by a second topic joins that topic too', () => {
    savePage(db, page([item(post('100'), ['article'])]))
    savePage(
      db,
      page(
        [
          {
            ...item(post('100')),
            matches: [
              { topicId: TOPIC, rules: ['article'] },
              { topicId: 'other-topic', rules: ['hashtag:x'] },
            ],
          },
        ],
        { observedAt: T0 + 1 },
      ),
    )
    expect(topicRow('100', 'other-topic')).toMatchObject({ rules: '["hashtag:x"]', matched_at: T0 + 1 })
    expect(count('post_topics')).toBe(2)
  })

  it('new links of a known post are added, old ones kept', () => {
    savePage(db, page([item(post('100'))]))
    savePage(db, page([{ ...item(post('100')), links: [ARTICLE_CANONICAL, 'https://example.com/other'] }], { observedAt: T0 + 1 }))
    const id = row('100').id
    expect(JSON.parse(db.prepare('SELECT links FROM posts WHERE id = ?').pluck().get(id) as string)).toEqual([ARTICLE_CANONICAL, 'https://example.com/other'])
  })

  it('deletions mark deleted_at once and are idempotent', () => {
    savePage(db, page([item(post('100')), item(post('101'))]))
    const del = { platform: 'x' as const, platformId: '100', deletedAt: '2025-07-16T16:00:00.000Z' }
    expect(savePage(db, page([], { deletions: [del] }))).toEqual({ inserted: 0, duplicates: 0, deleted: 1, edited: 0, editsIgnored: 0 })
    expect(row('100').deleted_at).toBe(Date.parse(del.deletedAt))
    expect(row('101').deleted_at).toBeNull()

    // Again, even with a later time: nothing changes, the first deletion time stays.
    expect(savePage(db, page([], { deletions: [{ ...del, deletedAt: '2025-07-17T00:00:00.000Z' }] }))).toEqual({
      inserted: 0,
      duplicates: 0,
      deleted: 0,
      edited: 0,
      editsIgnored: 0,
    })
    expect(row('100').deleted_at).toBe(Date.parse(del.deletedAt))

    // A deletion for a post we never stored, or on another platform, touches nothing.
    expect(
      savePage(
        db,
        page([], {
          deletions: [
            { platform: 'x', platformId: '999', deletedAt: del.deletedAt },
            { platform: 'bluesky', platformId: '101', deletedAt: del.deletedAt },
          ],
        }),
      ).deleted,
    ).toBe(0)
    expect(row('101').deleted_at).toBeNull()
  })

  it('writes the cursor in the same transaction, stamped with the observation time', () => {
    savePage(db, page([item(post('100'))], { cursor: { source: 'x', key: 'q1', value: '100' } }))
    expect(getCursor(db, 'x', 'q1')).toBe('100')
    savePage(db, page([item(post('101'))], { observedAt: T0 + 60_000, cursor: { source: 'x', key: 'q1', value: '101' } }))
    expect(db.prepare("SELECT value, updated_at AS at FROM cursors WHERE source = 'x' AND key = 'q1'").get()).toEqual({ value: '101', at: T0 + 60_000 })
  })

  it('a failure inside the page writes neither posts nor cursor', () => {
    savePage(db, page([item(post('100'))], { cursor: { source: 'x', key: 'q1', value: '100' } }))
    const before = dump()
    const bad = post('103', { platform: 'myspace' as unknown as Platform })
    const pg = page([item(post('101')), item(post('102')), item(bad)], {
      observedAt: T0 + 1000,
      deletions: [{ platform: 'x', platformId: '100', deletedAt: '2025-07-16T16:00:00.000Z' }],
      cursor: { source: 'x', key: 'q1', value: '103' },
    })
    expect(() => savePage(db, pg)).toThrow(/CHECK constraint/)
    expect(dump()).toEqual(before)
    expect(getCursor(db, 'x', 'q1')).toBe('100')
    expect(db.inTransaction).toBe(false)
  })

  it('a failure on a fresh database leaves it empty, cursor included', () => {
    const bad = post('103', { platform: 'myspace' as unknown as Platform })
    expect(() => savePage(db, page([item(post('101')), item(bad)], { cursor: { source: 'x', key: 'q1', value: '103' } }))).toThrow()
    expect(count('posts')).toBe(0)
    expect(count('post_topics')).toBe(0)
    expect(count('cursors')).toBe(0)
  })

  describe('with the payloads as received', () => {
    const received = (body: string): ReceivedPayload => ({ body: new TextEncoder().encode(body) })
    const withPayload = (p: Post, payload: ReceivedPayload): PostToStore => ({ ...item(p), payload })
    const payloads = () =>
      db.prepare('SELECT id, source, received_at AS receivedAt, body FROM payloads ORDER BY id').all() as {
        id: number
        source: string
        receivedAt: number
        body: string
      }[]
    const pointers = () => db.prepare('SELECT platform_id AS id, raw, payload_id AS payloadId FROM posts ORDER BY platform_id').all()

    it('keeps each payload once, as received, for all its new posts, in place of their items', () => {
      const a = received('{"data":[{"id":"201"},{"id":"202"}],"note":"中文 ✓"}')
      const b = received('{"data":[{"id":"203"}]}')
      savePage(db, page([withPayload(post('201'), a), withPayload(post('202'), a), withPayload(post('203'), b)]))
      expect(payloads()).toEqual([
        { id: 1, source: 'x', receivedAt: T0, body: '{"data":[{"id":"201"},{"id":"202"}],"note":"中文 ✓"}' },
        { id: 2, source: 'x', receivedAt: T0, body: '{"data":[{"id":"203"}]}' },
      ])
      expect(pointers()).toEqual([
        { id: '201', raw: '', payloadId: 1 },
        { id: '202', raw: '', payloadId: 1 },
        { id: '203', raw: '', payloadId: 2 },
      ])
    })

    it('stores no payload again whose posts are all stored: a replay run twice keeps one copy', () => {
      const lines = ['{"data":[{"id":"201"},{"id":"202"}]}', '{"data":[{"id":"203"}]}']
      const pageOf = () => {
        const [a, b] = lines.map(received)
        return page([withPayload(post('201'), a!), withPayload(post('202'), a!), withPayload(post('203'), b!)])
      }
      savePage(db, pageOf())
      const before = dump()
      expect(savePage(db, pageOf())).toMatchObject({ inserted: 0, duplicates: 3 })
      expect(payloads()).toHaveLength(2)
      expect(dump()).toEqual(before)
    })

    it('a payload whose first post is already stored is kept for its new ones, with ids in step', () => {
      savePage(db, page([withPayload(post('202'), received('{"first":true}'))]))
      // 202 is a duplicate (it keeps its payload 1); 201 and 203 are new: their payloads are 2 and 3.
      const mixed = received('{"data":[{"id":"202"},{"id":"201"}]}')
      const r = savePage(
        db,
        page([
          withPayload(post('202'), mixed),
          withPayload(post('201'), mixed),
          withPayload(post('203'), received('{"data":[{"id":"203"}]}')),
          item(post('204')),
        ]),
      )
      expect(r).toMatchObject({ inserted: 3, duplicates: 1 })
      expect(payloads().map((p) => [p.id, p.body])).toEqual([
        [1, '{"first":true}'],
        [2, '{"data":[{"id":"202"},{"id":"201"}]}'],
        [3, '{"data":[{"id":"203"}]}'],
      ])
      expect(pointers()).toEqual([
        { id: '201', raw: '', payloadId: 2 },
        { id: '202', raw: '', payloadId: 1 },
        { id: '203', raw: '', payloadId: 3 },
        // Without a payload, a post keeps its own item.
        { id: '204', raw: '{"id":"204"}', payloadId: null },
      ])
    })

    it('a page that fails keeps none of its payloads, and the next one numbers them from where the table is', () => {
      const bad = post('103', { platform: 'myspace' as unknown as Platform })
      expect(() => savePage(db, page([withPayload(post('101'), received('{"n":1}')), withPayload(bad, received('{"n":2}'))]))).toThrow()
      expect(payloads()).toEqual([])
      savePage(db, page([withPayload(post('101'), received('{"n":3}'))]))
      expect(payloads().map((p) => [p.id, p.body])).toEqual([[1, '{"n":3}']])
    })
  })
})

/* ---- ingest(): normalized payloads through matching into the store ---- */

interface TweetOpts {
  text: string
  authorId?: string
  replyTo?: string
  quoteOf?: string
  likes?: number
  urls?: string[]
  createdAt?: string
}

function tweet(id: string, o: TweetOpts): Record<string, unknown> {
  const refs = [...(o.replyTo ? [{ type: 'replied_to', id: o.replyTo }] : []), ...(o.quoteOf ? [{ type: 'quoted', id: o.quoteOf }] : [])]
  return {
    id,
    text: o.text,
    author_id: o.authorId ?? '42',
    created_at: o.createdAt ?? '2025-07-16T12:00:00.000Z',
    lang: 'en',
    conversation_id: o.replyTo ?? id,
    public_metrics: { like_count: o.likes ?? 0, retweet_count: 0, reply_count: 0, quote_count: 0 },
    ...(o.urls ? { entities: { urls: o.urls.map((u, i) => ({ url: `https://t.co/x${i}`, expanded_url: u })) } } : {}),
    ...(refs.length ? { referenced_tweets: refs } : {}),
  }
}

function xPage(
  tweets: Record<string, unknown>[],
  users: Record<string, unknown>[] = [{ id: '42', username: 'alice', name: 'Alice', public_metrics: { followers_count: 100 } }],
): Normalized {
  const n = normalizePayload({ data: tweets, includes: { users }, meta: { result_count: tweets.length } })
  if (!n) throw new Error('test setup: not an X page')
  return n
}

const ON_TOPIC = "China's state AI fund is pouring $8.5bn into AI start-ups"
const OFF_TOPIC = 'What a lovely day for a picnic by the river'

const DID = 'did:plc:abcdefghijklmnopqrstuvwx'
const bskyUri = (rkey: string) => `at://${DID}/app.bsky.feed.post/${rkey}`

function bskyRecord(text: string, reply?: string): Record<string, unknown> {
  return {
    $type: 'app.bsky.feed.post',
    text,
    createdAt: '2025-07-16T12:00:00.000Z',
    langs: ['en'],
    ...(reply ? { reply: { parent: { uri: reply, cid: 'bafy' }, root: { uri: reply, cid: 'bafy' } } } : {}),
  }
}

function jetstreamCreate(rkey: string, text: string, timeUs = Date.parse('2025-07-16T12:00:01Z') * 1000): Normalized {
  return normalizePayload({
    did: DID,
    time_us: timeUs,
    kind: 'commit',
    commit: { rev: 'r', operation: 'create', collection: 'app.bsky.feed.post', rkey, record: bskyRecord(text), cid: 'bafy' },
  })!
}

function bskySearch(rkey: string, text: string, likes = 0): Normalized {
  return normalizePayload({
    posts: [
      {
        uri: bskyUri(rkey),
        cid: 'bafy',
        author: { did: DID, handle: 'carol.bsky.social', displayName: 'Carol' },
        record: bskyRecord(text),
        indexedAt: '2025-07-16T12:00:02.000Z',
        likeCount: likes,
        repostCount: 1,
        replyCount: 2,
        quoteCount: 3,
      },
    ],
  })!
}

const prov = { source: 'x', query: 'china ai fund' }

describe('ingest', () => {
  it('matches, stores and counts; the same payload twice is all duplicates', () => {
    const batch = [
      xPage([
        tweet('1945000000000000001', { text: ON_TOPIC }),
        tweet('1945000000000000002', { text: OFF_TOPIC }),
        tweet('1945000000000000003', { text: 'Worth reading', urls: [`${ARTICLE}?smid=tw-share`] }),
      ]),
    ]
    const first = ingest(ctx, batch, prov, { source: 'x', key: 'china ai fund', value: '1945000000000000003' })
    expect(first).toMatchObject({ fetched: 3, newPosts: 2, duplicates: 0, offTopic: 1, deletions: 0 })
    expect(JSON.parse(topicRow('1945000000000000001')!.rules)).toContain('keyword:fund-en')
    expect(JSON.parse(topicRow('1945000000000000003')!.rules)).toEqual(['article'])
    expect(db.prepare("SELECT links FROM posts WHERE links != '[]'").pluck().all()).toEqual([JSON.stringify([ARTICLE_CANONICAL])])
    expect(row('1945000000000000002')).toBeUndefined()
    expect(getCursor(db, 'x', 'china ai fund')).toBe('1945000000000000003')
    const snapshot = dump()

    const second = ingest(ctx, batch, prov)
    expect(second).toMatchObject({ fetched: 3, newPosts: 0, duplicates: 2, offTopic: 1 })
    expect(dump()).toEqual(snapshot)
  })

  it('a reply without topic words inherits its stored parent’s topic (rule thread:reply)', () => {
    ingest(ctx, [xPage([tweet('1945000000000000001', { text: ON_TOPIC })])], prov)
    const stats = ingest(
      ctx,
      [xPage([tweet('1945000000000000010', { text: 'This. Exactly.', replyTo: '1945000000000000001', authorId: '43' })], [{ id: '43', username: 'dan' }])],
      prov,
    )
    expect(stats).toMatchObject({ newPosts: 1, offTopic: 0 })
    expect(topicRow('1945000000000000010')).toMatchObject({ rules: '["thread:reply"]' })
    expect(row('1945000000000000010').author_handle).toBe('dan')
  })

  it('a reply inherits from a parent in the same batch, and a quote gets thread:quote', () => {
    const stats = ingest(
      ctx,
      [
        xPage([
          tweet('1945000000000000001', { text: ON_TOPIC }),
          tweet('1945000000000000011', { text: 'Nope.', replyTo: '1945000000000000001' }),
          tweet('1945000000000000012', { text: 'Look at this', quoteOf: '1945000000000000001' }),
        ]),
      ],
      prov,
    )
    expect(stats).toMatchObject({ newPosts: 3, offTopic: 0 })
    expect(topicRow('1945000000000000011')!.rules).toBe('["thread:reply"]')
    expect(topicRow('1945000000000000012')!.rules).toBe('["thread:quote"]')
  })

  it('a reply to a post that is not ours is off topic', () => {
    const stats = ingest(ctx, [xPage([tweet('1945000000000000020', { text: 'This. Exactly.', replyTo: '1945000000000000999' })])], prov)
    expect(stats).toMatchObject({ fetched: 1, newPosts: 0, offTopic: 1 })
    expect(count('posts')).toBe(0)
  })

  it('a reply chain is stored the same whether it arrives in one batch or one post at a time', () => {
    const chain = [
      tweet('1945000000000000001', { text: ON_TOPIC }),
      tweet('1945000000000000002', { text: 'This. Exactly.', replyTo: '1945000000000000001' }),
      tweet('1945000000000000003', { text: 'Agreed with you.', replyTo: '1945000000000000002' }),
    ]
    ingest(ctx, [xPage(chain)], prov)
    const together = db.prepare('SELECT p.platform_id AS id, pt.rules FROM posts p JOIN post_topics pt ON pt.post_id = p.id ORDER BY p.platform_id').all()

    const other = testContext({ now: new Date(T0) })
    try {
      for (const t of chain) ingest(other, [xPage([t])], prov)
      const oneByOne = other.db
        .prepare('SELECT p.platform_id AS id, pt.rules FROM posts p JOIN post_topics pt ON pt.post_id = p.id ORDER BY p.platform_id')
        .all()
      expect(oneByOne).toHaveLength(3)
      expect(together).toEqual(oneByOne)
    } finally {
      closeContext(other)
    }
  })

  it('a Jetstream post (no handle, no counts) is completed by a later Bluesky search result', () => {
    const text = 'DeepSeek and Qwen show how strong Chinese open-weight models have become'
    ingest(ctx, [jetstreamCreate('3lab1', text)], { source: 'jetstream', query: null })
    const uri = bskyUri('3lab1')
    expect(row(uri, 'bluesky')).toMatchObject({ author_handle: null, author_name: null, likes: null, metrics_at: null })
    expect(topicRow(uri, TOPIC, 'bluesky')).toMatchObject({ source: 'jetstream', query: null })

    const stats = ingest(ctx, [bskySearch('3lab1', text, 7)], { source: 'bluesky', query: 'deepseek' })
    expect(stats).toMatchObject({ newPosts: 0, duplicates: 1 })
    expect(row(uri, 'bluesky')).toMatchObject({
      author_handle: 'carol.bsky.social',
      author_name: 'Carol',
      likes: 7,
      reposts: 1,
      replies: 2,
      quotes: 3,
      metrics_at: T0,
    })
    // Provenance stays with the first sighting.
    expect(topicRow(uri, TOPIC, 'bluesky')).toMatchObject({ source: 'jetstream' })
  })

  it('a Jetstream delete marks the stored post deleted, once', () => {
    const text = 'DeepSeek and Qwen show how strong Chinese open-weight models have become'
    ingest(ctx, [bskySearch('3lab2', text)], { source: 'bluesky', query: 'q' })
    const del = normalizePayload({
      did: DID,
      time_us: Date.parse('2025-07-16T18:00:00Z') * 1000,
      kind: 'commit',
      commit: { rev: 'r', operation: 'delete', collection: 'app.bsky.feed.post', rkey: '3lab2' },
    })!
    expect(ingest(ctx, [del], { source: 'jetstream', query: null }).deletions).toBe(1)
    expect(row(bskyUri('3lab2'), 'bluesky').deleted_at).toBe(Date.parse('2025-07-16T18:00:00Z'))
    expect(ingest(ctx, [del], { source: 'jetstream', query: null }).deletions).toBe(0)
  })

  it('a Bluesky reply inherits its parent’s topic', () => {
    const parentText = 'DeepSeek and Qwen show how strong Chinese open-weight models have become'
    ingest(ctx, [bskySearch('3lab3', parentText)], { source: 'bluesky', query: 'q' })
    const reply = normalizePayload({
      posts: [
        {
          uri: bskyUri('3lab4'),
          cid: 'bafy',
          author: { did: DID, handle: 'carol.bsky.social' },
          record: bskyRecord('Couldn’t agree more', bskyUri('3lab3')),
          indexedAt: '2025-07-16T12:05:00.000Z',
        },
      ],
    })!
    expect(ingest(ctx, [reply], { source: 'bluesky', query: 'q' })).toMatchObject({ newPosts: 1, offTopic: 0 })
    expect(topicRow(bskyUri('3lab4'), TOPIC, 'bluesky')!.rules).toBe('["thread:reply"]')
  })

  it('a failing batch writes neither its posts nor its cursor', () => {
    const good = xPage([tweet('1945000000000000001', { text: ON_TOPIC })])
    const bad = xPage([tweet('1945000000000000002', { text: ON_TOPIC })])
    // Matching needs a real platform, so break a column the matcher does not read: posts.url is NOT NULL.
    bad.posts[0] = { ...bad.posts[0]!, url: null as unknown as string }
    expect(() => ingest(ctx, [good, bad], prov, { source: 'x', key: 'q', value: '2' })).toThrow(/NOT NULL/)
    expect(count('posts')).toBe(0)
    expect(getCursor(db, 'x', 'q')).toBeNull()
  })
})
