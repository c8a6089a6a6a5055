import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import type { Progress } from '../../src/domain/progress.js'
import { ingest } from '../../src/jobs/ingest.js'
import { retag } from '../../src/jobs/retag.js'
import { normalizePayload, type Normalized } from '../../src/normalize/index.js'
import { cli, CONFIG, tempDir, testContext, writeTestConfig } from '../helpers.js'

const TOPIC = 'china-ai-fund'

function xPage(tweets: [string, string, string?][]): Normalized {
  return normalizePayload({
    data: tweets.map(([id, text, createdAt]) => ({
      id,
      text,
      author_id: '42',
      created_at: createdAt ?? '2025-07-16T12:00:00.000Z',
      lang: 'en',
      conversation_id: id,
    })),
    includes: { users: [{ id: '42', username: 'alice', name: 'Alice' }] },
    meta: { result_count: tweets.length },
  })!
}

const POSTS: [string, string, string?][] = [
  ['1945000000000000001', "China's $8.5bn state AI fund and the subsidies it hands out"],
  ['1945000000000000002', 'Nvidia can sell H20 chips to China again'],
  ['1945000000000000003', "China's state AI fund will need coal-fired power, lots of it"],
  ['1945000000000000004', 'DeepSeek hired returnees for its open-weight models', '2025-07-16T13:00:00.000Z'],
  ['1945000000000000005', 'The state AI fund backs 400 start-ups in China', '2025-07-16T13:00:00.000Z'],
]

/** theme lists by platform id. */
function themes(ctx: AppContext): Record<string, string[]> {
  const rows = ctx.db
    .prepare('SELECT p.platform_id AS id, pt.themes FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE pt.topic_id = ? ORDER BY p.platform_id')
    .all(TOPIC) as { id: string; themes: string }[]
  return Object.fromEntries(rows.map((r) => [r.id.slice(-1), JSON.parse(r.themes) as string[]]))
}

/** The shipped config with `coal` as an energy term, `talent` gone and a `start-ups` theme added. */
function editedConfig(dir: string): string {
  return writeTestConfig(dir, (c) => {
    const t = c.topics[0].themes as { id: string; any: string[] }[]
    t.find((x) => x.id === 'energy')!.any.push('coal')
    t.splice(
      t.findIndex((x) => x.id === 'talent'),
      1,
    )
    t.push({ id: 'start-ups', name: 'Start-ups', any: ['start-ups', 'startups', '初创'] } as never)
  })
}

