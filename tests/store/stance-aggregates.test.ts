import { afterEach, describe, expect, it } from 'vitest'
import { stanceOverTime, type StanceQuery } from '../../src/aggregate/stance-over-time.js'
import { closeContext, type AppContext } from '../../src/context.js'
import type { Platform, Post } from '../../src/domain/post.js'
import { saveClassifications } from '../../src/store/classifications.js'
import { openDb, type Db } from '../../src/store/db.js'
import { clearHumanLabel, findPost, setHumanLabel } from '../../src/store/labels.js'
import { migrate, readMigrations } from '../../src/store/migrate.js'
import { retagBatch, savePage, TOPIC_START, type MatchToStore, type PostToStore } from '../../src/store/posts.js'
import { SLOT_MS, stanceSlotCounts, stanceSlotCountsPlain, type SlotCount, type StanceFilter } from '../../src/store/stance.js'
import { saveStubModel, testContext } from '../helpers.js'
import { seededRandom } from '../../tools/synthetic/random.js'
import { makePost } from '../post.js'

const TOPIC = 'china-ai-fund'
const OTHER = 'other-topic'
const THEMES = ['fund', 'chips', 'talent', 'energy']
const LABELS = ['concern', 'praise', 'neutral', 'uncertain']
const LANGS = ['en', 'zh', 'fr', 'ja']
// Three days from a Saturday 00:00 UTC; posts fall at any millisecond, so slots and edges are exercised.
const START = Date.parse('2025-11-01T00:00:00Z')
const SPAN = 3 * 86_400_000

const random = seededRandom

/** Random writes through the real store functions, and a few through plain SQL as any other writer would. */
class Writer {
  private readonly rnd: () => number
  private readonly known: { platform: Platform; platformId: string }[] = []
  private next = 0
  private modelId: number
  private clock = START + SPAN

  constructor(
    private readonly db: Db,
    seed: number,
  ) {
    this.rnd = random(seed)
    this.modelId = saveStubModel(db, TOPIC, `test@${seed}`)
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!
  }

  private themes(): string[] {
    return THEMES.filter(() => this.rnd() < 0.3)
  }

  private item(post: Post, topics: string[]): PostToStore {
    const matches: MatchToStore[] = topics.map((topicId) => ({ topicId, rules: ['test'], themes: this.themes() }))
    return { post, langDetected: this.pick(LANGS), links: [], matches }
  }

  private newPost(): Post {
    const platform: Platform = this.rnd() < 0.5 ? 'x' : 'bluesky'
    const id = `p${this.next++}`
    this.known.push({ platform, platformId: id })
    return makePost({ platform, platformId: id, text: `post ${id}`, createdAt: new Date(START + Math.floor(this.rnd() * SPAN)).toISOString() })
  }

  /** A stored post as the store knows it. */
  private stored(): { id: number; platform: Platform; platformId: string; text: string; createdAt: number; topics: string[] } | null {
    if (!this.known.length) return null
    const k = this.pick(this.known)
    const row = this.db
      .prepare('SELECT id, text, created_at AS createdAt, topics FROM posts WHERE platform = ? AND platform_id = ?')
      .get(k.platform, k.platformId) as { id: number; text: string; createdAt: number; topics: string } | undefined
    return row ? { ...k, ...row, topics: JSON.parse(row.topics) as string[] } : null
  }

  private postOf(s: { platform: Platform; platformId: string; text: string; createdAt: number }): Post {
    return { ...this.newPostShape(s.platform, s.platformId), text: s.text, createdAt: new Date(s.createdAt).toISOString() }
  }

  private newPostShape(platform: Platform, platformId: string): Post {
    return makePost({ platform, platformId, createdAt: '' })
  }

  private page(p: { items?: PostToStore[]; edits?: PostToStore[]; deletions?: { platform: Platform; platformId: string; deletedAt: string }[] }) {
    this.clock += 60_000
    savePage(this.db, { items: p.items ?? [], edits: p.edits, deletions: p.deletions, source: 'test', query: null, observedAt: this.clock })
  }

