import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext } from '../../src/context.js'
import type { ExportedPost } from '../../src/export/records.js'
import { saveClassifications } from '../../src/store/classifications.js'
import { savePage } from '../../src/store/posts.js'
import { cli, CONFIG, saveStubModel, tempDir, testContext } from '../helpers.js'
import { makePost } from '../post.js'

const TOPIC = 'china-ai-fund'

interface Spec {
  id: string
  platform: 'x' | 'bluesky'
  lang: string
  themes: string[]
  /** The model's label and confidence; null: never classified. */
  model: [string, number] | null
  /** A person's label over the model's. */
  human?: string
}

// A mix across every filter: two platforms, four languages, themes, confident and unsure model labels,
// `uncertain`, a person's label on a post the model was unsure about, and posts never classified.
const SPECS: Spec[] = [
  { id: '01', platform: 'x', lang: 'en', themes: ['chips'], model: ['concern', 0.91] },
  { id: '02', platform: 'x', lang: 'en', themes: ['fund'], model: ['praise', 0.55] },
  { id: '03', platform: 'bluesky', lang: 'ja', themes: ['chips', 'talent'], model: ['praise', 0.8] },
  { id: '04', platform: 'bluesky', lang: 'zh', themes: [], model: ['uncertain', 0.38] },
  { id: '05', platform: 'x', lang: 'zh', themes: ['chips'], model: ['neutral', 0.3], human: 'concern' },
  { id: '06', platform: 'bluesky', lang: 'fr', themes: ['fund'], model: null },
  { id: '07', platform: 'x', lang: 'fr', themes: [], model: ['neutral', 0.7] },
  { id: '08', platform: 'bluesky', lang: 'en', themes: ['chips'], model: null },
]

