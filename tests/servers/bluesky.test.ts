/**
 * Self-test of the Bluesky test server, driven by the real @atproto/api client the way the collector uses it:
 * CredentialSession + Agent for search (through the "PDS"), an unauthenticated Agent for getPosts (the "AppView").
 * It also pins down which errors, fields and session events the library produces for each fault.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Agent, AppBskyFeedDefs, AppBskyFeedPost, CredentialSession, XRPCError, type AtpSessionData, type AtpSessionEvent } from '@atproto/api'
import { startBskyServer, type BskyPost, type BskyServer, type BskyServerOptions } from './bluesky.js'
import { tid } from '../../tools/synthetic/ids.js'
import { ARTICLE_SHARE_URL, ARTICLE_URL, makeBskyDataset } from './bluesky-data.js'

const NOW = Date.parse('2025-07-20T12:00:00.000Z')
const ACCOUNT = { identifier: 'collector.test', password: 'abcd-efgh-ijkl-mnop', did: 'did:plc:collectoraaaaaaaaaaaaaaa', handle: 'collector.test' }
const POSTS = makeBskyDataset({ seed: 1, count: 300, now: NOW })

let clock = NOW + 5 * 60_000
let server: BskyServer

async function start(extra: Partial<BskyServerOptions> = {}): Promise<BskyServer> {
  clock = NOW + 5 * 60_000
  server = await startBskyServer({ posts: POSTS, accounts: [ACCOUNT], now: () => clock, ...extra })
  return server
}

afterEach(async () => {
  await server?.close()
})

interface Logged {
  session: CredentialSession
  agent: Agent
  events: { evt: AtpSessionEvent; s?: AtpSessionData }[]
}

function newSession(): Omit<Logged, 'agent'> & { agent: Agent } {
  const events: Logged['events'] = []
  const session = new CredentialSession(new URL(server.url), undefined, (evt, s) => void events.push({ evt, s }))
  return { session, agent: new Agent(session), events }
}

async function login(): Promise<Logged> {
  const l = newSession()
  await l.session.login({ identifier: ACCOUNT.identifier, password: ACCOUNT.password })
  return l
}

/** The rejection of `p` (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<XRPCError & Record<string, unknown>> {
  try {
    await p
  } catch (e) {
    return e as XRPCError & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

const sortAt = (p: { record: unknown; indexedAt: string }): number =>
  Math.min(Date.parse((p.record as { createdAt: string }).createdAt), Date.parse(p.indexedAt))
const textOf = (p: { record: unknown }): string => (p.record as { text: string }).text
/** Independent ground truth for a plain AND-of-terms query. */
const truth = (...terms: string[]): BskyPost[] => POSTS.filter((p) => terms.every((t) => textOf(p).toLowerCase().includes(t.toLowerCase())))
const nsids = (): string[] => server.requests.map((r) => `${r.nsid.split('.').pop()} ${r.status}${r.fault ? ` ${r.fault}` : ''}`)

