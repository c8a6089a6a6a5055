import { BayesBaseline } from '../classify/bayes-baseline.js'
import { evaluate, type LabelMetrics } from '../classify/metrics.js'
import type { Example } from '../classify/stance-model.js'
import { stratifiedFolds, trainStanceModel } from '../classify/training.js'

/** A labelled row as the dataset reader gives it. */
export interface EvalRow {
  text: string
  label: string
  target: string | null
}

export interface ScoreReport {
  labels: Record<string, LabelMetrics>
  macro_f1: number
  /**
   * Mean of F1(FAVOR) and F1(AGAINST), the score of the SemEval-2016 and NLPCC-2016 stance tasks: given when
   * the labels include both (any case), null otherwise.
   */
  favor_against_f1: number | null
  accuracy: number
  per_target: Record<string, { labels: Record<string, LabelMetrics>; macro_f1: number; favor_against_f1: number | null; accuracy: number; support: number }>
  confusion: Record<string, Record<string, number>>
  train_s: number
  predict_s: number
}

export interface EvalReport extends ScoreReport {
  n_train: number
  n_test: number
  folds: number | null
  targets: string[]
  baseline: ScoreReport & { name: string }
}

interface Predictor {
  predict(text: string): string
}

const ALL = '(all)'

/**
 * Train on one set, score on another, with natural's BayesClassifier scored the same way beside it. With
 * targets, one model per target, trained on that target's rows; test rows of a target unseen in training
 * go to a model trained on every row. Metrics are pooled over all test rows, and given per target.
 */
export function evalTrainTest(train: readonly EvalRow[], test: readonly EvalRow[]): EvalReport {
  const labels = labelSet([...train, ...test])
  const ours = score(train, test, labels, (rows) => {
    const model = trainStanceModel(rows, labels, 0)
    return { predict: (t) => model.predict(t).label }
  })
  const baseline = score(train, test, labels, (rows) => {
    const b = new BayesBaseline(rows)
    return { predict: (t) => b.predict(t) }
  })
  return {
    ...ours,
    n_train: train.length,
    n_test: test.length,
    folds: null,
    targets: targetsOf(train),
    baseline: { name: 'natural BayesClassifier (defaults)', ...baseline },
  }
}

/** k-fold cross-validation (stratified by target and label): every row is tested once, by models that never saw it. */
export function evalFolds(rows: readonly EvalRow[], folds: number, seed = 13): EvalReport {
  const labels = labelSet(rows)
  const strata = rows.map((r) => `${r.target ?? ''}\u0000${r.label}`)
  const keys = [...new Set(strata)]
  const fold = stratifiedFolds(
    strata.map((s) => keys.indexOf(s)),
    keys.length,
    folds,
    seed,
  )
  const parts = Array.from({ length: folds }, (_, f) => ({ train: rows.filter((_, i) => fold[i] !== f), test: rows.filter((_, i) => fold[i] === f) }))
  const run = (make: (rows: readonly Example[]) => Predictor): ScoreReport => {
    const reports = parts.filter((p) => p.test.length).map((p) => scoreParts(p.train, p.test, make))
    return merge(reports, labels)
  }
  const ours = run((r) => {
    const model = trainStanceModel(r, labels, 0)
    return { predict: (t) => model.predict(t).label }
  })
  const baseline = run((r) => {
    const b = new BayesBaseline(r)
    return { predict: (t) => b.predict(t) }
  })
  return {
    ...ours,
    n_train: rows.length,
    n_test: rows.length,
    folds,
    targets: targetsOf(rows),
    baseline: { name: 'natural BayesClassifier (defaults)', ...baseline },
  }
}

interface Predictions {
  actual: string[]
  predicted: string[]
  targets: string[]
  trainS: number
  predictS: number
}

function scoreParts(train: readonly EvalRow[], test: readonly EvalRow[], make: (rows: readonly Example[]) => Predictor): Predictions {
  const byTarget = groupBy(train, (r) => r.target ?? ALL)
  const out: Predictions = { actual: [], predicted: [], targets: [], trainS: 0, predictS: 0 }
  const models = new Map<string, Predictor>()
  const modelFor = (target: string): Predictor => {
    const key = byTarget.has(target) ? target : ALL
    let m = models.get(key)
    if (!m) {
      const t0 = performance.now()
      m = make(key === ALL && !byTarget.has(ALL) ? train : byTarget.get(key)!)
      out.trainS += (performance.now() - t0) / 1000
      models.set(key, m)
    }
    return m
  }
  for (const row of test) {
    const target = row.target ?? ALL
    const model = modelFor(target)
    const t0 = performance.now()
    out.predicted.push(model.predict(row.text))
    out.predictS += (performance.now() - t0) / 1000
    out.actual.push(row.label)
    out.targets.push(target)
  }
  return out
}

function score(train: readonly EvalRow[], test: readonly EvalRow[], labels: string[], make: (rows: readonly Example[]) => Predictor): ScoreReport {
  return merge([scoreParts(train, test, make)], labels)
}

/** Pool predictions from several runs (folds) into one report. */
function merge(parts: readonly Predictions[], labels: string[]): ScoreReport {
  const actual = parts.flatMap((p) => p.actual)
  const predicted = parts.flatMap((p) => p.predicted)
  const targets = parts.flatMap((p) => p.targets)
  const pooled = evaluate(actual, predicted, labels)
  const per_target: ScoreReport['per_target'] = {}
  for (const t of [...new Set(targets)].sort()) {
    const idx = targets.map((x, i) => (x === t ? i : -1)).filter((i) => i >= 0)
    const m = evaluate(
      idx.map((i) => actual[i]!),
      idx.map((i) => predicted[i]!),
      labels,
    )
    per_target[t] = { labels: m.labels, macro_f1: m.macro_f1, favor_against_f1: favorAgainst(m.labels), accuracy: m.accuracy, support: idx.length }
  }
  return {
    labels: pooled.labels,
    macro_f1: pooled.macro_f1,
    favor_against_f1: favorAgainst(pooled.labels),
    accuracy: pooled.accuracy,
    per_target,
    confusion: pooled.confusion,
    train_s: round(parts.reduce((s, p) => s + p.trainS, 0)),
    predict_s: round(parts.reduce((s, p) => s + p.predictS, 0)),
  }
}

function favorAgainst(labels: Record<string, LabelMetrics>): number | null {
  const find = (name: string) => Object.entries(labels).find(([l]) => l.toUpperCase() === name)?.[1]
  const favor = find('FAVOR')
  const against = find('AGAINST')
  return favor && against ? (favor.f1 + against.f1) / 2 : null
}

/** Labels in order of first appearance, so reports read in the file's own order. */
function labelSet(rows: readonly EvalRow[]): string[] {
  return [...new Set(rows.map((r) => r.label))]
}

function targetsOf(rows: readonly EvalRow[]): string[] {
  return [...new Set(rows.map((r) => r.target).filter((t): t is string => t !== null))].sort()
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const r of rows) {
    const k = key(r)
    const list = m.get(k)
    if (list) list.push(r)
    else m.set(k, [r])
  }
  return m
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
