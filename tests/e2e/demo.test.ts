import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoSummary } from '../../src/jobs/demo.js'
import { browserAvailable, launchBrowser } from '../browser.js'
import { cli, CONFIG, ROOT, tempDir } from '../helpers.js'

const SAMPLE = path.join(ROOT, 'config/sample/sample.jsonl.gz')

describe('the demo, end to end on the bundled sample', () => {
  const tmp = tempDir('stancewatch-demo-')
  const db = path.join(tmp.dir, 'demo.sqlite')
  const out = path.join(tmp.dir, 'digests')
  const base = ['--config', CONFIG, '--db', db]
  let summary: DemoSummary

  beforeAll(async () => {
    const r = await cli([...base, 'demo', '--out', out, '--json'], {}, tmp.dir)
    expect(r.code, r.stderr).toBe(0)
    summary = JSON.parse(r.stdout) as DemoSummary
  })
  afterAll(tmp.cleanup)

  it('stores at least 2,000 topic posts from both platforms and four languages', () => {
    expect(summary.posts).toBeGreaterThanOrEqual(2000)
    expect(Object.keys(summary.byPlatform).sort()).toEqual(['bluesky', 'x'])
    for (const lang of ['en', 'zh', 'fr', 'ja']) expect(summary.byLanguage[lang], lang).toBeGreaterThan(100)
  })

  it('counts nothing twice, drops off-topic posts and skips malformed lines without failing', () => {
    const s = summary.collect.stats
    expect(s.duplicates).toBeGreaterThan(100)
    expect(s.newPosts + s.duplicates + s.offTopic + s.edits).toBe(s.fetched)
    expect(s.offTopic).toBeGreaterThan(50)
    expect(s.skipReasons).toMatchObject({ 'replay: line is not valid JSON': 1, 'replay: unknown payload shape': 1, 'x: tweet without a valid id': 1 })
    expect(s.deletions).toBeGreaterThan(0)
  })

  it('classifies every post into the configured labels or uncertain', () => {
    const labels = Object.keys(summary.stance).sort()
    expect(labels).toEqual(['concern', 'neutral', 'praise', 'uncertain'])
    expect(Object.values(summary.stance).reduce((a, b) => a + b, 0)).toBe(summary.posts)
    expect(summary.model).toMatch(/^china-ai-fund@/)
  })

  it('fires a volume-spike alert for the article spike of 16 July', () => {
    const spike = summary.alerts.find((a) => a.window_start.startsWith('2025-07-16'))
    expect(spike).toBeDefined()
    expect(spike!.observed).toBeGreaterThan(spike!.expected * 3)
  })

  it('writes the digest of the busiest day in three formats', () => {
    expect(summary.digest.date).toBe('2025-07-16')
    expect(summary.digest.files.map((f) => path.extname(f)).sort()).toEqual(['.html', '.json', '.md'])
    for (const f of summary.digest.files) expect(existsSync(f), f).toBe(true)
    const facts = JSON.parse(
      readFileSync(
        summary.digest.files.find((f) => f.endsWith('.json'))!,
        'utf8',
      ),
    ) as { volume: { total: number }; timezone: string }
    expect(facts.volume.total).toBe(summary.digest.posts)
    expect(facts.timezone).toBe('America/New_York')
    const md = readFileSync(
      summary.digest.files.find((f) => f.endsWith('.md'))!,
      'utf8',
    )
    expect(md).toContain('## Stance')
    expect(md).toContain('America/New_York')
  })

  it('replaying the same sample again changes nothing', async () => {
    const r = await cli([...base, 'collect', '--source', 'replay', '--file', SAMPLE, '--restart', '--json'], {}, tmp.dir)
    expect(r.code, r.stderr).toBe(0)
    const run = JSON.parse(r.stdout) as { stats: { newPosts: number; duplicates: number } }
    expect(run.stats.newPosts).toBe(0)
    const status = JSON.parse((await cli([...base, 'status', '--json'], {}, tmp.dir)).stdout) as { topics: { posts: number }[] }
    expect(status.topics[0]!.posts).toBe(summary.posts + summary.collect.stats.deletions)
  })

  it('answers stance over time for the same posts the demo counted', async () => {
    const r = await cli([...base, 'stance', '--from', '2025-07-01', '--to', '2025-07-31', '--json'], {}, tmp.dir)
    const series = JSON.parse(r.stdout) as { totals: { total: number } }
    expect(series.totals.total).toBe(summary.posts)
  })

  it('exports every live post as JSONL with the documented fields', async () => {
    const r = await cli([...base, 'export', '--format', 'jsonl'], {}, tmp.dir)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(summary.posts)
    for (const key of ['platform', 'id', 'url', 'author', 'text', 'created_at', 'lang', 'metrics', 'links', 'topics', 'stance', 'deleted'])
      expect(lines[0], key).toHaveProperty(key)
  })

  it.runIf(browserAvailable())('opens the HTML digest in headless Chromium with no errors and no network request', async () => {
    const browser = await launchBrowser()
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
      const errors: string[] = []
      const requests: string[] = []
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
      page.on('pageerror', (e) => errors.push(e.message))
      page.on('request', (req) => !req.url().startsWith('file://') && requests.push(req.url()))
      const html = summary.digest.files.find((f) => f.endsWith('.html'))!
      await page.goto(`file://${html}`)
      expect(await page.locator('h1').textContent()).toContain('daily digest')
      expect(await page.locator('svg[role="img"] > title').textContent()).toContain('Posts per day by stance')
      expect(await page.locator('script').count()).toBe(0)
      // Readable on a phone: nothing wider than the screen but the scrollable tables.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
      expect(overflow).toBeLessThanOrEqual(0)
      const artifacts = path.join(ROOT, 'tests/.artifacts')
      mkdirSync(artifacts, { recursive: true })
      await page.screenshot({ path: path.join(artifacts, 'demo-digest-phone.png'), fullPage: true })
      expect(errors).toEqual([])
      expect(requests).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
