/**
 * Self-test of the X API v2 test server, driven through the real twitter-api-v2 1.29.1 client pointed at it
 * exactly as the collector is: `new TwitterApi(bearer, { httpAgent })` + `client.v2.setPrefix(`${url}/2/`)`.
 *
 * What the library raises for each fault (asserted below; the collector's error handling relies on it):
 * - 429 (window spent, or injected):  ApiResponseError, type 'response', code 429, rateLimitError === true,
 *   rateLimit = { limit, remaining, reset (epoch seconds) } from the x-rate-limit-* headers,
 *   data = { title: 'Too Many Requests', detail, type: 'about:blank', status: 429 }.
 * - 401 (bad/revoked token):          ApiResponseError, code 401, isAuthError === true, rateLimitError === false,
 *   data = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }.
 * - 403 (counts on a lower tier):     ApiResponseError, code 403, data.reason === 'client-not-enrolled'.
 * - 5xx:                              ApiResponseError, code 500/502/503/504, rateLimitError === false, data.title e.g. 'Service Unavailable'.
 * - 400 (invalid request):            ApiResponseError, code 400, data.title 'Invalid Request', data.errors[0].message says why.
 * - malformed JSON (200):             ApiPartialResponseError, type 'partial-response', message
 *   'Request failed with partial response with HTTP code 200 (parse error)', responseError is the SyntaxError,
 *   rawContent the truncated body. NOT an ApiResponseError: it has no .code and no .rateLimit.
 * - dropped socket:                   ApiRequestError, type 'request', message 'Request failed.', requestError === undefined
 *   (library bug); the cause is at (e as any)._options.error: Error 'socket hang up', code 'ECONNRESET'.
 * - client timeout (`timeout` option): ApiRequestError; _options.error.message 'Request timeout.', no code.
 * - server gone:                      ApiRequestError; _options.error.code 'ECONNREFUSED'.
 * - wrong-shape JSON (200):           no error at all: `get` resolves with the odd body; a `search()` paginator
 *   is built over it (tweets === 'oops', meta undefined) and throws a plain TypeError once asked for more.
 */
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi, type TwitterApiv2 } from 'twitter-api-v2'
import { startXServer, type XServer, type XServerOptions, type XTweet } from './x-api.js'
import { TWITTER_EPOCH_MS } from '../../src/domain/x-ids.js'
import { msFromSnowflake, snowflakeFromMs } from '../../tools/synthetic/ids.js'
import { makeXDataset, NYT_ARTICLE_URL } from './x-data.js'

const NOW = Date.parse('2025-07-20T12:00:00.000Z')
const DAY = 86_400_000
const WEEK = 7 * DAY
const BEARER = 'test-bearer-AAAA'
const dataset = makeXDataset({ seed: 42, count: 600, now: NOW, topicShare: 0.4 })

let clock = NOW
const servers: XServer[] = []

async function start(over: Partial<XServerOptions> = {}): Promise<XServer> {
  clock = NOW
  const s = await startXServer({
    tweets: structuredClone(dataset.tweets),
    users: structuredClone(dataset.users),
    bearer: BEARER,
    now: () => clock,
    ...over,
  })
  servers.push(s)
  return s
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

function v2For(server: XServer, bearer = BEARER, agent: http.Agent = new http.Agent()): TwitterApiv2 {
  const client = new TwitterApi(bearer, { httpAgent: agent })
  // setPrefix is protected in the typings but public at runtime (platform-facts §3.5).
  ;(client.v2 as unknown as { setPrefix(p: string): void }).setPrefix(`${server.url}/2/`)
  return client.v2
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected the call to fail')
}

interface Page {
  data?: { id: string; text: string; [k: string]: unknown }[]
  includes?: { users?: Record<string, unknown>[]; tweets?: Record<string, unknown>[] }
  errors?: Record<string, unknown>[]
  meta: { result_count: number; newest_id?: string; oldest_id?: string; next_token?: string }
}

// ---------- an independent oracle (regexes over the ground truth, not the server's matcher) ----------
const plain = (t: XTweet) => (t.note_tweet?.text ?? t.text).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
const isRetweet = (t: XTweet) => !!t.referenced_tweets?.some((r) => r.type === 'retweeted')
const searchable = (ts: XTweet[], now = clock) => ts.filter((t) => !isRetweet(t) && Date.parse(t.created_at) >= now - WEEK && Date.parse(t.created_at) <= now)
const newestFirst = (a: string, b: string) => (BigInt(b) > BigInt(a) ? 1 : -1)
const urlsOf = (t: XTweet) =>
  [t.entities, t.note_tweet?.entities].flatMap((e) => e?.urls ?? []).flatMap((u) => [u.url, u.expanded_url, u.unwound_url ?? '', u.display_url])
const tagsOf = (t: XTweet) => [t.entities, t.note_tweet?.entities].flatMap((e) => e?.hashtags ?? []).map((h) => h.tag.toLowerCase())
// Whole words; a CJK neighbour counts as a boundary (X tokenizes scripts apart: "DeepSeekの" contains DeepSeek).
const EDGE = '[^\\p{L}\\p{N}_]|\\p{Script=Han}|\\p{Script=Hiragana}|\\p{Script=Katakana}'
const word = (w: string) => new RegExp(`(^|${EDGE})${w}($|${EDGE})`, 'iu')

const TOPIC_QUERY = 'DeepSeek OR "AI fund" OR 英伟达'
const topicOracle = (t: XTweet) => word('deepseek').test(plain(t)) || word('ai fund').test(plain(t)) || plain(t).includes('英伟达')

function newPost(ms: number, text: string, seq = 0): XTweet {
  const id = snowflakeFromMs(ms, seq)
  return {
    id,
    text,
    author_id: dataset.users[0]!.id,
    created_at: new Date(ms).toISOString(),
    lang: 'en',
    conversation_id: id,
    public_metrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, impression_count: 0, bookmark_count: 0 },
    edit_history_tweet_ids: [id],
  }
}

