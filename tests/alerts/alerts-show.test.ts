import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AlertDetails } from '../../src/alerts/details.js'
import { closeContext } from '../../src/context.js'
import { checkAlerts } from '../../src/jobs/alerts.js'
import { insertAlert } from '../../src/store/alerts.js'
import { cli, CONFIG, tempDir, testContext } from '../helpers.js'
import { UNSAFE_CHARS } from '../unsafe-chars.js'
import { generateSeries, HOUR } from './synthetic.js'

// A terminal title change, a screen clear, a bidi override and a line break inside a post.
const HOSTILE = 'the fund \x1b]0;pwned\x07 is \x1b[2J\x1b[31mred\x1b[0m; invoice\u202Efdp.exe\nsecond line'

describe('stancewatch alerts show', () => {
  const tmp = tempDir('stancewatch-alerts-show-')
  const db = path.join(tmp.dir, 'alerts.sqlite')
  const base = ['--config', CONFIG, '--db', db, 'alerts']
  let spikeId: number
  let hostileId: number

  beforeAll(() => {
    const ctx = testContext({ dbPath: db })
    const start = Date.UTC(2025, 5, 2)
    const g = generateSeries(ctx, { seed: 21, start, days: 12, spikes: 1, firstSpikeDay: 8, spikeMultiplier: [5, 5], peakRate: 40, troughRate: 8 })
    const fired = checkAlerts(ctx, new Date(Math.ceil(g.spikes[0]!.end / HOUR) * HOUR + 5 * 60_000))
    spikeId = fired[0]!.id
    // What an older or hand-made alert may hold: a stance shift with little context and a hostile post.
    hostileId = insertAlert(ctx.db, {
      dedupeKey: 'test:hostile',
      kind: 'stance_shift',
      topicId: 'china-ai-fund',
      platform: 'x',
      windowStart: Date.parse('2025-06-10T12:00:00Z'),
      windowEnd: Date.parse('2025-06-10T18:00:00Z'),
      observed: 0.62,
      expected: 0.31,
      score: 4.2,
      context: {
        label: 'concern',
        shares: [{ label: 'concern', share: 0.62, baselineShare: 0.31, z: 4.2 }],
        partialCoverage: true,
        gaps: [{ source: 'jetstream', start: '2025-06-10T13:00:00Z', end: '2025-06-10T14:00:00Z', reason: 'Jetstream unreachable' }],
        topTerms: [{ term: '\x1b[5m#blink', posts: 3 }],
        topAccounts: [{ account: '@evil\x1b[8m', posts: 3, engagement: 10 }],
        topPosts: [{ url: 'https://x.com/evil/status/1', platform: 'x', author: '@evil', text: HOSTILE, engagement: 10, label: 'concern', human: true }],
      },
      firedAt: Date.parse('2025-06-10T18:05:00Z'),
    })!
    closeContext(ctx)
  })
  afterAll(tmp.cleanup)

  it('prints a spike’s whole context: state, window, observed vs expected, mix, terms, accounts, posts', async () => {
    const r = await cli([...base, 'show', String(spikeId)])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Alert #${spikeId}: volume spike \\(open\\)`))
    expect(r.stdout).toMatch(/window {4}2025-06-\d\d \d\d:\d\d – 2025-06-\d\d \d\d:\d\d America\/New_York \(\d h\)/)
    expect(r.stdout).toMatch(/observed {2}\d+ posts, expected [\d.]+; score [\d.]+/)
    expect(r.stdout).toMatch(/Posts in the window: \d+/)
    expect(r.stdout).toMatch(/languages {2}en \d+ \(100%\)/)
    expect(r.stdout).toContain('#h20ban')
    expect(r.stdout).toMatch(/Top accounts:\n {2}@\S+: \d+ posts/)
    expect(r.stdout).toMatch(/Most engaged posts:\n {2}1\. .+\n {5}@\S+ on (x|bluesky) · \d+ engagements/)
    expect(r.stdout).toMatch(/ {5}https:\/\//)
  })

  it('--json is one document with the same facts, times in ISO UTC', async () => {
    const r = await cli([...base, 'show', `#${spikeId}`, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout) as AlertDetails
    expect(d).toMatchObject({ id: spikeId, kind: 'volume_spike', topic: 'china-ai-fund', platform: null, state: 'open', partialCoverage: false })
    expect(d.window.start).toMatch(/^2025-06-\d\dT\d\d:00:00\.000Z$/)
    expect(d.observed).toBeGreaterThan(d.expected)
    expect(d.posts).toBe(d.observed)
    expect(Object.values(d.stanceMix).reduce((s, n) => s + n, 0)).toBe(d.posts)
    expect(d.topPosts.length).toBeGreaterThan(0)
    expect(d.topAccounts.length).toBeGreaterThan(0)
  })

  it('follows the state as people change it', async () => {
    expect((await cli([...base, 'ack', String(spikeId)])).code).toBe(0)
    expect((await cli([...base, 'show', String(spikeId)])).stdout).toMatch(/volume spike \(acknowledged\)/)
    expect((await cli([...base, 'resolve', String(spikeId)])).code).toBe(0)
    expect(JSON.parse((await cli([...base, 'show', String(spikeId), '--json'])).stdout)).toMatchObject({ state: 'resolved' })
  })

  it('a stance shift shows its label’s share, the baseline shares and the gap; hostile text reaches the terminal inert', async () => {
    const r = await cli([...base, 'show', String(hostileId)])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('stance shift (open)')
    expect(r.stdout).toContain('topic     china-ai-fund on x')
    expect(r.stdout).toContain('observed  concern 62% of classified posts, expected 31%; score 4.2')
    expect(r.stdout).toContain('concern: 62% vs 31% (z 4.2)')
    expect(r.stdout).toMatch(/coverage {2}partial: counts are a lower bound \(jetstream .+, Jetstream unreachable\)/)
    expect(r.stdout).not.toContain('\x1b')
    expect(r.stdout).not.toMatch(UNSAFE_CHARS)
    expect(r.stdout).toContain('1. the fund ]0;pwned is [2J[31mred[0m; invoicefdp.exe second line')
    expect(r.stdout).toContain('concern (a person’s label)')
    // JSON keeps the text exactly as stored: escaping is the reader's business there.
    const d = JSON.parse((await cli([...base, 'show', String(hostileId), '--json'])).stdout) as AlertDetails
    expect(d.topPosts[0]!.text).toBe(HOSTILE)
    expect(d).toMatchObject({ posts: null, stanceMix: {}, articleLinkShare: null, label: 'concern', platform: 'x' })
  })

  it('an unknown or malformed number exits 2 with a clear message (one JSON document with --json)', async () => {
    let r = await cli([...base, 'show', '999'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('no alert #999 (see `stancewatch alerts list`)')
    r = await cli([...base, 'show', '999', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { kind: 'UsageError', message: expect.stringContaining('no alert #999') } })
    r = await cli([...base, 'show', '12abc'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('12abc: not an alert number')
  })

  it('--help has examples', async () => {
    const r = await cli(['alerts', 'show', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('$ stancewatch alerts show 12')
  })
})