describe('dataset', () => {
  it('is deterministic, realistic and lexicon-valid', () => {
    expect(makeBskyDataset({ seed: 1, count: 300, now: NOW })).toEqual(POSTS)
    expect(makeBskyDataset({ seed: 2, count: 300, now: NOW })).not.toEqual(POSTS)
    const uris = new Set(POSTS.map((p) => p.uri))
    expect(uris.size).toBe(POSTS.length)
    for (const p of POSTS) {
      const v = AppBskyFeedDefs.validatePostView({ $type: 'app.bsky.feed.defs#postView', ...p })
      expect(v.success, `${p.uri}: ${v.success ? '' : v.error.message}`).toBe(true)
      const r = AppBskyFeedPost.validateRecord(p.record)
      expect(r.success, `${p.uri}: ${r.success ? '' : r.error.message}`).toBe(true)
      const [, did, , rkey] = /^at:\/\/(did:plc:[a-z2-7]{24})\/(app\.bsky\.feed\.post)\/([234567a-z]{13})$/.exec(p.uri) ?? []
      expect(did).toBe(p.author.did)
      expect(rkey).toMatch(/^[234567abcdefghij][234567a-z]{12}$/)
      expect(p.author.handle).toMatch(/^[a-z0-9-]+\.test$/)
      expect(p.cid).toMatch(/^bafyrei[a-z2-7]{52}$/)
      expect(sortAt(p)).toBeLessThan(NOW)
      expect(sortAt(p)).toBeGreaterThan(NOW - 5 * 86_400_000)
      // Facet offsets are UTF-8 byte offsets into the text.
      const bytes = Buffer.from(p.record.text, 'utf8')
      for (const f of p.record.facets ?? []) {
        const span = bytes.subarray(f.index.byteStart, f.index.byteEnd).toString('utf8')
        const feat = f.features[0] as { $type: string; tag?: string; did?: string; uri?: string }
        if (feat.$type === 'app.bsky.richtext.facet#tag') expect(span).toBe(`#${feat.tag}`)
        if (feat.$type === 'app.bsky.richtext.facet#mention') {
          const handle = POSTS.find((q) => q.author.did === feat.did)?.author.handle
          expect(span).toBe(handle ? `@${handle}` : span.startsWith('@') ? span : '@…')
        }
        if (feat.$type === 'app.bsky.richtext.facet#link') expect(span.endsWith('...')).toBe(true)
      }
    }
    // TIDs encode the creation time (first 11 characters; the last 2 are the clock id).
    for (const p of POSTS) expect(p.uri.split('/').pop()!.slice(0, 11)).toBe(tid(Date.parse(p.record.createdAt) * 1000).slice(0, 11))
    // Variety the collector must cope with.
    const count = (f: (p: BskyPost) => unknown): number => POSTS.filter(f).length
    for (const lang of ['en', 'zh', 'fr', 'ja']) expect(count((p) => p.record.langs?.[0] === lang)).toBeGreaterThan(10)
    expect(count((p) => p.record.reply)).toBeGreaterThan(10)
    expect(count((p) => p.embed?.$type === 'app.bsky.embed.record#view')).toBeGreaterThan(5)
    expect(count((p) => p.embed?.$type === 'app.bsky.embed.external#view')).toBeGreaterThan(10)
    expect(count((p) => p.record.facets?.some((f) => (f.features[0] as { uri?: string }).uri === ARTICLE_SHARE_URL))).toBeGreaterThan(0)
    expect(count((p) => Date.parse(p.record.createdAt) > Date.parse(p.indexedAt))).toBeGreaterThan(0) // clock skew
    for (const term of ['AI fund', 'DeepSeek', 'H20', '英伟达', '国产大模型', "fonds d'État", 'AIファンド']) expect(truth(term).length, term).toBeGreaterThan(0)
    expect(count((p) => !/AI|IA|人工智能|中国|Chine/.test(p.record.text))).toBeGreaterThan(20) // off-topic
    const likes = POSTS.map((p) => p.likeCount)
    expect(Math.max(...likes)).toBeGreaterThan(100)
    expect(likes.filter((n) => n === 0).length).toBeGreaterThan(10)
    // Groups of posts sharing one sortAt millisecond, all matching "AI fund".
    const byMs = new Map<number, BskyPost[]>()
    for (const p of truth('AI', 'fund')) byMs.set(sortAt(p), [...(byMs.get(sortAt(p)) ?? []), p])
    expect([...byMs.values()].filter((g) => g.length >= 3).length).toBeGreaterThanOrEqual(3)
  })
})

