import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../../src/context.js'
import { wilson } from '../../src/aggregate/wilson.js'
import { buildDigestFacts, type DigestFacts } from '../../src/digest/facts.js'
import { renderMarkdown } from '../../src/digest/markdown.js'
import { renderPlainText } from '../../src/digest/plain.js'
import { makeDigests } from '../../src/jobs/digest.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { insertAlert } from '../../src/store/alerts.js'
import { markDigestDelivered } from '../../src/store/digests.js'
import { recordGap } from '../../src/store/gaps.js'
import { parsePostRef } from '../../src/cli/post-ref.js'
import { findPost, setHumanLabel } from '../../src/store/labels.js'
import { finishCollectorRun, startCollectorRun, updateCollectorRun } from '../../src/store/runs.js'
import { tempDir, testContext } from '../helpers.js'

const ZONE = 'America/New_York'
const DAY = '2025-07-16'
const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'

interface Fixture {
  id: string
  at: string
  text: string
  label: 'concern' | 'praise' | 'neutral'
  likes?: number
  article?: boolean
}

let seq = 0
function xPage(posts: Fixture[]): unknown {
  return {
    data: posts.map((p) => ({
      id: p.id,
      text: p.article ? `${p.text} https://t.co/a${p.id.slice(-4)}` : p.text,
      author_id: `u${p.id.slice(-3)}`,
      created_at: p.at,
      lang: 'en',
      public_metrics: { like_count: p.likes ?? 1, retweet_count: 0, reply_count: 0, quote_count: 0 },
      ...(p.article ? { entities: { urls: [{ start: 0, end: 1, url: `https://t.co/a${p.id.slice(-4)}`, expanded_url: ARTICLE, unwound_url: ARTICLE }] } } : {}),
    })),
    includes: {
      users: posts.map((p) => ({ id: `u${p.id.slice(-3)}`, username: `user${p.id.slice(-3)}`, name: 'Someone', public_metrics: { followers_count: 10 } })),
    },
    meta: { result_count: posts.length },
  }
}

function post(at: string, text: string, label: Fixture['label'], extra: Partial<Fixture> = {}): Fixture {
  seq++
  return { id: String(1945000000000000000n + BigInt(seq)), at, text, label, ...extra }
}

/**
 * The fixture day, 16 July 2025 in New York (UTC−4): 10 posts. Concern 4 (one labelled by a person),
 * praise 4, neutral 2; 3 link the article; 3 are about chips (H20). The day before: 5 posts, all praise.
 * The 7 days before that: 2 posts a day, 1 concern + 1 neutral.
 */
const DAY_POSTS: Fixture[] = [
  post('2025-07-16T05:00:00.000Z', 'The state AI fund distorts the market for every private lab', 'concern', { likes: 50, article: true }),
  post('2025-07-16T06:00:00.000Z', 'Subsidised H20 chips for state darlings: market distortion, plain and simple', 'concern', { likes: 500 }),
  post('2025-07-16T12:00:00.000Z', 'Security risk: the AI fund pours money into dual-use labs', 'concern', { likes: 5 }),
  post('2025-07-16T15:00:00.000Z', 'Another AI fund, another bubble in Chinese AI start-ups', 'concern', { likes: 7 }),
  post('2025-07-16T16:00:00.000Z', 'National will: the AI fund backs 400 start-ups, impressive', 'praise', { likes: 900, article: true }),
  post('2025-07-16T17:00:00.000Z', 'H20 sales reopen and the fund pays off for Chinese AI', 'praise', { likes: 30 }),
  post('2025-07-16T18:00:00.000Z', 'Proud of the state AI fund and its vision', 'praise', { likes: 2 }),
  post('2025-07-16T19:00:00.000Z', 'The AI fund shows what national will can do', 'praise', { likes: 3 }),
  post('2025-07-16T20:00:00.000Z', 'Explainer: how the $8.5bn AI fund works', 'neutral', { likes: 40, article: true }),
  post('2025-07-17T03:59:00.000Z', 'H20 export rules and the AI fund: a timeline', 'neutral', { likes: 1 }),
]
const DAY_BEFORE: Fixture[] = Array.from({ length: 5 }, (_, i) =>
  post(`2025-07-15T1${i}:00:00.000Z`, `The AI fund is a bold national bet, part ${i}`, 'praise'),
)
const WEEK_BEFORE: Fixture[] = Array.from({ length: 7 }, (_, d) => [
  post(`2025-07-${String(8 + d).padStart(2, '0')}T14:00:00.000Z`, `Worried the AI fund crowds out private money, day ${d}`, 'concern'),
  post(`2025-07-${String(8 + d).padStart(2, '0')}T15:00:00.000Z`, `Numbers on the AI fund so far, day ${d}`, 'neutral'),
]).flat()
// Outside the day by a minute each side (the day starts 04:00Z and ends 04:00Z next day).
const EDGES: Fixture[] = [
  post('2025-07-16T03:59:00.000Z', 'The AI fund at midnight, the day before', 'praise'),
  post('2025-07-17T04:00:00.000Z', 'The AI fund, the next morning', 'praise'),
]