describe('x-data: the synthetic dataset', () => {
  it('is deterministic and realistic: snowflakes match created_at, 6 days, 4 languages, escaped text, exact entity indices', () => {
    const again = makeXDataset({ seed: 42, count: 600, now: NOW, topicShare: 0.4 })
    expect(again).toEqual(dataset)
    expect(makeXDataset({ seed: 43, count: 600, now: NOW }).tweets).not.toEqual(dataset.tweets)
    const { tweets, users } = dataset
    expect(tweets).toHaveLength(600)
    expect(new Set(tweets.map((t) => t.id)).size).toBe(600)
    for (const t of tweets) {
      const ms = Date.parse(t.created_at)
      expect(msFromSnowflake(t.id)).toBe(ms)
      expect(BigInt(t.id) >> 22n).toBe(BigInt(ms) - BigInt(TWITTER_EPOCH_MS))
      expect(ms).toBeGreaterThan(NOW - 6 * DAY)
      expect(ms).toBeLessThan(NOW)
      expect(users.some((u) => u.id === t.author_id)).toBe(true)
      for (const [raw, e] of [
        [t.text, t.entities],
        [t.note_tweet?.text ?? '', t.note_tweet?.entities],
      ] as const) {
        const text = [...raw]
        for (const u of e?.urls ?? []) expect(text.slice(u.start, u.end).join('')).toBe(u.url)
        for (const h of e?.hashtags ?? []) expect(text.slice(h.start, h.end).join('')).toBe(`#${h.tag}`)
        for (const m of e?.mentions ?? []) expect(text.slice(m.start, m.end).join('')).toBe(`@${m.username}`)
      }
      // Escaped exactly once: no raw & < >, no double escaping.
      expect(t.text).not.toMatch(/&(?!amp;|lt;|gt;)|[<>]|&amp;(amp|lt|gt);/)
    }
    for (const lang of ['en', 'zh', 'fr', 'ja']) expect(tweets.filter((t) => t.lang === lang).length, lang).toBeGreaterThan(30)
    const all = tweets.map((t) => t.note_tweet?.text ?? t.text).join('\n')
    for (const term of ['AI fund', 'DeepSeek', 'H20', '英伟达', '国产大模型', "fonds d'État", 'AIファンド', '#DeepSeek', '&amp;', '&gt;', '&lt;']) {
      expect(all, term).toContain(term)
    }
    const kinds = (k: string) => tweets.filter((t) => t.referenced_tweets?.[0]?.type === k).length
    expect(kinds('replied_to')).toBeGreaterThan(30)
    expect(kinds('quoted')).toBeGreaterThan(15)
    expect(kinds('retweeted')).toBeGreaterThan(5)
    expect(tweets.filter((t) => t.note_tweet).length).toBeGreaterThan(3)
    const nyt = tweets
      .flatMap((t) => [t.entities, t.note_tweet?.entities])
      .flatMap((e) => e?.urls ?? [])
      .filter((u) => u.unwound_url?.startsWith(NYT_ARTICLE_URL))
    // The shortener resolves through unwound_url; tracking parameters stay in both.
    expect(nyt.some((u) => u.expanded_url.startsWith('https://nyti.ms/') && u.unwound_url === NYT_ARTICLE_URL)).toBe(true)
    expect(nyt.some((u) => u.expanded_url.includes('utm_source'))).toBe(true)
    expect(dataset.onTopicIds.length / tweets.length).toBeGreaterThan(0.3)
    expect(dataset.onTopicIds.length / tweets.length).toBeLessThan(0.6)
    const likes = tweets.map((t) => t.public_metrics.like_count)
    expect(Math.max(...likes)).toBeGreaterThan(20)
    expect(likes.filter((l) => l === 0).length).toBeGreaterThan(50)
  })
})