describe('search through the PDS with a CredentialSession', () => {
  beforeEach(async () => {
    await start()
  })

  it('logs in without a didDoc, validates responses, carries ratelimit headers', async () => {
    const { session, agent, events } = await login()
    expect(events.map((e) => e.evt)).toEqual(['create'])
    expect(session.pdsUrl).toBeUndefined() // no didDoc: requests stay on server.url
    expect(session.session).toMatchObject({ did: ACCOUNT.did, handle: ACCOUNT.handle, active: true })
    expect(session.session!.accessJwt.split('.')).toHaveLength(3)
    const res = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 10 })
    expect(res.data.posts).toHaveLength(10)
    expect(res.data.cursor).toBe('10')
    expect(res.data.hitsTotal).toBe(truth('AI', 'fund').length)
    for (const p of res.data.posts) expect(AppBskyFeedDefs.validatePostView(p).success).toBe(true)
    expect(res.headers).toMatchObject({ 'ratelimit-limit': '3000', 'ratelimit-policy': '3000;w=300' })
    expect(Number(res.headers['ratelimit-remaining'])).toBeLessThan(3000)
    expect(Number(res.headers['ratelimit-reset'])).toBe(Math.ceil((clock + 300_000) / 1000))
    expect(server.logins).toBe(1)
    expect(server.requests.map((r) => [r.nsid, r.auth, r.status])).toEqual([
      ['com.atproto.server.createSession', 'none', 200],
      ['app.bsky.feed.searchPosts', 'access', 200],
    ])
    expect(server.requests[0]!.params).toEqual({ identifier: ACCOUNT.identifier }) // never the password
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('pages by cursor: every match once, newest sortAt first, no cursor after the last page', async () => {
    const { agent } = await login()
    const seen: AppBskyFeedDefs.PostView[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const res = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 7, cursor })
      seen.push(...res.data.posts)
      cursor = res.data.cursor
      pages++
    } while (cursor)
    const expected = truth('AI', 'fund')
    expect(seen.map((p) => p.uri).sort()).toEqual(expected.map((p) => p.uri).sort())
    expect(new Set(seen.map((p) => p.uri)).size).toBe(seen.length)
    expect(pages).toBe(Math.ceil(expected.length / 7) + (expected.length % 7 === 0 ? 1 : 0))
    const times = seen.map(sortAt)
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('stops cursors at the cap, rejects deeper cursors, drops hitsTotal beyond it', async () => {
    await server.close()
    await start({ searchCap: 20 })
    const { agent } = await login()
    const pages: number[] = []
    let cursor: string | undefined
    do {
      const res = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 7, cursor })
      pages.push(res.data.posts.length)
      expect(res.data.hitsTotal).toBeUndefined() // 86 matches > cap: not exact
      cursor = res.data.cursor
    } while (cursor)
    expect(pages).toEqual([7, 7, 6]) // offsets 0, 7, 14; 14+7 >= 20 → no cursor; nothing past the cap
    const deep = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund', cursor: '21' }))
    expect(deep).toBeInstanceOf(XRPCError)
    expect([deep.status, deep.error, deep.message]).toEqual([400, 'InvalidRequest', "can't paginate so deep"])
    const atCap = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', cursor: '20' })
    expect(atCap.data.posts).toEqual([])
    const small = await agent.app.bsky.feed.searchPosts({ q: 'H20 Nvidia' })
    expect(small.data.hitsTotal).toBe(truth('H20', 'Nvidia').length)
  })

  it('since is inclusive and until exclusive on sortAt = min(createdAt, indexedAt); YYYY-MM-DD accepted', async () => {
    const { agent } = await login()
    const groupAt = [...new Set(truth('AI', 'fund').map(sortAt))].find((t) => truth('AI', 'fund').filter((p) => sortAt(p) === t).length >= 3)!
    const iso = new Date(groupAt).toISOString()
    const search = async (p: { since?: string; until?: string }) => (await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 100, ...p })).data.posts
    const since = await search({ since: iso })
    const until = await search({ until: iso })
    expect(since.filter((p) => sortAt(p) === groupAt)).toHaveLength(3)
    expect(until.filter((p) => sortAt(p) === groupAt)).toHaveLength(0)
    expect(since.length + until.length).toBe(truth('AI', 'fund').length)
    expect(since.every((p) => sortAt(p) >= groupAt) && until.every((p) => sortAt(p) < groupAt)).toBe(true)
    // A skewed post (createdAt after indexedAt) is placed by indexedAt.
    const skewed = POSTS.find((p) => Date.parse(p.record.createdAt) > Date.parse(p.indexedAt) && p.record.text.includes('AI fund'))
    if (skewed) {
      const s = await search({ since: skewed.indexedAt, until: new Date(Date.parse(skewed.indexedAt) + 1).toISOString() })
      expect(s.map((p) => p.uri)).toContain(skewed.uri)
    }
    const day = await search({ since: '2025-07-19', until: '2025-07-20' })
    expect(day.length).toBe(
      truth('AI', 'fund').filter((p) => sortAt(p) >= Date.parse('2025-07-19T00:00:00Z') && sortAt(p) < Date.parse('2025-07-20T00:00:00Z')).length,
    )
    const bad = await rejection(search({ since: 'yesterday' }))
    expect([bad.status, bad.error]).toEqual([400, 'InvalidRequest'])
  })

  it('paging backwards by until: the naive boundary loses same-millisecond posts, until+1ms with seen URIs does not', async () => {
    const { agent } = await login()
    const expected = new Set(truth('AI', 'fund').map((p) => p.uri))
    // Naive: until = oldest sortAt seen (exclusive) skips the rest of a same-millisecond group.
    const naive = new Set<string>()
    let until: string | undefined
    for (;;) {
      const posts = (await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 2, until })).data.posts
      if (posts.length === 0) break
      for (const p of posts) naive.add(p.uri)
      until = new Date(Math.min(...posts.map(sortAt))).toISOString()
    }
    expect(naive.size).toBeLessThan(expected.size)
    // Correct: until = oldest + 1 ms, dedupe by URI, and page by cursor while a whole page sits on one millisecond.
    const got = new Set<string>()
    let untilMs: number | undefined
    let cursor: string | undefined
    for (;;) {
      const res = await agent.app.bsky.feed.searchPosts({
        q: 'AI fund',
        limit: 2,
        until: untilMs === undefined ? undefined : new Date(untilMs).toISOString(),
        cursor,
      })
      for (const p of res.data.posts) got.add(p.uri)
      if (!res.data.cursor) break
      const next = Math.min(...res.data.posts.map(sortAt)) + 1
      if (next === untilMs) cursor = res.data.cursor
      else {
        untilMs = next
        cursor = undefined
      }
    }
    expect([...got].sort()).toEqual([...expected].sort())
  })

  it('filters: phrases, CJK, author, lang, domain, url, tags (AND), mentions, sort=top, limit clamp', async () => {
    const { agent } = await login()
    const search = async (p: Partial<Parameters<typeof agent.app.bsky.feed.searchPosts>[0]>) =>
      (await agent.app.bsky.feed.searchPosts({ q: 'a', limit: 100, ...p })).data
    const uris = (xs: { uri: string }[]): string[] => xs.map((p) => p.uri).sort()
    const has = (p: BskyPost, t: string): boolean => textOf(p).toLowerCase().includes(t)
    expect(uris((await search({ q: '"state AI fund"' })).posts)).toEqual(uris(truth('state AI fund')))
    expect(uris((await search({ q: '英伟达' })).posts)).toEqual(uris(truth('英伟达')))
    expect(uris((await search({ q: '国产大模型' })).posts)).toEqual(uris(truth('国产大模型')))
    expect(uris((await search({ q: "fonds d'état" })).posts)).toEqual(uris(truth("fonds d'État")))
    expect(uris((await search({ q: 'aiファンド' })).posts)).toEqual(uris(truth('AIファンド')))
    const author = POSTS.find((p) => p.record.text.includes('AI'))!.author
    const byHandle = await search({ q: 'AI', author: author.handle })
    expect(byHandle.posts.length).toBeGreaterThan(0)
    expect(byHandle.posts.every((p) => p.author.did === author.did)).toBe(true)
    expect(uris((await search({ q: 'AI', author: author.did })).posts)).toEqual(uris(byHandle.posts))
    const fr = await search({ q: 'IA', lang: 'fr' })
    expect(fr.posts.every((p) => (p.record as { langs?: string[] }).langs?.includes('fr'))).toBe(true)
    const linking = POSTS.filter(
      (p) =>
        (p.record.facets ?? []).some((f) => (f.features[0] as { uri?: string }).uri?.startsWith(ARTICLE_URL)) ||
        (p.embed as { external?: { uri: string } } | undefined)?.external?.uri === ARTICLE_URL,
    )
    expect(uris((await search({ q: 'a', domain: 'nytimes.com' })).posts)).toEqual(uris(linking.filter((p) => has(p, 'a'))))
    expect(uris((await search({ q: 'a', url: ARTICLE_URL })).posts)).toEqual(uris(linking.filter((p) => has(p, 'a'))))
    expect((await search({ q: 'a', url: ARTICLE_SHARE_URL })).posts.length).toBe(linking.filter((p) => has(p, 'a')).length)
    const tagged = (t: string) =>
      POSTS.filter((p) => (p.record.facets ?? []).some((f) => (f.features[0] as { tag?: string }).tag === t) || p.record.tags?.includes(t))
    const both = tagged('ChinaAI').filter((p) => tagged('DeepSeek').includes(p))
    expect(uris((await search({ q: 'a', tag: ['ChinaAI'] })).posts)).toEqual(uris(tagged('ChinaAI').filter((p) => has(p, 'a'))))
    expect(uris((await search({ q: 'a', tag: ['ChinaAI', 'DeepSeek'] })).posts)).toEqual(uris(both.filter((p) => has(p, 'a'))))
    const mentioned = POSTS.find((p) => p.record.facets?.some((f) => f.features[0]!.$type === 'app.bsky.richtext.facet#mention'))!
    const mDid = (mentioned.record.facets!.find((f) => f.features[0]!.$type === 'app.bsky.richtext.facet#mention')!.features[0] as { did: string }).did
    expect((await search({ q: '@', mentions: mDid })).posts.map((p) => p.uri)).toContain(mentioned.uri)
    const top = (await search({ q: 'AI fund', sort: 'top', limit: 20 })).posts
    const score = (p: AppBskyFeedDefs.PostView) => (p.likeCount ?? 0) + 2 * (p.repostCount ?? 0) + (p.replyCount ?? 0) + 2 * (p.quoteCount ?? 0)
    expect(top.map(score)).toEqual([...top.map(score)].sort((a, b) => b - a))
    expect((await search({ q: 'a', limit: 150 })).posts).toHaveLength(100) // clamped, as palomar does
    const zero = await rejection(search({ limit: 0 }))
    expect([zero.status, zero.error]).toEqual([400, 'InvalidRequest'])
    const empty = await rejection(search({ q: '   ' }))
    expect(empty.constructor.name).toBe('BadQueryStringError') // the lexicon's declared error, via toKnownErr
    expect([empty.status, empty.error]).toEqual([400, 'BadQueryString'])
  })

  it('added posts shift offset cursors; deleted posts vanish', async () => {
    const { agent } = await login()
    const page1 = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 5 })
    const fresh = makeBskyDataset({ seed: 99, count: 40, now: NOW + 3_600_000, days: 0.01 }).filter((p) => textOf(p).includes('AI fund'))
    expect(fresh.length).toBeGreaterThan(0)
    server.addPosts(fresh.slice(0, 1))
    const page2 = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 5, cursor: page1.data.cursor })
    expect(page2.data.posts[0]!.uri).toBe(page1.data.posts[4]!.uri) // shifted by one: a duplicate to dedupe
    server.deletePosts([page1.data.posts[0]!.uri])
    const again = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 5 })
    expect(again.data.posts.map((p) => p.uri)).not.toContain(page1.data.posts[0]!.uri)
    expect(again.data.posts[0]!.uri).toBe(fresh[0]!.uri)
  })
})

