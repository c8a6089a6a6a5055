import { createHash } from 'node:crypto'
import { detectLang } from '../text/detect-lang.js'
import { DEFAULT_FEATURES, featurize, type FeatureOptions } from './features.js'
import { evaluate, type EvalMetrics } from './metrics.js'
import { DEFAULT_TRAIN, mulberry32, SoftmaxRegression, type TrainOptions } from './softmax-regression.js'

/** The label given when no stance is probable enough: shown, counted, never silently guessed. */
export const UNCERTAIN = 'uncertain'

export const ALGORITHM = 'softmax-regression/hashed-ngrams@1'

export interface Example {
  text: string
  label: string
}

export interface Prediction {
  label: string
  /** Probability of the most probable label, in [0, 1]. */
  confidence: number
  scores: Record<string, number>
}

export interface ModelParams {
  labels: string[]
  features: FeatureOptions
  train: TrainOptions
  minConfidence: number
}

export class StanceModel {
  constructor(
    readonly params: ModelParams,
    readonly regression: SoftmaxRegression,
  ) {}

  static train(examples: readonly Example[], labels: readonly string[], minConfidence: number, train: TrainOptions = DEFAULT_TRAIN, features: FeatureOptions = DEFAULT_FEATURES): StanceModel {
    const known = examples.filter((e) => labels.includes(e.label))
    const xs = known.map((e) => featurize(e.text, features))
    const ys = known.map((e) => labels.indexOf(e.label))
    const regression = SoftmaxRegression.train(xs, ys, labels.length, 1 << features.hashBits, train)
    return new StanceModel({ labels: [...labels], features, train, minConfidence }, regression)
  }

  predict(text: string): Prediction {
    const probs = this.regression.probabilities(featurize(text, this.params.features, detectLang(text)))
    let best = 0
    for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i
    const confidence = probs[best]!
    return {
      label: confidence >= this.params.minConfidence ? this.params.labels[best]! : UNCERTAIN,
      confidence,
      scores: Object.fromEntries(this.params.labels.map((l, i) => [l, round(probs[i]!)])),
    }
  }

  serialize(): { params: string; weights: Buffer } {
    return { params: JSON.stringify(this.params), weights: this.regression.serialize() }
  }

  static load(params: string, weights: Buffer): StanceModel {
    return new StanceModel(JSON.parse(params) as ModelParams, SoftmaxRegression.deserialize(weights))
  }
}

/** k-fold cross-validation on the training examples; folds are stratified by label and seeded. */
export function crossValidate(examples: readonly Example[], labels: readonly string[], folds = 5, train: TrainOptions = DEFAULT_TRAIN): EvalMetrics {
  const rand = mulberry32(train.seed + 1)
  const byLabel = new Map<string, Example[]>()
  for (const e of examples) if (labels.includes(e.label)) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e])
  const fold = new Map<Example, number>()
  for (const group of byLabel.values()) {
    const shuffled = [...group].sort(() => rand() - 0.5)
    shuffled.forEach((e, i) => fold.set(e, i % folds))
  }
  const actual: string[] = []
  const predicted: string[] = []
  for (let k = 0; k < folds; k++) {
    const trainSet = [...fold].filter(([, f]) => f !== k).map(([e]) => e)
    const testSet = [...fold].filter(([, f]) => f === k).map(([e]) => e)
    if (testSet.length === 0) continue
    const model = StanceModel.train(trainSet, labels, 0, train)
    for (const e of testSet) {
      actual.push(e.label)
      predicted.push(model.predict(e.text).label)
    }
  }
  return evaluate(actual, predicted, labels)
}

/** A version name that changes whenever the training data or parameters change. */
export function modelVersion(topicId: string, examples: readonly Example[], params: ModelParams, at: Date): string {
  const h = createHash('sha256')
  h.update(JSON.stringify(params))
  for (const e of examples) h.update(`${e.label}\t${e.text}\n`)
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return `${topicId}@${stamp}-${h.digest('hex').slice(0, 8)}`
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000
}
