import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stanceOverTime, type StanceBucket } from '../../src/aggregate/stance-over-time.js'
import { wilson } from '../../src/aggregate/wilson.js'
import type { TopicConfig } from '../../src/config/schema.js'
import { closeContext, type AppContext } from '../../src/context.js'
import type { Platform } from '../../src/domain/post.js'
import { UNCERTAIN, UNCLASSIFIED } from '../../src/domain/stance.js'
import { saveClassifications } from '../../src/store/classifications.js'
import { savePage } from '../../src/store/posts.js'
import { saveStubModel, testContext } from '../helpers.js'
import { makePost } from '../post.js'

const NY = 'America/New_York'
const at = (iso: string) => Date.parse(iso)

let ctx: AppContext
let topic: TopicConfig
let modelId: number

interface Spec {
  id: string
  platform: Platform
  lang: string
  createdAt: string
  /** Model label, `human:<label>` for a person's label, or null for not classified. */
  label: string | null
  deleted?: boolean
  topicId?: string
}

function store(specs: Spec[]) {
  const postId = (s: Spec) => ctx.db.prepare('SELECT id FROM posts WHERE platform = ? AND platform_id = ?').pluck().get(s.platform, s.id) as number
  for (const s of specs) {
    const post = makePost({ platform: s.platform, platformId: s.id, text: `post ${s.id}`, lang: s.lang, createdAt: s.createdAt })
    savePage(ctx.db, {
      items: [{ post, langDetected: s.lang, links: [], matches: [{ topicId: s.topicId ?? topic.id, rules: ['test'] }] }],
      deletions: s.deleted ? [{ platform: s.platform, platformId: s.id, deletedAt: '2025-07-18T00:00:00Z' }] : [],
      source: 'test',
      query: null,
      observedAt: at('2025-07-18T00:00:00Z'),
    })
    const tid = s.topicId ?? topic.id
    if (s.label?.startsWith('human:')) {
      ctx.db
        .prepare("UPDATE post_topics SET stance_label = ?, stance_source = 'human', stance_confidence = NULL WHERE topic_id = ? AND post_id = ?")
        .run(s.label.slice(6), tid, postId(s))
    } else if (s.label) {
      saveClassifications(
        ctx.db,
        tid,
        modelId,
        [{ postId: postId(s), createdAt: createdAtOf(postId(s)), label: s.label, confidence: 0.9, scores: {} }],
        at('2025-07-18T00:00:00Z'),
      )
    }
  }
}

beforeEach(() => {
  ctx = testContext()
  topic = ctx.config.topics[0]!
  modelId = saveStubModel(ctx.db, topic.id)
})
afterEach(() => closeContext(ctx))

function label(b: StanceBucket, l: string) {
  return b.labels.find((x) => x.label === l)!
}

/** {label: count} for the labels with a non-zero count. */
function counts(b: StanceBucket): Record<string, number> {
  return Object.fromEntries(b.labels.filter((l) => l.count > 0).map((l) => [l.label, l.count]))
}

// Two New York days, 2025-07-15 and 2025-07-16 (EDT, UTC-4).
const FROM = at('2025-07-15T04:00:00Z')
const TO = at('2025-07-17T04:00:00Z')

const SPECS: Spec[] = [
  // 15 July
  { id: 'x1', platform: 'x', lang: 'en', createdAt: '2025-07-15T14:00:00Z', label: 'concern' },
  { id: 'x2', platform: 'x', lang: 'en', createdAt: '2025-07-15T15:00:00Z', label: 'human:concern' },
  { id: 'b1', platform: 'bluesky', lang: 'zh', createdAt: '2025-07-15T16:00:00Z', label: 'praise' },
  { id: 'x3', platform: 'x', lang: 'en', createdAt: '2025-07-15T17:00:00Z', label: null },
  { id: 'x4', platform: 'x', lang: 'en', createdAt: '2025-07-15T18:00:00Z', label: 'concern', deleted: true },
  // 16 July; b2 is 23:30 local time, still the 16th.
  { id: 'x5', platform: 'x', lang: 'en', createdAt: '2025-07-16T13:00:00Z', label: UNCERTAIN },
  { id: 'b2', platform: 'bluesky', lang: 'fr', createdAt: '2025-07-17T03:30:00Z', label: 'neutral' },
  // Outside the range: 00:30 on the 17th and 23:59 on the 14th, local time.
  { id: 'b3', platform: 'bluesky', lang: 'en', createdAt: '2025-07-17T04:30:00Z', label: 'praise' },
  { id: 'x6', platform: 'x', lang: 'en', createdAt: '2025-07-15T03:59:00Z', label: 'praise' },
  // Another topic.
  { id: 'x7', platform: 'x', lang: 'en', createdAt: '2025-07-15T14:00:00Z', label: 'praise', topicId: 'other-topic' },
]

