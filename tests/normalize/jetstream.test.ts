import { describe, expect, it } from 'vitest'
import type { Post } from '../../src/domain/post.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { normalizeJetstreamEvent, type JetstreamResult } from '../../src/normalize/jetstream.js'
import { MAX_TEXT_CHARS } from '../../src/normalize/limits.js'
import { ARTICLE, hasLoneSurrogate, jetstreamEvent } from './fixtures.js'

const CLAIRE = 'did:plc:nlitlnjuxkjxhfyrof5qyjly'
const MEI = 'did:plc:vxsimkhzs2bmfxcnrf4izhea'
const POST_URI = `at://${CLAIRE}/app.bsky.feed.post/3lu42eduik42b`
const ROOT_URI = `at://${MEI}/app.bsky.feed.post/3lu3izzjkv22b`

function asPost(r: JetstreamResult): Post & { operation: string; timeUs: number } {
  if (r.type !== 'post') throw new Error(`expected a post, got ${r.type}`)
  return { ...r.post, operation: r.operation, timeUs: r.timeUs }
}

/** A post create event for edge cases. */
function createEvent(record: Record<string, unknown> | undefined, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    did: MEI,
    time_us: 1752696000000000, // 2025-07-16T20:00:00.000Z
    kind: 'commit',
    commit: {
      rev: '3lu46aaaaaa2b',
      operation: 'create',
      collection: 'app.bsky.feed.post',
      rkey: '3lu46aaaqqq2b',
      cid: 'bafyreifeelt4anut46gzdrrafm42zglpvufin4lwiggick3aemitayw2g4',
      ...(record ? { record: { $type: 'app.bsky.feed.post', createdAt: '2025-07-16T19:59:59.000Z', ...record } } : {}),
    },
    ...over,
  }
}

