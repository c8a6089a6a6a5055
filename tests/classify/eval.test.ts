import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { evalFolds, evalTrainTest, type EvalRow } from '../../src/jobs/eval.js'
import { cli, tempDir } from '../helpers.js'

/** Two targets with their own vocabulary for each stance: a model per target can learn them; one model cannot mix them up. */
function rows(n: number, offset = 0): EvalRow[] {
  const words: Record<string, Record<string, string[]>> = {
    Cats: { FAVOR: ['purr', 'cuddly', 'adorable'], AGAINST: ['scratch', 'hiss', 'allergy'], NONE: ['weather', 'train', 'lunch'] },
    Taxes: { FAVOR: ['fair', 'schools', 'roads'], AGAINST: ['theft', 'burden', 'waste'], NONE: ['weather', 'train', 'lunch'] },
  }
  const out: EvalRow[] = []
  for (let i = offset; i < offset + n; i++) {
    for (const [target, byLabel] of Object.entries(words)) {
      for (const [label, w] of Object.entries(byLabel)) {
        out.push({ target, label, text: `${w[i % 3]} ${w[(i + 1) % 3]} number${i} really ${i % 2 ? 'today' : 'again'}` })
      }
    }
  }
  return out
}

describe('eval', () => {
  const tmp = tempDir()
  afterAll(tmp.cleanup)

  it('trains one model per target and pools the metrics over every test row', () => {
    const r = evalTrainTest(rows(12), rows(4, 100))
    expect(r.targets).toEqual(['Cats', 'Taxes'])
    expect(Object.keys(r.per_target)).toEqual(['Cats', 'Taxes'])
    expect(r.n_test).toBe(24)
    // Pooled confusion counts every test row once, and per-target supports add up to it.
    const cells = Object.values(r.confusion).flatMap((row) => Object.values(row))
    expect(cells.reduce((a, b) => a + b, 0)).toBe(24)
    expect(r.per_target.Cats!.support + r.per_target.Taxes!.support).toBe(24)
    expect(r.accuracy).toBe(1)
    expect(r.favor_against_f1).toBe(1)
    // The pooled F1 of each label follows from the pooled confusion matrix.
    for (const l of ['FAVOR', 'AGAINST', 'NONE']) {
      const tp = r.confusion[l]![l]!
      const predicted = Object.values(r.confusion).reduce((s, row) => s + (row[l] ?? 0), 0)
      const actual = Object.values(r.confusion[l]!).reduce((a, b) => a + b, 0)
      const p = tp / predicted
      const rc = tp / actual
      expect(r.labels[l]!.f1).toBeCloseTo((2 * p * rc) / (p + rc), 12)
    }
    expect(r.baseline.name).toContain('BayesClassifier')
    expect(r.baseline.confusion).toBeDefined()
  })

  it('cross-validation tests every row exactly once', () => {
    const data = rows(10)
    const r = evalFolds(data, 5)
    expect(r.folds).toBe(5)
    const cells = Object.values(r.confusion).flatMap((row) => Object.values(row))
    expect(cells.reduce((a, b) => a + b, 0)).toBe(data.length)
    expect(r.labels.FAVOR!.support + r.labels.AGAINST!.support + r.labels.NONE!.support).toBe(data.length)
    expect(r.baseline.labels.FAVOR!.support).toBe(r.labels.FAVOR!.support)
  })

  it('the CLI reads TSV, CSV and JSONL (Windows-1252 and BOM too) and prints one JSON document', async () => {
    const train = rows(12)
    const test = rows(4, 100)
    const tsv = (rs: EvalRow[]) => `id\ttarget\ttext\tlabel\n${rs.map((r, i) => `${i}\t${r.target}\t${r.text}\t${r.label}`).join('\n')}\n`
    const trainFile = path.join(tmp.dir, 'train.tsv')
    writeFileSync(trainFile, `\uFEFF${tsv(train)}`)
    const testFile = path.join(tmp.dir, 'test.csv')
    // "café" in Windows-1252 is a single 0xE9 byte.
    writeFileSync(testFile, Buffer.from(`text,label,target\n${test.map((r) => `"${r.text} café",${r.label},${r.target}`).join('\r\n')}\r\n`, 'latin1'))
    const r = await cli(['eval', '--train', trainFile, '--test', testFile, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    for (const key of ['labels', 'macro_f1', 'accuracy', 'per_target', 'confusion', 'train_s', 'predict_s', 'baseline']) expect(doc, key).toHaveProperty(key)
    for (const key of ['labels', 'macro_f1', 'accuracy', 'per_target', 'confusion', 'train_s', 'predict_s']) expect(doc.baseline, key).toHaveProperty(key)
    expect(doc.labels.FAVOR).toEqual({ precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number), support: 8 })
    expect(doc.favor_against_f1).toBeGreaterThan(0.9)
    expect(r.stderr).toContain('Windows-1252')

    const jsonl = path.join(tmp.dir, 'all.jsonl')
    writeFileSync(jsonl, train.map((x) => JSON.stringify(x)).join('\n'))
    const folds = await cli(['eval', '--data', jsonl, '--folds', '3'])
    expect(folds.code, folds.stderr).toBe(0)
    expect(folds.stdout).toContain('3-fold cross-validation on 72 rows')
    expect(folds.stdout).toContain('natural Bayes')
    expect(folds.stdout).toContain('F1 favor+against')
  })

  it('usage and input mistakes exit 2 with the reason', async () => {
    expect((await cli(['eval'])).code).toBe(2)
    expect((await cli(['eval', '--data', 'x.tsv', '--train', 'y.tsv'])).code).toBe(2)
    const missing = await cli(['eval', '--data', path.join(tmp.dir, 'nope.tsv')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.tsv')
  })
})
