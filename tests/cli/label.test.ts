import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { interactive } from '../../src/cli/commands/review.js'
import type { Io } from '../../src/cli/io.js'
import { reviewQueue } from '../../src/jobs/review.js'
import { uncertainty } from '../../src/classify/uncertainty.js'
import { copyKey } from '../../src/classify/label-memory.js'
import { cli, CONFIG, testContext, tempDir } from '../helpers.js'

/** People correct the model: label, review, explain, and train from their labels and files. */
describe('labels from people', () => {
  const tmp = tempDir()
  const db = path.join(tmp.dir, 'labels.sqlite')
  const base = ['--config', CONFIG, '--db', db]
  const json = async (args: string[]) => {
    const r = await cli([...base, ...args, '--json'], { USER: 'tester' })
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
    return JSON.parse(r.stdout)
  }
  const current = (postId: number) =>
    new Database(db, { readonly: true })
      .prepare("SELECT stance_label AS label, stance_source AS source FROM post_topics WHERE post_id = ? AND topic_id = 'china-ai-fund'")
      .get(postId) as {
      label: string
      source: string
    }

  beforeAll(async () => {
    const r = await cli([...base, 'demo', '--out', path.join(tmp.dir, 'digests')])
    expect(r.code, r.stderr).toBe(0)
  }, 60_000)
  afterAll(tmp.cleanup)

  it('review lists the least certain posts, most unsure first (entropy of the scores), with their scores', async () => {
    const r = await json(['review', '--n', '5'])
    const posts = r.topics[0].posts as { id: number; scores: Record<string, number> }[]
    expect(posts).toHaveLength(5)
    const entropies = posts.map((p) => uncertainty(p.scores))
    expect([...entropies].sort((a, b) => b - a)).toEqual(entropies)
    // Nothing in the whole topic is more unsure than the first candidate.
    const all = await json(['review', '--n', '200'])
    expect(Math.max(...all.topics[0].posts.map((p: any) => uncertainty(p.scores)))).toBeCloseTo(entropies[0]!, 6)
    // One of each set of copies (the demo sample has copy-pastes and retweets): one label covers them all.
    const keys = all.topics[0].posts.map((p: any) => copyKey(p.text)).filter((k: number | null) => k !== null)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it("a person's label overrides the model in stance queries and exports, and the model comes back when it is cleared", async () => {
    const [candidate] = (await json(['review', '--n', '1'])).topics[0].posts
    const before = await json(['stance', '--from', '2025-07-01', '--to', '2025-08-01', '--bucket', 'week'])
    const countOf = (s: any, label: string) => s.totals.labels.find((l: any) => l.label === label)
    const r = await json(['label', candidate.url, 'concern'])
    expect(r).toMatchObject({ topicId: 'china-ai-fund', label: 'concern', by: 'tester', previous: { source: 'model' } })
    expect(current(candidate.id)).toEqual({ label: 'concern', source: 'human' })

    const after = await json(['stance', '--from', '2025-07-01', '--to', '2025-08-01', '--bucket', 'week'])
    expect(countOf(after, 'concern').count).toBe(countOf(before, 'concern').count + 1)
    expect(countOf(after, 'concern').human).toBe(countOf(before, 'concern').human + 1)

    const out = path.join(tmp.dir, 'export.jsonl')
    expect((await cli([...base, 'export', '--format', 'jsonl', '--out', out])).code).toBe(0)
    const { readFileSync } = await import('node:fs')
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const row = rows.find((x) => x.url === candidate.url)
    expect(JSON.stringify(row)).toContain('"human"')

    // Retraining keeps the person's label, and the label is part of the training set.
    const trained = await json(['train'])
    expect(trained.topics[0].examples.people).toBe(1)
    expect(trained.topics[0].rescored).toBeGreaterThan(2000)
    expect(current(candidate.id)).toEqual({ label: 'concern', source: 'human' })

    const cleared = await json(['label', `#${candidate.id}`, '--clear'])
    expect(cleared.previous.source).toBe('human')
    expect(current(candidate.id).source).toBe('model')
  }, 60_000)

  it('refuses labels the topic does not define and posts it does not store, with exit code 2', async () => {
    const bad = await cli([...base, 'label', '#1', 'FAVOR'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('concern, praise, neutral')
    const missing = await cli([...base, 'label', 'https://x.com/a/status/1', 'concern'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no stored post')
    expect((await cli([...base, 'label', '#1'])).code).toBe(2)
  })

  it('explains a label with the features that pushed it, for a post or any text', async () => {
    const r = await json(['explain', '--text', '国家意志！大基金撑起中国AI，骄傲', '--top', '5'])
    expect(r.language).toBe('zh')
    expect(r.label).toBe('praise')
    expect(r.confidence).toBeGreaterThan(0.5)
    expect(r.for.length).toBeGreaterThan(0)
    expect(r.for.every((c: any) => c.weight > 0)).toBe(true)
    expect(r.for.some((c: any) => /国家|意志|骄傲/.test(c.text))).toBe(true)
    // The words as written, each from the text, with the model's features for debugging.
    for (const c of [...r.for, ...r.against]) if (!c.text.startsWith('language: ')) expect('国家意志！大基金撑起中国AI，骄傲').toContain(c.text)
    expect(r.for[0].features.length).toBeGreaterThan(0)
    const human = await cli([...base, 'explain', '#5'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/pushed towards (concern|praise|neutral):/)
    expect(human.stdout).not.toMatch(/xurl|xhashtag|xmention|NOT_/)
  })

  it('review on a terminal stores each answer at once and stops on q', async () => {
    const ctx = testContext({ configPath: CONFIG, dbPath: db })
    try {
      const queues = reviewQueue(ctx, { n: 3 })
      const answers = ['maybe', 'p', 's', 'q']
      const asked: string[] = []
      let out = ''
      const io: Io = { stdout: (s) => void (out += s), stderr: () => {}, stdoutIsTTY: true, stderrIsTTY: false, env: {}, cwd: tmp.dir }
      await interactive(ctx, io, (q) => (asked.push(q), Promise.resolve(answers.shift() ?? null)), queues, 'alice')
      expect(asked[0]).toContain('[c]oncern [p]raise [n]eutral [s]kip [q]uit')
      expect(out).toContain('answer with one of')
      expect(out).toContain('1 post labelled. Run `stancewatch train` to retrain and re-score.')
      expect(current(queues[0]!.posts[0]!.id)).toEqual({ label: 'praise', source: 'human' })
      // In a topic still without a model, the next classify run trains the first one: no `train` to run.
      out = ''
      const first = queues.map((q) => ({ ...q, posts: q.posts.slice(2, 3), progress: { counts: { concern: 0, praise: 1, neutral: 0 }, floor: 5 } }))
      await interactive(ctx, io, () => Promise.resolve('n'), first, 'alice')
      expect(out).toContain('1 post labelled. The next `stancewatch classify` trains a first model once every label has enough examples.')
      expect(current(queues[0]!.posts[1]!.id).source).toBe('model')
    } finally {
      ctx.db.close()
    }
  })

  it('train --data imports a labelled file once, skipping other targets and unknown labels', async () => {
    const file = path.join(tmp.dir, 'more.tsv')
    writeFileSync(
      file,
      '\uFEFFtext\tlabel\ttarget\n' +
        'Subsidies on this scale distort the market for every private lab\tconcern\t\n' +
        '大基金体现了国家意志，值得点赞\tpraise\tchina-ai-fund\n' +
        'Off-topic row\tconcern\tatheism\n' +
        'Benchmark label\tFAVOR\t\n',
    )
    const first = await json(['train', '--data', file, '--no-rescore'])
    expect(first.import).toMatchObject({ rows: 4, added: 2, known: 0, skipped: { otherTarget: 1, unknownLabel: { FAVOR: 1 } } })
    expect(first.topics[0].examples.imported).toBe(2)
    const again = await json(['train', '--data', file, '--no-rescore'])
    expect(again.import).toMatchObject({ added: 0, known: 2 })
    expect(again.topics[0].examples.imported).toBe(2)

    const useless = path.join(tmp.dir, 'semeval.tsv')
    writeFileSync(useless, 'Tweet\tStance\nsomething\tFAVOR\n')
    const r = await cli([...base, 'train', '--data', useless])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('concern, praise, neutral')
  }, 60_000)
})