describe('retag', () => {
  let tmp: ReturnType<typeof tempDir>
  let db: string
  let ctx: AppContext
  beforeEach(() => {
    tmp = tempDir('stancewatch-retag-')
    db = path.join(tmp.dir, 'retag.sqlite')
    const first = testContext({ dbPath: db })
    ingest(first, [xPage(POSTS)], { source: 'x', query: 'q' })
    closeContext(first)
  })
  afterEach(() => {
    if (ctx) closeContext(ctx)
    tmp.cleanup()
  })

  it('stores the themes of the config in use at ingest time', () => {
    ctx = testContext({ dbPath: db })
    expect(themes(ctx)).toEqual({ 1: ['fund', 'state-vs-market'], 2: ['chips'], 3: ['fund'], 4: ['open-models', 'talent'], 5: ['fund'] })
  })

  it('after a config change, recomputes every post’s themes from its text; a second run changes nothing', () => {
    ctx = testContext({ dbPath: db, configPath: editedConfig(tmp.dir) })
    const progress: Progress[] = []
    // Batches of two: the walk must cross batch edges, including two posts with the same time.
    const r = retag(ctx, { batchSize: 2, onProgress: (p) => progress.push(p) })
    expect(r).toEqual({ topic: TOPIC, posts: 5, changed: 3, languages: 0 })
    expect(themes(ctx)).toEqual({ 1: ['fund', 'state-vs-market'], 2: ['chips'], 3: ['fund', 'energy'], 4: ['open-models'], 5: ['fund', 'start-ups'] })
    expect(progress.map((p) => [p.done, p.total, p.label])).toEqual([
      [2, 5, TOPIC],
      [4, 5, TOPIC],
      [5, 5, TOPIC],
    ])
    expect(retag(ctx)).toEqual({ topic: TOPIC, posts: 5, changed: 0, languages: 0 })
  })

  it('tags posts stored before themes existed, deleted ones included, and only changes sets, not order', () => {
    ctx = testContext({ dbPath: db })
    ctx.db.prepare("UPDATE post_topics SET themes = '[]'").run()
    ctx.db.prepare("UPDATE posts SET deleted_at = 1 WHERE platform_id = '1945000000000000002'").run()
    // The same set in another order (a union of two sightings) is not a change.
    ctx.db
      .prepare(`UPDATE post_topics SET themes = '["state-vs-market","fund"]' WHERE post_id = (SELECT id FROM posts WHERE platform_id = '1945000000000000001')`)
      .run()
    expect(retag(ctx)).toEqual({ topic: TOPIC, posts: 5, changed: 4, languages: 0 })
    expect(themes(ctx)).toEqual({ 1: ['state-vs-market', 'fund'], 2: ['chips'], 3: ['fund'], 4: ['open-models', 'talent'], 5: ['fund'] })
  })

  it('detects again the language an earlier detector stored, and the stance counts follow it', () => {
    ctx = testContext({ dbPath: db })
    // As the word-list detector before eld did with some posts: a language the text is not in.
    ctx.db.prepare("UPDATE posts SET lang_detected = 'de' WHERE platform_id = '1945000000000000002'").run()
    const byLang = () =>
      Object.fromEntries(
        (
          ctx.db.prepare('SELECT lang, sum(n) AS n FROM stance_slots WHERE topic_id = ? GROUP BY lang HAVING sum(n) > 0').all(TOPIC) as {
            lang: string
            n: number
          }[]
        ).map((r) => [r.lang, r.n]),
      )
    expect(byLang()).toEqual({ en: 4, de: 1 })
    expect(retag(ctx)).toEqual({ topic: TOPIC, posts: 5, changed: 0, languages: 1 })
    expect(ctx.db.prepare("SELECT lang_detected FROM posts WHERE platform_id = '1945000000000000002'").pluck().get()).toBe('en')
    expect(byLang()).toEqual({ en: 5 })
    expect(retag(ctx).languages).toBe(0)
  })

  it('leaves rules, stance labels and other topics alone', () => {
    ctx = testContext({ dbPath: db, configPath: editedConfig(tmp.dir) })
    ctx.db.prepare("UPDATE post_topics SET stance_label = 'concern', stance_source = 'human'").run()
    ctx.db
      .prepare(
        `INSERT INTO post_topics (topic_id, created_at, post_id, rules, themes, source, matched_at) SELECT 'other', created_at, id, '["x"]', '["keep"]', 'x', 0 FROM posts`,
      )
      .run()
    const before = ctx.db.prepare('SELECT topic_id, post_id, rules, stance_label, stance_source FROM post_topics ORDER BY topic_id, post_id').all()
    retag(ctx)
    expect(ctx.db.prepare('SELECT topic_id, post_id, rules, stance_label, stance_source FROM post_topics ORDER BY topic_id, post_id').all()).toEqual(before)
    expect(ctx.db.prepare("SELECT DISTINCT themes FROM post_topics WHERE topic_id = 'other'").pluck().all()).toEqual(['["keep"]'])
  })

  it('an unknown topic is a usage error', () => {
    ctx = testContext({ dbPath: db })
    expect(() => retag(ctx, { topic: 'nope' })).toThrow(/no topic "nope"/)
  })

  describe('stancewatch retag', () => {
    it('--json prints {topic, posts, changed, languages}; idempotent', async () => {
      const config = editedConfig(tmp.dir)
      const first = await cli(['--config', config, '--db', db, 'retag', '--json'])
      expect(first.code).toBe(0)
      expect(JSON.parse(first.stdout)).toEqual({ topic: TOPIC, posts: 5, changed: 3, languages: 0 })
      const again = await cli(['--config', config, '--db', db, 'retag', '--topic', TOPIC, '--json'])
      expect(JSON.parse(again.stdout)).toEqual({ topic: TOPIC, posts: 5, changed: 0, languages: 0 })
    })

    it('prints a line for people, and no progress bar when stderr is not a terminal', async () => {
      const r = await cli(['--config', CONFIG, '--db', db, 'retag'])
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(`${TOPIC}: 5 posts re-tagged, 0 with changed themes, 0 with a changed language\n`)
      expect(r.stderr).toBe('')
    })

    it('exits 2 on an unknown topic, with --help examples', async () => {
      const r = await cli(['--config', CONFIG, '--db', db, 'retag', '--topic', 'nope', '--json'])
      expect(r.code).toBe(2)
      expect(JSON.parse(r.stdout)).toHaveProperty('error')
      const help = await cli(['retag', '--help'])
      expect(help.stdout).toContain('Examples:')
    })
  })
})