describe('export filters: --label, --lang, --platform, --theme, --min-confidence', () => {
  const tmp = tempDir('stancewatch-export-filters-')
  const db = path.join(tmp.dir, 'filters.sqlite')
  const base = ['--config', CONFIG, '--db', db, 'export']

  beforeAll(() => {
    const ctx = testContext({ dbPath: db })
    const modelId = saveStubModel(ctx.db, TOPIC)
    for (const [i, s] of SPECS.entries()) {
      const platformId = s.platform === 'x' ? `19450000000000000${s.id}` : `at://did:plc:test${s.id}/app.bsky.feed.post/3lu${s.id}`
      const post = makePost({
        platform: s.platform,
        platformId,
        url: s.platform === 'x' ? `https://x.com/someone/status/${platformId}` : `https://bsky.app/profile/test${s.id}/post/3lu${s.id}`,
        text: `post ${s.id}`,
        createdAt: new Date(Date.parse('2025-07-16T14:00:00Z') + i * 60_000).toISOString(),
      })
      savePage(ctx.db, {
        items: [{ post, langDetected: s.lang, links: [], matches: [{ topicId: TOPIC, rules: ['test'], themes: s.themes }] }],
        deletions: [],
        source: 'test',
        query: null,
        observedAt: Date.parse('2025-07-16T20:00:00Z'),
      })
      const row = ctx.db.prepare('SELECT id, created_at AS createdAt FROM posts WHERE platform = ? AND platform_id = ?').get(s.platform, platformId) as {
        id: number
        createdAt: number
      }
      if (s.model)
        saveClassifications(ctx.db, TOPIC, modelId, [{ postId: row.id, createdAt: row.createdAt, label: s.model[0], confidence: s.model[1], scores: {} }], 1)
      if (s.human)
        ctx.db.prepare("UPDATE post_topics SET stance_label = ?, stance_confidence = NULL, stance_source = 'human' WHERE post_id = ?").run(s.human, row.id)
    }
    closeContext(ctx)
  })
  afterAll(tmp.cleanup)

  /** The posts' spec ids an export with these flags writes (JSONL). */
  async function ids(...flags: string[]): Promise<string[]> {
    const r = await cli([...base, '--format', 'jsonl', ...flags])
    expect(r.code, r.stderr).toBe(0)
    return r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as ExportedPost).text.slice(5))
  }

  it('without filters exports every post', async () => {
    expect(await ids()).toEqual(SPECS.map((s) => s.id))
  })

  it('--label takes repeats and comma lists, counts a person’s label over the model’s, and knows uncertain and unclassified', async () => {
    expect(await ids('--label', 'concern')).toEqual(['01', '05'])
    expect(await ids('--label', 'concern,praise')).toEqual(['01', '02', '03', '05'])
    expect(await ids('--label', 'praise', '--label', 'neutral')).toEqual(['02', '03', '07'])
    expect(await ids('--label', 'uncertain')).toEqual(['04'])
    expect(await ids('--label', 'unclassified')).toEqual(['06', '08'])
    expect(await ids('--label', 'uncertain,unclassified')).toEqual(['04', '06', '08'])
  })

  it('--lang is the detected language, --platform the platform, --theme one of the post’s themes', async () => {
    expect(await ids('--lang', 'zh')).toEqual(['04', '05'])
    expect(await ids('--platform', 'bluesky')).toEqual(['03', '04', '06', '08'])
    expect(await ids('--theme', 'chips')).toEqual(['01', '03', '05', '08'])
    expect(await ids('--theme', 'talent')).toEqual(['03'])
  })

  it('--min-confidence keeps the model’s sure labels and every person’s label, never an unclassified post', async () => {
    expect(await ids('--min-confidence', '0.7')).toEqual(['01', '03', '05', '07'])
    expect(await ids('--min-confidence', '0')).toEqual(['01', '02', '03', '04', '05', '07'])
    expect(await ids('--min-confidence', '1')).toEqual(['05'])
  })

  it('--search keeps the posts whose text contains the words, ignoring case, as the dashboard’s search', async () => {
    expect(await ids('--search', 'ST 03')).toEqual(['03'])
    expect(await ids('--search', 'post 0', '--platform', 'x')).toEqual(['01', '02', '05', '07'])
    expect(await ids('--search', 'nowhere')).toEqual([])
  })

  it('filters combine: a post must pass each one', async () => {
    expect(await ids('--theme', 'chips', '--platform', 'x', '--min-confidence', '0.9')).toEqual(['01', '05'])
    expect(await ids('--label', 'praise,concern', '--lang', 'en', '--min-confidence', '0.6')).toEqual(['01'])
    expect(await ids('--label', 'unclassified', '--min-confidence', '0.1')).toEqual([])
  })

  it('CSV takes the same filters', async () => {
    const r = await cli([...base, '--format', 'csv', '--label', 'concern', '--platform', 'x'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines.slice(1).map((l) => l.match(/,post (\d\d),/)![1])).toEqual(['01', '05'])
  })

  it.each([
    [['--label', 'angry'], '--label angry', 'concern, praise, neutral, uncertain, unclassified'],
    [['--label', ','], "'--label", 'give at least one value'],
    [['--lang', 'english'], '--lang english', 'en, zh, ja, ko, fr, es, de, it, pt, ru, und'],
    [['--platform', 'mastodon'], '--platform', 'x, bluesky'],
    [['--theme', 'weather'], '--theme weather', 'fund, chips, open-models'],
    [['--min-confidence', '1.5'], "'--min-confidence", 'from 0 to 1'],
    [['--min-confidence', 'high'], "'--min-confidence", 'from 0 to 1'],
  ])('%j exits 2 naming the flag and the valid choices', async (flags, names, choices) => {
    const r = await cli([...base, '--format', 'jsonl', ...flags])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(names)
    expect(r.stderr).toContain(choices)
  })

  it('names every bad value at once, and a stray comma is no value of its own', async () => {
    const r = await cli([...base, '--format', 'jsonl', '--label', 'angry', '--theme', 'weather'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--label angry')
    expect(r.stderr).toContain('--theme weather')
    expect(await ids('--label', 'concern,,')).toEqual(['01', '05'])
  })

  it('--help shows the filters with examples', async () => {
    const r = await cli(['export', '--help'])
    expect(r.code).toBe(0)
    for (const flag of ['--label', '--lang', '--platform', '--theme', '--min-confidence']) expect(r.stdout).toContain(flag)
    expect(r.stdout).toContain('$ stancewatch export --format csv --label concern,praise --min-confidence 0.7')
  })
})
