import { describe, expect, it } from 'vitest'
import type { StoredAlertContext } from '../../src/alerts/context.js'
import { alertMessage, type AlertForMessage } from '../../src/alerts/message.js'

const HOSTILE = '<script>alert(1)</script> *bold* _x_ [click](javascript:alert(1)) <@U123> @everyone & &amp; `code` \u202Eevil'

function context(over: Partial<StoredAlertContext> = {}): StoredAlertContext {
  return {
    posts: 240,
    topPosts: [
      {
        url: 'https://x.com/a/status/1',
        platform: 'x',
        author: '@a',
        text: HOSTILE,
        engagement: 1534,
        likes: 1204,
        reposts: 310,
        replies: 20,
        quotes: 0,
        label: 'praise',
        human: true,
      },
      { url: 'https://bsky.app/profile/b.bsky.social/post/2', platform: 'bluesky', author: '@b', text: 'second', engagement: 3, label: null, human: false },
    ],
    stanceMix: { praise: 108, concern: 60, neutral: 48, uncertain: 24 },
    humanLabels: 5,
    languages: { en: 120, zh: 100, ja: 20 },
    platforms: { x: 150, bluesky: 90 },
    articleLinkShare: 0.34,
    topAccounts: [{ account: '@a', posts: 12, engagement: 340 }],
    topTerms: [
      { term: '#h20', posts: 40, lift: 4.2 },
      { term: '<b>芯片</b>', posts: 12, lift: 3.1 },
    ],
    windowHours: 6,
    baselineDays: 14,
    partialCoverage: false,
    gaps: [],
    checkedAt: '2025-07-16T18:05:00.000Z',
    ...over,
  }
}

const shift: AlertForMessage = {
  id: 42,
  kind: 'stance_shift',
  topicId: 'china-ai-fund',
  platform: null,
  windowStart: Date.parse('2025-07-16T12:00:00Z'),
  windowEnd: Date.parse('2025-07-16T18:00:00Z'),
  observed: 0.45,
  expected: 0.2,
  score: 5.6,
  context: context({
    label: 'praise',
    pValue: 0.00002,
    shares: [
      { label: 'praise', share: 0.45, baselineShare: 0.2, z: 5.6 },
      { label: 'concern', share: 0.28, baselineShare: 0.45, z: -3.1 },
    ],
  }),
}

describe('alertMessage', () => {
  it('a stance shift: key, the title a person reads first, and the numbers behind it', () => {
    const m = alertMessage(shift, { zone: 'America/New_York', labelNames: { praise: 'Praise', concern: 'Concern' } })
    expect(m.kind).toBe('alert')
    expect(m.key).toBe('alert:42')
    expect(m.topicId).toBe('china-ai-fund')
    expect(m.title).toBe('Stance shift: Praise 45% vs 20% usual — china-ai-fund, last 6 h')
    const text = m.summary.join('\n')
    expect(text).toContain('16 Jul 2025 08:00–14:00 America/New_York')
    expect(text).toContain('Praise 45% of 240 classified posts; expected 20% from the same hours of the previous 14 days')
    expect(text).toContain('p < 0.001')
    expect(text).toContain('Concern 28% (usually 45%)')
    expect(text).toContain('Stance: Praise 45% · Concern 25% · neutral 20% · uncertain 10% (5 labelled by people)')
    expect(text).toContain('Languages: English 50% · Chinese 42% · Japanese 8.3%')
    expect(text).toContain('Platforms: X 63% · Bluesky 38%')
    expect(text).toContain('Links the article: 34% of posts')
    expect(text).toContain('Top terms: #h20 (4.2×)')
    expect(text).toContain('Top accounts: @a (12 posts, 340 engagements)')
    expect(m.data).toMatchObject({ id: 42, kind: 'stance_shift', label: 'praise', window_start: '2025-07-16T12:00:00.000Z', observed: 0.45 })
  })

  it('keeps hostile post text and terms exactly as written: escaping is each channel’s job', () => {
    const m = alertMessage(shift, { zone: 'UTC' })
    expect(m.posts[0]).toEqual({
      text: HOSTILE,
      author: '@a',
      url: 'https://x.com/a/status/1',
      platform: 'x',
      label: 'praise',
      human: true,
      engagement: '1,204 likes · 310 reposts · 20 replies',
    })
    expect(m.posts[1]!.engagement).toBe('3 engagements')
    expect(m.summary.join('\n')).toContain('<b>芯片</b> (3.1×)')
  })

  it('a volume spike on one platform, seen through a coverage gap', () => {
    const m = alertMessage(
      {
        id: 7,
        kind: 'volume_spike',
        topicId: 'china-ai-fund',
        platform: 'x',
        windowStart: Date.parse('2025-07-16T10:00:00Z'),
        windowEnd: Date.parse('2025-07-16T12:00:00Z'),
        observed: 165,
        expected: 6.02,
        score: 15.7,
        context: context({
          posts: 165,
          partialCoverage: true,
          gaps: [{ source: 'jetstream', start: '2025-07-16T11:00:00.000Z', end: '2025-07-16T13:00:00.000Z', reason: 'Jetstream unreachable' }],
        }),
      },
      { zone: 'America/New_York' },
    )
    expect(m.title).toBe('Volume spike on X: 165 posts in 2 h, 27.4× the usual 6 — china-ai-fund')
    const text = m.summary.join('\n')
    expect(text).toContain('Observed: 165 posts; expected 6.0 from the same hours of the previous 14 days (27.4×, 15.7 σ)')
    expect(text).toContain(
      'Partial coverage: part of the window was not collected — jetstream 16 Jul 2025 07:00–09:00 (Jetstream unreachable); the count is a lower bound.',
    )
    expect(text).not.toContain('Platforms:')
  })

  it('an alert stored with less context (older rules) still makes a message', () => {
    const m = alertMessage({ ...shift, kind: 'volume_spike', observed: 79, expected: 9, context: {} }, { zone: 'UTC' })
    expect(m.title).toContain('79 posts in 6 h')
    expect(m.posts).toEqual([])
  })
})
