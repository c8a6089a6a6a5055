import { describe, expect, it } from 'vitest'
import type { Post } from '../../src/domain/post.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { MAX_TEXT_CHARS } from '../../src/normalize/limits.js'
import { snowflakeMs } from '../../src/domain/x-ids.js'
import { decodeXEntities, normalizeXPage } from '../../src/normalize/x.js'
import { ARTICLE, hasLoneSurrogate, loadJson, loadPayload, postById } from './fixtures.js'

const page = loadJson('x-search-recent.json')
const tweets = page.data as Record<string, unknown>[]
const users = (page.includes as { users: Record<string, unknown>[] }).users
const tweet = (id: string) => tweets.find((t) => t.id === id)!
const user = (username: string) => users.find((u) => u.username === username)!

const ID = {
  original: '1945469007035965590',
  reply: '1945478637157918314',
  quote: '1945485037664649044',
  retweet: '1945491106824574377',
  note: '1945501865212333958',
  chinese: '1945519074958099885',
  noCreatedAt: '1945529740558379095',
  unknownAuthor: '1945555036402995092',
  japanese: '1945562997193773167',
}

const result = normalizeXPage(page)
const post = (id: string) => postById(result.posts, id)

/** A minimal valid tweet for edge cases, overridable field by field. */
function tweetWith(fields: Record<string, unknown>): Record<string, unknown> {
  return { id: '1945600000000000000', text: 'hello', author_id: '1', created_at: '2025-07-16T20:00:00.000Z', ...fields }
}
const one = (t: unknown, extra: Record<string, unknown> = {}) => normalizeXPage({ data: [t], ...extra })

