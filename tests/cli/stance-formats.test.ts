import path from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { parse as parseCsv } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stanceOverTime, type StanceSeries } from '../../src/aggregate/stance-over-time.js'
import type { Io } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/run.js'
import { CHART_WIDTH, stanceChart } from '../../src/cli/stance-chart.js'
import { displayWidth } from '../../src/cli/table.js'
import { closeContext, type AppContext } from '../../src/context.js'
import { saveClassifications } from '../../src/store/classifications.js'
import { savePage } from '../../src/store/posts.js'
import { cli, CONFIG, saveStubModel, tempDir, testContext } from '../helpers.js'
import { makePost } from '../post.js'

const NY = 'America/New_York'
const TOPIC = 'china-ai-fund'

/** [created at, label or null for unclassified, platform]. */
type Spec = [string, string | null, 'x' | 'bluesky']

// Around the fall-back night in New York (2 November 2025, 25 hours; 01:00–02:00 happens twice) and the
// spring-forward day (9 March 2025, 23 hours).
const SPECS: Spec[] = [
  ['2025-11-01T14:00:00Z', 'concern', 'x'],
  ['2025-11-01T15:00:00Z', 'praise', 'x'],
  ['2025-11-02T05:30:00Z', 'concern', 'x'], // 01:30 EDT
  ['2025-11-02T06:10:00Z', 'praise', 'bluesky'], // 01:10 EST
  ['2025-11-02T06:40:00Z', 'uncertain', 'x'], // 01:40 EST
  ['2025-11-02T18:00:00Z', null, 'bluesky'],
  ['2025-11-03T15:00:00Z', 'neutral', 'x'],
  ['2025-03-09T12:00:00Z', 'concern', 'x'],
  ['2025-03-09T13:00:00Z', 'neutral', 'bluesky'],
]

function store(ctx: AppContext): void {
  const modelId = saveStubModel(ctx.db, TOPIC)
  SPECS.forEach(([createdAt, label, platform], i) => {
    const post = makePost({ platform, platformId: `19460000000000000${i}`, text: `post ${i}`, lang: 'en', createdAt })
    savePage(ctx.db, {
      items: [{ post, langDetected: 'en', links: [], matches: [{ topicId: TOPIC, rules: ['test'] }] }],
      source: 'test',
      query: null,
      observedAt: 1,
    })
    const row = ctx.db.prepare('SELECT id, created_at AS createdAt FROM posts WHERE platform = ? AND platform_id = ?').get(platform, post.platformId) as {
      id: number
      createdAt: number
    }
    if (label) saveClassifications(ctx.db, TOPIC, modelId, [{ postId: row.id, createdAt: row.createdAt, label, confidence: 0.9, scores: {} }], 1)
  })
}

/** The rows of a chart that draw a bucket, by their first column. */
function barRows(chart: string): string[] {
  return stripVTControlCharacters(chart)
    .split('\n')
    .filter((l) => /^(\d{4}-\d\d-\d\d|total| {10})/.test(l) && /[█▓▒░·]|no posts|not collected/.test(l))
}