/** A stored post's creation time: part of its post_topics key. */
function createdAtOf(postId: number): number {
  return ctx.db.prepare('SELECT created_at FROM posts WHERE id = ?').pluck().get(postId) as number
}

describe('stanceOverTime', () => {
  it('counts, shares, intervals and human counts per local day', () => {
    store(SPECS)
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY })
    expect(s).toMatchObject({ topic: 'china-ai-fund', timezone: NY, bucket: 'day', split: null, filters: { platform: null, lang: null } })
    expect(s.labels).toEqual(['concern', 'praise', 'neutral', UNCERTAIN, UNCLASSIFIED])
    expect(s.from).toBe('2025-07-15T00:00:00.000-04:00')
    expect(s.to).toBe('2025-07-17T00:00:00.000-04:00')
    expect(s.buckets.map((b) => [b.start, b.end, b.group])).toEqual([
      ['2025-07-15T00:00:00.000-04:00', '2025-07-16T00:00:00.000-04:00', null],
      ['2025-07-16T00:00:00.000-04:00', '2025-07-17T00:00:00.000-04:00', null],
    ])

    const [d15, d16] = s.buckets as [StanceBucket, StanceBucket]
    expect(d15.total).toBe(4)
    expect(counts(d15)).toEqual({ concern: 2, praise: 1, [UNCLASSIFIED]: 1 })
    expect(label(d15, 'concern')).toEqual({ label: 'concern', count: 2, human: 1, share: 0.5, ci95: [wilson(2, 4).low, wilson(2, 4).high] })
    expect(label(d15, 'praise')).toMatchObject({ count: 1, human: 0, share: 0.25 })
    expect(label(d15, UNCLASSIFIED)).toMatchObject({ count: 1, human: 0, share: 0.25 })
    expect(label(d15, 'neutral')).toEqual({ label: 'neutral', count: 0, human: 0, share: 0, ci95: [0, wilson(0, 4).high] })

    expect(d16.total).toBe(2)
    expect(counts(d16)).toEqual({ [UNCERTAIN]: 1, neutral: 1 })
    expect(label(d16, UNCERTAIN).share).toBe(0.5)

    expect(s.totals).toMatchObject({ start: '2025-07-15T00:00:00.000-04:00', end: '2025-07-17T00:00:00.000-04:00', group: null, total: 6 })
    expect(counts(s.totals)).toEqual({ concern: 2, praise: 1, neutral: 1, [UNCERTAIN]: 1, [UNCLASSIFIED]: 1 })
    expect(label(s.totals, 'concern').human).toBe(1)
    // Shares in every bucket add up to 1.
    for (const b of [...s.buckets, s.totals]) expect(b.labels.reduce((sum, l) => sum + l.share, 0)).toBeCloseTo(1, 12)
  })

  it('a deleted post is left out, and brought back nowhere', () => {
    store(SPECS.filter((x) => x.id === 'x4'))
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY })
    expect(s.totals.total).toBe(0)
    expect(s.buckets.every((b) => b.total === 0 && b.labels.every((l) => l.share === 0 && l.ci95[0] === 0 && l.ci95[1] === 1))).toBe(true)
  })

  it('splits by platform: every bucket has every platform seen, sorted', () => {
    store(SPECS)
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, split: 'platform' })
    expect(s.split).toBe('platform')
    expect(s.buckets.map((b) => [b.start.slice(0, 10), b.group, b.total, counts(b)])).toEqual([
      ['2025-07-15', 'bluesky', 1, { praise: 1 }],
      ['2025-07-15', 'x', 3, { concern: 2, [UNCLASSIFIED]: 1 }],
      ['2025-07-16', 'bluesky', 1, { neutral: 1 }],
      ['2025-07-16', 'x', 1, { [UNCERTAIN]: 1 }],
    ])
    expect(s.totals.total).toBe(6)
  })

  it('splits by language', () => {
    store(SPECS)
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, split: 'lang' })
    expect(s.buckets.filter((b) => b.total > 0).map((b) => [b.start.slice(0, 10), b.group, b.total])).toEqual([
      ['2025-07-15', 'en', 3],
      ['2025-07-15', 'zh', 1],
      ['2025-07-16', 'en', 1],
      ['2025-07-16', 'fr', 1],
    ])
  })

  it('filters by platform and by language', () => {
    store(SPECS)
    const bsky = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, platform: 'bluesky' })
    expect(bsky.filters).toEqual({ platform: 'bluesky', lang: null, theme: null })
    expect(bsky.buckets.map((b) => b.total)).toEqual([1, 1])
    expect(counts(bsky.totals)).toEqual({ praise: 1, neutral: 1 })

    const zh = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, lang: 'zh' })
    expect(counts(zh.totals)).toEqual({ praise: 1 })
  })

  it('a human label survives a later model run and is counted as human', () => {
    store(SPECS.filter((x) => x.id === 'x2'))
    const postId = ctx.db.prepare("SELECT id FROM posts WHERE platform_id = 'x2'").pluck().get() as number
    saveClassifications(ctx.db, topic.id, modelId, [{ postId, createdAt: createdAtOf(postId), label: 'praise', confidence: 0.99, scores: {} }], 1)
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY })
    expect(counts(s.totals)).toEqual({ concern: 1 })
    expect(label(s.totals, 'concern').human).toBe(1)
  })

  it('hour buckets keep the repeated 01:00 hour of a fall-back night apart', () => {
    store([
      { id: 'e', platform: 'x', lang: 'en', createdAt: '2025-11-02T05:30:00Z', label: 'concern' }, // 01:30 EDT
      { id: 'f', platform: 'x', lang: 'en', createdAt: '2025-11-02T06:30:00Z', label: 'praise' }, // 01:30 EST
      { id: 'g', platform: 'x', lang: 'en', createdAt: '2025-11-02T06:45:00Z', label: 'praise' }, // 01:45 EST
    ])
    const s = stanceOverTime(ctx.db, { topic, from: at('2025-11-02T04:00:00Z'), to: at('2025-11-02T08:00:00Z'), bucket: 'hour', zone: NY })
    expect(s.buckets.map((b) => [b.start, b.total])).toEqual([
      ['2025-11-02T00:00:00.000-04:00', 0],
      ['2025-11-02T01:00:00.000-04:00', 1],
      ['2025-11-02T01:00:00.000-05:00', 2],
      ['2025-11-02T02:00:00.000-05:00', 0],
    ])
  })

  it('a day bucket on the 23-hour spring-forward day holds that whole local day', () => {
    store([
      { id: 'h', platform: 'x', lang: 'en', createdAt: '2025-03-09T05:00:00Z', label: 'concern' }, // 00:00 EST, 9 March
      { id: 'i', platform: 'x', lang: 'en', createdAt: '2025-03-10T03:59:00Z', label: 'concern' }, // 23:59 EDT, 9 March
      { id: 'j', platform: 'x', lang: 'en', createdAt: '2025-03-10T04:00:00Z', label: 'concern' }, // 00:00 EDT, 10 March
    ])
    const s = stanceOverTime(ctx.db, { topic, from: at('2025-03-09T05:00:00Z'), to: at('2025-03-11T04:00:00Z'), bucket: 'day', zone: NY })
    expect(s.buckets.map((b) => [b.start.slice(0, 10), b.total])).toEqual([
      ['2025-03-09', 2],
      ['2025-03-10', 1],
    ])
  })

  it('an empty range has zero totals and the full interval', () => {
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY })
    expect(s.buckets).toHaveLength(2)
    expect(s.totals.total).toBe(0)
    expect(label(s.totals, 'concern')).toEqual({ label: 'concern', count: 0, human: 0, share: 0, ci95: [0, 1] })
  })
})
