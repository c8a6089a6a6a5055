import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import type { Post } from '../../src/domain/post.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload, type Normalized } from '../../src/normalize/index.js'
import { savePage, type PageWrite, type PostToStore } from '../../src/store/posts.js'
import { testContext } from '../helpers.js'

const TOPIC = 'china-ai-fund'
const T0 = Date.parse('2025-07-16T15:00:00Z')

let ctx: AppContext
beforeEach(() => {
  ctx = testContext({ now: new Date(T0) })
})
afterEach(() => closeContext(ctx))

function post(id: string, text = 'some text'): Post {
  return {
    platform: 'x',
    platformId: id,
    url: `https://x.com/alice/status/${id}`,
    author: { id: '42', handle: 'alice', name: 'Alice', followers: 100 },
    text,
    lang: 'en',
    createdAt: '2025-07-16T12:00:00.000Z',
    createdAtSource: 'platform',
    replyTo: null,
    quoteOf: null,
    conversationId: id,
    metrics: null,
    links: [],
    hashtags: [],
    mentions: [],
    raw: { id },
  }
}

function item(p: Post, themes: string[] | undefined, rules = ['article'], topicId = TOPIC): PostToStore {
  return { post: p, langDetected: 'en', links: [], matches: [{ topicId, rules, ...(themes ? { themes } : {}) }] }
}

const page = (items: PostToStore[], over: Partial<PageWrite> = {}): PageWrite => ({ items, source: 'x', query: 'q', observedAt: T0, ...over })

/** The stored (rules, themes) of a post on a topic, parsed. */
function tags(platformId: string, topicId = TOPIC, platform = 'x'): { rules: string[]; themes: string[] } | undefined {
  const r = ctx.db
    .prepare('SELECT pt.rules, pt.themes FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.platform = ? AND p.platform_id = ? AND pt.topic_id = ?')
    .get(platform, platformId, topicId) as { rules: string; themes: string } | undefined
  return r && { rules: JSON.parse(r.rules) as string[], themes: JSON.parse(r.themes) as string[] }
}

describe('migration 0004', () => {
  it('adds post_topics.themes, a JSON array defaulting to []', () => {
    const col = (ctx.db.prepare('PRAGMA table_info(post_topics)').all() as { name: string; type: string; notnull: number; dflt_value: string }[]).find(
      (c) => c.name === 'themes',
    )
    expect(col).toMatchObject({ type: 'TEXT', notnull: 1, dflt_value: "'[]'" })
    // A row written without themes (as code before themes did) gets [].
    savePage(ctx.db, page([item(post('1'), ['fund'])]))
    ctx.db
      .prepare("INSERT INTO post_topics (topic_id, created_at, post_id, rules, source, matched_at) SELECT 'other', created_at, id, '[]', 'x', 0 FROM posts")
      .run()
    expect(tags('1', 'other')!.themes).toEqual([])
  })
})

describe('savePage and themes', () => {
  it('writes the themes of each new topic row; a match without themes stores []', () => {
    savePage(
      ctx.db,
      page([
        {
          ...item(post('1'), ['fund', 'chips']),
          matches: [
            { topicId: TOPIC, rules: ['article'], themes: ['fund', 'chips'] },
            { topicId: 'other', rules: ['hashtag:x'] },
          ],
        },
      ]),
    )
    expect(tags('1')).toEqual({ rules: ['article'], themes: ['fund', 'chips'] })
    expect(tags('1', 'other')).toEqual({ rules: ['hashtag:x'], themes: [] })
  })

  it('unions the themes of a post seen again, like its rules', () => {
    savePage(ctx.db, page([item(post('1'), ['fund'], ['keyword:fund-en'])]))
    savePage(ctx.db, page([item(post('1'), ['chips', 'fund'], ['article'])], { observedAt: T0 + 1 }))
    expect(tags('1')).toEqual({ rules: ['keyword:fund-en', 'article'], themes: ['fund', 'chips'] })
    // A sighting with fewer themes removes none (retag recomputes them from the text).
    savePage(ctx.db, page([item(post('1'), [], ['article'])], { observedAt: T0 + 2 }))
    expect(tags('1')).toEqual({ rules: ['keyword:fund-en', 'article'], themes: ['fund', 'chips'] })
  })

  it('a re-seen post with a new theme but no new rule still gets the theme', () => {
    savePage(ctx.db, page([item(post('1'), [])]))
    savePage(ctx.db, page([item(post('1'), ['energy'])], { observedAt: T0 + 1 }))
    expect(tags('1')).toEqual({ rules: ['article'], themes: ['energy'] })
  })

  it('the same page twice leaves the same rows', () => {
    const pg = page([item(post('1'), ['fund']), item(post('2'), ['talent', 'chips'])])
    savePage(ctx.db, pg)
    const before = ctx.db.prepare('SELECT * FROM post_topics ORDER BY post_id').all()
    savePage(ctx.db, pg)
    expect(ctx.db.prepare('SELECT * FROM post_topics ORDER BY post_id').all()).toEqual(before)
  })
})

/* ---- through ingest: matching decides the themes ---- */

