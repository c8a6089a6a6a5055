import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { featurize } from '../../src/classify/features.js'
import { evaluate } from '../../src/classify/metrics.js'
import { readSeedExamples } from '../../src/classify/seeds.js'
import { StanceModel, type Example } from '../../src/classify/stance-model.js'
import { crossValidate, modelVersion, trainStanceModel } from '../../src/classify/training.js'
import { parseConfigText } from '../../src/config/load.js'
import { closeContext, type AppContext } from '../../src/context.js'
import { ConfigError } from '../../src/domain/errors.js'
import { UNCERTAIN } from '../../src/domain/stance.js'
import { activeModel, saveActiveModel } from '../../src/store/models.js'
import { CONFIG, tempDir, testContext } from '../helpers.js'

const ex = (label: string, texts: string[]): Example[] => texts.map((text) => ({ text, label }))

/** Separable by vocabulary: each class has its own words. */
const TOY: Example[] = [
  ...ex('pos', ['great wonderful excellent', 'wonderful superb great', 'excellent great joy', 'superb joy wonderful', 'great joy excellent']),
  ...ex('neg', ['terrible awful horrible', 'awful dreadful terrible', 'horrible awful misery', 'dreadful misery horrible', 'terrible misery awful']),
  ...ex('meh', ['average ordinary fine', 'ordinary so-so average', 'fine mediocre ordinary', 'so-so average mediocre', 'mediocre fine average']),
]
const TOY_LABELS = ['pos', 'neg', 'meh']

const ZH: Example[] = [
  ...ex('praise', ['这个政策非常好', '支持国家基金', '国家意志了不起', '遥遥领先太棒了', '非常支持这个决定', '了不起的战略眼光']),
  ...ex('concern', ['补贴扭曲市场', '产能过剩很危险', '浪费纳税人的钱', '市场被扭曲了', '这是巨大的浪费', '僵尸企业越来越多']),
]
const JA: Example[] = [
  ...ex('praise', ['素晴らしい政策だ', '国家の意志は素晴らしい', 'とても良い決定です', '見事な戦略だ', '素晴らしい決断です']),
  ...ex('concern', ['市場の歪みが心配だ', '補助金の無駄遣い', '過剰投資は危険です', '税金の無駄です', '市場をゆがめている']),
]

function trainedToy(minConfidence = 0.45) {
  return trainStanceModel(TOY, TOY_LABELS, minConfidence)
}

