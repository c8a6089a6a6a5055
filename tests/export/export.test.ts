import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import { CSV_COLUMNS, toCsvRow, type ExportedPost } from '../../src/export/records.js'
import { exportPosts, type ExportOptions } from '../../src/jobs/export.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload, type Normalized } from '../../src/normalize/index.js'
import { saveClassifications } from '../../src/store/classifications.js'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { samplePayloads } from '../../bench/sample-posts.js'
import { collect } from '../../src/jobs/collect.js'
import { saveStubModel, tempDir, testContext } from '../helpers.js'

const TOPIC = 'china-ai-fund'
const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
const ARTICLE_SHARED = `${ARTICLE}?smid=tw-share&utm_source=twitter#comments`
const ARTICLE_CANONICAL = 'https://nytimes.com/2025/07/16/technology/china-ai.html'
const NOW = new Date('2025-07-17T09:00:00Z')

let ctx: AppContext
beforeEach(() => {
  ctx = testContext({ now: NOW })
})
afterEach(() => closeContext(ctx))

/* ---- building a small, hostile data set through the real ingest path ---- */

interface T {
  id: string
  text: string
  /** Written with X's escaping of &, < and >. */
  wire?: string
  user?: string
  createdAt: string
  likes?: number
  noMetrics?: boolean
}

const USERS = [
  { id: '1', username: 'alice', name: 'Alice', public_metrics: { followers_count: 1200 } },
  { id: '2', username: 'bob_cn', name: "=cmd|' /C calc'!A0", public_metrics: { followers_count: 3 } },
  { id: '3', username: 'carol', name: 'Carol, "the" analyst', public_metrics: { followers_count: 0 } },
]

function xPayload(ts: T[]): Normalized {
  return normalizePayload({
    data: ts.map((t) => ({
      id: t.id,
      text: t.wire ?? t.text,
      author_id: t.user ?? '1',
      created_at: t.createdAt,
      lang: 'en',
      conversation_id: t.id,
      ...(t.noMetrics ? {} : { public_metrics: { like_count: t.likes ?? 0, retweet_count: 1, reply_count: 2, quote_count: 3 } }),
      entities: { urls: [{ url: 'https://t.co/abc', expanded_url: ARTICLE_SHARED }] },
    })),
    includes: { users: USERS },
    meta: { result_count: ts.length },
  })!
}

const POSTS: T[] = [
  { id: '1945000000000000001', text: 'Plain, with a comma and "quotes" inside', createdAt: '2025-07-16T12:00:00Z', likes: 5 },
  { id: '1945000000000000002', text: 'Line one\nline two\r\nline three', createdAt: '2025-07-16T12:01:00Z', user: '3' },
  { id: '1945000000000000003', text: '国家人工智能产业投资基金，600亿！日本語も：中国のAIファンド 👨‍👩‍👧', createdAt: '2025-07-16T12:02:00Z', user: '2' },
  { id: '1945000000000000004', text: '=HYPERLINK("http://evil.example","click")', createdAt: '2025-07-16T12:03:00Z' },
  { id: '1945000000000000005', text: '+1 to this', createdAt: '2025-07-16T12:04:00Z' },
  { id: '1945000000000000006', text: '-2 points for the NYT', createdAt: '2025-07-16T12:05:00Z' },
  { id: '1945000000000000007', text: '@x what do you think', createdAt: '2025-07-16T12:06:00Z' },
  {
    id: '1945000000000000008',
    text: 'Tom & Jerry <3 &lt;tag&gt;',
    wire: 'Tom &amp; Jerry &lt;3 &amp;lt;tag&amp;gt;',
    createdAt: '2025-07-16T12:07:00Z',
    noMetrics: true,
  },
  { id: '1945000000000000009', text: 'this one gets deleted', createdAt: '2025-07-16T12:08:00Z' },
]

function seed(): { modelVersion: string } {
  ingest(ctx, [xPayload(POSTS)], { source: 'x', query: 'china ai fund' })
  const id = (pid: string) => ctx.db.prepare("SELECT id FROM posts WHERE platform = 'x' AND platform_id = ?").pluck().get(pid) as number
  const createdAt = (postId: number) => ctx.db.prepare('SELECT created_at FROM posts WHERE id = ?').pluck().get(postId) as number
  const modelId = saveStubModel(ctx.db, TOPIC, 'china-ai-fund@test-1')
  saveClassifications(
    ctx.db,
    TOPIC,
    modelId,
    [
      { postId: id('1945000000000000001'), createdAt: createdAt(id('1945000000000000001')), label: 'concern', confidence: 0.8125, scores: { concern: 0.8125 } },
      { postId: id('1945000000000000003'), createdAt: createdAt(id('1945000000000000003')), label: 'praise', confidence: 0.5, scores: { praise: 0.5 } },
    ],
    NOW.getTime(),
  )
  ctx.db.prepare("UPDATE post_topics SET stance_label = 'neutral', stance_source = 'human' WHERE post_id = ?").run(id('1945000000000000002'))
  ctx.db.prepare('UPDATE posts SET deleted_at = ? WHERE id = ?').run(Date.parse('2025-07-16T20:00:00Z'), id('1945000000000000009'))
  return { modelVersion: 'china-ai-fund@test-1' }
}

