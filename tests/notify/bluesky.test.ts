import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dmText, findLinks, MAX_THREAD_POSTS, threadTexts, type RichText } from '../../src/notify/bluesky-text.js'
import { deliver, retryPending } from '../../src/notify/deliver.js'
import { findDelivery } from '../../src/store/deliveries.js'
import { startBskyServer, type BskyServer } from '../servers/bluesky.js'
import { closedLoopbackPort } from '../servers/closed-port.js'
import { FAST_RETRY, notifyHarness, sampleMessage, type NotifyHarness } from './helpers.js'

const BOT = { identifier: 'stancebot.test', password: 'bot1-pass-word-zzzz', did: 'did:plc:stancebotstancebotstance', handle: 'stancebot.test' }
const ANALYST = { identifier: 'analyst.test', password: 'ana1-pass-word-yyyy', did: 'did:plc:analystanalystanalystana', handle: 'analyst.test' }
const LINE = '中国AI基金 🚀 https://example.org/d/2025-07-16'

const utf8 = new TextEncoder()
const graphemeCount = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length

/** The text a facet covers, cut by UTF-8 byte offsets as Bluesky does. */
function facetText(t: RichText, i: number): string {
  const { byteStart, byteEnd } = t.facets[i]!.index
  return new TextDecoder().decode(utf8.encode(t.text).slice(byteStart, byteEnd))
}