describe('StanceModel', () => {
  it('learns a separable toy problem: 100% on its training data', () => {
    const m = trainedToy()
    const predicted = TOY.map((e) => m.predict(e.text).label)
    expect(predicted).toEqual(TOY.map((e) => e.label))
    expect(
      evaluate(
        TOY.map((e) => e.label),
        predicted,
        TOY_LABELS,
      ).accuracy,
    ).toBe(1)
  })

  it('generalises to an unseen mix of a class’s words', () => {
    const m = trainedToy()
    expect(m.predict('joy and superb').label).toBe('pos')
    expect(m.predict('dreadful, awful').label).toBe('neg')
  })

  it('probabilities sum to 1 and the confidence is the top probability, in [0, 1]', () => {
    const m = trainedToy()
    for (const text of [...TOY.map((e) => e.text), 'unrelated words entirely', '', '😀', '中文']) {
      const pred = m.predict(text)
      const probs = Object.values(pred.scores)
      expect(Object.keys(pred.scores)).toEqual(TOY_LABELS)
      // Scores are rounded to 4 decimals for storage.
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3)
      for (const p of probs) {
        expect(p).toBeGreaterThanOrEqual(0)
        expect(p).toBeLessThanOrEqual(1)
      }
      expect(pred.confidence).toBeGreaterThanOrEqual(1 / 3)
      expect(pred.confidence).toBeLessThanOrEqual(1)
      expect(pred.confidence).toBeCloseTo(Math.max(...probs), 3)
    }
  })

  it('the most probable label follows the largest decision value', () => {
    const m = trainedToy()
    for (const e of TOY) {
      const d = [...m.decision(e.text)]
      expect(TOY_LABELS[d.indexOf(Math.max(...d))]).toBe(m.predict(e.text).label)
    }
  })

  it('below min_confidence the label is `uncertain`, with the scores still given', () => {
    const strict = trainedToy(0.999_999)
    const p = strict.predict('great terrible ordinary')
    expect(p.label).toBe(UNCERTAIN)
    expect(p.confidence).toBeLessThan(0.999_999)
    expect(Object.keys(p.scores)).toEqual(TOY_LABELS)

    const lenient = trainedToy(0)
    expect(lenient.predict('great terrible ordinary').label).not.toBe(UNCERTAIN)
  })

  it('the threshold is inclusive: confidence equal to min_confidence is a label', () => {
    const m = trainedToy()
    const c = m.predict('great joy').confidence
    const { weights } = m.serialize()
    const atThreshold = StanceModel.load(JSON.stringify({ ...m.params, minConfidence: c }), weights)
    expect(atThreshold.predict('great joy').label).toBe('pos')
    const above = StanceModel.load(JSON.stringify({ ...m.params, minConfidence: Math.min(1, c + 1e-9) }), weights)
    expect(above.predict('great joy').label).toBe(UNCERTAIN)
  })

  it('serialize → load gives identical scores, also through the database BLOB', () => {
    const m = trainedToy()
    const { params, weights } = m.serialize()
    const loaded = StanceModel.load(params, weights)
    expect(loaded.params).toEqual(m.params)
    const probes = [...TOY.map((e) => e.text), 'unrelated text', '国家AI基金']
    for (const t of probes) {
      expect(loaded.predict(t)).toEqual(m.predict(t))
      expect(loaded.decision(t)).toEqual(m.decision(t))
    }

    let ctx: AppContext | null = null
    try {
      ctx = testContext()
      saveActiveModel(ctx.db, { topicId: 'toy', version: 'toy@1', algorithm: 'test', params, metrics: null, trainingSize: TOY.length, trainedAt: 1, weights })
      const stored = activeModel(ctx.db, 'toy')!
      const fromDb = StanceModel.load(stored.params, stored.weights)
      for (const t of probes) expect(fromDb.predict(t)).toEqual(m.predict(t))
    } finally {
      if (ctx) closeContext(ctx)
    }
  })

  it('the weight format keeps every weight and bias exactly', () => {
    const m = trainedToy()
    const first = m.serialize()
    const again = StanceModel.load(first.params, first.weights).serialize()
    expect(again.weights.equals(first.weights)).toBe(true)
    expect(again.params).toBe(first.params)
    expect(m.bucketWeights.some((w) => w !== 0)).toBe(true)
    expect(m.buckets.length).toBeGreaterThan(10)
  })

  it('training is deterministic for the same data and seed', () => {
    const a = trainedToy()
    const b = trainedToy()
    expect(b.serialize().weights.equals(a.serialize().weights)).toBe(true)
  })

  it('chooses its regularisation by cross-validation and records the candidates', () => {
    const m = trainStanceModel([...TOY, ...TOY.map((e) => ({ ...e, text: `${e.text} indeed` }))], TOY_LABELS, 0.45)
    expect(m.params.selection.length).toBeGreaterThan(1)
    expect(m.params.selection.map((s) => s.hyper)).toContainEqual(m.params.hyper)
    expect(m.params.temperature).toBeGreaterThan(0)
  })

  it('examples with labels the topic does not define are ignored', () => {
    const m = trainStanceModel([...TOY, { text: 'great wonderful', label: 'other' }], TOY_LABELS, 0.45)
    expect(m.params.labels).toEqual(TOY_LABELS)
    expect(m.predict('great wonderful').label).toBe('pos')
  })
})

describe('Chinese and Japanese training texts', () => {
  it('a Chinese-only toy problem is learned', () => {
    const m = trainStanceModel(ZH, ['praise', 'concern'], 0)
    expect(ZH.map((e) => m.predict(e.text).label)).toEqual(ZH.map((e) => e.label))
  })

  it('a Japanese-only toy problem is learned', () => {
    const m = trainStanceModel(JA, ['praise', 'concern'], 0)
    expect(JA.map((e) => m.predict(e.text).label)).toEqual(JA.map((e) => e.label))
  })

  it('the characters decide, not the language: swapping the labels swaps the predictions', () => {
    const swapped = ZH.map((e) => ({ text: e.text, label: e.label === 'praise' ? 'concern' : 'praise' }))
    const m = trainStanceModel(ZH, ['praise', 'concern'], 0)
    const s = trainStanceModel(swapped, ['praise', 'concern'], 0)
    for (const probe of ['支持', '浪费', '扭曲']) {
      expect(s.predict(probe).label).not.toBe(m.predict(probe).label)
    }
    expect(m.predict('非常支持').label).toBe('praise')
    expect(m.predict('浪费和扭曲').label).toBe('concern')
  })

  it('CJK texts produce distinct, non-trivial features', () => {
    const a = featurize('补贴扭曲市场')
    const b = featurize('国家意志了不起')
    expect(a.index.length).toBeGreaterThan(5)
    const shared = [...a.index].filter((i) => b.index.includes(i))
    // Only the language feature and the space-padding n-grams may be shared.
    expect(shared.length).toBeLessThan(a.index.length / 2)
    // Word and character families are each scaled to unit length.
    const norm = Math.sqrt([...a.value].reduce((s, v) => s + v * v, 0))
    expect(norm).toBeCloseTo(Math.SQRT2, 5)
  })

  it('a mixed English/Chinese/Japanese training set is learned across all three', () => {
    const mixed = [...TOY.filter((e) => e.label !== 'meh').map((e) => ({ text: e.text, label: e.label === 'pos' ? 'praise' : 'concern' })), ...ZH, ...JA]
    const m = trainStanceModel(mixed, ['praise', 'concern'], 0)
    expect(mixed.map((e) => m.predict(e.text).label)).toEqual(mixed.map((e) => e.label))
  })
})