function run(o: Partial<ExportOptions> & Pick<ExportOptions, 'format'>): { out: string; n: number; chunks: number } {
  let out = ''
  let chunks = 0
  const n = exportPosts(ctx, { includeDeleted: false, withRaw: false, bom: false, ...o }, (c) => {
    out += c
    chunks++
  })
  return { out, n, chunks }
}

function jsonl(o: Partial<ExportOptions> = {}): ExportedPost[] {
  const { out, n } = run({ format: 'jsonl', ...o })
  const lines = out.split('\n')
  expect(lines.pop()).toBe('')
  expect(lines).toHaveLength(n)
  return lines.map((l) => JSON.parse(l) as ExportedPost)
}

/** RFC 4180: quoted fields with "" escapes and line breaks inside, rows ending in \n or \r\n. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let i = 0
  let quoted = false
  while (i < text.length) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 2
      } else if (c === '"') {
        quoted = false
        i++
      } else {
        field += c
        i++
      }
    } else if (c === '"' && field === '') {
      quoted = true
      i++
    } else if (c === ',') {
      row.push(field)
      field = ''
      i++
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i += c === '\r' ? 2 : 1
    } else {
      if (c === '"') throw new Error(`bare quote inside an unquoted field at ${i}`)
      field += c
      i++
    }
  }
  if (quoted) throw new Error('unterminated quoted field')
  if (field !== '' || row.length) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

const byId = (ps: ExportedPost[], id: string) => ps.find((p) => p.id === id)!

describe('export --format jsonl', () => {
  it('writes one JSON object per post with the documented fields', () => {
    const { modelVersion } = seed()
    const posts = jsonl()
    expect(posts.map((p) => p.id)).toEqual(POSTS.filter((p) => !p.id.endsWith('9')).map((p) => p.id))

    const p1 = byId(posts, '1945000000000000001')
    expect(p1).toEqual({
      platform: 'x',
      id: '1945000000000000001',
      url: 'https://x.com/alice/status/1945000000000000001',
      author: { id: '1', handle: 'alice', name: 'Alice', followers: 1200 },
      text: 'Plain, with a comma and "quotes" inside',
      created_at: '2025-07-16T12:00:00.000Z',
      created_at_source: 'platform',
      lang: 'en',
      lang_declared: 'en',
      metrics: { likes: 5, reposts: 1, replies: 2, quotes: 3 },
      links: [ARTICLE_CANONICAL],
      topics: [TOPIC],
      matched_rules: ['article'],
      themes: [],
      stance: { label: 'concern', confidence: 0.8125, model: modelVersion, source: 'model' },
      reply_to: null,
      quote_of: null,
      conversation_id: '1945000000000000001',
      collected_at: NOW.toISOString(),
      deleted: false,
      deleted_at: null,
    })
  })

  it('every record has the same keys; times are ISO UTC', () => {
    seed()
    const posts = jsonl({ includeDeleted: true })
    const keys = Object.keys(posts[0]!).sort()
    for (const p of posts) {
      expect(Object.keys(p).sort()).toEqual(keys)
      expect(p.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(p.collected_at).toMatch(/Z$/)
      expect(Object.keys(p.author).sort()).toEqual(['followers', 'handle', 'id', 'name'])
      if (p.metrics) expect(Object.keys(p.metrics).sort()).toEqual(['likes', 'quotes', 'replies', 'reposts'])
      if (p.stance) expect(Object.keys(p.stance).sort()).toEqual(['confidence', 'label', 'model', 'source'])
    }
  })

  it('keeps the text exactly as posted: newlines, CJK, emoji, decoded X entities', () => {
    seed()
    const posts = jsonl()
    for (const t of POSTS.filter((p) => !p.id.endsWith('9'))) expect(byId(posts, t.id).text).toBe(t.text)
  })

  it('stance is null when unclassified; a person’s label has no confidence or model', () => {
    seed()
    const posts = jsonl()
    expect(byId(posts, '1945000000000000004').stance).toBeNull()
    expect(byId(posts, '1945000000000000002').stance).toEqual({ label: 'neutral', confidence: null, model: null, source: 'human' })
    expect(byId(posts, '1945000000000000003').stance).toMatchObject({ label: 'praise', confidence: 0.5, source: 'model' })
  })

  it('metrics are null when the source carried none', () => {
    seed()
    expect(byId(jsonl(), '1945000000000000008').metrics).toBeNull()
  })

  it('deleted posts are left out unless asked for, and then marked', () => {
    seed()
    expect(jsonl().some((p) => p.deleted)).toBe(false)
    const all = jsonl({ includeDeleted: true })
    expect(all).toHaveLength(POSTS.length)
    expect(byId(all, '1945000000000000009')).toMatchObject({ deleted: true, deleted_at: '2025-07-16T20:00:00.000Z' })
  })

  it('raw only with --with-raw', () => {
    seed()
    expect('raw' in jsonl()[0]!).toBe(false)
    const withRaw = jsonl({ withRaw: true })
    expect(withRaw[0]!.raw).toMatchObject({ tweet: { id: '1945000000000000001' }, author: { username: 'alice' } })
  })

  it('raw is each post’s own item, also when a replay kept the payload it arrived in instead', async () => {
    const tmp = tempDir('stancewatch-export-raw-')
    try {
      // The sample's pages (X and Bluesky, some holding many posts), replayed: stored with their payloads.
      const lines = samplePayloads(1)
        .slice(0, 800)
        .map((p) => JSON.stringify(p))
      const file = path.join(tmp.dir, 'archive.jsonl')
      writeFileSync(file, lines.join('\n') + '\n')
      const r = await collect(ctx, { source: 'replay', files: [file] })
      expect(r.stats.newPosts).toBeGreaterThan(300)
      expect(ctx.db.prepare("SELECT count(*) FROM posts WHERE raw <> '' OR payload_id IS NULL").pluck().get()).toBe(0)
      const kept = ctx.db.prepare('SELECT count(*) FROM payloads').pluck().get() as number
      expect(kept).toBeGreaterThan(100)
      expect(kept).toBeLessThan(r.stats.newPosts)
      // The same payloads through ingest, which keeps each post's item: the exports are the same.
      const items = testContext({ now: NOW })
      try {
        ingest(
          items,
          lines.map((l) => normalizePayload(JSON.parse(l))!),
          { source: 'replay', query: 'archive.jsonl' },
        )
        expect(items.db.prepare('SELECT count(*) FROM payloads').pluck().get()).toBe(0)
        const exported = (c: AppContext) => {
          let out = ''
          exportPosts(c, { format: 'jsonl', includeDeleted: true, withRaw: true, bom: false }, (chunk) => (out += chunk))
          return out
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as ExportedPost)
        }
        const replayed = exported(ctx)
        expect(replayed).toHaveLength(r.stats.newPosts)
        expect(replayed.every((p) => p.raw !== null && typeof p.raw === 'object')).toBe(true)
        expect(replayed.map((p) => [p.id, p.raw])).toEqual(exported(items).map((p) => [p.id, p.raw]))
      } finally {
        closeContext(items)
      }
    } finally {
      tmp.cleanup()
    }
  })

  it('filters by time range, half-open', () => {
    seed()
    const ids = jsonl({ from: Date.parse('2025-07-16T12:01:00Z'), to: Date.parse('2025-07-16T12:03:00Z') }).map((p) => p.id)
    expect(ids).toEqual(['1945000000000000002', '1945000000000000003'])
  })

  it('an unknown topic is a usage error', () => {
    seed()
    expect(() => run({ format: 'jsonl', topic: 'nope' })).toThrow(/no topic "nope"/)
  })

  it('streams many rows in pages, in time order, each post once (posts at the same time across a page edge too)', () => {
    // Three posts a second: pages of 500 end between posts with the same time.
    const many = Array.from({ length: 1203 }, (_, i): T => ({
      id: String(1945000000000010000n + BigInt(i)),
      text: `post number ${i}`,
      createdAt: new Date(Date.parse('2025-07-16T00:00:00Z') + Math.floor((1203 - i) / 3) * 1000).toISOString(),
    }))
    ingest(ctx, [xPayload(many)], { source: 'x', query: null })
    const { out, n, chunks } = run({ format: 'jsonl' })
    expect(n).toBe(1203)
    expect(chunks).toBeGreaterThan(1)
    const times = out
      .trim()
      .split('\n')
      .map((l) => Date.parse((JSON.parse(l) as ExportedPost).created_at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(
      new Set(
        out
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as ExportedPost).id),
      ).size,
    ).toBe(1203)
  })
})

describe('export --format csv', () => {
  it('round-trips through a CSV parser: header, every row equal to the JSONL record’s cells', () => {
    seed()
    const records = jsonl({ includeDeleted: true })
    const { out, n } = run({ format: 'csv', includeDeleted: true })
    const rows = parseCsv(out)
    expect(rows[0]).toEqual([...CSV_COLUMNS])
    expect(rows).toHaveLength(n + 1)
    for (const [i, r] of rows.slice(1).entries()) {
      expect(r).toHaveLength(CSV_COLUMNS.length)
      expect(r).toEqual(toCsvRow(records[i]!))
    }
  })

  it('keeps commas, quotes, newlines and CJK intact', () => {
    seed()
    const rows = parseCsv(run({ format: 'csv' }).out)
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name)
    const row = (id: string) => rows.find((r) => r[col('id')] === id)!
    expect(row('1945000000000000001')[col('text')]).toBe('Plain, with a comma and "quotes" inside')
    expect(row('1945000000000000002')[col('text')]).toBe('Line one\nline two\r\nline three')
    expect(row('1945000000000000002')[col('author_name')]).toBe('Carol, "the" analyst')
    expect(row('1945000000000000003')[col('text')]).toBe(POSTS[2]!.text)
    expect(row('1945000000000000008')[col('text')]).toBe('Tom & Jerry <3 &lt;tag&gt;')
    expect(row('1945000000000000001')[col('links')]).toBe(ARTICLE_CANONICAL)
    expect(row('1945000000000000001')[col('stance_label')]).toBe('concern')
    expect(row('1945000000000000001')[col('stance_confidence')]).toBe('0.8125')
    expect(row('1945000000000000008')[col('likes')]).toBe('')
    expect(row('1945000000000000001')[col('deleted')]).toBe('false')
  })

  it('gives every classified post its confidence, and says who labelled it: the model (with confidence) or a person (without)', () => {
    seed()
    const rows = parseCsv(run({ format: 'csv' }).out)
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name)
    const row = (id: string) => rows.find((r) => r[col('id')] === id)!
    expect(row('1945000000000000003').slice(col('stance_label'), col('stance_source') + 1)).toEqual(['praise', '0.5', expect.stringMatching(/@/), 'model'])
    expect(row('1945000000000000002').slice(col('stance_label'), col('stance_source') + 1)).toEqual(['neutral', '', '', 'human'])
    for (const r of rows.slice(1).filter((r) => r[col('stance_source')] === 'model')) expect(Number(r[col('stance_confidence')])).toBeGreaterThan(0)
  })

  it('prefixes formula-leading cells with an apostrophe', () => {
    seed()
    const rows = parseCsv(run({ format: 'csv' }).out)
    const text = CSV_COLUMNS.indexOf('text')
    const id = CSV_COLUMNS.indexOf('id')
    const t = (pid: string) => rows.find((r) => r[id] === pid)![text]
    expect(t('1945000000000000004')).toBe(`'=HYPERLINK("http://evil.example","click")`)
    expect(t('1945000000000000005')).toBe("'+1 to this")
    expect(t('1945000000000000006')).toBe("'-2 points for the NYT")
    expect(t('1945000000000000007')).toBe("'@x what do you think")
    expect(t('1945000000000000001')).toBe('Plain, with a comma and "quotes" inside')
    // Any text cell, not only the post text.
    expect(rows.find((r) => r[id] === '1945000000000000003')![CSV_COLUMNS.indexOf('author_name')]).toBe("'=cmd|' /C calc'!A0")
    // No cell anywhere starts a formula.
    for (const r of rows.slice(1)) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
  })

  it('toCsvRow guards tab and carriage-return leading cells but not numbers', () => {
    seed()
    const p = jsonl()[0]!
    const cells = toCsvRow({ ...p, text: '\t=1+1', author: { ...p.author, name: '\r=2', followers: -5 } })
    expect(cells[CSV_COLUMNS.indexOf('text')]).toBe("'\t=1+1")
    expect(cells[CSV_COLUMNS.indexOf('author_name')]).toBe("'\r=2")
    expect(cells[CSV_COLUMNS.indexOf('author_followers')]).toBe('-5')
  })

  it('starts with a byte-order mark only when asked', () => {
    seed()
    expect(run({ format: 'csv' }).out.startsWith('platform,')).toBe(true)
    const withBom = run({ format: 'csv', bom: true }).out
    expect(withBom.startsWith('\uFEFFplatform,')).toBe(true)
    expect(parseCsv(withBom.slice(1))[0]).toEqual([...CSV_COLUMNS])
  })
})
