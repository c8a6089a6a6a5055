import { describe, expect, it } from 'vitest'
import type { Post } from '../../src/domain/post.js'
import { normalizeBlueskyPosts, normalizePostView } from '../../src/normalize/bluesky.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { MAX_TEXT_CHARS } from '../../src/normalize/limits.js'
import { ARTICLE, hasLoneSurrogate, loadJson, loadPayload, postById } from './fixtures.js'

const output = loadJson('bluesky-search-posts.json')
const views = output.posts as Record<string, unknown>[]
const view = (rkey: string) => views.find((v) => (v.uri as string).endsWith(`/${rkey}`))!

const DID = {
  mei: 'did:plc:vxsimkhzs2bmfxcnrf4izhea',
  claire: 'did:plc:nlitlnjuxkjxhfyrof5qyjly',
  yuki: 'did:plc:no477pqxydvmaku7pxkcmiif',
  sam: 'did:plc:csfwcp2awk2nqird3tgoyewv',
  chen: 'did:plc:rw4qvji77mplsnmdjhv2nb2m',
  nyt: 'did:plc:6udxhphqiqpffrmg4rh5eweu',
}
const URI = {
  linkPost: `at://${DID.mei}/app.bsky.feed.post/3lu3izzjkv22b`,
  quote: `at://${DID.claire}/app.bsky.feed.post/3lu3kymai6m2b`,
  reply: `at://${DID.yuki}/app.bsky.feed.post/3lu3ltgkbow2b`,
  gallery: `at://${DID.chen}/app.bsky.feed.post/3lu3nrzb7oh2b`,
  forged: `at://${DID.sam}/app.bsky.feed.post/3lu3qci6o4x2b`,
  future: `at://${DID.mei}/app.bsky.feed.post/3lu3ry4scny2b`,
  notAPost: `at://${DID.chen}/app.bsky.feed.post/3lu3u7nmily2b`,
  wrongAuthor: `at://${DID.mei}/app.bsky.feed.post/3lu3wh6goli2b`,
  nyt: `at://${DID.nyt}/app.bsky.feed.post/3lu3yopaumk2b`,
}

const result = normalizeBlueskyPosts(output)
const post = (uri: string) => postById(result.posts, uri)

/** A minimal valid PostView for edge cases. */
function viewWith(record: Record<string, unknown> = {}, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uri: `at://${DID.mei}/app.bsky.feed.post/3lu4a2b3c4d2b`,
    cid: 'bafyreifeelt4anut46gzdrrafm42zglpvufin4lwiggick3aemitayw2g4',
    author: { did: DID.mei, handle: 'meilin.bsky.social', displayName: 'Mei Lin' },
    record: { $type: 'app.bsky.feed.post', text: 'hello', createdAt: '2025-07-16T20:00:00.000Z', ...record },
    indexedAt: '2025-07-16T20:00:01.000Z',
    ...fields,
  }
}
function normalizeOk(v: unknown): Post {
  const p = normalizePostView(v)
  if ('reason' in p) throw new Error(`unexpected skip: ${p.reason}`)
  return p
}

describe('the searchPosts fixture itself', () => {
  it('uses UTF-8 byte offsets in facets, which differ from JS string indices when emoji and 𠮷 come first', () => {
    const record = view('3lu3izzjkv22b').record as { text: string; facets: { index: { byteStart: number; byteEnd: number } }[] }
    const { byteStart, byteEnd } = record.facets[0]!.index
    const linkText = 'nytimes.com/2025/07/16/tech...'
    expect(Buffer.from(record.text, 'utf8').subarray(byteStart, byteEnd).toString('utf8')).toBe(linkText)
    expect(record.text.indexOf(linkText)).not.toBe(byteStart)
  })
})