  /** One random operation; returns its name (for a failing test's message). */
  step(): string {
    const r = this.rnd()
    const s = this.stored()
    if (r < 0.3 || !s) {
      const items = Array.from({ length: 1 + Math.floor(this.rnd() * 4) }, () =>
        this.item(this.newPost(), this.rnd() < 0.2 ? [TOPIC, OTHER] : [this.rnd() < 0.85 ? TOPIC : OTHER]),
      )
      if (this.rnd() < 0.7) {
        this.page({ items })
        return 'insert'
      }
      // One page with everything at once: a new post seen twice (the second time on another topic), a stored
      // post seen again, and a new post deleted before the page ends.
      const first = items[0]!.post
      items.push(this.item({ ...first }, [TOPIC, OTHER]))
      if (s) items.push(this.item(this.postOf(s), [TOPIC, OTHER]))
      const gone = items.at(-1 - (s ? 2 : 1))!.post
      this.page({ items, deletions: [{ platform: gone.platform, platformId: gone.platformId, deletedAt: new Date(this.clock).toISOString() }] })
      return 'mixed page'
    }
    if (r < 0.38) {
      // Seen again, by another query: maybe a reply joining another topic, maybe more themes.
      this.page({ items: [this.item(this.postOf(s), [this.rnd() < 0.5 ? TOPIC : OTHER])] })
      return 're-ingest'
    }
    if (r < 0.55) {
      const topic = this.pick(s.topics)
      const rows = this.db
        .prepare('SELECT post_id AS postId, created_at AS createdAt FROM post_topics WHERE topic_id = ? ORDER BY random() LIMIT 5')
        .all(topic) as { postId: number; createdAt: number }[]
      saveClassifications(
        this.db,
        topic,
        this.modelId,
        rows.map((x) => ({ ...x, label: this.pick(LABELS), confidence: 0.8, scores: {} })),
        this.clock,
      )
      return 'classify'
    }
    if (r < 0.63) {
      setHumanLabel(this.db, findPost(this.db, { kind: 'row', id: s.id, text: '' })!, this.pick(s.topics), this.pick(LABELS.slice(0, 3)), 'tester', this.clock)
      return 'label'
    }
    if (r < 0.68) {
      clearHumanLabel(this.db, findPost(this.db, { kind: 'row', id: s.id, text: '' })!, this.pick(s.topics))
      return 'clear label'
    }
    if (r < 0.76) {
      // New text: new language, themes decided by the new text, sometimes a new topic.
      const topics = this.rnd() < 0.3 ? [this.rnd() < 0.5 ? TOPIC : OTHER] : []
      const edit = this.item({ ...this.postOf(s), text: `${s.text} (edited ${this.clock})` }, topics)
      edit.textThemes = Object.fromEntries(s.topics.map((t) => [t, this.themes()]))
      this.page({ edits: [edit] })
      return 'edit'
    }
    if (r < 0.84) {
      this.page({ deletions: [{ platform: s.platform, platformId: s.platformId, deletedAt: new Date(this.clock).toISOString() }] })
      return 'delete'
    }
    if (r < 0.88) {
      // No collector undeletes; a person fixing a mistake in the sqlite3 shell might.
      this.db.prepare('UPDATE posts SET deleted_at = NULL WHERE id = ?').run(s.id)
      return 'undelete'
    }
    if (r < 0.93) {
      const seed = Math.floor(this.rnd() * 1000)
      const themesOf = (text: string) => THEMES.filter((_, i) => (text.length * 31 + seed * (i + 1)) % 3 === 0)
      retagBatch(this.db, this.pick([TOPIC, OTHER]), TOPIC_START, 50, themesOf)
      return 'retag'
    }
    if (r < 0.96) {
      this.db.prepare('DELETE FROM post_topics WHERE topic_id = ? AND created_at = ? AND post_id = ?').run(this.pick(s.topics), s.createdAt, s.id)
      return 'remove membership'
    }
    this.db.prepare('DELETE FROM posts WHERE id = ?').run(s.id)
    return 'remove post'
  }
}

const sorted = (rows: SlotCount[]) =>
  rows
    .map((r) => ({ ...r }))
    .sort(
      (a, b) =>
        a.slot - b.slot ||
        a.platform.localeCompare(b.platform) ||
        a.lang.localeCompare(b.lang) ||
        String(a.theme).localeCompare(String(b.theme)) ||
        a.label.localeCompare(b.label),
    )

/** Every filter the stance command can send, over whole slots and over minutes that cut slots. */
function filters(): StanceFilter[] {
  const ranges = [
    { from: START, to: START + SPAN },
    { from: START + 7 * 60_000 + 13, to: START + SPAN - 5 * 60_000 },
    { from: START + 86_400_000 + 60_000, to: START + 86_400_000 + 9 * 60_000 },
  ]
  const slices: Omit<StanceFilter, 'topicId' | 'from' | 'to'>[] = [
    {},
    { platform: 'x' },
    { lang: 'zh' },
    { platform: 'bluesky', lang: 'en' },
    { theme: 'chips' },
    { theme: 'fund', platform: 'x' },
    { byTheme: true },
    { byTheme: true, lang: 'fr' },
    { byTheme: true, theme: 'talent' },
  ]
  return [TOPIC, OTHER].flatMap((topicId) => ranges.flatMap((range) => slices.map((s) => ({ topicId, ...range, ...s }))))
}

