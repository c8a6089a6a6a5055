import { describe, expect, it } from 'vitest'
import { detectPayloadKind, normalizePayload, type Normalized, type PayloadKind } from '../../src/normalize/index.js'
import { jetstreamEvent, loadJson, loadPayload } from './fixtures.js'
import { seededRandom } from '../../tools/synthetic/random.js'

const xPage = loadPayload('x-search-recent.json')
const bskyOutput = loadPayload('bluesky-search-posts.json')
const onePostView = (loadJson('bluesky-search-posts.json').posts as unknown[])[0]

describe('detectPayloadKind', () => {
  it.each<[string, unknown, PayloadKind]>([
    ['an X recent-search page', xPage, 'x-page'],
    ['an X single-tweet lookup', { data: { id: '1945469007035965590', text: 'hi' } }, 'x-page'],
    ['an empty X search page (meta only)', { meta: { result_count: 0 } }, 'x-page'],
    ['a Bluesky searchPosts output', bskyOutput, 'bluesky-posts'],
    ['an empty Bluesky output', { posts: [] }, 'bluesky-posts'],
    ['a single PostView', onePostView, 'bluesky-postview'],
    ['a Jetstream commit', jetstreamEvent('create'), 'jetstream'],
    ['a Jetstream identity event', jetstreamEvent('identity'), 'jetstream'],
    ['a Jetstream account event', jetstreamEvent('account'), 'jetstream'],
  ])('recognises %s', (_name, payload, kind) => {
    expect(detectPayloadKind(payload)).toBe(kind)
  })

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string of JSON', JSON.stringify({ data: [] })],
    ['an array', []],
    ['an array of pages', [xPage]],
    ['an empty object', {}],
    ['an X error body', { errors: [{ message: 'Rate limit exceeded' }], title: 'Too Many Requests', type: 'about:blank', status: 429 }],
    ['a Bluesky thread', { thread: { $type: 'app.bsky.feed.defs#threadViewPost', post: onePostView } }],
    ['a Jetstream event with a string time_us', { time_us: '1752690600412318', kind: 'commit' }],
    ['posts that is not an array', { posts: 'none' }],
    ['data that is a string', { data: 'x' }],
  ])('returns null for %s', (_name, payload) => {
    expect(detectPayloadKind(payload)).toBeNull()
    expect(normalizePayload(payload)).toBeNull()
  })
})

describe('normalizePayload on objects with the right keys and wrong types', () => {
  it.each<[string, unknown, Partial<Normalized>]>([
    ['X data of non-objects', { data: [null, 1, 'x', []] }, { posts: [], skipped: Array(4).fill({ reason: 'x: item is not an object', id: null }) }],
    ['X data object with a numeric id', { data: { id: 5, text: 't' } }, { posts: [], skipped: [{ reason: 'x: tweet without a valid id', id: null }] }],
    ['X data null with meta', { data: null, meta: {} }, { posts: [], skipped: [] }],
    ['X includes of the wrong type', { data: [], includes: 'users', meta: 7 }, { posts: [], skipped: [] }],
    [
      'Bluesky posts of non-objects',
      { posts: [null, 1, 'x'] },
      { posts: [], skipped: Array(3).fill({ reason: 'bluesky: post view is not an object', id: null }) },
    ],
    [
      'a PostView with null author and record',
      { uri: 'at://did:plc:x/app.bsky.feed.post/1', author: null, record: null },
      { posts: [], skipped: [{ reason: 'bluesky: author missing or not the URI owner', id: 'at://did:plc:x/app.bsky.feed.post/1' }] },
    ],
    ['a Jetstream commit without commit', { time_us: 1, kind: 'commit' }, { posts: [], ignored: 1, streamTimeUs: 1 }],
    ['a Jetstream commit that is a string', { time_us: 1, kind: 'commit', commit: 'x', did: 'did:plc:x' }, { posts: [], ignored: 1 }],
  ])('handles %s without throwing', (_name, payload, expected) => {
    expect(normalizePayload(payload)).toMatchObject(expected)
  })
})

// ---- Property-style: garbage in, a well-formed result (or null) out, never an exception. ----

const rng = seededRandom

