import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { NO_THEME, stanceOverTime, type StanceBucket, type StanceSeries } from '../../src/aggregate/stance-over-time.js'
import type { TopicConfig } from '../../src/config/schema.js'
import { closeContext, type AppContext } from '../../src/context.js'
import { CSV_COLUMNS, type ExportedPost } from '../../src/export/records.js'
import { exportPosts } from '../../src/jobs/export.js'
import { saveClassifications } from '../../src/store/classifications.js'
import { savePage } from '../../src/store/posts.js'
import { cli, CONFIG, saveStubModel, tempDir, testContext } from '../helpers.js'
import { makePost } from '../post.js'

const NY = 'America/New_York'
const TOPIC = 'china-ai-fund'
// One New York day, 16 July 2025.
const FROM = Date.parse('2025-07-16T04:00:00Z')
const TO = Date.parse('2025-07-17T04:00:00Z')

interface Spec {
  id: string
  themes: string[]
  label: string | null
  deleted?: boolean
}

// Two posts on chips (one also on regulation), one on regulation alone, one with no theme, one deleted.
const SPECS: Spec[] = [
  { id: '1', themes: ['chips', 'regulation'], label: 'concern' },
  { id: '2', themes: ['chips'], label: 'praise' },
  { id: '3', themes: ['regulation'], label: 'concern' },
  { id: '4', themes: [], label: 'neutral' },
  { id: '5', themes: ['chips'], label: 'praise', deleted: true },
]

function store(ctx: AppContext, specs: Spec[]): void {
  const modelId = saveStubModel(ctx.db, TOPIC)
  for (const [i, s] of specs.entries()) {
    const post = makePost({
      platformId: `19450000000000000${s.id}`,
      text: `post ${s.id}`,
      lang: 'en',
      createdAt: new Date(Date.parse('2025-07-16T14:00:00Z') + i * 60_000).toISOString(),
    })
    savePage(ctx.db, {
      items: [{ post, langDetected: 'en', links: [], matches: [{ topicId: TOPIC, rules: ['test'], themes: s.themes }] }],
      deletions: s.deleted ? [{ platform: 'x', platformId: post.platformId, deletedAt: '2025-07-16T20:00:00Z' }] : [],
      source: 'test',
      query: null,
      observedAt: Date.parse('2025-07-16T20:00:00Z'),
    })
    const row = ctx.db.prepare("SELECT id, created_at AS createdAt FROM posts WHERE platform = 'x' AND platform_id = ?").get(post.platformId) as {
      id: number
      createdAt: number
    }
    if (s.label) saveClassifications(ctx.db, TOPIC, modelId, [{ postId: row.id, createdAt: row.createdAt, label: s.label, confidence: 0.9, scores: {} }], 1)
  }
}

function counts(b: StanceBucket): Record<string, number> {
  return Object.fromEntries(b.labels.filter((l) => l.count > 0).map((l) => [l.label, l.count]))
}

describe('stance by theme', () => {
  let ctx: AppContext
  let topic: TopicConfig
  beforeEach(() => {
    ctx = testContext()
    topic = ctx.config.topics[0]!
    store(ctx, SPECS)
  })
  afterEach(() => closeContext(ctx))

  it('--theme keeps only the posts tagged with it (deleted ones still left out)', () => {
    const chips = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, theme: 'chips' })
    expect(chips.filters).toEqual({ platform: null, lang: null, theme: 'chips' })
    expect(chips.totals.total).toBe(2)
    expect(counts(chips.totals)).toEqual({ concern: 1, praise: 1 })
    const regulation = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, theme: 'regulation' })
    expect(counts(regulation.totals)).toEqual({ concern: 2 })
    expect(stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, theme: 'energy' }).totals.total).toBe(0)
  })

  it('--split theme: one row per bucket and theme, a post with two themes in both, the total counting it once', () => {
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, split: 'theme' })
    expect(s.split).toBe('theme')
    // Every configured theme in config order (zero rows included), then posts with none.
    expect(s.buckets.map((b) => b.group)).toEqual([...topic.themes.map((t) => t.id), NO_THEME])
    const row = (g: string) => s.buckets.find((b) => b.group === g)!
    expect([row('chips').total, counts(row('chips'))]).toEqual([2, { concern: 1, praise: 1 }])
    expect([row('regulation').total, counts(row('regulation'))]).toEqual([2, { concern: 2 }])
    expect([row(NO_THEME).total, counts(row(NO_THEME))]).toEqual([1, { neutral: 1 }])
    expect(row('energy').total).toBe(0)
    // Rows add up to 5 for 4 posts: post 1 counts under chips and under regulation.
    expect(s.buckets.reduce((n, b) => n + b.total, 0)).toBe(5)
    expect(s.totals.total).toBe(4)
    expect(counts(s.totals)).toEqual({ concern: 2, praise: 1, neutral: 1 })
  })

  it('--split theme with --theme: the posts of that theme, split by all their themes', () => {
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, split: 'theme', theme: 'regulation' })
    expect(s.buckets.filter((b) => b.total > 0).map((b) => [b.group, b.total])).toEqual([
      ['chips', 1],
      ['regulation', 2],
    ])
    expect(s.totals.total).toBe(2)
  })

  it('a theme stored but no longer configured still shows, until retag', () => {
    ctx.db.prepare(`UPDATE post_topics SET themes = '["old-theme"]' WHERE themes = '[]'`).run()
    const s = stanceOverTime(ctx.db, { topic, from: FROM, to: TO, bucket: 'day', zone: NY, split: 'theme' })
    expect(s.buckets.map((b) => b.group).slice(-1)).toEqual(['old-theme'])
  })
})