/** The maintained tables hold exactly the GROUP BY over posts, with no leftover empty rows. */
function expectTablesExact(db: Db): void {
  const main = `SELECT pt.topic_id, coalesce(pt.stance_label, 'unclassified') AS label, pt.created_at / ${SLOT_MS} AS slot, p.platform, p.lang_detected AS lang,
      count(*) AS n, sum(pt.stance_source IS 'human') AS human
    FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`
  const themed = `SELECT pt.topic_id, coalesce(t.value, '') AS theme, coalesce(pt.stance_label, 'unclassified') AS label, pt.created_at / ${SLOT_MS} AS slot, p.platform, p.lang_detected AS lang,
      count(*) AS n, sum(pt.stance_source IS 'human') AS human
    FROM post_topics pt JOIN posts p ON p.id = pt.post_id LEFT JOIN json_each(pt.themes) t WHERE p.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`
  expect(db.prepare('SELECT topic_id, label, slot, platform, lang, n, human FROM stance_slots ORDER BY 1, 2, 3, 4, 5').all()).toEqual(db.prepare(main).all())
  expect(db.prepare('SELECT topic_id, theme, label, slot, platform, lang, n, human FROM stance_theme_slots ORDER BY 1, 2, 3, 4, 5, 6').all()).toEqual(
    db.prepare(themed).all(),
  )
}

function expectCountsEqual(db: Db, context: string): void {
  for (const f of filters()) expect(sorted(stanceSlotCounts(db, f)), `${context}: ${JSON.stringify(f)}`).toEqual(sorted(stanceSlotCountsPlain(db, f)))
}

let ctx: AppContext | undefined
afterEach(() => {
  if (ctx) closeContext(ctx)
  ctx = undefined
})

describe('stance aggregates', () => {
  it('equal the GROUP BY over posts after every few random writes of every kind', () => {
    ctx = testContext()
    const writer = new Writer(ctx.db, 7)
    const done: string[] = []
    for (let i = 1; i <= 600; i++) {
      done.push(writer.step())
      if (i % 25 === 0) {
        expectTablesExact(ctx.db)
        expectCountsEqual(ctx.db, `after ${i} operations (last: ${done.slice(-5).join(', ')})`)
      }
    }
    // Every kind of write happened, on a database that is not trivially small.
    expect(new Set(done)).toEqual(
      new Set([
        'insert',
        'mixed page',
        're-ingest',
        'classify',
        'label',
        'clear label',
        'edit',
        'delete',
        'undelete',
        'retag',
        'remove membership',
        'remove post',
      ]),
    )
    expect(ctx.db.prepare('SELECT count(*) FROM post_topics').pluck().get()).toBeGreaterThan(200)
    expect(ctx.db.prepare('SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL').pluck().get()).toBeGreaterThan(5)
    expect(ctx.db.prepare("SELECT count(*) FROM post_topics WHERE stance_source = 'human'").pluck().get()).toBeGreaterThan(5)
  })

  it('give stanceOverTime the same series as the GROUP BY, split or not, on DST days and in half-hour zones', () => {
    ctx = testContext()
    const writer = new Writer(ctx.db, 11)
    for (let i = 0; i < 300; i++) writer.step()
    const topic = ctx.config.topics[0]!
    const base: Omit<StanceQuery, 'zone' | 'bucket'> = { topic: topic, from: START - 86_400_000, to: START + SPAN + 86_400_000 }
    // 2 November 2025: New York falls back (a 25-hour day); India is UTC+5:30, Nepal UTC+5:45.
    for (const zone of ['America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC']) {
      for (const bucket of ['hour', 'day', 'week'] as const) {
        for (const extra of [
          {},
          { split: 'platform' as const },
          { split: 'lang' as const },
          { split: 'theme' as const },
          { theme: 'chips' },
          { platform: 'x', lang: 'en' },
          { split: 'theme' as const, theme: 'fund' },
        ]) {
          const q = { ...base, zone, bucket, ...extra }
          expect(stanceOverTime(ctx.db, q), `${zone} ${bucket} ${JSON.stringify(extra)}`).toEqual(stanceOverTime(ctx.db, { ...q, counts: 'posts' }))
        }
      }
    }
    // A range typed to the minute: the minutes outside whole slots are counted from the posts.
    const q = { ...base, from: START + 7 * 60_000 + 1, to: START + 86_400_000 + 52 * 60_000, zone: 'UTC', bucket: 'hour' as const }
    expect(stanceOverTime(ctx.db, q)).toEqual(stanceOverTime(ctx.db, { ...q, counts: 'posts' }))
  })

  it('are filled by the migration from the posts already stored', () => {
    const db = openDb(':memory:')
    try {
      // Today's writer also needs the posts' payload column (0010) and the classifications' label-memory columns
      // (0013), which change nothing else.
      migrate(
        db,
        readMigrations().filter((m) => m.version < '0007' || m.name === '0010_payloads.sql' || m.name === '0013_label_memory.sql'),
      )
      const writer = new Writer(db, 3)
      for (let i = 0; i < 250; i++) writer.step()
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'stance_slots'").pluck().get()).toBe(0)
      migrate(db)
      expect(db.prepare('SELECT count(*) FROM stance_slots').pluck().get()).toBeGreaterThan(50)
      expectTablesExact(db)
      expectCountsEqual(db, 'after the migration')
      // And kept from then on.
      for (let i = 0; i < 100; i++) writer.step()
      expectTablesExact(db)
    } finally {
      db.close()
    }
  })
})