describe('stance chart', () => {
  let ctx: AppContext
  let days: StanceSeries
  beforeAll(() => {
    ctx = testContext()
    store(ctx)
    days = stanceOverTime(ctx.db, {
      topic: ctx.config.topics[0]!,
      from: Date.parse('2025-11-01T04:00:00Z'),
      to: Date.parse('2025-11-04T05:00:00Z'),
      bucket: 'day',
      zone: NY,
    })
  })
  afterAll(() => closeContext(ctx))

  it('draws one bar per day with its posts, fitting 80 columns, the 25-hour day marked', () => {
    const chart = stanceChart(days, { color: false })
    for (const line of chart.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(CHART_WIDTH)
    const rows = barRows(chart)
    expect(rows.map((r) => r.slice(0, 10))).toEqual(['2025-11-01', '2025-11-02', '2025-11-03', 'total     '])
    expect(rows.map((r) => r.match(/(\d+)(?:\s+25 h)?$/)![1])).toEqual(['2', '4', '1', '7'])
    expect(rows[1]).toMatch(/25 h$/)
    expect(rows.filter((r) => r.includes(' h'))).toHaveLength(1)
    expect(chart).toContain('Hours shown: a daylight-saving change')
    // Bars fill the same width; shares decide the cells: 1 Nov is half concern, half praise.
    const bars = rows.map((r) => r.match(/[█▓▒░·]+/)![0])
    expect(new Set(bars.map((b) => b.length)).size).toBe(1)
    const [concern, praise] = [bars[0]!.split('█').length - 1, bars[0]!.split('▓').length - 1]
    expect(concern + praise).toBe(bars[0]!.length)
    expect(Math.abs(concern - praise)).toBeLessThanOrEqual(1)
  })

  it('shows the uncertain and the unclassified with their own pale glyphs, in the legend too', () => {
    const chart = stanceChart(days, { color: false })
    const legend = chart.split('\n\n')[0]!.split('\n').slice(1).join(' ')
    expect(legend).toMatch(/█ concern 29%.*▓ praise 29%.*▒ neutral 14%.*░ uncertain 14%.*· unclassified 14%/)
    const nov2 = barRows(chart)[1]!
    const glyphs = (g: string) => nov2.split(g).length - 1
    expect(glyphs('░')).toBeGreaterThan(0)
    expect(glyphs('·')).toBeGreaterThan(0)
    // A quarter each (largest remainders round the odd cells).
    for (const g of ['█', '▓', '░', '·']) expect(Math.abs(glyphs(g) - glyphs('█'))).toBeLessThanOrEqual(1)
    expect(glyphs('▒')).toBe(0)
  })

  it('a chart without unclassified posts has no unclassified glyph or legend entry', () => {
    const s = stanceOverTime(ctx.db, {
      topic: ctx.config.topics[0]!,
      from: Date.parse('2025-11-01T04:00:00Z'),
      to: Date.parse('2025-11-02T04:00:00Z'),
      bucket: 'day',
      zone: NY,
    })
    expect(stanceChart(s, { color: false })).not.toContain('·')
  })

  it('keeps the repeated 01:00 hour of the fall-back night apart by its UTC offset', () => {
    const s = stanceOverTime(ctx.db, {
      topic: ctx.config.topics[0]!,
      from: Date.parse('2025-11-02T04:00:00Z'),
      to: Date.parse('2025-11-02T08:00:00Z'),
      bucket: 'hour',
      zone: NY,
    })
    const rows = barRows(stanceChart(s, { color: false }))
    expect(rows.map((r) => r.split(/\s{2,}/)[0])).toEqual([
      '2025-11-02 00:00',
      '2025-11-02 01:00 -04:00',
      '2025-11-02 01:00 -05:00',
      '2025-11-02 02:00',
      'total',
    ])
    expect(rows[0]).toMatch(/no posts\s+0$/)
    expect(rows[2]).toMatch(/▓+░+\s+2$/)
  })

  it('marks the 23-hour spring-forward day', () => {
    const s = stanceOverTime(ctx.db, {
      topic: ctx.config.topics[0]!,
      from: Date.parse('2025-03-08T05:00:00Z'),
      to: Date.parse('2025-03-11T04:00:00Z'),
      bucket: 'day',
      zone: NY,
    })
    const rows = barRows(stanceChart(s, { color: false }))
    expect(rows.map((r) => [r.slice(0, 10), /23 h$/.test(r)])).toEqual([
      ['2025-03-08', false],
      ['2025-03-09', true],
      ['2025-03-10', false],
      ['total     ', false],
    ])
    // The day before the topic's first post was never watched: unknown, not "no posts".
    expect(rows[0]).toMatch(/^2025-03-08\s+not collected\s*$/)
  })

  it('split: the date on the first row of each bucket, one row per group', () => {
    const s = stanceOverTime(ctx.db, {
      topic: ctx.config.topics[0]!,
      from: Date.parse('2025-11-01T04:00:00Z'),
      to: Date.parse('2025-11-03T05:00:00Z'),
      bucket: 'day',
      zone: NY,
      split: 'platform',
    })
    const chart = stanceChart(s, { color: false })
    for (const line of chart.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(CHART_WIDTH)
    expect(barRows(chart).map((r) => r.split(/\s{2,}/).slice(0, 2))).toEqual([
      ['2025-11-01', 'bluesky'],
      ['', 'x'],
      ['2025-11-02', 'bluesky'],
      ['', 'x'],
      ['total', expect.any(String)],
    ])
  })

  it('colours only when asked, with every glyph still there', () => {
    const plain = stanceChart(days, { color: false })
    const coloured = stanceChart(days, { color: true })
    expect(plain).not.toContain('\x1b[')
    expect(coloured).toContain('\x1b[31m█')
    expect(stripVTControlCharacters(coloured)).toBe(plain)
  })
})

describe('stancewatch stance --format', () => {
  const tmp = tempDir('stancewatch-stance-formats-')
  const db = path.join(tmp.dir, 'formats.sqlite')
  const args = ['--config', CONFIG, '--db', db, 'stance', '--from', '2025-11-01', '--to', '2025-11-03', '--tz', NY]
  beforeAll(() => {
    const ctx = testContext({ dbPath: db })
    store(ctx)
    closeContext(ctx)
  })
  afterAll(tmp.cleanup)

  it('csv: a row per bucket and label with counts, shares and intervals equal to the JSON series', async () => {
    const json = JSON.parse((await cli([...args, '--format', 'json'])).stdout) as StanceSeries
    const r = await cli([...args, '--format', 'csv'])
    expect(r.code).toBe(0)
    const rows = parseCsv<Record<string, string>>(r.stdout, { columns: true })
    expect(Object.keys(rows[0]!)).toEqual(['start', 'end', 'label', 'count', 'human', 'posts', 'share', 'ci_low', 'ci_high'])
    expect(rows).toHaveLength(json.buckets.length * json.labels.length)
    for (const b of json.buckets) {
      for (const l of b.labels) {
        const row = rows.find((x) => x.start === b.start && x.label === l.label)!
        expect([row.end, Number(row.count), Number(row.human), Number(row.posts)]).toEqual([b.end, l.count, l.human, b.total])
        expect(Number(row.share)).toBeCloseTo(l.share, 6)
        expect(Number(row.ci_low)).toBeCloseTo(l.ci95[0], 6)
        expect(Number(row.ci_high)).toBeCloseTo(l.ci95[1], 6)
      }
    }
  })

  it('csv split: the group column is named after the split', async () => {
    const r = await cli([...args, '--format', 'csv', '--split', 'platform'])
    const rows = parseCsv<Record<string, string>>(r.stdout, { columns: true })
    expect(Object.keys(rows[0]!)).toContain('platform')
    expect(new Set(rows.map((x) => x.platform))).toEqual(new Set(['x', 'bluesky']))
  })

  it('--json is --format json: the same single document; both together are a usage error', async () => {
    const a = await cli([...args, '--json'])
    const b = await cli([...args, '--format', 'json'])
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    expect(() => JSON.parse(a.stdout)).not.toThrow()
    const both = await cli([...args, '--json', '--format', 'csv'])
    expect(both.code).toBe(2)
    expect(JSON.parse(both.stdout)).toEqual({ error: { kind: 'UsageError', message: expect.stringContaining('--json') } })
    // A failure with --format json is one JSON document as well.
    const bad = await cli([...args.slice(0, -2), '--tz', 'Mars/Olympus', '--format', 'json'])
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout).error.message).toContain('Mars/Olympus')
    expect((await cli([...args, '--format', 'xml'])).code).toBe(2)
  })

  it('chart: plain text when stdout is not a terminal or NO_COLOR is set, colours on a terminal', async () => {
    const run = async (tty: boolean, env: NodeJS.ProcessEnv) => {
      let stdout = ''
      const io: Io = { stdout: (s) => void (stdout += s), stderr: () => {}, stdoutIsTTY: tty, stderrIsTTY: false, env, cwd: tmp.dir }
      expect(await runCli([...args, '--format', 'chart'], io)).toBe(0)
      return stdout
    }
    const piped = await run(false, {})
    expect(piped).toContain('█')
    expect(piped).not.toContain('\x1b[')
    expect(await run(true, { NO_COLOR: '1' })).toBe(piped)
    const terminal = await run(true, {})
    expect(terminal).toContain('\x1b[')
    expect(stripVTControlCharacters(terminal)).toBe(piped)
    expect(piped).toMatch(/^2025-11-02 .* 25 h$/m)
  })
})