describe('recent search through the real client', () => {
  it('pages return every matching post exactly once, newest first, even when posts arrive between pages; since_id gets only the newer', async () => {
    const server = await start()
    const v2 = v2For(server)
    const expected = searchable(dataset.tweets)
      .filter(topicOracle)
      .map((t) => t.id)
      .sort(newestFirst)
    expect(expected.length).toBeGreaterThan(100)

    const page = await v2.search(TOPIC_QUERY, { max_results: 10, 'tweet.fields': ['created_at'] })
    const seen = page.tweets.map((t) => t.id)
    const added: string[] = []
    while (!page.done) {
      clock += 1000
      const fresh = newPost(clock, `Breaking: DeepSeek news #${added.length} &amp; more`)
      server.addTweets([fresh])
      added.push(fresh.id)
      const before = page.tweets.length
      await page.fetchNext()
      seen.push(...page.tweets.slice(before).map((t) => t.id))
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(expected)
    expect(added.length).toBe(Math.ceil(expected.length / 10) - 1)

    // Polling for newer posts: since_id = the newest seen returns exactly the arrivals, newest first.
    const newer = await v2.search(TOPIC_QUERY, { since_id: seen[0]!, max_results: 100 })
    expect(newer.tweets.map((t) => t.id)).toEqual([...added].reverse())
    // The library's own way (previous() sends since_id = meta.newest_id) agrees.
    // (it keeps the original max_results, here 10).
    const prev = await page.previous()
    expect(prev.tweets.map((t) => t.id)).toEqual([...added].reverse().slice(0, 10))
    // until_id pages backwards from a point.
    const older = await v2.search(TOPIC_QUERY, { until_id: expected[5]!, max_results: 100 })
    expect(older.tweets.map((t) => t.id)).toEqual(expected.slice(6, 106))
  })

  it('auto-pagination (for await) and relevancy order cover the same set, each once', async () => {
    const server = await start()
    const v2 = v2For(server)
    const expected = searchable(dataset.tweets)
      .filter(topicOracle)
      .map((t) => t.id)
      .sort(newestFirst)
    const iterated: string[] = []
    for await (const t of await v2.search(TOPIC_QUERY, { max_results: 25 })) iterated.push(t.id)
    expect(iterated).toEqual(expected)
    const byRelevance = await v2.search(TOPIC_QUERY, { max_results: 10, sort_order: 'relevancy' })
    await byRelevance.fetchLast()
    const ids = byRelevance.tweets.map((t) => t.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort(newestFirst)).toEqual(expected)
    expect(ids).not.toEqual(expected)
  })

  it('honours tweet.fields, user.fields and expansions, and nothing more', async () => {
    const server = await start()
    const v2 = v2For(server)
    const bare = await v2.get<Page>('tweets/search/recent', { query: 'DeepSeek' }, { fullResponse: true })
    expect(bare.data.data).toHaveLength(10)
    for (const t of bare.data.data!) expect(Object.keys(t).sort()).toEqual(['edit_history_tweet_ids', 'id', 'text'])
    expect(bare.data.includes).toBeUndefined()
    expect(bare.data.meta).toEqual({
      newest_id: bare.data.data![0]!.id,
      oldest_id: bare.data.data![9]!.id,
      result_count: 10,
      next_token: expect.stringMatching(/^[0-9a-z]+$/),
    })
    expect(bare.rateLimit).toEqual({ limit: 450, remaining: 449, reset: Math.ceil((clock + 15 * 60_000) / 1000) })
    expect(bare.headers['content-type']).toMatch(/^application\/json/)

    const full = await v2.get<Page>(
      'tweets/search/recent',
      {
        query: 'DeepSeek',
        max_results: 100,
        'tweet.fields': 'created_at,lang,public_metrics,entities,note_tweet,referenced_tweets',
        expansions: 'author_id,referenced_tweets.id',
        'user.fields': 'public_metrics',
      },
      { fullResponse: true },
    )
    const data = full.data.data!
    const users = full.data.includes!.users!
    for (const t of data) {
      const truth = dataset.tweets.find((x) => x.id === t.id)!
      // author_id comes with the author_id expansion even though tweet.fields does not name it, as on X.
      const keys = ['id', 'text', 'edit_history_tweet_ids', 'created_at', 'lang', 'public_metrics', 'author_id', 'entities', 'note_tweet', 'referenced_tweets']
      for (const k of Object.keys(t)) expect(keys).toContain(k)
      expect(t.conversation_id).toBeUndefined()
      expect(t.created_at).toBe(truth.created_at)
      expect(t.public_metrics).toEqual(truth.public_metrics)
      expect(t.note_tweet).toEqual(truth.note_tweet)
      expect(users.some((u) => u.id === truth.author_id)).toBe(true)
    }
    for (const u of users) expect(Object.keys(u).sort()).toEqual(['id', 'name', 'public_metrics', 'username'])
    // Long posts match on their full text: some hits have "DeepSeek" only in note_tweet.
    expect(data.some((t) => !/deepseek/i.test(t.text) && /deepseek/i.test((t.note_tweet as { text: string }).text))).toBe(true)
    // Quoted and replied-to posts are expanded into includes.tweets.
    const refIds = data.flatMap((t) => (t.referenced_tweets as { id: string }[] | undefined)?.map((r) => r.id) ?? [])
    expect(refIds.length).toBeGreaterThan(0)
    expect(full.data.includes!.tweets!.map((t) => t.id).sort()).toEqual([...new Set(refIds)].sort())

    // The paginator's includes helper resolves authors.
    const p = await v2.search('DeepSeek', { expansions: ['author_id'], 'user.fields': ['username'] })
    for (const t of p.tweets) expect(p.includes.author(t)?.id).toBe(dataset.tweets.find((x) => x.id === t.id)!.author_id)
  })

  it('implements the query language subset', async () => {
    const server = await start()
    const v2 = v2For(server)
    const someone = dataset.users.find((u) => dataset.tweets.filter((t) => t.author_id === u.id && !isRetweet(t)).length >= 3)!
    const cases: [string, (t: XTweet) => boolean][] = [
      ['lang:fr DeepSeek', (t) => t.lang === 'fr' && word('deepseek').test(plain(t))],
      ['"fonds d\'État"', (t) => plain(t).toLowerCase().includes("fonds d'état")],
      ['#DeepSeek -is:reply', (t) => tagsOf(t).includes('deepseek') && !t.referenced_tweets?.some((r) => r.type === 'replied_to')],
      [
        'is:quote (DeepSeek OR AIファンド OR 国产大模型)',
        (t) => !!t.referenced_tweets?.some((r) => r.type === 'quoted') && (word('deepseek').test(plain(t)) || /AIファンド|国产大模型/.test(plain(t))),
      ],
      ['url:"nytimes.com/2025/07/16/technology/china-ai"', (t) => urlsOf(t).some((u) => u.includes('nytimes.com/2025/07/16/technology/china-ai'))],
      [`from:${someone.username.toUpperCase()}`, (t) => t.author_id === someone.id],
      ['英伟达 -H20', (t) => plain(t).includes('英伟达') && !word('h20').test(plain(t))],
      ['fund -"AI fund"', (t) => word('fund').test(plain(t)) && !word('ai fund').test(plain(t))],
      [
        '(DeepSeek OR H20) lang:en has:links',
        (t) => (word('deepseek').test(plain(t)) || word('h20').test(plain(t))) && t.lang === 'en' && urlsOf(t).length > 0,
      ],
      ['"pasta & meatballs" OR "revenue > $40B"', (t) => plain(t).includes('pasta & meatballs') || plain(t).includes('revenue > $40B')],
      ['DeepSeek is:retweet', () => false],
    ]
    for (const [query, oracle] of cases) {
      const expected = searchable(dataset.tweets)
        .filter(oracle)
        .map((t) => t.id)
        .sort(newestFirst)
      const got: string[] = []
      for await (const t of await v2.search(query, { max_results: 100 })) got.push(t.id)
      expect(got, query).toEqual(expected)
      if (query !== 'DeepSeek is:retweet') expect(got.length, query).toBeGreaterThan(0)
    }
    // Retweets exist in the data but never come back from search; an empty result is {meta:{result_count:0}}.
    const none = await v2.get<Page>('tweets/search/recent', { query: 'DeepSeek is:retweet' }, { fullResponse: true })
    expect(none.data).toEqual({ meta: { result_count: 0 } })
    // Text comes back HTML-escaped, as X sends it.
    const pasta = await v2.search('meatballs')
    expect(pasta.tweets[0]!.text).toContain('pasta &amp; meatballs')
  })

  it('searches only the last 7 days relative to the injected clock', async () => {
    const server = await start()
    const v2 = v2For(server)
    clock = NOW + 3 * DAY
    const expected = searchable(dataset.tweets)
      .filter(topicOracle)
      .map((t) => t.id)
    expect(expected.length).toBeLessThan(dataset.tweets.filter(topicOracle).length)
    const got: string[] = []
    for await (const t of await v2.search(TOPIC_QUERY, { max_results: 100, 'tweet.fields': ['created_at'] })) {
      got.push(t.id)
      expect(Date.parse(t.created_at!)).toBeGreaterThanOrEqual(clock - WEEK)
    }
    expect(got.sort(newestFirst)).toEqual(expected.sort(newestFirst))
    // start_time / end_time bound the window (start inclusive, end exclusive).
    const from = new Date(NOW - 2 * DAY).toISOString()
    const to = new Date(NOW - DAY).toISOString()
    const windowed: string[] = []
    for await (const t of await v2.search(TOPIC_QUERY, { start_time: from, end_time: to, max_results: 10 })) windowed.push(t.id)
    expect(windowed).toEqual(
      dataset.tweets
        .filter((t) => !isRetweet(t) && topicOracle(t) && t.created_at >= from && t.created_at < to)
        .map((t) => t.id)
        .sort(newestFirst),
    )
  })

  it('rejects what X rejects, with 400 bodies in X shape', async () => {
    const server = await start()
    const v2 = v2For(server)
    const first = await v2.get<Page>('tweets/search/recent', { query: 'DeepSeek' }, { fullResponse: true })
    const cases: [Record<string, string | number>, RegExp][] = [
      [{ query: 'lang:en -is:retweet' }, /standalone/],
      [{ query: '(DeepSeek OR H20' }, /Missing '\)'/],
      [{ query: 'DeepSeek foo:bar' }, /invalid operator 'foo'/],
      [{ query: 'a'.repeat(513) }, /512/],
      [{ query: '' }, /can not be empty/],
      [{ query: 'x', max_results: 5 }, /The `max_results` query parameter value \[5\] is not between 10 and 100/],
      [{ query: 'x', max_results: 101 }, /not between 10 and 100/],
      [{ query: 'x', start_time: new Date(NOW - DAY).toISOString(), since_id: first.data.meta.oldest_id! }, /At most one of start_time, since_id/],
      [{ query: 'x', end_time: new Date(NOW - DAY).toISOString(), until_id: first.data.meta.oldest_id! }, /At most one of end_time, until_id/],
      [{ query: 'x', next_token: 'garbage' }, /Invalid pagination token/],
      [{ query: 'x', next_token: 'NOT-A-TOKEN!' }, /Invalid pagination token/],
      [{ query: 'H20', next_token: first.data.meta.next_token! }, /Invalid pagination token/], // a token of another query
      [{ query: 'x', tweet_fields: 'lang' }, /The query parameter \[tweet_fields\] is not one of/],
      [{ query: 'x', 'tweet.fields': 'likes' }, /The `tweet.fields` query parameter value \[likes\] is not one of/],
      [{ query: 'x', expansions: 'author' }, /The `expansions` query parameter value \[author\]/],
      [{ query: 'x', start_time: new Date(NOW - 8 * DAY).toISOString() }, /'start_time' must be on or after 2025-07-13T12:00Z/],
      [{ query: 'x', since_id: snowflakeFromMs(NOW - 8 * DAY) }, /'since_id' must be a tweet id created after 2025-07-13T12:00Z/],
      [{ query: 'x', end_time: new Date(NOW).toISOString() }, /minimum of 10 seconds prior to the request time/],
      [{ query: 'x', since_id: 'abc' }, /does not match/],
      [{ query: 'x', start_time: 'yesterday' }, /Invalid 'start_time'/],
      [{ query: 'x', sort_order: 'oldest' }, /sort_order/],
    ]
    for (const [params, message] of cases) {
      const e = await caught(v2.get('tweets/search/recent', params))
      expect(e, JSON.stringify(params)).toBeInstanceOf(ApiResponseError)
      const err = e as ApiResponseError
      expect(err.code).toBe(400)
      expect(err.message).toMatch(/^Request failed with code 400/)
      const body = err.data as unknown as { title: string; type: string; errors: { message: string; parameters: object }[] }
      expect(body.title).toBe('Invalid Request')
      expect(body.type).toBe('https://api.twitter.com/2/problems/invalid-request')
      expect(body.errors[0]!.message, JSON.stringify(params)).toMatch(message)
      expect(err.rateLimit?.limit).toBe(450)
    }
    // The library's previous() re-sends start_time along with since_id (platform-facts §3.3), which X refuses:
    // poll with search(q, { since_id }) instead.
    const windowed = await v2.search('DeepSeek', { start_time: new Date(NOW - DAY).toISOString() })
    const prev = (await caught(windowed.previous())) as ApiResponseError
    expect(prev.code).toBe(400)
    expect(prev.errors?.[0]).toMatchObject({ message: 'At most one of start_time, since_id may be specified' })
    // A valid token survives new arrivals and also works as pagination_token.
    server.addTweets([newPost(clock, 'DeepSeek again')])
    const second = await v2.get<Page>('tweets/search/recent', { query: 'DeepSeek', pagination_token: first.data.meta.next_token! }, { fullResponse: true })
    expect(BigInt(second.data.meta.newest_id!)).toBeLessThan(BigInt(first.data.meta.oldest_id!))
  })
})

describe('rate limits', () => {
  it('counts requests per endpoint window on the injected clock, answers 429 until reset, then recovers', async () => {
    const server = await start({ rateLimit: { limit: 3, windowMs: 60_000 } })
    const v2 = v2For(server)
    const reset = Math.ceil((clock + 1000 + 60_000) / 1000) // the window opens with the first request
    for (let i = 0; i < 3; i++) {
      clock += 1000
      const r = await v2.get('tweets/search/recent', { query: 'DeepSeek' }, { fullResponse: true })
      expect(r.rateLimit).toEqual({ limit: 3, remaining: 2 - i, reset })
    }
    const e = await caught(v2.get('tweets/search/recent', { query: 'DeepSeek' }))
    expect(e).toBeInstanceOf(ApiResponseError)
    const err = e as ApiResponseError
    expect(err.code).toBe(429)
    expect(err.rateLimitError).toBe(true)
    expect(err.rateLimit).toEqual({ limit: 3, remaining: 0, reset })
    expect(err.data).toEqual({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 })
    // Other endpoints have their own windows.
    const counts = await v2.get('tweets/counts/recent', { query: 'DeepSeek' }, { fullResponse: true })
    expect(counts.rateLimit?.remaining).toBe(2)
    // Still refused a second before reset; served again at reset.
    clock = reset * 1000 - 1000
    expect(((await caught(v2.get('tweets/search/recent', { query: 'DeepSeek' }))) as ApiResponseError).code).toBe(429)
    clock = reset * 1000
    const again = await v2.get('tweets/search/recent', { query: 'DeepSeek' }, { fullResponse: true })
    expect(again.rateLimit).toEqual({ limit: 3, remaining: 2, reset: reset + 60 })
    expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200, 429, 200, 429, 200])
  })

  it('an injected 429 carries the given reset and remaining (remaining > 0 = the hidden 1 req/s limit)', async () => {
    const server = await start()
    const v2 = v2For(server)
    server.inject({ kind: 'rate-limit', resetInSeconds: 1, remaining: 120 }, { kind: 'rate-limit', resetInSeconds: 900 })
    const a = (await caught(v2.get('tweets/search/recent', { query: 'DeepSeek' }))) as ApiResponseError
    expect(a.rateLimitError).toBe(true)
    expect(a.rateLimit).toEqual({ limit: 450, remaining: 120, reset: Math.floor(clock / 1000) + 1 })
    const b = (await caught(v2.get('tweets/search/recent', { query: 'DeepSeek' }))) as ApiResponseError
    expect(b.rateLimit).toEqual({ limit: 450, remaining: 0, reset: Math.floor(clock / 1000) + 900 })
    // Injected faults spend no budget.
    const ok = await v2.get('tweets/search/recent', { query: 'DeepSeek' }, { fullResponse: true })
    expect(ok.rateLimit?.remaining).toBe(449)
  })
})