describe('normalizeBlueskyPosts on a searchPosts output', () => {
  it('keeps the valid post views and skips the others with a reason and their URI', () => {
    expect(result.posts.map((p) => p.platformId)).toEqual([URI.linkPost, URI.quote, URI.reply, URI.gallery, URI.forged, URI.future, URI.nyt])
    expect(result.skipped).toEqual([
      { reason: 'bluesky: record is not a post', id: URI.notAPost },
      { reason: 'bluesky: author missing or not the URI owner', id: URI.wrongAuthor },
    ])
  })

  it('maps a post with link, tag and mention facets, record tags and an external embed, field by field', () => {
    expect(post(URI.linkPost)).toEqual<Post>({
      platform: 'bluesky',
      platformId: URI.linkPost,
      url: `https://bsky.app/profile/${DID.mei}/post/3lu3izzjkv22b`,
      author: { id: DID.mei, handle: 'meilin.bsky.social', name: 'Mei Lin 🌏', followers: null },
      text: `🇨🇳🤖 China's $8.5bn state AI fund is backing "little giants" (小巨人) like 𠮷祥智能 💸 read: nytimes.com/2025/07/16/tech... #ChinaAI #中国AI cc @nytimes.com`,
      lang: 'en',
      createdAt: '2025-07-16T13:20:00.412Z',
      createdAtSource: 'claimed',
      replyTo: null,
      quoteOf: null,
      conversationId: URI.linkPost,
      metrics: { likes: 211, reposts: 40, replies: 12, quotes: 5 },
      // The facet's full URL (not the shortened text), then the card's; the #view repeats the card and is not doubled.
      links: [`${ARTICLE}?smid=url-share`, ARTICLE],
      hashtags: ['ChinaAI', '中国AI', 'AIfund'],
      mentions: [DID.nyt],
      raw: view('3lu3izzjkv22b'),
    })
  })

  it('preserves emoji and the non-BMP 𠮷 exactly', () => {
    const p = post(URI.linkPost)
    expect(p.text).toBe((view('3lu3izzjkv22b').record as { text: string }).text)
    expect([...p.text].filter((c) => c.codePointAt(0) === 0x20bb7)).toHaveLength(1)
    expect(hasLoneSurrogate(p.text)).toBe(false)
  })

  it('maps a recordWithMedia quote: quoteOf is the quoted post, the link comes from the media card', () => {
    expect(post(URI.quote)).toEqual<Post>({
      platform: 'bluesky',
      platformId: URI.quote,
      url: `https://bsky.app/profile/${DID.claire}/post/3lu3kymai6m2b`,
      author: { id: DID.claire, handle: 'claire-dubois.fr', name: 'Claire Dubois', followers: null },
      text: "Le « fonds d'État » chinois pour l'IA : 8,5 milliards pour des start-up. Politique industrielle ou distorsion ? 🧵",
      lang: 'fr',
      createdAt: '2025-07-16T13:55:00.020Z',
      createdAtSource: 'claimed',
      replyTo: null,
      quoteOf: URI.linkPost,
      conversationId: URI.quote,
      metrics: { likes: 17, reposts: 2, replies: 3, quotes: 0 },
      links: [`${ARTICLE}?unlocked_article_code=1.X08.Ab3d.Zq9Kp&smid=url-share`],
      hashtags: [],
      mentions: [],
      raw: view('3lu3kymai6m2b'),
    })
  })

  it('maps a reply: replyTo is the parent, conversationId the thread root; missing counts are 0', () => {
    expect(post(URI.reply)).toEqual<Post>({
      platform: 'bluesky',
      platformId: URI.reply,
      url: `https://bsky.app/profile/${DID.yuki}/post/3lu3ltgkbow2b`,
      author: { id: DID.yuki, handle: 'yuki-tanaka.bsky.social', name: '田中ゆき', followers: null },
      text: '国家主導のAIファンドは市場の歪みを生むのでは？日本の補助金政策とも比べたい',
      lang: 'ja',
      createdAt: '2025-07-16T14:10:00.500Z',
      createdAtSource: 'claimed',
      replyTo: URI.quote,
      quoteOf: null,
      conversationId: URI.linkPost,
      metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
      links: [],
      hashtags: [],
      mentions: [],
      raw: view('3lu3ltgkbow2b'),
    })
  })

  it('tolerates an unknown embed type (app.bsky.embed.gallery#view) and still reads the facets', () => {
    const p = post(URI.gallery)
    expect(p.text).toBe('国产大模型背后的数据标注村，照片都在这里 #国产大模型')
    expect(p.links).toEqual([])
    expect(p.hashtags).toEqual(['国产大模型'])
    expect(p.lang).toBe('zh')
    expect(p.metrics).toEqual({ likes: 25, reposts: 4, replies: 0, quotes: 0 })
  })

  it('replaces a forged createdAt (year 0001) with indexedAt, and an empty displayName with null', () => {
    const p = post(URI.forged)
    expect(p.createdAt).toBe('2025-07-16T15:30:02.118Z')
    expect(p.createdAtSource).toBe('indexed')
    expect(p.author).toEqual({ id: DID.sam, handle: 'samortiz.bsky.social', name: null, followers: null })
  })

  it('replaces a createdAt in the future (2031) with indexedAt', () => {
    const p = post(URI.future)
    expect(p.createdAt).toBe('2025-07-16T16:00:03.000Z')
    expect(p.createdAtSource).toBe('indexed')
  })

  it('reads a watched account post: DID-based URL, link from the facet (not the shortened text)', () => {
    const p = post(URI.nyt)
    expect(p.url).toBe(`https://bsky.app/profile/${DID.nyt}/post/3lu3yopaumk2b`)
    expect(p.author.handle).toBe('nytimes.com')
    expect(p.links).toEqual([`${ARTICLE}?smid=bs-nytimes`])
    expect(p.text.endsWith('nytimes.com/2025/07/16/tech...')).toBe(true)
  })

  it('is what normalizePayload returns for a searchPosts output', () => {
    const n = normalizePayload(loadPayload('bluesky-search-posts.json'))!
    expect(n.kind).toBe('bluesky-posts')
    expect(n.posts).toEqual(result.posts)
    expect(n.skipped).toEqual(result.skipped)
    expect(n.ignored).toBe(0)
  })
})

