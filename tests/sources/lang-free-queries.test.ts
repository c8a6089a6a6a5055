import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { compileBskyQueries } from '../../src/sources/bluesky/queries.js'
import { compileXQueries, X_QUERY_LIMIT } from '../../src/sources/x/queries.js'
import { startBskyServer, type BskyPost, type BskyServer } from '../servers/bluesky.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { arrivingTweet } from '../servers/x-data.js'

/*
 * The compiled platform queries reach a post whatever language the platform claims for it, where its terms
 * allow: names and Chinese or Japanese terms are asked in every language, common Latin words in every
 * language but Chinese and Japanese. The shipped config is compiled, and its posts are served by the
 * loopback servers with wrong and missing language tags.
 */

const SHIPPED = path.join(import.meta.dirname, '../../config/stancewatch.yaml')
const topic = loadConfig(SHIPPED).config.topics[0]!
const BEARER = 'lang-free'
const AUTHOR = '2244994945'

/** Text, the tag the platform gives it (null: none), and whether the queries must return it. */
const POSTS: [string, string | null, boolean][] = [
  ['DeepSeek just beat the Western labs again', 'es', true],
  ['DeepSeek R1 weights are out', null, true],
  ['国家AI基金投向四百多家人工智能初创企业', 'ja', true],
  ['中国の国家ファンドがAIに投資', null, true],
  ['Nvidia to resume H20 sales to China', 'de', true],
  ['La Chine et ses subventions à l’IA : une distorsion de concurrence', 'en', true],
  ['Subsidies for Chinese AI start-ups are a market distortion', null, true],
  ['My cat knocked over the water bottle again', 'fr', false],
  ['今天去菜市场买了两斤排骨', null, false],
]

describe('queries reach posts whatever language the platform claims', () => {
  let x: XServer
  let bsky: BskyServer
  const now = Date.now()

  beforeAll(async () => {
    const tweets = POSTS.map(([text, tag], i) => ({ ...arrivingTweet(now - 3_600_000 + i * 1000, i, text, AUTHOR), lang: tag ?? 'und' }))
    x = await startXServer({
      tweets,
      users: [
        { id: AUTHOR, name: 'Someone', username: 'someone', public_metrics: { followers_count: 1, following_count: 1, tweet_count: 1, listed_count: 0 } },
      ],
      bearer: BEARER,
    })
    const posts: BskyPost[] = POSTS.map(([text, tag], i) => ({
      uri: `at://did:plc:someone/app.bsky.feed.post/3lang${i}`,
      cid: `bafyreilangfree${i}`,
      author: { did: 'did:plc:someone', handle: 'someone.test' },
      record: { $type: 'app.bsky.feed.post', text, createdAt: new Date(now - 3_600_000 + i * 1000).toISOString(), ...(tag ? { langs: [tag] } : {}) },
      indexedAt: new Date(now - 3_600_000 + i * 1000).toISOString(),
      likeCount: 0,
      repostCount: 0,
      replyCount: 0,
      quoteCount: 0,
    }))
    bsky = await startBskyServer({ posts, accounts: [], requireAuthForSearch: false })
  })

  afterAll(async () => {
    await x?.close()
    await bsky?.close()
  })

  it('asks X no more queries than before, each within 512 characters', () => {
    const queries = compileXQueries(topic)
    // The compiler that pinned every clause to its rule's `lang:` asked 13 for the shipped topic.
    expect(queries.length).toBeLessThanOrEqual(13)
    for (const q of queries) expect(q.query.length, q.query).toBeLessThanOrEqual(X_QUERY_LIMIT)
    // DeepSeek is asked once, bare, not once per language.
    expect(queries.filter((q) => /\bDeepSeek\b(?!-)/.test(q.query.replace(/#DeepSeek/g, '')))).toHaveLength(1)
  })

  it('asks Bluesky no more queries than before, and each name once', () => {
    const queries = compileBskyQueries(topic)
    // The compiler that asked every term with its rule's `lang` asked 199 for the shipped topic.
    expect(queries.length).toBeLessThan(199)
    expect(queries.filter((q) => q.params.q.toLowerCase() === 'deepseek')).toEqual([expect.objectContaining({ params: { q: 'DeepSeek' } })])
  })

  it('X returns the posts with a wrong or missing tag', async () => {
    const found = new Set<string>()
    for (const q of compileXQueries(topic)) {
      const u = new URL(`${x.url}/2/tweets/search/recent`)
      u.searchParams.set('query', q.query)
      u.searchParams.set('max_results', '100')
      const res = await fetch(u, { headers: { authorization: `Bearer ${BEARER}` } })
      expect(res.status, q.query).toBe(200)
      const body = (await res.json()) as { data?: { text: string }[] }
      for (const t of body.data ?? []) found.add(t.text)
    }
    expect([...found].sort()).toEqual(
      POSTS.filter(([, , want]) => want)
        .map(([text]) => text)
        .sort(),
    )
  })

  it('Bluesky returns the names and Chinese and Japanese terms with a wrong or missing tag', async () => {
    const found = new Set<string>()
    for (const q of compileBskyQueries(topic)) {
      const u = new URL(`${bsky.url}/xrpc/app.bsky.feed.searchPosts`)
      for (const [k, v] of Object.entries(q.params)) for (const one of [v].flat()) u.searchParams.append(k, String(one))
      const res = await fetch(u)
      expect(res.status, JSON.stringify(q.params)).toBe(200)
      for (const p of ((await res.json()) as { posts: { record: { text: string } }[] }).posts) found.add(p.record.text)
    }
    // Common Latin words keep their rule's language on Bluesky (one term a query, no `with` to narrow it).
    const reached = POSTS.filter(([text, , want]) => want && !/subsid|subvention/i.test(text)).map(([text]) => text)
    expect([...found].sort()).toEqual(reached.sort())
  })
})