function tweet(id: string, text: string, o: { replyTo?: string; quoteOf?: string } = {}): Record<string, unknown> {
  const refs = [...(o.replyTo ? [{ type: 'replied_to', id: o.replyTo }] : []), ...(o.quoteOf ? [{ type: 'quoted', id: o.quoteOf }] : [])]
  return {
    id,
    text,
    author_id: '42',
    created_at: '2025-07-16T12:00:00.000Z',
    lang: 'en',
    conversation_id: o.replyTo ?? id,
    ...(refs.length ? { referenced_tweets: refs } : {}),
  }
}

function xPage(tweets: Record<string, unknown>[]): Normalized {
  return normalizePayload({ data: tweets, includes: { users: [{ id: '42', username: 'alice', name: 'Alice' }] }, meta: { result_count: tweets.length } })!
}

const prov = { source: 'x', query: 'q' }
const PARENT = "China's $8.5bn state AI fund is pure industrial policy"

describe('ingest and themes', () => {
  it('tags a matched post with every theme its text mentions', () => {
    ingest(ctx, [xPage([tweet('1945000000000000001', PARENT), tweet('1945000000000000002', 'Nvidia can sell H20 chips to China again')])], prov)
    expect(tags('1945000000000000001')!.themes).toEqual(['fund', 'state-vs-market'])
    expect(tags('1945000000000000002')!.themes).toEqual(['chips'])
  })

  it('a reply that joins through its parent gets the themes of its own text, not its parent’s', () => {
    ingest(ctx, [xPage([tweet('1945000000000000001', PARENT)])], prov)
    ingest(
      ctx,
      [
        xPage([
          tweet('1945000000000000010', 'This. Exactly.', { replyTo: '1945000000000000001' }),
          tweet('1945000000000000011', 'and who pays the electricity bill?', { replyTo: '1945000000000000001' }),
          tweet('1945000000000000012', 'the returnees will love this', { quoteOf: '1945000000000000001' }),
        ]),
      ],
      prov,
    )
    expect(tags('1945000000000000010')).toEqual({ rules: ['thread:reply'], themes: [] })
    expect(tags('1945000000000000011')).toEqual({ rules: ['thread:reply'], themes: ['energy'] })
    expect(tags('1945000000000000012')).toEqual({ rules: ['thread:quote'], themes: ['talent'] })
  })

  it('a reply to a reply in the same batch gets its own themes too', () => {
    ingest(
      ctx,
      [
        xPage([
          tweet('1945000000000000001', PARENT),
          tweet('1945000000000000002', 'This. Exactly.', { replyTo: '1945000000000000001' }),
          tweet('1945000000000000003', 'more subsidies then', { replyTo: '1945000000000000002' }),
        ]),
      ],
      prov,
    )
    expect(tags('1945000000000000002')!.themes).toEqual([])
    expect(tags('1945000000000000003')).toEqual({ rules: ['thread:reply'], themes: ['state-vs-market'] })
  })
})

describe('edits recompute themes', () => {
  const DID = 'did:plc:themethemethemethemethem'
  const event = (operation: 'create' | 'update', text: string, timeUs: number, reply?: string) =>
    normalizePayload({
      did: DID,
      time_us: timeUs,
      kind: 'commit',
      commit: {
        rev: 'r',
        operation,
        collection: 'app.bsky.feed.post',
        rkey: reply ? '3ltreply00001' : '3ltedit000001',
        record: {
          $type: 'app.bsky.feed.post',
          text,
          createdAt: '2025-07-16T12:00:00.000Z',
          langs: ['en'],
          ...(reply ? { reply: { parent: { uri: reply, cid: 'bafy' }, root: { uri: reply, cid: 'bafy' } } } : {}),
        },
        cid: 'bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq',
      },
    })!
  const jet = { source: 'jetstream', query: null }
  const uri = `at://${DID}/app.bsky.feed.post/3ltedit000001`
  const replyUri = `at://${DID}/app.bsky.feed.post/3ltreply00001`

  it('an edit replaces the themes with those of the new text, dropping old ones', () => {
    ingest(ctx, [event('create', "China's $8.5bn state AI fund and its subsidies", 1)], jet)
    expect(tags(uri, TOPIC, 'bluesky')!.themes).toEqual(['fund', 'state-vs-market'])
    expect(ingest(ctx, [event('update', "China's $8.5bn state AI fund hires returnees", 2)], jet).edits).toBe(1)
    expect(tags(uri, TOPIC, 'bluesky')!.themes).toEqual(['fund', 'talent'])
  })

  it('a post kept on its topic by its thread is re-tagged on edit although its new text matches no rule', () => {
    ingest(ctx, [event('create', "China's $8.5bn state AI fund and its subsidies", 1)], jet)
    ingest(ctx, [event('create', 'So true.', 2, uri)], jet)
    expect(tags(replyUri, TOPIC, 'bluesky')).toEqual({ rules: ['thread:reply'], themes: [] })
    ingest(ctx, [event('update', 'So true, and the electricity comes from coal.', 3, uri)], jet)
    expect(tags(replyUri, TOPIC, 'bluesky')).toEqual({ rules: ['thread:reply'], themes: ['energy'] })
  })
})