describe('normalizeXPage on a recent-search page', () => {
  it('turns every tweet into a post except the one without an id (skipped) and the retweet (counted)', () => {
    expect(result.posts.map((p) => p.platformId)).toEqual([ID.japanese, ID.unknownAuthor, ID.noCreatedAt, ID.chinese, ID.note, ID.quote, ID.reply, ID.original])
    expect(result.skipped).toEqual([{ reason: 'x: tweet without a valid id', id: null }])
    expect(result.reposts).toBe(1)
  })

  it('ignores includes.tweets: referenced tweets are context, not results', () => {
    const included = (page.includes as { tweets: { id: string }[] }).tweets.map((t) => t.id)
    expect(result.posts.some((p) => included.includes(p.platformId))).toBe(false)
    expect(result.posts.some((p) => p.platformId === ID.retweet)).toBe(false)
  })

  it('maps an original tweet field by field, decoding &amp; and preferring unwound_url', () => {
    expect(post(ID.original)).toEqual<Post>({
      platform: 'x',
      platformId: ID.original,
      url: `https://x.com/mei_lin_ai/status/${ID.original}`,
      author: { id: '1219385047212670976', handle: 'mei_lin_ai', name: 'Mei Lin 林梅', followers: 48211 },
      text: `China's $8.5bn state AI fund is backing "little giants" & chip start-ups. Industrial policy or market distortion? https://t.co/Xy12AbCdEf #ChinaAI @nytimes`,
      lang: 'en',
      createdAt: '2025-07-16T13:02:11.000Z',
      createdAtSource: 'platform',
      replyTo: null,
      quoteOf: null,
      conversationId: ID.original,
      metrics: { likes: 1304, reposts: 212, replies: 48, quotes: 37 },
      links: [`${ARTICLE}?unlocked_article_code=1.X08.Ab3d.Zq9Kp&smid=url-share`],
      hashtags: ['ChinaAI'],
      mentions: ['nytimes'],
      raw: { tweet: tweet(ID.original), author: user('mei_lin_ai') },
    })
  })

  it('maps a reply: parent id, thread conversation id, and &lt;script&gt; decoded to <script>', () => {
    expect(post(ID.reply)).toEqual<Post>({
      platform: 'x',
      platformId: ID.reply,
      url: `https://x.com/policywonk_sam/status/${ID.reply}`,
      author: { id: '1601230987654321408', handle: 'policywonk_sam', name: 'Sam Ortiz', followers: 3120 },
      text: `@mei_lin_ai Subsidies don't pick winners & losers, markets do. Also: my "AI start-up" landing page is literally <script>alert('funded')</script> 😅`,
      lang: 'en',
      createdAt: '2025-07-16T13:40:27.000Z',
      createdAtSource: 'platform',
      replyTo: ID.original,
      quoteOf: null,
      conversationId: ID.original,
      metrics: { likes: 41, reposts: 3, replies: 2, quotes: 0 },
      links: [],
      hashtags: [],
      mentions: ['mei_lin_ai'],
      raw: { tweet: tweet(ID.reply), author: user('policywonk_sam') },
    })
  })

  it('maps a quote: quoted id kept, &gt; decoded to > and &amp;gt; decoded only once to &gt;', () => {
    expect(post(ID.quote)).toEqual<Post>({
      platform: 'x',
      platformId: ID.quote,
      url: `https://x.com/tanaka_tech_jp/status/${ID.quote}`,
      author: { id: '3315561839', handle: 'tanaka_tech_jp', name: '田中ゆき', followers: 9120 },
      text: '中国のAIファンド、85億ドル規模で「小さな巨人」を育成。国家主導 > 市場？ ちなみにHTMLでは &gt; と書きます https://t.co/QtE9kLmN0p',
      lang: 'ja',
      createdAt: '2025-07-16T14:05:53.000Z',
      createdAtSource: 'platform',
      replyTo: null,
      quoteOf: ID.original,
      conversationId: ID.quote,
      metrics: { likes: 77, reposts: 8, replies: 1, quotes: 2 },
      links: [`https://twitter.com/mei_lin_ai/status/${ID.original}`],
      hashtags: [],
      mentions: [],
      raw: { tweet: tweet(ID.quote), author: user('tanaka_tech_jp') },
    })
  })

  it('takes a long post from note_tweet: the full text and the note entities, not the truncated `text`', () => {
    const p = post(ID.note)
    const note = tweet(ID.note).note_tweet as { text: string }
    expect((tweet(ID.note).text as string).endsWith('…')).toBe(true)
    expect(p.text).toBe(decodeXEntities(note.text))
    expect(p.text.length).toBeGreaterThan(280)
    expect(p.text).toContain('the signal is huge & it steers')
    expect(p.text.endsWith('#ChinaAI #IndustrialPolicy https://t.co/Lm7Np2Qr5s')).toBe(true)
    expect(p.links).toEqual([`${ARTICLE}?smid=tw-nytimes&smtyp=cur`])
    expect(p.hashtags).toEqual(['ChinaAI', 'IndustrialPolicy'])
    expect(p.mentions).toEqual([])
    expect(p.createdAtSource).toBe('platform')
    // The raw item keeps the truncated text and the note as received.
    expect(p.raw).toEqual({ tweet: tweet(ID.note), author: user('policywonk_sam') })
  })

  it('takes the creation time from the snowflake id when created_at is missing', () => {
    const p = post(ID.noCreatedAt)
    expect(p.createdAt).toBe('2025-07-16T17:03:31.000Z')
    expect(p.createdAtSource).toBe('id')
    expect(p.lang).toBe('fr')
    expect(p.text).toBe("Le fonds d'État chinois de 8,5 milliards pour l'IA : politique industrielle ou distorsion de concurrence ? https://t.co/Fr4nCe9xYz")
    // Links are kept as the platform expanded them; canonicalisation happens in match/.
    expect(p.links).toEqual([`${ARTICLE}?smid=fb-nytimes&fbclid=IwAR2xYzQ0d3Kf`])
  })

  it('keeps a tweet whose author is missing from includes, with a handle-free URL and no author in raw', () => {
    expect(post(ID.unknownAuthor)).toEqual<Post>({
      platform: 'x',
      platformId: ID.unknownAuthor,
      url: `https://x.com/i/web/status/${ID.unknownAuthor}`,
      author: { id: '998877665544332211', handle: null, name: null, followers: null },
      text: 'Nvidia H20 shipments to China resume next month. Export controls were always leaky.',
      lang: 'en',
      createdAt: '2025-07-16T18:44:02.000Z',
      createdAtSource: 'platform',
      replyTo: null,
      quoteOf: null,
      conversationId: ID.unknownAuthor,
      metrics: { likes: 3, reposts: 0, replies: 0, quotes: 0 },
      links: [],
      hashtags: [],
      mentions: [],
      raw: { tweet: tweet(ID.unknownAuthor) },
    })
  })

  it('keeps several links in entity order, taking expanded_url when there is no unwound_url, and CJK hashtags', () => {
    const p = post(ID.chinese)
    expect(p.links).toEqual([ARTICLE, 'https://cn.nytimes.com/technology/20250717/china-ai-fund/'])
    expect(p.hashtags).toEqual(['国产大模型'])
    expect(p.createdAt).toBe('2025-07-16T16:21:08.123Z')
    expect(p.author.name).toBe('张伟 Zhang Wei')
  })

  it('preserves non-BMP characters (𠮷, U+20BB7) exactly', () => {
    const p = post(ID.japanese)
    expect(p.text).toBe(tweet(ID.japanese).text)
    expect(p.text.codePointAt(0)).toBe(0x20bb7)
    expect(hasLoneSurrogate(p.text)).toBe(false)
  })
})