describe('evaluate', () => {
  /*
   * actual    a a a a b b c c
   * predicted a a a b b b c uncertain
   *
   * confusion (actual → predicted): a: a3 b1 · b: b2 · c: c1 uncertain1
   * a: tp 3, predicted-as-a 3, support 4 → P 1,   R 3/4, F1 6/7
   * b: tp 2, predicted-as-b 3, support 2 → P 2/3, R 1,   F1 4/5
   * c: tp 1, predicted-as-c 1, support 2 → P 1,   R 1/2, F1 2/3
   * accuracy 6/8; macro-F1 (6/7 + 4/5 + 2/3) / 3 = 244/315
   */
  const actual = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'c']
  const predicted = ['a', 'a', 'a', 'b', 'b', 'b', 'c', UNCERTAIN]

  it('matches a hand-computed confusion matrix', () => {
    const m = evaluate(actual, predicted, ['a', 'b', 'c'])
    expect(m.n).toBe(8)
    expect(m.accuracy).toBe(0.75)
    expect(m.labels.a!.precision).toBeCloseTo(1, 12)
    expect(m.labels.a!.recall).toBeCloseTo(3 / 4, 12)
    expect(m.labels.a!.f1).toBeCloseTo(6 / 7, 12)
    expect(m.labels.a!.support).toBe(4)
    expect(m.labels.b!.precision).toBeCloseTo(2 / 3, 12)
    expect(m.labels.b!.recall).toBeCloseTo(1, 12)
    expect(m.labels.b!.f1).toBeCloseTo(4 / 5, 12)
    expect(m.labels.b!.support).toBe(2)
    expect(m.labels.c!.precision).toBeCloseTo(1, 12)
    expect(m.labels.c!.recall).toBeCloseTo(1 / 2, 12)
    expect(m.labels.c!.f1).toBeCloseTo(2 / 3, 12)
    expect(m.labels.c!.support).toBe(2)
    expect(m.macro_f1).toBeCloseTo(244 / 315, 12)
    expect(m.confusion).toEqual({
      a: { a: 3, b: 1, c: 0, [UNCERTAIN]: 0 },
      b: { a: 0, b: 2, c: 0, [UNCERTAIN]: 0 },
      c: { a: 0, b: 0, c: 1, [UNCERTAIN]: 1 },
      [UNCERTAIN]: { a: 0, b: 0, c: 0, [UNCERTAIN]: 0 },
    })
    expect(Object.keys(m.labels)).toEqual(['a', 'b', 'c'])
  })

  it('a label never predicted and never present scores 0, not NaN', () => {
    const m = evaluate(['a', 'b'], ['a', 'b'], ['a', 'b', 'z'])
    expect(m.labels.z).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 })
    expect(m.macro_f1).toBeCloseTo(2 / 3, 12)
    expect(evaluate([], [], ['a'])).toMatchObject({ accuracy: 0, macro_f1: 0, n: 0 })
  })
})

describe('crossValidate and seeds', () => {
  it('cross-validates every example exactly once', () => {
    const m = crossValidate(TOY, TOY_LABELS, 5)
    expect(m.n).toBe(TOY.length)
    expect(Object.values(m.labels).map((l) => l.support)).toEqual([5, 5, 5])
    expect(m.accuracy).toBeGreaterThan(0.5)
  })

  it('the shipped seeds parse, and bad seed lines are reported with their line numbers', () => {
    const { config } = parseConfigText(readFileSync(CONFIG, 'utf8'), CONFIG, path.dirname(CONFIG))
    const t = config.topics[0]!
    const labels = t.stance.labels.map((l) => l.id)
    expect(readSeedExamples(t.stance.seeds, labels).length).toBeGreaterThan(100)

    const { dir, cleanup } = tempDir()
    try {
      const file = path.join(dir, 'seeds.jsonl')
      writeFileSync(file, ['{"text":"ok","label":"praise"}', 'not json', '{"label":"praise"}', '', '{"text":"x","label":"maybe"}'].join('\n'))
      let err: unknown
      try {
        readSeedExamples(file, labels)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).problems.map((p) => [p.line, p.message])).toEqual([
        [2, 'is not valid JSON'],
        [3, 'has no "text"'],
        [5, 'has label "maybe", which this topic does not define'],
      ])
    } finally {
      cleanup()
    }
  })

  it('the model version changes with the data and the parameters', () => {
    const m = trainedToy()
    const at = new Date('2025-07-16T12:00:00.123Z')
    const v = modelVersion('toy', TOY, m.params, at)
    expect(v).toMatch(/^toy@20250716T120000Z-[0-9a-f]{8}$/)
    expect(modelVersion('toy', TOY, m.params, at)).toBe(v)
    expect(modelVersion('toy', TOY.slice(1), m.params, at)).not.toBe(v)
    expect(modelVersion('toy', TOY, { ...m.params, minConfidence: 0.5 }, at)).not.toBe(v)
  })
})