describe('normalizePostView edge cases', () => {
  it.each<[string, unknown, string]>([
    ['null', null, 'bluesky: post view is not an object'],
    ['a string', 'at://x', 'bluesky: post view is not an object'],
    ['a URI in another collection', viewWith({}, { uri: `at://${DID.mei}/app.bsky.feed.generator/china-ai` }), 'bluesky: post view without a valid post URI'],
    [
      'a handle instead of a DID in the URI',
      viewWith({}, { uri: 'at://meilin.bsky.social/app.bsky.feed.post/3lu4a2b3c4d2b' }),
      'bluesky: post view without a valid post URI',
    ],
    ['no author', viewWith({}, { author: undefined }), 'bluesky: author missing or not the URI owner'],
    ['a record without text', viewWith({ text: undefined }), 'bluesky: record is not a post'],
    ['no record', viewWith({}, { record: 'post' }), 'bluesky: record is not a post'],
  ])('skips %s with a reason', (_name, v, reason) => {
    const r = normalizePostView(v)
    expect(r).toHaveProperty('reason', reason)
  })

  it('skips a record whose $type is not app.bsky.feed.post, even when it carries a text field', () => {
    const r = normalizePostView(viewWith({ $type: 'app.bsky.feed.repost', text: 'not a post at all', subject: { uri: 'at://x', cid: 'y' } }))
    expect(r).toEqual({ reason: 'bluesky: record is not a post', id: `at://${DID.mei}/app.bsky.feed.post/3lu4a2b3c4d2b` })
  })

  it('skips a view with neither a plausible createdAt nor an indexedAt', () => {
    const r = normalizePostView(viewWith({ createdAt: '0001-01-01T00:00:00.000Z' }, { indexedAt: undefined }))
    expect(r).toEqual({ reason: 'bluesky: no usable creation time', id: `at://${DID.mei}/app.bsky.feed.post/3lu4a2b3c4d2b` })
  })

  it.each<[string, unknown, string, 'claimed' | 'indexed']>([
    ['a plausible claim', '2025-07-16T19:59:00.000Z', '2025-07-16T19:59:00.000Z', 'claimed'],
    ['a claim a little after indexedAt (clock skew, under 5 min)', '2025-07-16T20:04:00.000Z', '2025-07-16T20:04:00.000Z', 'claimed'],
    ['a claim more than 5 min after indexedAt', '2025-07-16T20:06:00.000Z', '2025-07-16T20:00:01.000Z', 'indexed'],
    ['a claim before Bluesky opened (Feb 2023)', '2022-12-31T23:59:59.000Z', '2025-07-16T20:00:01.000Z', 'indexed'],
    ['a bare date', '2025-07-16', '2025-07-16T20:00:01.000Z', 'indexed'],
    ['garbage', 'yesterday', '2025-07-16T20:00:01.000Z', 'indexed'],
    ['a number', 1752696000000, '2025-07-16T20:00:01.000Z', 'indexed'],
    ['a missing createdAt', undefined, '2025-07-16T20:00:01.000Z', 'indexed'],
  ])('believes createdAt only when plausible: %s', (_name, createdAt, expected, source) => {
    const p = normalizeOk(viewWith({ createdAt }))
    expect(p.createdAt).toBe(expected)
    expect(p.createdAtSource).toBe(source)
  })

  it('takes the first declared language, lower-cased, or null', () => {
    expect(normalizeOk(viewWith({ langs: ['zh-Hant', 'en'] })).lang).toBe('zh-hant')
    expect(normalizeOk(viewWith({ langs: [] })).lang).toBeNull()
    expect(normalizeOk(viewWith({ langs: 'en' })).lang).toBeNull()
  })

  it('does not count an embedded feed generator as a quote', () => {
    const embed = {
      $type: 'app.bsky.embed.record',
      record: { uri: `at://${DID.chen}/app.bsky.feed.generator/china-ai`, cid: 'bafyreibmejbrhhexgksjd7kwzmqn76mjyptsmuutfw4nxnzo6wamuzuqru' },
    }
    expect(normalizeOk(viewWith({ embed })).quoteOf).toBeNull()
  })

  it('reads a plain record quote (app.bsky.embed.record)', () => {
    const embed = { $type: 'app.bsky.embed.record', record: { uri: URI.linkPost, cid: 'bafyreifeelt4anut46gzdrrafm42zglpvufin4lwiggick3aemitayw2g4' } }
    expect(normalizeOk(viewWith({ embed })).quoteOf).toBe(URI.linkPost)
  })

  it('takes a link from the hydrated #view embed even when the record has no embed', () => {
    const embed = { $type: 'app.bsky.embed.external#view', external: { uri: ARTICLE, title: 't', description: 'd' } }
    expect(normalizeOk(viewWith({}, { embed })).links).toEqual([ARTICLE])
  })

  it('ignores malformed facets and features instead of failing', () => {
    const facets = [
      null,
      'x',
      { features: 'x' },
      { features: [null, { $type: 'app.bsky.richtext.facet#link' }, { $type: 'app.bsky.richtext.facet#link', uri: ARTICLE }] },
    ]
    expect(normalizeOk(viewWith({ facets })).links).toEqual([ARTICLE])
  })

  it('deduplicates a tag given both as a facet and in record.tags', () => {
    const facets = [{ index: { byteStart: 0, byteEnd: 8 }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'ChinaAI' }] }]
    expect(normalizeOk(viewWith({ text: '#ChinaAI', facets, tags: ['ChinaAI'] })).hashtags).toEqual(['ChinaAI'])
  })

  it('caps 100,000 characters of emoji text without splitting a surrogate pair', () => {
    const text = 'x' + '𠮷😀'.repeat(25_000)
    const p = normalizeOk(viewWith({ text }))
    expect(p.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS)
    expect(p.text.length).toBeGreaterThan(MAX_TEXT_CHARS - 2)
    expect(text.startsWith(p.text)).toBe(true)
    expect(hasLoneSurrogate(p.text)).toBe(false)
    expect((p.raw as { record: { text: string } }).record.text).toBe(text)
  })

  it('is what normalizePayload returns for a single PostView', () => {
    const n = normalizePayload(view('3lu3izzjkv22b'))!
    expect(n.kind).toBe('bluesky-postview')
    expect(n.posts).toEqual([post(URI.linkPost)])
    const bad = normalizePayload(view('3lu3wh6goli2b'))!
    expect(bad.posts).toEqual([])
    expect(bad.skipped).toEqual([{ reason: 'bluesky: author missing or not the URI owner', id: URI.wrongAuthor }])
  })
})