describe('Bluesky text: limits and link facets', () => {
  it('facet offsets are UTF-8 bytes, right after Chinese and emoji', () => {
    const [post] = threadTexts(sampleMessage({ title: LINE, summary: [], link: null }))
    expect(post!.text).toBe(LINE)
    // 中国 6 bytes + AI 2 + 基金 6 + space 1 + 🚀 4 + space 1 = 20 bytes before the link, but 10 UTF-16 units.
    expect(LINE.indexOf('https')).toBe(10)
    expect(post!.facets).toEqual([
      { index: { byteStart: 20, byteEnd: 52 }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/d/2025-07-16' }] },
    ])
    expect(facetText(post!, 0)).toBe('https://example.org/d/2025-07-16')
  })

  it('the message link and links in the text are linked; trailing punctuation and CJK after a URL are not part of it', () => {
    expect(findLinks('see https://example.org/a_(b)). 和 https://x.org/路径 and javascript:alert(1)').map((l) => l.uri)).toEqual([
      'https://example.org/a_(b)',
      'https://x.org/',
    ])
    const [post] = threadTexts(
      sampleMessage({ title: 'Spike 🚀', summary: ['詳細は https://example.org/ja です。'], link: 'https://example.org/d/2025-07-16' }),
    )
    expect(post!.text).toBe('Spike 🚀\n詳細は https://example.org/ja です。\nhttps://example.org/d/2025-07-16')
    expect(post!.facets.map((_, i) => facetText(post!, i))).toEqual(['https://example.org/ja', 'https://example.org/d/2025-07-16'])
  })

  it('splits on line boundaries, then graphemes, every post within 300 graphemes and 3000 bytes', () => {
    const family = '👨‍👩‍👧‍👦'
    const m = sampleMessage({
      title: `Stance shift ${family}`,
      summary: ['a'.repeat(250), `${'中'.repeat(290)} https://example.org/long`, family.repeat(320), 'short line'],
      link: 'https://example.org/d/2025-07-16',
    })
    const posts = threadTexts(m, undefined, 20)
    for (const p of posts) {
      expect(graphemeCount(p.text)).toBeLessThanOrEqual(300)
      expect(utf8.encode(p.text).length).toBeLessThanOrEqual(3000)
      expect(p.text).not.toMatch(/\uFFFD/)
      p.facets.forEach((f, i) => expect(facetText(p, i)).toBe(f.features[0].uri))
    }
    // The 250-character line shares the first post with the title; the long Chinese line does not fit there.
    expect(posts[0]!.text).toBe(`Stance shift ${family}\n${'a'.repeat(250)}`)
    // A link is never cut in two: it moves whole to the next post.
    expect(posts.some((p) => p.text.startsWith('https://example.org/long'))).toBe(true)
    // The ZWJ family emoji is never split (a split would leave lone code points).
    expect(
      posts
        .map((p) => p.text)
        .join('')
        .split(family)
        .join(''),
    ).not.toMatch(/[\u{1F468}\u{1F469}\u{1F467}\u{1F466}\u200D]/u)
    expect(posts.at(-1)!.text.endsWith('https://example.org/d/2025-07-16')).toBe(true)
  })

  it('a long summary is shortened to a short thread that keeps the title and the link', () => {
    const posts = threadTexts(sampleMessage({ summary: Array.from({ length: 40 }, (_, i) => `line ${i} ${'x'.repeat(200)}`) }))
    expect(posts.length).toBeLessThanOrEqual(MAX_THREAD_POSTS)
    expect(posts[0]!.text.startsWith('Volume spike on X')).toBe(true)
    expect(posts.at(-1)!.text.endsWith('https://example.org/d/2025-07-16')).toBe(true)
  })

  it('a direct message stays within 1000 graphemes, dropping summary lines rather than the link', () => {
    const dm = dmText(sampleMessage({ summary: Array.from({ length: 30 }, (_, i) => `${i} ${'字'.repeat(60)}`) }))
    expect(graphemeCount(dm.text)).toBeLessThanOrEqual(1000)
    expect(dm.text.endsWith('https://example.org/d/2025-07-16')).toBe(true)
    expect(facetText(dm, dm.facets.length - 1)).toBe('https://example.org/d/2025-07-16')
  })

  it('bidi overrides and control characters are removed; mentions are never made into facets', () => {
    const [post] = threadTexts(sampleMessage({ title: 'a\u202Eb\u0000c @everyone @analyst.test', summary: [], link: null }))
    expect(post!.text).toBe('abc @everyone @analyst.test')
    expect(post!.facets).toEqual([])
  })
})

describe('Bluesky channel against the loopback server', () => {
  let server: BskyServer
  let h: NotifyHarness
  const harness = (channel: Record<string, unknown>) =>
    notifyHarness({
      notify: { retry: FAST_RETRY, timeout_seconds: 5, channels: [{ id: 'bot', ...channel }] },
      env: { BSKY_SERVICE: server.url, BSKY_PUBLIC_API: server.url, BSKY_IDENTIFIER: BOT.identifier, BSKY_APP_PASSWORD: BOT.password },
    })
  beforeEach(async () => {
    server = await startBskyServer({ posts: [], accounts: [BOT, ANALYST] })
  })
  afterEach(async () => {
    h?.cleanup()
    await server.close()
  })

  it('posts a thread: root then replies with root and parent refs, facets intact', async () => {
    h = harness({ type: 'bluesky', mode: 'post' })
    const m = sampleMessage({ title: LINE, summary: ['x'.repeat(280), 'y'.repeat(280), '結論 https://example.org/z'] })
    const [r] = await deliver(h.ctx, m)
    expect(r).toEqual({ channel: 'bot', key: 'alert:1', status: 'sent', attempts: 1 })
    const posts = server.records
    const expected = threadTexts(m)
    expect(posts).toHaveLength(expected.length)
    expect(posts.length).toBeGreaterThanOrEqual(3)
    posts.forEach((p, i) => {
      expect(p.repo).toBe(BOT.did)
      expect(p.collection).toBe('app.bsky.feed.post')
      expect(p.record.text).toBe(expected[i]!.text)
      expect(p.record.facets ?? []).toEqual(expected[i]!.facets)
      expect(graphemeCount(p.record.text as string)).toBeLessThanOrEqual(300)
      if (i === 0) expect(p.record.reply).toBeUndefined()
      else expect(p.record.reply).toEqual({ root: { uri: posts[0]!.uri, cid: posts[0]!.cid }, parent: { uri: posts[i - 1]!.uri, cid: posts[i - 1]!.cid } })
    })
    const root = { text: posts[0]!.record.text as string, facets: posts[0]!.record.facets as RichText['facets'] }
    expect(facetText(root, 0)).toBe('https://example.org/d/2025-07-16')
    expect(server.logins).toBe(1)
  })

  it('a round that fails posts nothing; the next delivery posts the whole thread once', async () => {
    h = harness({ type: 'bluesky' })
    const m = sampleMessage({ summary: ['x'.repeat(280), 'y'.repeat(280)] })
    const total = threadTexts(m).length
    // The second post fails on every try of the first round.
    server.inject(
      ...Array.from({ length: FAST_RETRY.attempts }, () => ({ kind: 'upstream' as const, status: 502 as const, nsid: 'com.atproto.repo.createRecord' })),
    )
    const [first] = await deliver(h.ctx, m)
    expect(first).toMatchObject({ status: 'failed', attempts: 3 })
    expect(server.records).toHaveLength(0)
    const [again] = await deliver(h.ctx, m)
    expect(again).toMatchObject({ status: 'sent' })
    expect(server.records).toHaveLength(total)
    // Every post is remembered with the delivery.
    const row = findDelivery(h.ctx.db, 'alert:1', 'bot')!
    expect((row.progress as { posts: unknown[] }).posts).toHaveLength(total)
  })

  it('resumes a half-posted thread from the stored progress', async () => {
    h = harness({ type: 'bluesky' })
    const m = sampleMessage({ summary: ['x'.repeat(280), 'y'.repeat(280)] })
    const total = threadTexts(m).length
    // Root succeeds, then every try of the second post fails this round.
    let created = 0
    const originalPush = server.records.push.bind(server.records)
    server.records.push = (...items) => {
      created += items.length
      if (created === 1)
        server.inject(
          ...Array.from({ length: FAST_RETRY.attempts }, () => ({ kind: 'upstream' as const, status: 502 as const, nsid: 'com.atproto.repo.createRecord' })),
        )
      return originalPush(...items)
    }
    const [first] = await deliver(h.ctx, m)
    expect(first).toMatchObject({ status: 'failed' })
    expect(server.records).toHaveLength(1)
    const [retried] = await retryPending(h.ctx)
    expect(retried).toMatchObject({ status: 'sent', attempts: 1 })
    expect(server.records).toHaveLength(total)
    expect(server.records[1]!.record.reply).toEqual({
      root: { uri: server.records[0]!.uri, cid: server.records[0]!.cid },
      parent: { uri: server.records[0]!.uri, cid: server.records[0]!.cid },
    })
  })

  it('sends a direct message through the chat proxy', async () => {
    h = harness({ type: 'bluesky', mode: 'dm', dm_to: ANALYST.handle })
    const [r] = await deliver(h.ctx, sampleMessage({ title: LINE }))
    expect(r).toMatchObject({ status: 'sent', attempts: 1 })
    expect(server.records).toHaveLength(0)
    expect(server.messages).toHaveLength(1)
    const msg = server.messages[0]!
    expect(msg.sender).toBe(BOT.did)
    expect(msg.members).toEqual([BOT.did, ANALYST.did])
    expect(graphemeCount(msg.text)).toBeLessThanOrEqual(1000)
    expect(msg.text.startsWith(LINE)).toBe(true)
    const dm = { text: msg.text, facets: msg.facets as RichText['facets'] }
    expect(facetText(dm, 0)).toBe('https://example.org/d/2025-07-16')
    const proxied = server.requests.filter((q) => q.nsid.startsWith('chat.'))
    expect(proxied.map((q) => [q.nsid, q.status])).toEqual([
      ['chat.bsky.convo.getConvoForMembers', 200],
      ['chat.bsky.convo.sendMessage', 200],
    ])
  })

  it('an unknown recipient is a final failure for the round, recorded', async () => {
    h = harness({ type: 'bluesky', mode: 'dm', dm_to: 'nobody.test' })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'failed', attempts: 1 })
    expect(r!.error).toContain('resolving nobody.test')
  })

  it('the server holds posts to the lexicon: 301 graphemes are refused (so the limits above are really checked)', async () => {
    const login = (await (
      await fetch(`${server.url}/xrpc/com.atproto.server.createSession`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: BOT.identifier, password: BOT.password }),
      })
    ).json()) as { accessJwt: string }
    const create = (text: string) =>
      fetch(`${server.url}/xrpc/com.atproto.repo.createRecord`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessJwt}` },
        body: JSON.stringify({
          repo: BOT.did,
          collection: 'app.bsky.feed.post',
          record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
        }),
      })
    expect((await create('字'.repeat(300))).status).toBe(200)
    const refused = await create('字'.repeat(301))
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { error: string }).error).toBe('InvalidRecord')
  })

  it('a wrong app password is reported without the password', async () => {
    h = notifyHarness({
      notify: { retry: FAST_RETRY, channels: [{ id: 'bot', type: 'bluesky' }] },
      env: { BSKY_SERVICE: server.url, BSKY_IDENTIFIER: BOT.identifier, BSKY_APP_PASSWORD: 'wrong-app-password-000' },
    })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'failed', attempts: 1 })
    expect(r!.error).toContain('Bluesky rejected the login')
    expect(h.logs.join('') + JSON.stringify(h.ctx.db.prepare('SELECT * FROM deliveries').all())).not.toContain('wrong-app-password-000')
  })
})

describe('Bluesky channel logins: only the ones Bluesky answered count', () => {
  let server: BskyServer | null = null
  let h: NotifyHarness | null = null
  const harness = (service: string, password = BOT.password) =>
    notifyHarness({
      notify: { retry: FAST_RETRY, timeout_seconds: 5, channels: [{ id: 'bot', type: 'bluesky' }] },
      env: { BSKY_SERVICE: service, BSKY_IDENTIFIER: BOT.identifier, BSKY_APP_PASSWORD: password },
    })
  const attempts = () => h!.ctx.db.prepare('SELECT ok FROM login_attempts ORDER BY rowid').pluck().all()
  afterEach(async () => {
    h?.cleanup()
    h = null
    await server?.close()
    server = null
  })

  it('an unreachable Bluesky is a retryable failure that spends no login; once it is back, the delivery is sent', async () => {
    const port = await closedLoopbackPort()
    h = harness(`http://127.0.0.1:${port}`)
    const m = sampleMessage()
    // 4 rounds of 3 tries: more than sources.bluesky.max_logins_per_day (10) would allow.
    for (let round = 0; round < 4; round++) {
      const [r] = await deliver(h.ctx, m)
      // Every try of the round was made: the failure is not permanent.
      expect(r).toMatchObject({ status: 'failed', attempts: FAST_RETRY.attempts })
      expect(r!.error).toMatch(/^Bluesky unreachable/)
      expect(r!.error).toContain('ECONNREFUSED')
    }
    expect(attempts()).toEqual([])
    server = await startBskyServer({ posts: [], accounts: [BOT], port })
    const [sent] = await deliver(h.ctx, m)
    expect(sent).toMatchObject({ status: 'sent', attempts: 1 })
    expect(server.logins).toBe(1)
    expect(attempts()).toEqual([1])
  })

  it('a login Bluesky answered counts: rejected (final for the round) or failed upstream (retried)', async () => {
    server = await startBskyServer({ posts: [], accounts: [BOT] })
    h = harness(server.url, 'wrong-app-password-000')
    const [rejected] = await deliver(h.ctx, sampleMessage())
    expect(rejected).toMatchObject({ status: 'failed', attempts: 1 })
    expect(attempts()).toEqual([0])
    h.cleanup()

    h = harness(server.url)
    server.inject({ kind: 'upstream', status: 502, nsid: 'com.atproto.server.createSession' })
    const [sent] = await deliver(h.ctx, sampleMessage())
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 })
    expect(attempts()).toEqual([0, 1])
  })
})