describe('the digest of a known day, fact by fact', () => {
  const tmp = tempDir('stancewatch-digest-facts-')
  let ctx: AppContext
  let f: DigestFacts
  const all = [...DAY_POSTS, ...DAY_BEFORE, ...WEEK_BEFORE, ...EDGES]

  beforeAll(() => {
    ctx = testContext({ now: new Date('2025-07-17T12:00:00Z') })
    ingest(ctx, [normalizePayload(xPage(all))!], { source: 'replay', query: 'fixture' })
    const setLabel = ctx.db.prepare(
      "UPDATE post_topics SET stance_label = ?, stance_source = 'model', stance_confidence = 0.9 WHERE post_id = (SELECT id FROM posts WHERE platform_id = ?)",
    )
    for (const p of all) setLabel.run(p.label, p.id)
    const humanPost = findPost(ctx.db, parsePostRef(DAY_POSTS[3]!.id))!
    setHumanLabel(ctx.db, humanPost, 'china-ai-fund', 'concern', 'alice', Date.parse('2025-07-17T10:00:00Z'))

    // The day before was delivered when it had 4 posts, 75% praise.
    ctx.db
      .prepare("INSERT INTO digests (topic_id, day, timezone, generated_at, facts, files) VALUES ('china-ai-fund', '2025-07-15', ?, 0, '{}', '[]')")
      .run(ZONE)
    markDigestDelivered(ctx.db, 'china-ai-fund', '2025-07-15', Date.parse('2025-07-16T12:00:00Z'), {
      volume: { total: 4 },
      stance: [
        { label: 'concern', share: 0.25 },
        { label: 'praise', share: 0.75 },
        { label: 'neutral', share: 0 },
      ],
    })

    insertAlert(ctx.db, {
      dedupeKey: 'volume_spike|china-ai-fund|all|fixture',
      kind: 'volume_spike',
      topicId: 'china-ai-fund',
      platform: null,
      windowStart: Date.parse('2025-07-16T15:00:00Z'),
      windowEnd: Date.parse('2025-07-16T18:00:00Z'),
      observed: 4,
      expected: 0.5,
      score: 4.9,
      context: { topTerms: [{ term: '#H20', posts: 3 }], topPosts: [{ url: 'https://x.com/a/status/1', author: '@a', text: 'a post' }] },
      firedAt: Date.parse('2025-07-16T18:00:00Z'),
    })
    const run = startCollectorRun(ctx.db, 'x', ['q'], Date.parse('2025-07-16T12:00:00Z'))
    updateCollectorRun(ctx.db, run, {
      queries: ['q'],
      pages: 2,
      fetched: 12,
      newPosts: 10,
      duplicates: 2,
      offTopic: 0,
      skipped: 1,
      ignored: 0,
      deletions: 0,
      rateLimitWaits: 1,
      rateLimitWaitMs: 900_000,
      retries: 0,
      reads: 12,
      estCostUsd: 0.06,
      skipReasons: {},
      errors: [],
    })
    finishCollectorRun(ctx.db, run, 'ok', null, Date.parse('2025-07-16T12:05:00Z'))
    recordGap(
      ctx.db,
      { source: 'x', startAt: Date.parse('2025-07-16T08:00:00Z'), endAt: Date.parse('2025-07-16T09:00:00Z'), reason: 'rate limited' },
      Date.parse('2025-07-16T09:00:00Z'),
    )

    f = buildDigestFacts(ctx.db, ctx.config.topics[0]!, DAY, ZONE, ctx.now(), 3)
  })
  afterAll(() => {
    ctx.db.close()
    tmp.cleanup()
  })

  const label = (id: string) => f.stance.find((l) => l.label === id)!

  it('covers exactly the day in its zone, named', () => {
    expect(f.timezone).toBe(ZONE)
    expect(f.from).toBe('2025-07-16T00:00:00.000-04:00')
    expect(f.to).toBe('2025-07-17T00:00:00.000-04:00')
    expect(f.volume.total).toBe(10)
    expect(f.volume.byPlatform).toEqual({ x: 10 })
    expect(f.volume.byLanguage).toEqual({ en: 10 })
  })

  it('compares volume with the day before and the 7-day average', () => {
    // The day before has its 5 posts plus the one a minute before midnight.
    expect(f.volume.previousDay).toBe(6)
    expect(f.volume.sevenDayAverage).toBeCloseTo((6 + 6 * 2) / 7, 6)
  })

  it('gives each stance its count, share, 95% interval, human labels and changes', () => {
    expect(label('concern')).toMatchObject({ count: 4, share: 0.4, human: 1 })
    expect(label('praise')).toMatchObject({ count: 4, share: 0.4, human: 0 })
    expect(label('neutral')).toMatchObject({ count: 2, share: 0.2 })
    const ci = wilson(4, 10)
    expect(label('concern').ci95[0]).toBeCloseTo(ci.low, 9)
    expect(label('concern').ci95[1]).toBeCloseTo(ci.high, 9)
    // Praise was 6 of 6 the day before: −60 points, beyond chance even at these counts.
    expect(label('praise').previousDayShare).toBe(1)
    expect(label('praise').vsPreviousDay!.points).toBeCloseTo(-60, 6)
    expect(label('praise').vsPreviousDay!.significant).toBe(true)
    // Concern 40% against 7 of 18 (39%) over the 7 days before: no real change.
    expect(label('concern').sevenDayShare).toBeCloseTo(6 / 18, 9)
    expect(label('concern').vsSevenDays!.significant).toBe(false)
  })

  it('lists the most engaged posts per stance, human labels marked', () => {
    const concern = f.topPosts.find((g) => g.label === 'concern')!.posts
    expect(concern.map((p) => p.likes)).toEqual([500, 50, 7])
    expect(concern.find((p) => p.likes === 7)!.human).toBe(true)
    expect(f.topPosts.find((g) => g.label === 'praise')!.posts[0]!.likes).toBe(900)
    expect(concern[0]!.url).toMatch(/^https:\/\/x\.com\/user\d+\/status\/\d+$/)
  })

  it('counts the posts linking the article', () => {
    expect(f.article).toEqual({ posts: 3, share: 0.3 })
  })

  it('says which themes rose against the week before', () => {
    const chips = f.themes.find((t) => t.id === 'chips')!
    expect(chips.posts).toBe(3)
    expect(chips.share).toBeCloseTo(0.3, 9)
    expect(chips.sevenDayShare).toBe(0)
    expect(chips.change!.points).toBeCloseTo(30, 6)
  })

  it('includes the alerts of the day with their context', () => {
    expect(f.alerts).toHaveLength(1)
    expect(f.alerts[0]).toMatchObject({ kind: 'volume_spike', observed: 4, topTerms: ['#H20'] })
    expect(f.alerts[0]!.windowStart).toBe('2025-07-16T11:00:00.000-04:00')
  })

  it('tells how later data changed a day already delivered', () => {
    expect(f.revisions).toHaveLength(1)
    expect(f.revisions[0]).toMatchObject({ day: '2025-07-15', was: { total: 4 }, now: { total: 6 } })
    expect(f.revisions[0]!.now.shares.praise).toBe(1)
    expect(renderMarkdown(f)).toContain(
      'The digest of 15 July said 4 posts; with later data it is 6 (+2); Concern (market distortion / security) 25% → 0%; Praise (national will / state leadership) 75% → 100%.',
    )
  })

  it('ends with collection health: runs, waits, reads, cost, gaps, model', () => {
    expect(f.health.runs).toEqual([{ source: 'x', status: 'ok', fetched: 12, newPosts: 10, skipped: 1, rateLimitWaits: 1, reads: 12, estCostUsd: 0.06 }])
    expect(f.health.gaps).toEqual([{ source: 'x', start: '2025-07-16T08:00:00.000Z', end: '2025-07-16T09:00:00.000Z', reason: 'rate limited' }])
    const text = renderPlainText(f)
    expect(text).toContain('x: 1 runs (0 not complete), 12 posts fetched, 10 new, 1 skipped, 1 rate-limit waits, 12 API reads ≈ $0.06')
    expect(text).toContain('Coverage gaps: x 2025-07-16T08:00:00.000Z–2025-07-16T09:00:00.000Z (rate limited)')
  })

  it('a day with no posts says so in every format', () => {
    const [empty] = makeDigests(ctx, { date: '2025-06-01', outDir: tmp.dir })
    expect(empty!.empty).toBe(true)
    for (const file of empty!.files) expect(readFileSync(file, 'utf8')).toMatch(/No posts about this topic were collected on this day|"empty": true/)
  })
})