describe('normalizeJetstreamEvent', () => {
  it('maps a post create field by field: DID-only author, no metrics, links from the record facets', () => {
    const ev = jetstreamEvent('create')
    const r = normalizeJetstreamEvent(ev)
    expect(r).toEqual<JetstreamResult>({
      type: 'post',
      operation: 'create',
      timeUs: 1752690600412318,
      post: {
        platform: 'bluesky',
        platformId: POST_URI,
        url: `https://bsky.app/profile/${CLAIRE}/post/3lu42eduik42b`,
        author: { id: CLAIRE, handle: null, name: null, followers: null },
        text: "Réponse à @meilin.bsky.social : le fonds d'État chinois n'est pas une bonne idée 👉 nytimes.com/2025/07/16/tech... #ChinaAI",
        lang: 'fr',
        createdAt: '2025-07-16T18:29:59.871Z',
        createdAtSource: 'claimed',
        replyTo: ROOT_URI,
        quoteOf: null,
        conversationId: ROOT_URI,
        metrics: null,
        links: [`${ARTICLE}?smid=url-share`],
        hashtags: ['ChinaAI'],
        mentions: [MEI],
        raw: ev,
      },
    })
  })

  it('maps an update to the same post id, with the edited text and operation "update"', () => {
    const p = asPost(normalizeJetstreamEvent(jetstreamEvent('update')))
    expect(p.operation).toBe('update')
    expect(p.platformId).toBe(POST_URI)
    expect(p.text).toContain('une bonne idée (édité)')
    expect(p.createdAt).toBe('2025-07-16T18:29:59.871Z')
    expect(p.timeUs).toBe(1752691272003077)
  })

  it('turns a post delete into a deletion timed by time_us', () => {
    expect(normalizeJetstreamEvent(jetstreamEvent('delete'))).toEqual<JetstreamResult>({
      type: 'delete',
      deletion: { platform: 'bluesky', platformId: POST_URI, deletedAt: '2025-07-16T19:02:44.950Z' },
      timeUs: 1752692564950005,
    })
  })

  it.each([
    ['identity', 1752692700000900],
    ['account', 1752692770500042],
    ['like', 1752692853010611],
    ['deleteFollow', 1752692565100000],
  ])('ignores a %s event but still reports its time_us', (name, timeUs) => {
    expect(normalizeJetstreamEvent(jetstreamEvent(name))).toEqual({ type: 'ignored', timeUs })
  })

  it('skips a post commit without rkey, with a reason', () => {
    expect(normalizeJetstreamEvent(jetstreamEvent('commitMissingRkey'))).toEqual({
      type: 'skipped',
      skipped: { reason: 'jetstream: commit without did, rkey or time_us', id: null },
      timeUs: 1752692880000001,
    })
  })

  it('skips a post create without a record, naming the post', () => {
    expect(normalizeJetstreamEvent(jetstreamEvent('createWithoutRecord'))).toEqual({
      type: 'skipped',
      skipped: { reason: 'jetstream: post record without text', id: `at://did:plc:rw4qvji77mplsnmdjhv2nb2m/app.bsky.feed.post/3lu44ob3ryc2b` },
      timeUs: 1752692940000002,
    })
  })

  it('replaces a forged createdAt with the time Jetstream saw the post, and reads a record quote', () => {
    const p = asPost(normalizeJetstreamEvent(jetstreamEvent('createForgedTime')))
    expect(p.createdAt).toBe('2025-07-16T19:30:00.250Z')
    expect(p.createdAtSource).toBe('indexed')
    expect(p.quoteOf).toBe('at://did:plc:nlitlnjuxkjxhfyrof5qyjly/app.bsky.feed.post/3lu3kymai6m2b')
    expect(p.text).toBe('中国のAIファンドについて。𠮷野家より安い？')
    expect(p.conversationId).toBe(p.platformId)
  })

  it.each<[string, string, 'claimed' | 'indexed']>([
    ['a claim within 5 min after time_us (clock skew)', '2025-07-16T20:04:59.000Z', 'claimed'],
    ['a claim more than 5 min after time_us', '2025-07-16T20:05:01.000Z', 'indexed'],
    ['a claim in 2031', '2031-01-01T00:00:00.000Z', 'indexed'],
    ['a claim before February 2023', '2023-01-31T23:59:59.000Z', 'indexed'],
  ])('believes createdAt only when plausible: %s', (_name, createdAt, source) => {
    const p = asPost(normalizeJetstreamEvent(createEvent({ text: 'hi', createdAt })))
    expect(p.createdAtSource).toBe(source)
    expect(p.createdAt).toBe(source === 'claimed' ? createdAt : '2025-07-16T20:00:00.000Z')
  })

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['a string', '1752696000000000'],
    ['zero', 0],
    ['negative', -5],
    ['fractional', 1752696000000000.5],
    ['beyond safe integers', 2 ** 60],
  ])('skips a post commit whose time_us is %s', (_name, time_us) => {
    const r = normalizeJetstreamEvent(createEvent({ text: 'hi' }, { time_us }))
    expect(r).toEqual({ type: 'skipped', skipped: { reason: 'jetstream: commit without did, rkey or time_us', id: null }, timeUs: null })
  })

  it('skips a post commit without did', () => {
    expect(normalizeJetstreamEvent(createEvent({ text: 'hi' }, { did: '' })).type).toBe('skipped')
  })

  it('ignores an unknown operation on a post', () => {
    const ev = createEvent({ text: 'hi' })
    ;(ev.commit as Record<string, unknown>).operation = 'resync'
    expect(normalizeJetstreamEvent(ev)).toEqual({ type: 'ignored', timeUs: 1752696000000000 })
  })

  it('tolerates the extra `cursor` field Jetstream v2 adds to v1 messages', () => {
    const ev = { ...jetstreamEvent('create'), cursor: 98765432 }
    expect(normalizeJetstreamEvent(ev).type).toBe('post')
  })

  it('caps 100,000 characters of emoji text without splitting a surrogate pair', () => {
    const text = 'x' + '😀'.repeat(50_000)
    const p = asPost(normalizeJetstreamEvent(createEvent({ text })))
    expect(p.text.length).toBe(MAX_TEXT_CHARS - 1)
    expect(hasLoneSurrogate(p.text)).toBe(false)
  })
})

describe('normalizePayload on Jetstream events', () => {
  it('puts a create in posts and reports the stream cursor', () => {
    const n = normalizePayload(jetstreamEvent('create'))!
    expect(n.kind).toBe('jetstream')
    expect(n.posts.map((p) => p.platformId)).toEqual([POST_URI])
    expect(n).toMatchObject({ deletions: [], skipped: [], ignored: 0, streamTimeUs: 1752690600412318 })
  })

  it('puts a delete in deletions', () => {
    const n = normalizePayload(jetstreamEvent('delete'))!
    expect(n).toMatchObject({ posts: [], skipped: [], ignored: 0, streamTimeUs: 1752692564950005 })
    expect(n.deletions).toEqual([{ platform: 'bluesky', platformId: POST_URI, deletedAt: '2025-07-16T19:02:44.950Z' }])
  })

  it.each(['identity', 'account', 'like', 'deleteFollow'])('counts a %s event as ignored', (name) => {
    expect(normalizePayload(jetstreamEvent(name))).toMatchObject({ posts: [], deletions: [], skipped: [], ignored: 1 })
  })

  it.each(['commitMissingRkey', 'createWithoutRecord'])('counts %s as one skip with a reason, never throwing', (name) => {
    const n = normalizePayload(jetstreamEvent(name))!
    expect(n.posts).toEqual([])
    expect(n.skipped).toHaveLength(1)
    expect(n.skipped[0]!.reason).toMatch(/^jetstream: /)
  })
})