describe('normalizeXPage edge cases', () => {
  it('falls back to the t.co url only when neither unwound_url nor expanded_url is there', () => {
    const r = one(tweetWith({ entities: { urls: [{ start: 0, end: 23, url: 'https://t.co/AbCdEf1234' }] } }))
    expect(r.posts[0]!.links).toEqual(['https://t.co/AbCdEf1234'])
  })

  it('deduplicates the same link entity appearing twice', () => {
    const u = { url: 'https://t.co/a', expanded_url: ARTICLE }
    expect(one(tweetWith({ entities: { urls: [u, u] } })).posts[0]!.links).toEqual([ARTICLE])
  })

  it('counts a retweet even when it also references a quoted tweet', () => {
    const r = one(
      tweetWith({
        referenced_tweets: [
          { type: 'quoted', id: '1' },
          { type: 'retweeted', id: '2' },
        ],
      }),
    )
    expect(r).toEqual({ posts: [], skipped: [], reposts: 1 })
  })

  it('accepts a single-tweet lookup page ({data: {...}})', () => {
    const r = normalizeXPage({ data: tweetWith({}) })
    expect(r.posts).toHaveLength(1)
    expect(r.posts[0]!.url).toBe('https://x.com/i/web/status/1945600000000000000')
  })

  it('returns nothing for an empty result page', () => {
    expect(normalizeXPage({ meta: { result_count: 0 } })).toEqual({ posts: [], skipped: [], reposts: 0 })
  })

  it.each<[string, unknown, { reason: string; id: string | null }]>([
    ['a number id (precision lost by JSON)', 1945600000000000000, { reason: 'x: tweet without a valid id', id: null }],
    ['a non-numeric id', 'abc', { reason: 'x: tweet without a valid id', id: 'abc' }],
    ['an empty id', '', { reason: 'x: tweet without a valid id', id: '' }],
  ])('skips a tweet with %s, with a reason', (_name, id, skipped) => {
    expect(one(tweetWith({ id }))).toEqual({ posts: [], skipped: [skipped], reposts: 0 })
  })

  it('skips a tweet without text, with a reason', () => {
    expect(one(tweetWith({ text: undefined })).skipped).toEqual([{ reason: 'x: tweet without text', id: '1945600000000000000' }])
  })

  it('skips a non-object item and keeps going', () => {
    const r = normalizeXPage({ data: [null, 'tweet', 42, tweetWith({})] })
    expect(r.posts).toHaveLength(1)
    expect(r.skipped).toEqual(Array(3).fill({ reason: 'x: item is not an object', id: null }))
  })

  it('skips a pre-snowflake id without created_at: no time can be trusted', () => {
    expect(one(tweetWith({ id: '20', created_at: undefined })).skipped).toEqual([{ reason: 'x: tweet without a creation time', id: '20' }])
  })

  it('falls back to the snowflake time when created_at is not ISO-8601 (v1.1 style)', () => {
    const p = one(tweetWith({ id: ID.original, created_at: 'Wed Jul 16 13:02:11 +0000 2025' })).posts[0]!
    expect(p.createdAt).toBe('2025-07-16T13:02:11.000Z')
    expect(p.createdAtSource).toBe('id')
  })

  it('has null metrics when public_metrics is missing, and 0 for nonsense counts', () => {
    expect(one(tweetWith({})).posts[0]!.metrics).toBeNull()
    const m = one(tweetWith({ public_metrics: { like_count: -3, retweet_count: '7', reply_count: 2.9, quote_count: Number.NaN } })).posts[0]!.metrics
    expect(m).toEqual({ likes: 0, reposts: 0, replies: 2, quotes: 0 })
  })

  it('has null followers when the author has no public_metrics', () => {
    const r = one(tweetWith({ author_id: '5' }), { includes: { users: [{ id: '5', username: 'anon', name: 'Anon' }] } })
    expect(r.posts[0]!.author).toEqual({ id: '5', handle: 'anon', name: 'Anon', followers: null })
  })

  it.each<[unknown, string | null]>([
    ['en', 'en'],
    ['EN', 'en'],
    ['zh', 'zh'],
    ['ja', 'ja'],
    ['und', null],
    ['zxx', null],
    ['qme', null],
    ['qht', null], // hashtags only
    ['qam', null], // mentions only
    ['qct', null], // cashtags only
    ['qst', null], // very short text
    [undefined, null],
    [7, null],
  ])('maps X lang %j to %j (X pseudo-codes are not languages)', (lang, expected) => {
    expect(one(tweetWith({ lang })).posts[0]!.lang).toBe(expected)
  })

  it('caps 100,000 characters of emoji text without splitting a surrogate pair', () => {
    // One ASCII char first, so a naive UTF-16 cut at MAX_TEXT_CHARS would land inside an emoji.
    const text = 'x' + '😀'.repeat(50_000)
    const p = one(tweetWith({ text })).posts[0]!
    expect(p.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS)
    expect(p.text.length).toBe(MAX_TEXT_CHARS - 1)
    expect(text.startsWith(p.text)).toBe(true)
    expect(hasLoneSurrogate(p.text)).toBe(false)
    expect((p.raw as { tweet: { text: string } }).tweet.text).toBe(text)
  })

  it('caps long text on a grapheme boundary: a ZWJ family emoji is kept whole', () => {
    const family = '👨‍👩‍👧‍👦' // 11 UTF-16 units, one grapheme
    const p = one(tweetWith({ text: family.repeat(10_000) })).posts[0]!
    expect(p.text).toBe(family.repeat(Math.floor(MAX_TEXT_CHARS / family.length)))
  })

  it('decodes entities before capping, so the cap applies to what the author typed', () => {
    const p = one(tweetWith({ text: '&amp;'.repeat(30_000) })).posts[0]!
    expect(p.text).toBe('&'.repeat(MAX_TEXT_CHARS))
  })

  it('is what normalizePayload returns for an X page', () => {
    const n = normalizePayload(loadPayload('x-search-recent.json'))!
    expect(n.kind).toBe('x-page')
    expect(n.posts).toEqual(result.posts)
    expect(n.skipped).toEqual(result.skipped)
    expect(n.ignored).toBe(1)
    expect(n.deletions).toEqual([])
    expect(n.streamTimeUs).toBeNull()
  })
})

describe('decodeXEntities', () => {
  it.each([
    ['&amp;lt;', '&lt;'],
    ['&lt;script&gt;', '<script>'],
    ['&amp;amp;', '&amp;'],
    ['Q&amp;A', 'Q&A'],
    ['a &gt; b &lt; c', 'a > b < c'],
    // X escapes only &, < and >: anything else is what the author typed.
    ['&quot;quoted&quot;', '&quot;quoted&quot;'],
    ['&#39;', '&#39;'],
    ['AT&T', 'AT&T'],
    ['&amp', '&amp'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(decodeXEntities(input)).toBe(expected)
  })
})

describe('snowflakeMs', () => {
  it('reads the creation time out of a snowflake id', () => {
    expect(snowflakeMs(ID.noCreatedAt)).toBe(Date.parse('2025-07-16T17:03:31.000Z'))
    expect(snowflakeMs(ID.japanese)).toBe(Date.parse('2025-07-16T19:15:40.000Z'))
  })

  it.each(['20', '0', 'abc', '12.5', '-1'])('returns null for %j (no time in it)', (id) => {
    expect(snowflakeMs(id)).toBeNull()
  })
})