const KEYS = [
  'data',
  'includes',
  'meta',
  'users',
  'tweets',
  'id',
  'text',
  'author_id',
  'created_at',
  'entities',
  'urls',
  'url',
  'expanded_url',
  'unwound_url',
  'hashtags',
  'tag',
  'mentions',
  'username',
  'referenced_tweets',
  'type',
  'note_tweet',
  'public_metrics',
  'like_count',
  'followers_count',
  'lang',
  'conversation_id',
  'posts',
  'uri',
  'cid',
  'author',
  'did',
  'handle',
  'displayName',
  'record',
  'embed',
  'external',
  'media',
  'facets',
  'features',
  '$type',
  'index',
  'langs',
  'tags',
  'reply',
  'parent',
  'root',
  'indexedAt',
  'createdAt',
  'likeCount',
  'time_us',
  'kind',
  'commit',
  'operation',
  'collection',
  'rkey',
  'identity',
  'account',
  '__proto__',
  'constructor',
  'toString',
]
const ATOMS: unknown[] = [
  null,
  undefined,
  true,
  false,
  0,
  -0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53 + 2,
  1e308,
  1752690600412318,
  '',
  ' ',
  'x',
  '😀',
  '\uD800',
  '𠮷'.repeat(3),
  '&amp;lt;',
  '1945469007035965590',
  '99999999999999999999',
  '20',
  'did:plc:vxsimkhzs2bmfxcnrf4izhea',
  'at://did:plc:vxsimkhzs2bmfxcnrf4izhea/app.bsky.feed.post/3lu3izzjkv22b',
  'at://did:plc:vxsimkhzs2bmfxcnrf4izhea/app.bsky.feed.like/3lu3izzjkv22b',
  '2025-07-16T13:20:00.412Z',
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '2025-13-45T99:99',
  'app.bsky.feed.post',
  'app.bsky.embed.external',
  'app.bsky.embed.record',
  'app.bsky.embed.recordWithMedia',
  'app.bsky.embed.external#view',
  'app.bsky.richtext.facet#link',
  'app.bsky.richtext.facet#tag',
  'retweeted',
  'replied_to',
  'quoted',
  'commit',
  'identity',
  'create',
  'update',
  'delete',
  'https://www.nytimes.com/x',
  'und',
]

function randomValue(r: () => number, depth: number): unknown {
  const roll = r()
  if (depth <= 0 || roll < 0.45) return ATOMS[Math.floor(r() * ATOMS.length)]
  if (roll < 0.65) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth - 1))
  const o: Record<string, unknown> = {}
  for (let i = Math.floor(r() * 6); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]!] = randomValue(r, depth - 1)
  return o
}

/** What every caller may rely on, whatever the input. */
function expectWellFormed(n: Normalized | null): void {
  if (n === null) return
  expect(['x-page', 'bluesky-posts', 'bluesky-postview', 'jetstream']).toContain(n.kind)
  expect(Number.isInteger(n.ignored) && n.ignored >= 0).toBe(true)
  for (const s of n.skipped) {
    expect(typeof s.reason).toBe('string')
    expect(s.id === null || typeof s.id === 'string').toBe(true)
  }
  for (const d of n.deletions) expect(new Date(d.deletedAt).toISOString()).toBe(d.deletedAt)
  for (const p of n.posts) {
    expect(['x', 'bluesky']).toContain(p.platform)
    for (const v of [p.platformId, p.url, p.text, p.author.id]) expect(typeof v).toBe('string')
    expect(p.platformId.length).toBeGreaterThan(0)
    expect(new Date(p.createdAt).toISOString()).toBe(p.createdAt)
    expect(['platform', 'claimed', 'indexed', 'id']).toContain(p.createdAtSource)
    for (const list of [p.links, p.hashtags, p.mentions]) expect(list.every((v) => typeof v === 'string' && v.length > 0)).toBe(true)
    if (p.metrics) for (const c of Object.values(p.metrics)) expect(Number.isInteger(c) && c >= 0).toBe(true)
  }
}

function mutate(value: unknown, r: () => number): unknown {
  const copy = structuredClone(value)
  // Collect every container and key, then replace or delete one of them.
  const slots: [Record<string, unknown> | unknown[], string | number][] = []
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (slots.push([v, i]), walk(x)))
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        slots.push([v as Record<string, unknown>, k])
        walk(x)
      }
  }
  walk(copy)
  for (let n = 1 + Math.floor(r() * 3); n > 0 && slots.length; n--) {
    const [holder, key] = slots[Math.floor(r() * slots.length)]!
    if (r() < 0.25 && !Array.isArray(holder)) delete holder[key as string]
    else (holder as Record<string | number, unknown>)[key] = randomValue(r, 2)
  }
  return copy
}

describe('normalizePayload never throws on garbage', () => {
  it('accepts 3,000 random shapes built from real field names and hostile values', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const payload = randomValue(rng(seed), 5)
      let n: Normalized | null = null
      expect(() => (n = normalizePayload(payload)), `seed ${seed}`).not.toThrow()
      expectWellFormed(n)
    }
  })

  it.each<[string, unknown]>([
    ['the X page', xPage],
    ['the Bluesky output', bskyOutput],
    ['the Jetstream create', jetstreamEvent('create')],
    ['the Jetstream quote create', jetstreamEvent('createForgedTime')],
    ['the Jetstream delete', jetstreamEvent('delete')],
  ])('accepts 400 random corruptions of %s', (_name, fixture) => {
    for (let seed = 1; seed <= 400; seed++) {
      const payload = mutate(fixture, rng(seed))
      let n: Normalized | null = null
      expect(() => (n = normalizePayload(payload)), `seed ${seed}`).not.toThrow()
      expectWellFormed(n)
    }
  })
})