describe('stancewatch stance --theme / --split theme', () => {
  const tmp = tempDir('stancewatch-theme-cli-')
  const db = path.join(tmp.dir, 'themes.sqlite')
  const base = ['--config', CONFIG, '--db', db]
  const range = ['--from', '2025-07-16', '--to', '2025-07-16']
  beforeAll(() => {
    const ctx = testContext({ dbPath: db })
    store(ctx, SPECS)
    closeContext(ctx)
  })
  afterAll(tmp.cleanup)

  it('an unknown theme is a usage error listing the valid ids', async () => {
    const r = await cli([...base, 'stance', ...range, '--theme', 'chip'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('--theme chip')
    expect(r.stderr).toContain('themes: fund, chips, open-models, talent, regulation, energy, data-labour, state-vs-market')
  })

  it('--theme filters, in JSON and in the table', async () => {
    const json = await cli([...base, 'stance', ...range, '--theme', 'chips', '--json'])
    expect(json.code).toBe(0)
    const s = JSON.parse(json.stdout) as StanceSeries
    expect(s.filters.theme).toBe('chips')
    expect(s.totals.total).toBe(2)
    const table = await cli([...base, 'stance', ...range, '--theme', 'chips'])
    expect(table.stdout).toContain('theme chips only')
  })

  it('--split theme gives a row per theme and says that rows overlap', async () => {
    const json = await cli([...base, 'stance', ...range, '--split', 'theme', '--json'])
    const s = JSON.parse(json.stdout) as StanceSeries
    expect(s.split).toBe('theme')
    expect(s.buckets.find((b) => b.group === 'chips')!.total).toBe(2)
    expect(s.totals.total).toBe(4)
    const table = await cli([...base, 'stance', ...range, '--split', 'theme'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^2025-07-16 +chips +2 /m)
    expect(table.stdout).toContain('counts in each of their rows')
    const help = await cli(['stance', '--help'])
    expect(help.stdout).toContain('counts in both rows')
  })
})

describe('export with themes', () => {
  let ctx: AppContext
  beforeEach(() => {
    ctx = testContext()
    store(ctx, SPECS)
  })
  afterEach(() => closeContext(ctx))

  const run = (format: 'jsonl' | 'csv') => {
    let out = ''
    exportPosts(ctx, { format, includeDeleted: true, withRaw: false, bom: false }, (c) => void (out += c))
    return out
  }

  it('JSONL has the exported topic’s themes on every record', () => {
    const posts = run('jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportedPost)
    expect(posts.map((p) => p.themes)).toEqual(SPECS.map((s) => s.themes))
  })

  it('CSV has a themes column, ";"-separated', () => {
    const rows = parseCsv(run('csv'))
    expect(rows[0]).toEqual([...CSV_COLUMNS])
    const col = CSV_COLUMNS.indexOf('themes')
    expect(col).toBe(CSV_COLUMNS.indexOf('matched_rules') + 1)
    expect(rows.slice(1).map((r) => r[col])).toEqual(['chips;regulation', 'chips', 'regulation', '', 'chips'])
  })
})