describe('faults and errors, as the library surfaces them', () => {
  it('injected faults happen in order, one per request, and surface as the documented error classes', async () => {
    const server = await start()
    const v2 = v2For(server)
    server.inject(
      { kind: 'server-error' },
      { kind: 'server-error', status: 502 },
      { kind: 'unauthorized' },
      { kind: 'malformed' },
      { kind: 'wrong-shape' },
      { kind: 'drop' },
      { kind: 'slow', ms: 150 },
      { kind: 'slow', ms: 500 },
    )
    const q = { query: 'DeepSeek' }

    const e503 = (await caught(v2.get('tweets/search/recent', q))) as ApiResponseError
    expect(e503).toBeInstanceOf(ApiResponseError)
    expect([e503.type, e503.code, e503.rateLimitError]).toEqual(['response', 503, false])
    expect(e503.data).toEqual({ title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: 503 })

    const e502 = (await caught(v2.get('tweets/search/recent', q))) as ApiResponseError
    expect([e502.code, (e502.data as unknown as { title: string }).title]).toEqual([502, 'Bad Gateway'])

    const e401 = (await caught(v2.get('tweets/search/recent', q))) as ApiResponseError
    expect(e401).toBeInstanceOf(ApiResponseError)
    expect([e401.code, e401.isAuthError, e401.rateLimitError]).toEqual([401, true, false])
    expect(e401.data).toEqual({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' })

    const bad = (await caught(v2.get('tweets/search/recent', q))) as ApiPartialResponseError
    expect(bad).toBeInstanceOf(ApiPartialResponseError)
    expect(bad).not.toBeInstanceOf(ApiResponseError)
    expect(bad.type).toBe('partial-response')
    expect(bad.message).toBe('Request failed with partial response with HTTP code 200 (parse error)')
    expect(bad.responseError).toBeInstanceOf(SyntaxError)
    expect(bad.rawContent).toMatch(/^\{"data":\[\{"id":"/)

    const odd = await v2.get('tweets/search/recent', q)
    expect(odd).toEqual({ data: 'oops' })

    const drop = (await caught(v2.get('tweets/search/recent', q))) as ApiRequestError
    expect(drop).toBeInstanceOf(ApiRequestError)
    expect([drop.type, drop.message, drop.requestError]).toEqual(['request', 'Request failed.', undefined])
    const cause = (drop as unknown as { _options: { error: NodeJS.ErrnoException } })._options.error
    expect([cause.code, cause.message]).toEqual(['ECONNRESET', 'socket hang up'])

    const t0 = Date.now()
    const slow = await v2.get<Page>('tweets/search/recent', q)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    expect(slow.meta.result_count).toBe(10)

    const timedOut = (await caught(v2.get('tweets/search/recent', q, { timeout: 100 }))) as ApiRequestError
    expect(timedOut).toBeInstanceOf(ApiRequestError)
    expect((timedOut as unknown as { _options: { error: Error } })._options.error.message).toBe('Request timeout.')

    const fine = await v2.get<Page>('tweets/search/recent', q, { fullResponse: true })
    // Budget: faults spend none; the slow request that was answered did, the abandoned one did not.
    expect(fine.rateLimit?.remaining).toBe(448)
    expect(server.requests.map((r) => [r.fault?.kind, r.status])).toEqual([
      ['server-error', 503],
      ['server-error', 502],
      ['unauthorized', 401],
      ['malformed', 200],
      ['wrong-shape', 200],
      ['drop', 0],
      ['slow', 200],
      ['slow', 0], // the client gave up before the answer: nothing sent, status 0
      [undefined, 200],
    ])
  })

  it('a dropped socket on a keep-alive agent (as the collector uses) and a closed server are ApiRequestErrors too', async () => {
    const server = await start()
    const v2 = v2For(server, BEARER, new http.Agent({ keepAlive: true }))
    await v2.get('tweets/search/recent', { query: 'DeepSeek' })
    server.inject({ kind: 'drop' })
    const drop = (await caught(v2.get('tweets/search/recent', { query: 'DeepSeek' }))) as ApiRequestError
    expect(drop).toBeInstanceOf(ApiRequestError)
    expect((drop as unknown as { _options: { error: NodeJS.ErrnoException } })._options.error.code).toBe('ECONNRESET')
    await v2.get('tweets/search/recent', { query: 'DeepSeek' })
    await server.close()
    // The keep-alive agent first tries its pooled (now closed) socket: ECONNRESET; a fresh connection: ECONNREFUSED.
    const codes: unknown[] = []
    for (const client of [v2, v2For(server)]) {
      const gone = (await caught(client.get('tweets/search/recent', { query: 'DeepSeek' }))) as ApiRequestError
      expect(gone).toBeInstanceOf(ApiRequestError)
      codes.push((gone as unknown as { _options: { error: NodeJS.ErrnoException } })._options.error.code)
    }
    expect(codes[1]).toBe('ECONNREFUSED')
    expect(['ECONNRESET', 'ECONNREFUSED']).toContain(codes[0])
  })

  it('wrong-shape JSON is not an error to the library: the paginator takes it and fails later with a TypeError', async () => {
    const server = await start()
    const v2 = v2For(server)
    server.inject({ kind: 'wrong-shape' })
    const p = await v2.search('DeepSeek')
    expect(p.tweets as unknown).toBe('oops')
    expect(p.meta).toBeUndefined()
    expect(() => p.done).toThrow(TypeError)
    server.inject({ kind: 'wrong-shape', body: { data: [{ id: 1 }], meta: 'none' } })
    expect(await v2.get('tweets/search/recent', { query: 'DeepSeek' })).toEqual({ data: [{ id: 1 }], meta: 'none' })
  })

  it('rejects a wrong or missing bearer with X 401 body', async () => {
    const server = await start()
    const e = (await caught(v2For(server, 'not-the-token').get('tweets/search/recent', { query: 'DeepSeek' }))) as ApiResponseError
    expect([e.code, e.isAuthError]).toEqual([401, true])
    const res = await fetch(`${server.url}/2/tweets/search/recent?query=DeepSeek`)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' })
    expect(server.requests.map((r) => r.status)).toEqual([401, 401])
  })

  it('random faults follow the seed: same seed, same sequence; a mix of kinds; 0 turns them off', async () => {
    const run = async (seed: number) => {
      const server = await start()
      server.setFaultRate(0.5, seed)
      const v2 = v2For(server)
      for (let i = 0; i < 40; i++) await v2.get('tweets/search/recent', { query: 'DeepSeek' }).catch(() => undefined)
      server.setFaultRate(0)
      for (let i = 0; i < 5; i++) await v2.get('tweets/search/recent', { query: 'DeepSeek' })
      return server.requests.map((r) => r.fault)
    }
    const a = await run(7)
    const b = await run(7)
    expect(a).toEqual(b)
    expect(a.slice(40).every((f) => f === undefined)).toBe(true)
    const kinds = new Set(a.map((f) => f?.kind).filter(Boolean))
    expect(kinds.size).toBeGreaterThanOrEqual(3)
    for (const k of kinds) expect(['server-error', 'rate-limit', 'drop', 'malformed']).toContain(k)
    const n = a.filter(Boolean).length
    expect(n).toBeGreaterThan(8)
    expect(n).toBeLessThan(32)
    for (const f of a) if (f?.kind === 'rate-limit') expect(f.resetInSeconds).toBeLessThanOrEqual(3)
    expect(await run(8)).not.toEqual(a)
  })
})

describe('counts and lookup', () => {
  it('counts/recent buckets the matching posts (hour by default, day on request)', async () => {
    const server = await start()
    const v2 = v2For(server)
    const hits = searchable(dataset.tweets)
      .filter(topicOracle)
      .map((t) => Date.parse(t.created_at))
    const hourly = await v2.tweetCountRecent(TOPIC_QUERY)
    expect(hourly.data).toHaveLength(7 * 24)
    expect(hourly.meta.total_tweet_count).toBe(hits.length)
    expect(hourly.data[0]!.start).toBe(new Date(NOW - WEEK).toISOString())
    expect(hourly.data.at(-1)!.end).toBe(new Date(NOW).toISOString())
    for (const [i, b] of hourly.data.entries()) {
      if (i) expect(b.start).toBe(hourly.data[i - 1]!.end)
      expect(b.tweet_count).toBe(hits.filter((ms) => ms >= Date.parse(b.start) && ms < Date.parse(b.end)).length)
    }
    const daily = await v2.tweetCountRecent(TOPIC_QUERY, { granularity: 'day', start_time: '2025-07-15T06:30:00Z' })
    expect(daily.data.map((b) => [b.start, b.end])).toEqual([
      ['2025-07-15T06:30:00.000Z', '2025-07-16T00:00:00.000Z'],
      ['2025-07-16T00:00:00.000Z', '2025-07-17T00:00:00.000Z'],
      ['2025-07-17T00:00:00.000Z', '2025-07-18T00:00:00.000Z'],
      ['2025-07-18T00:00:00.000Z', '2025-07-19T00:00:00.000Z'],
      ['2025-07-19T00:00:00.000Z', '2025-07-20T00:00:00.000Z'],
      ['2025-07-20T00:00:00.000Z', '2025-07-20T12:00:00.000Z'],
    ])
    expect(daily.meta.total_tweet_count).toBe(hits.filter((ms) => ms >= Date.parse('2025-07-15T06:30:00Z')).length)
    const e = (await caught(v2.tweetCountRecent('DeepSeek', { granularity: 'week' as 'day' }))) as ApiResponseError
    expect(e.code).toBe(400)

    const forbidden = await start({ countsForbidden: true })
    const f = (await caught(v2For(forbidden).tweetCountRecent('DeepSeek'))) as ApiResponseError
    expect(f).toBeInstanceOf(ApiResponseError)
    expect(f.code).toBe(403)
    expect(f.data).toMatchObject({ title: 'Client Forbidden', reason: 'client-not-enrolled', type: 'https://api.twitter.com/2/problems/client-forbidden' })
    // Search still works on that tier.
    expect((await v2For(forbidden).search('DeepSeek')).tweets).toHaveLength(10)
  })

  it('GET /2/tweets looks up by ids; deleted and unknown ids are omitted and reported in errors', async () => {
    const server = await start()
    const v2 = v2For(server)
    const [a, b, c] = searchable(dataset.tweets).filter(topicOracle).slice(-3)
    const rt = dataset.tweets.find(isRetweet)!
    const unknown = snowflakeFromMs(NOW - DAY, 77)
    const authorB = dataset.users.find((u) => u.id === b!.author_id)!
    const before = await v2.search(`from:${authorB.username}`, { max_results: 100 })
    expect(before.tweets.map((t) => t.id)).toContain(b!.id)

    server.deleteTweets([b!.id])
    const r = await v2.tweets([a!.id, b!.id, unknown, rt.id, c!.id], { 'tweet.fields': ['created_at', 'author_id'], expansions: ['author_id'] })
    expect(r.data.map((t) => t.id)).toEqual([a!.id, rt.id, c!.id])
    expect(r.data[0]).toEqual({
      id: a!.id,
      text: a!.text,
      edit_history_tweet_ids: a!.edit_history_tweet_ids,
      created_at: a!.created_at,
      author_id: a!.author_id,
    })
    expect(r.includes?.users?.map((u) => u.id).sort()).toEqual([...new Set([a!.author_id, rt.author_id, c!.author_id])].sort())
    const nf = (id: string) => ({
      value: id,
      detail: `Could not find tweet with ids: [${id}].`,
      title: 'Not Found Error',
      resource_type: 'tweet',
      parameter: 'ids',
      resource_id: id,
      type: 'https://api.twitter.com/2/problems/resource-not-found',
    })
    expect(r.errors).toEqual([nf(b!.id), nf(unknown)])

    // Deleted posts are gone from search and counts too.
    const after = await v2.search(`from:${authorB.username}`, { max_results: 100 })
    expect(after.tweets.map((t) => t.id)).not.toContain(b!.id)
    expect(after.tweets.length).toBe(before.tweets.length - 1)

    const allGone = await v2.get<Page>('tweets', { ids: b!.id }, { fullResponse: true })
    expect(allGone.data).toEqual({ errors: [nf(b!.id)] })
    const single = await v2.singleTweet(a!.id, { 'tweet.fields': ['lang'] })
    expect(single.data).toEqual({ id: a!.id, text: a!.text, edit_history_tweet_ids: a!.edit_history_tweet_ids, lang: a!.lang })

    const many = Array.from({ length: 101 }, (_, i) => snowflakeFromMs(NOW - DAY, i))
    const e = (await caught(v2.tweets(many))) as ApiResponseError
    expect(e.code).toBe(400)
    expect((e.data as unknown as { errors: { message: string }[] }).errors[0]!.message).toMatch(/not between 1 and 100/)
  })
})

describe('the request log', () => {
  it('records every request: time on the injected clock, method, path, query as sent, status', async () => {
    const server = await start()
    const v2 = v2For(server)
    clock = NOW + 5000
    await v2.search('DeepSeek lang:en', { max_results: 20, 'tweet.fields': ['created_at', 'lang'], expansions: ['author_id'] })
    clock = NOW + 6000
    await caught(v2.get('tweets/search/recent', { query: 'x', max_results: 5 }))
    await v2.tweets(['1946901985487749120'])
    expect(server.requests).toEqual([
      {
        at: NOW + 5000,
        method: 'GET',
        path: '/2/tweets/search/recent',
        query: { max_results: '20', 'tweet.fields': 'created_at,lang', expansions: 'author_id', query: 'DeepSeek lang:en' },
        status: 200,
      },
      { at: NOW + 6000, method: 'GET', path: '/2/tweets/search/recent', query: { query: 'x', max_results: '5' }, status: 400 },
      { at: NOW + 6000, method: 'GET', path: '/2/tweets', query: { ids: '1946901985487749120' }, status: 200 },
    ])
    // Loopback only.
    expect(new URL(server.url).hostname).toBe('127.0.0.1')
  })
})
