import { writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { runJob } from '../../src/jobs/scheduled.js'
import { cli, tempDir, testContext, writeTestConfig } from '../helpers.js'

/**
 * `train` makes a model active only when it clears the topic's bar: cross-validated macro-F1 at least
 * stance.min_cv_macro_f1, and every label with enough examples. Otherwise the previous model stays.
 */
describe('train refuses a model below the bar', () => {
  const tmp = tempDir('stancewatch-train-floor-')
  afterAll(tmp.cleanup)
  // A second topic with four seeds: one label has a single example, one has none.
  const seeds = path.join(tmp.dir, 'tiny.jsonl')
  writeFileSync(
    seeds,
    [
      { text: 'The tiny fund is a waste of public money', label: 'concern' },
      { text: 'Tiny fund subsidies distort the market', label: 'concern' },
      { text: 'Proud of the tiny fund and its vision', label: 'praise' },
      { text: 'Worried the tiny fund crowds out private money', label: 'concern' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  )
  const withTiny = (floor?: number) => (c: Record<string, any>) => {
    if (floor !== undefined) c.topics[0].stance.min_cv_macro_f1 = floor
    c.topics.push({
      id: 'tiny',
      name: 'A topic with four seeds',
      keywords: [{ id: 'tiny', any: ['tiny fund'] }],
      stance: { labels: c.topics[0].stance.labels, seeds },
    })
  }
  const config = writeTestConfig(tmp.dir, withTiny())
  const strict = writeTestConfig(tmp.dir, withTiny(0.99), 'strict.yaml')
  const db = path.join(tmp.dir, 'train.sqlite')
  const train = (args: string[], cfg = config) => cli(['--config', cfg, '--db', db, 'train', '--no-rescore', ...args])
  const activeVersion = (topic: string) =>
    (new Database(db, { readonly: true }).prepare('SELECT version FROM models WHERE topic_id = ? AND active = 1').get(topic) as { version: string } | undefined)
      ?.version ?? null

  it('four seeds: refused with the reasons, exit 1, no model made active; --json reports the decision', async () => {
    const r = await train(['--topic', 'tiny', '--json'])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.topics[0]).toMatchObject({
      topicId: 'tiny',
      modelId: null,
      examples: { byLabel: { concern: 3, praise: 1, neutral: 0 } },
      decision: { status: 'refused', activeVersion: null, minPerLabel: 5, minMacroF1: 0.45 },
    })
    expect(out.topics[0].decision.problems).toEqual([
      'too few examples of "concern" (3), "praise" (1), "neutral" (0): at least 5 of each label are needed, one per cross-validation fold',
      expect.stringMatching(/^cross-validated macro-F1 0\.\d{3} is below stance\.min_cv_macro_f1 \(0\.45\)$/),
    ])
    expect(r.stderr).toContain('model refused for tiny')
    expect(activeVersion('tiny')).toBeNull()

    const human = await train(['--topic', 'tiny'])
    expect(human.code).toBe(1)
    expect(human.stdout).toContain('tiny: the new model was NOT made active: too few examples of "concern" (3), "praise" (1), "neutral" (0)')
    expect(human.stdout).toContain('The topic has no active model.')
    expect(human.stdout).toContain('Fix: add labelled examples')
  }, 60_000)

  it('--force makes it active and says so; a later refusal keeps that model', async () => {
    const forced = await train(['--topic', 'tiny', '--force', '--json'])
    expect(forced.code, forced.stderr).toBe(0)
    const out = JSON.parse(forced.stdout).topics[0]
    expect(out.decision.status).toBe('forced')
    expect(out.modelId).toBeGreaterThan(0)
    expect(forced.stderr).toContain('warning: tiny: a model below the bar was made active because of --force')
    expect(activeVersion('tiny')).toBe(out.version)

    const again = await train(['--topic', 'tiny', '--json'])
    expect(again.code).toBe(1)
    expect(JSON.parse(again.stdout).topics[0].decision).toMatchObject({ status: 'refused', activeVersion: out.version })
    expect(activeVersion('tiny')).toBe(out.version)
    const human = await train(['--topic', 'tiny'])
    expect(human.stdout).toContain(`The previous model ${out.version} stays active.`)

    // Wherever its labels are read, the forced model is flagged.
    const digest = await cli(['--config', config, '--db', db, 'digest', '--topic', 'tiny', '--date', '2025-07-16', '--out', path.join(tmp.dir, 'digests')])
    expect(digest.code, digest.stderr).toBe(0)
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(path.join(tmp.dir, 'digests', 'tiny', 'digest-2025-07-16.md'), 'utf8')).toContain(
      "below the topic's floor of 0.45 (made active with train --force): treat its labels with caution",
    )
  }, 60_000)

  it('the shipped seeds clear the bar and become active; a floor above their macro-F1 refuses and keeps that model', async () => {
    const good = await train(['--topic', 'china-ai-fund', '--json'])
    expect(good.code, good.stderr).toBe(0)
    const out = JSON.parse(good.stdout).topics[0]
    expect(out.decision).toMatchObject({ status: 'active', problems: [] })
    expect(out.cv.macro_f1).toBeGreaterThanOrEqual(0.45)
    expect(activeVersion('china-ai-fund')).toBe(out.version)

    const refused = await train(['--topic', 'china-ai-fund', '--json'], strict)
    expect(refused.code).toBe(1)
    const decision = JSON.parse(refused.stdout).topics[0].decision
    expect(decision).toMatchObject({ status: 'refused', activeVersion: out.version, minMacroF1: 0.99 })
    expect(decision.problems).toEqual([expect.stringMatching(/^cross-validated macro-F1 0\.\d{3} is below stance\.min_cv_macro_f1 \(0\.99\)$/)])
    expect(activeVersion('china-ai-fund')).toBe(out.version)
  }, 60_000)

  it('the scheduled classify job never forces: a topic whose first model is refused (enough examples, macro-F1 under the floor) stays unscored, and the run says why', async () => {
    const fresh = path.join(tmp.dir, 'scheduled.sqlite')
    const ctx = testContext({ configPath: strict, dbPath: fresh })
    try {
      const outcome = await runJob(ctx, 'classify')
      // The only topic that could train was refused; the other is a new topic waiting for labels, not a failure.
      expect(outcome.status).toBe('failed')
      expect(outcome.reason).toMatch(
        /china-ai-fund has no model: its first model was refused \(cross-validated macro-F1 0\.\d{3} is below stance\.min_cv_macro_f1 \(0\.99\)\)/,
      )
      expect(outcome.reason).toContain('tiny: stance not yet measured (labels so far concern 3/5, praise 1/5, neutral 0/5)')
      const results = outcome.detail as { topicId: string; model: string | null; refused?: string[]; status?: string }[]
      expect(results.find((r) => r.topicId === 'tiny')).toMatchObject({ model: null, classified: 0, status: 'awaiting-labels' })
      expect(results.find((r) => r.topicId === 'china-ai-fund')).toMatchObject({ model: null, classified: 0 })
    } finally {
      ctx.db.close()
    }
    const r = await cli(['--config', strict, '--db', fresh, 'classify', '--topic', 'china-ai-fund'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('china-ai-fund: no posts classified: the first model, trained from the seed labels, was refused')
  }, 90_000)

  it('a topic short of examples for a first model is not trained by classify: it awaits labels, exit 0', async () => {
    const r = await cli(['--config', config, '--db', path.join(tmp.dir, 'awaiting.sqlite'), 'classify', '--topic', 'tiny'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(
      'tiny: stance not yet measured: labels so far concern 3/5, praise 1/5, neutral 0/5; label posts with `stancewatch review --topic tiny`',
    )
  }, 60_000)
})
