import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePostRef } from '../../src/cli/post-ref.js'
import { closeContext, type AppContext } from '../../src/context.js'
import { labelPost } from '../../src/jobs/label.js'
import { labelRows, type LabelRowInput } from '../../src/jobs/label-file.js'
import { undoLastLabels } from '../../src/jobs/label-undo.js'
import { SLOT_MS } from '../../src/store/stance.js'
import { seededRandom } from '../../tools/synthetic/random.js'
import { cli, CONFIG, tempDir, testContext } from '../helpers.js'

const TOPIC = 'china-ai-fund'
const LABELS = ['concern', 'praise', 'neutral']

/** Label files and undo on the demo database: counts stay exact, and undoing everything gives back the model's state. */
describe('label history', () => {
  const tmp = tempDir('stancewatch-label-history-')
  const dbPath = path.join(tmp.dir, 'demo.sqlite')
  let ctx: AppContext
  let ids: number[] = []

  beforeAll(async () => {
    const r = await cli(['--config', CONFIG, '--db', dbPath, 'demo', '--out', path.join(tmp.dir, 'digests')])
    expect(r.code, r.stderr).toBe(0)
    ctx = testContext({ dbPath })
    ids = ctx.db.prepare(`SELECT post_id FROM post_topics WHERE topic_id = ? ORDER BY post_id LIMIT 40`).pluck().all(TOPIC) as number[]
  }, 120_000)
  afterAll(() => {
    closeContext(ctx)
    tmp.cleanup()
  })

  const snapshot = () =>
    ctx.db
      .prepare('SELECT post_id, stance_label, stance_confidence, stance_source, stance_model_id FROM post_topics WHERE topic_id = ? ORDER BY post_id')
      .all(TOPIC)
  const people = () => ctx.db.prepare('SELECT topic_id, post_id, label, author, created_at FROM labels WHERE post_id IS NOT NULL ORDER BY post_id').all()
  const expectCountsExact = (context: string) => {
    const kept = `SELECT topic_id, label, slot, platform, lang, n, human FROM stance_slots ORDER BY 1, 2, 3, 4, 5`
    const truth = `SELECT pt.topic_id, coalesce(pt.stance_label, 'unclassified') AS label, pt.created_at / ${SLOT_MS} AS slot, p.platform, p.lang_detected AS lang,
        count(*) AS n, sum(pt.stance_source IS 'human') AS human
      FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`
    expect(ctx.db.prepare(kept).all(), context).toEqual(ctx.db.prepare(truth).all())
  }
  const row = (line: number, ref: string, label: string | null, extra: Partial<LabelRowInput> = {}): LabelRowInput => ({
    line,
    ref: parsePostRef(ref),
    label,
    topic: null,
    by: null,
    ...extra,
  })

  it('random files, single labels and undos keep the stance counts exact; undoing all of it restores every label and confidence', () => {
    const start = snapshot()
    const startPeople = people()
    const rnd = seededRandom(17)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!
    let batches = 0
    for (let step = 0; step < 40; step++) {
      const r = rnd()
      if (r < 0.5) {
        const rows = Array.from({ length: 1 + Math.floor(rnd() * 12) }, (_, i) => row(i + 2, `#${pick(ids)}`, rnd() < 0.15 ? null : pick(LABELS)))
        const report = labelRows(ctx, rows, [], { file: `f${step}.csv`, by: pick(['ann', 'bob']) })
        expect(report.applied + report.unchanged + report.refused).toBe(rows.length)
        if (report.batch !== null) batches++
      } else if (r < 0.8) {
        const res = labelPost(ctx, parsePostRef(`#${pick(ids)}`), rnd() < 0.2 ? null : pick(LABELS), { by: 'carol' })
        if (res.changed) batches++
      } else {
        const u = undoLastLabels(ctx)
        if (u.batch) batches--
        expect(u.skipped).toEqual([])
      }
      expectCountsExact(`after step ${step}`)
    }
    expect(batches).toBeGreaterThan(3)
    for (let i = 0; i < batches; i++) expect(undoLastLabels(ctx).batch).not.toBeNull()
    expect(undoLastLabels(ctx).batch).toBeNull()
    expect(people()).toEqual(startPeople)
    expect(snapshot()).toEqual(start)
    expectCountsExact('after undoing everything')
  })

  it('refuses conflicting rows, posts outside the topic and unknown topics; a duplicate row is unchanged; a changed-since label is left alone by undo', () => {
    const [a, b, c, d] = ids.slice(20, 24) as [number, number, number, number]
    ctx.db.prepare("UPDATE posts SET topics = '[]' WHERE id = ?").run(d)
    try {
      const report = labelRows(
        ctx,
        [
          row(2, `#${a}`, 'concern'),
          row(3, `#${a}`, 'praise'),
          row(4, `#${b}`, 'neutral'),
          row(5, `#${b}`, 'neutral'),
          row(6, `#${c}`, 'neutral', { topic: 'no-such-topic' }),
          row(7, `#${d}`, 'neutral'),
          row(8, 'gibberish', 'neutral'),
        ],
        [{ line: 9, message: 'malformed line: not valid JSON' }],
        { file: 'mixed.jsonl', by: 'ann' },
      )
      expect(report.rows.map((r) => [r.line, r.status, r.reason ?? null])).toEqual([
        [2, 'refused', 'conflict'],
        [3, 'refused', 'conflict'],
        [4, 'applied', null],
        [5, 'unchanged', null],
        [6, 'refused', 'unknown-topic'],
        [7, 'refused', 'not-in-topic'],
        [8, 'refused', 'no-such-post'],
        [9, 'refused', 'malformed'],
      ])
      expect(report.rows[0]!.message).toContain('concern (line 2), praise (line 3)')
      expect(report.rows[3]!.message).toContain('same post and label as line 4')
    } finally {
      ctx.db.prepare(`UPDATE posts SET topics = '["${TOPIC}"]' WHERE id = ?`).run(d)
    }
    // Someone changes b by other means (no history): the undo leaves b as it is, and says so.
    ctx.db.prepare("UPDATE labels SET label = 'praise' WHERE post_id = ?").run(b)
    const u = undoLastLabels(ctx)
    expect(u.restored).toEqual([])
    expect(u.skipped).toEqual([{ postId: b, topicId: TOPIC, message: 'its label was changed since (now praise); left as it is' }])
    ctx.db.prepare('DELETE FROM labels WHERE post_id = ?').run(b)
  })
})