describe('getPosts on the public AppView (unauthenticated)', () => {
  beforeEach(async () => {
    await start()
  })

  it('hydrates ≤25 URIs in order, omits unknown and deleted ones, rejects 26', async () => {
    const pub = new Agent(server.url)
    const want = POSTS.slice(0, 25).map((p) => p.uri)
    server.deletePosts([want[3]!])
    const unknown = `at://${ACCOUNT.did}/app.bsky.feed.post/${tid(NOW * 1000, 1)}`
    const res = await pub.app.bsky.feed.getPosts({ uris: [...want.slice(0, 24), unknown] })
    expect(res.data.posts.map((p) => p.uri)).toEqual(want.slice(0, 24).filter((u) => u !== want[3]))
    expect(res.data.posts[0]).toMatchObject({ likeCount: POSTS[0]!.likeCount, cid: POSTS[0]!.cid })
    expect(res.headers['ratelimit-limit']).toBe('3000')
    expect(server.requests.at(-1)).toMatchObject({ nsid: 'app.bsky.feed.getPosts', auth: 'none', status: 200 })
    expect((server.requests.at(-1)!.params.uris as string[]).length).toBe(25) // repeated params
    const tooMany = await rejection(pub.app.bsky.feed.getPosts({ uris: POSTS.slice(0, 26).map((p) => p.uri) }))
    expect([tooMany.status, tooMany.error]).toEqual([400, 'InvalidRequest'])
    // Re-adding a URI replaces it (counts change).
    server.addPosts([{ ...POSTS[0]!, likeCount: 12345 }])
    expect((await pub.app.bsky.feed.getPosts({ uris: [POSTS[0]!.uri] })).data.posts[0]!.likeCount).toBe(12345)
  })

  it('unauthenticated search is 403 AuthMissing unless requireAuthForSearch is false', async () => {
    const pub = new Agent(server.url)
    const e = await rejection(pub.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect(e).toBeInstanceOf(XRPCError)
    expect([e.status, e.error, e.message]).toEqual([403, 'AuthMissing', 'Authentication Required'])
    expect(e.headers?.['ratelimit-remaining']).toBeDefined()
    await server.close()
    await start({ requireAuthForSearch: false })
    const ok = await new Agent(server.url).app.bsky.feed.searchPosts({ q: 'AI fund' })
    expect(ok.data.posts).toHaveLength(25)
  })
})

describe('sessions: expiry, refresh, resume, revocation, login limits', () => {
  beforeEach(async () => {
    await start()
  })

  it('an expired access token is refreshed transparently and the call retried', async () => {
    const { agent, events, session } = await login()
    const before = session.session!.accessJwt
    clock += 2 * 3_600_000 + 1 // access TTL (2 h) passes on the server clock
    const res = await agent.app.bsky.feed.searchPosts({ q: 'AI fund' })
    expect(res.data.posts).toHaveLength(25)
    expect(nsids()).toEqual(['createSession 200', 'searchPosts 400', 'refreshSession 200', 'getSession 200', 'searchPosts 200'])
    expect(server.requests.filter((r) => r.nsid === 'com.atproto.server.refreshSession')).toHaveLength(1)
    expect(server.requests.map((r) => r.auth)).toEqual(['none', 'access', 'refresh', 'access', 'access'])
    expect(events.map((e) => e.evt)).toEqual(['create', 'update'])
    expect(session.session!.accessJwt).not.toBe(before)
    // The same through an injected fault, with a valid token.
    server.inject({ kind: 'expired-token', nsid: 'app.bsky.feed.searchPosts' })
    await agent.app.bsky.feed.searchPosts({ q: 'AI fund' })
    expect(server.requests.filter((r) => r.nsid === 'com.atproto.server.refreshSession')).toHaveLength(2)
    expect(events.map((e) => e.evt)).toEqual(['create', 'update', 'update'])
  })

  it('resumeSession refreshes at once; the spent refresh token cannot be resumed again', async () => {
    const first = await login()
    const saved = { ...first.session.session! }
    const second = newSession()
    await second.session.resumeSession(saved)
    expect(second.events.map((e) => e.evt)).toEqual(['update'])
    expect(nsids().slice(1)).toEqual(['refreshSession 200', 'getSession 200'])
    expect((await second.agent.app.bsky.feed.searchPosts({ q: 'DeepSeek' })).data.posts.length).toBeGreaterThan(0)
    const third = newSession()
    const e = await rejection(third.session.resumeSession(saved))
    expect(e).toBeInstanceOf(XRPCError)
    expect(e.constructor.name).toBe('ExpiredTokenError') // refreshSession's declared error, via toKnownErr
    expect([e.status, e.error, e.message]).toEqual([400, 'ExpiredToken', 'Token has been revoked'])
    expect(third.events.map((x) => x.evt)).toEqual(['expired'])
    expect(third.session.hasSession).toBe(false)
  })

  it('revoked sessions: the failed refresh fires persistSession("expired") and the call throws the original ExpiredToken', async () => {
    const { agent, session, events } = await login()
    server.revokeSessions()
    // Access tokens stay valid until they expire.
    await agent.app.bsky.feed.searchPosts({ q: 'AI fund' })
    clock += 2 * 3_600_000 + 1
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect(e).toBeInstanceOf(XRPCError)
    expect([e.status, e.error, e.message]).toEqual([400, 'ExpiredToken', 'Token has expired'])
    expect(events.map((x) => x.evt)).toEqual(['create', 'expired'])
    expect(events.at(-1)!.s).toBeUndefined()
    expect(session.hasSession).toBe(false)
    expect(nsids().slice(-2)).toEqual(['searchPosts 400', 'refreshSession 400'])
    // The agent now calls without a token: search says AuthMissing.
    const after = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect([after.status, after.error]).toEqual([403, 'AuthMissing'])
  })

  it('a refresh that fails transiently fires "network-error" and keeps the session', async () => {
    const { agent, session, events } = await login()
    server.inject({ kind: 'expired-token', nsid: 'app.bsky.feed.searchPosts' }, { kind: 'upstream', nsid: 'com.atproto.server.refreshSession' })
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect([e.status, e.error]).toEqual([400, 'ExpiredToken'])
    expect(events.map((x) => x.evt)).toEqual(['create', 'network-error'])
    expect(session.hasSession).toBe(true)
    await agent.app.bsky.feed.searchPosts({ q: 'AI fund' }) // still valid
  })

  it('wrong password is 401; logins are limited to 30 per 5 minutes and 300 per day per account', async () => {
    const bad = newSession()
    const e = await rejection(bad.session.login({ identifier: ACCOUNT.handle, password: 'nope' }))
    expect([e.status, e.error, e.message]).toEqual([401, 'AuthenticationRequired', 'Invalid identifier or password'])
    expect(bad.events.map((x) => x.evt)).toEqual(['create-failed'])
    expect(server.logins).toBe(0)
    const s = newSession().session
    for (let i = 1; i < 30; i++) await s.login({ identifier: ACCOUNT.identifier, password: ACCOUNT.password })
    const limited = await rejection(s.login({ identifier: ACCOUNT.did, password: ACCOUNT.password })) // same account by DID
    expect([limited.status, limited.error, limited.message]).toEqual([429, 'RateLimitExceeded', 'Rate Limit Exceeded'])
    expect(limited.headers).toMatchObject({ 'ratelimit-limit': '30', 'ratelimit-remaining': '0', 'ratelimit-policy': '30;w=300' })
    expect(Number(limited.headers!['ratelimit-reset'])).toBe(Math.ceil((clock + 300_000) / 1000))
    expect(server.logins).toBe(29)
    // Windows of 5 minutes up to 300 attempts in the day.
    let attempts = 31
    while (attempts < 300) {
      clock += 5 * 60_000 + 1
      for (let i = 0; i < 30 && attempts < 300; i++, attempts++) await s.login({ identifier: ACCOUNT.identifier, password: ACCOUNT.password })
    }
    clock += 5 * 60_000 + 1
    const daily = await rejection(s.login({ identifier: ACCOUNT.identifier, password: ACCOUNT.password }))
    expect([daily.status, daily.headers?.['ratelimit-limit'], daily.headers?.['ratelimit-policy']]).toEqual([429, '300', '300;w=86400'])
    clock += 86_400_000
    await s.login({ identifier: ACCOUNT.identifier, password: ACCOUNT.password })
    expect(server.logins).toBe(29 + 269 + 1)
  })
})

describe('faults as the library surfaces them', () => {
  let agent: Agent
  beforeEach(async () => {
    await start()
    agent = (await login()).agent
  })

  it('rate-limit → XRPCError 429 RateLimitExceeded with ratelimit-* headers (no refresh, no retry)', async () => {
    server.inject({ kind: 'rate-limit', resetInSeconds: 30 })
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect(e).toBeInstanceOf(XRPCError)
    expect([e.status, e.error, e.message]).toEqual([429, 'RateLimitExceeded', 'Rate Limit Exceeded'])
    expect(e.headers).toMatchObject({ 'ratelimit-remaining': '0', 'ratelimit-limit': '3000', 'ratelimit-reset': String(Math.ceil((clock + 30_000) / 1000)) })
    expect(nsids().slice(1)).toEqual(['searchPosts 429 rate-limit'])
  })

  it('upstream → XRPCError 502 UpstreamFailure (500 InternalServerError, 503 NotEnoughResources)', async () => {
    server.inject({ kind: 'upstream' }, { kind: 'upstream', status: 500 }, { kind: 'upstream', status: 503 })
    const got = []
    for (let i = 0; i < 3; i++) {
      const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
      expect(e).toBeInstanceOf(XRPCError)
      got.push([e.status, e.error, e.message])
    }
    expect(got).toEqual([
      [502, 'UpstreamFailure', 'Upstream Failure'],
      [500, 'InternalServerError', 'Internal Server Error'],
      [503, 'NotEnoughResources', 'Not Enough Resources'],
    ])
  })

  it('invalid-post → XRPCInvalidResponseError with the raw page in responseBody; validate post by post and skip only the bad one', async () => {
    server.inject({ kind: 'invalid-post' })
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 10 }))
    expect(e).toBeInstanceOf(XRPCError)
    expect(e.constructor.name).toBe('XRPCInvalidResponseError')
    expect([e.status, e.error, e.message]).toEqual([2, 'Invalid Response', 'The server gave an invalid response and may be out of date.'])
    expect(e.lexiconNsid).toBe('app.bsky.feed.searchPosts')
    expect((e.validationError as Error).message).toBe('Output/posts/5/cid must be a cid string')
    expect(e.cause).toBe(e.validationError)
    const body = e.responseBody as { cursor?: string; hitsTotal?: number; posts: unknown[] }
    expect(body.cursor).toBe('10')
    expect(body.posts).toHaveLength(10)
    const good = body.posts.filter((p) => AppBskyFeedDefs.validatePostView(p).success) as AppBskyFeedDefs.PostView[]
    expect(good).toHaveLength(9)
    const clean = await agent.app.bsky.feed.searchPosts({ q: 'AI fund', limit: 10 })
    expect(good.map((p) => p.uri)).toEqual(clean.data.posts.filter((_, i) => i !== 5).map((p) => p.uri))
    // getPosts too (the public agent).
    server.inject({ kind: 'invalid-post', nsid: 'app.bsky.feed.getPosts' })
    const g = await rejection(new Agent(server.url).app.bsky.feed.getPosts({ uris: POSTS.slice(0, 3).map((p) => p.uri) }))
    expect((g.validationError as Error).message).toBe('Output/posts/1/cid must be a cid string')
  })

  it('malformed JSON → XRPCError status 2 "InvalidResponse" (not XRPCInvalidResponseError, no responseBody)', async () => {
    server.inject({ kind: 'malformed' })
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect(e.constructor.name).toBe('XRPCError')
    expect([e.status, e.error]).toEqual([2, 'InvalidResponse'])
    expect(e.message).toMatch(/^Failed to parse response body: SyntaxError: /)
    expect(e.cause).toBeInstanceOf(SyntaxError)
    expect('responseBody' in e).toBe(false)
    expect(e.headers).toBeUndefined()
  })

  it('dropped socket → XRPCError status 1 "Unknown", message "fetch failed", cause TypeError ← UND_ERR_SOCKET; not retried', async () => {
    server.inject({ kind: 'drop' })
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect(e.constructor.name).toBe('XRPCError')
    expect([e.status, e.error, e.message]).toEqual([1, 'Unknown', 'fetch failed'])
    const cause = e.cause as TypeError & { cause?: { code?: string; message?: string } }
    expect(cause).toBeInstanceOf(TypeError)
    expect(cause.cause?.code).toBe('UND_ERR_SOCKET')
    expect(nsids().slice(1)).toEqual(['searchPosts 0 drop'])
  })

  it('slow → the call waits; an AbortSignal timeout surfaces as XRPCError status 1 with the abort as cause', async () => {
    server.inject({ kind: 'slow', ms: 150 })
    const t0 = performance.now()
    await agent.app.bsky.feed.searchPosts({ q: 'AI fund' })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140)
    server.inject({ kind: 'slow', ms: 400 })
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }, { signal: AbortSignal.timeout(50) }))
    expect([e.status, e.error]).toEqual([1, 'Unknown'])
    expect((e.cause as Error).name).toBe('TimeoutError')
    expect(e.message).toBe('The operation was aborted due to timeout')
  })

  it('faults are consumed in order per NSID; a random fault rate is seeded and only hits post endpoints', async () => {
    server.inject({ kind: 'upstream', nsid: 'app.bsky.feed.searchPosts' }, { kind: 'rate-limit', resetInSeconds: 5 })
    await new Agent(server.url).app.bsky.feed.getPosts({ uris: [POSTS[0]!.uri] }).catch(() => undefined) // takes the un-filtered rate-limit
    const e = await rejection(agent.app.bsky.feed.searchPosts({ q: 'AI fund' }))
    expect(e.status).toBe(502)
    expect(nsids().slice(1)).toEqual(['getPosts 429 rate-limit', 'searchPosts 502 upstream'])
    const run = async (seed: number): Promise<(string | undefined)[]> => {
      server.setFaultRate(0.5, seed)
      const from = server.requests.length
      for (let i = 0; i < 30; i++) await agent.app.bsky.feed.searchPosts({ q: 'DeepSeek' }).catch(() => undefined)
      server.setFaultRate(0)
      // Library-made refresh/getSession calls never get random faults.
      expect(server.requests.slice(from).filter((r) => r.fault && !r.nsid.startsWith('app.bsky.feed.'))).toEqual([])
      return server.requests
        .slice(from)
        .filter((r) => r.nsid === 'app.bsky.feed.searchPosts')
        .map((r) => r.fault)
    }
    const a = await run(7)
    const b = await run(7)
    expect(a).toEqual(b)
    expect(a.filter(Boolean).length).toBeGreaterThan(5)
    expect(new Set(a.filter(Boolean)).size).toBeGreaterThan(2)
  })

  it('every response, errors included, carries ratelimit-* headers', async () => {
    const res = await fetch(`${server.url}/xrpc/app.bsky.feed.nope`)
    expect(res.status).toBe(501)
    expect(res.headers.get('ratelimit-remaining')).not.toBeNull()
    const bad = await fetch(`${server.url}/xrpc/com.atproto.server.createSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"identifier":"x","password":"y"}',
    })
    expect([bad.status, bad.headers.get('ratelimit-limit')]).toEqual([401, '30'])
    const noAuth = await fetch(`${server.url}/xrpc/com.atproto.server.getSession`)
    expect([noAuth.status, noAuth.headers.get('ratelimit-limit'), await noAuth.json()]).toEqual([
      401,
      '3000',
      { error: 'AuthMissing', message: 'Authentication Required' },
    ])
  })
})
