import { createHash } from 'node:crypto'
import { detectLang } from '../text/detect-lang.js'
import { DEFAULT_FEATURES, learnIdf, rawFeatures, vectorize, type FeatureOptions, type SparseVector } from './features.js'
import { evaluate, type EvalMetrics } from './metrics.js'
import { trainSvm } from './linear-svm.js'

/** The label given when no stance is probable enough: shown, counted, never silently guessed. */
export const UNCERTAIN = 'uncertain'

export const ALGORITHM = 'nbsvm-ovr/hashed-word+char-ngrams@2'

export interface Example {
  text: string
  label: string
}

export interface Prediction {
  label: string
  /** Calibrated probability of the most probable label, in [0, 1]. */
  confidence: number
  scores: Record<string, number>
}

export interface Contribution {
  feature: string
  /** Push towards the predicted label (positive) or away from it (negative). */
  weight: number
}

export interface Explanation extends Prediction {
  language: string
  /** The most probable label, which the features are weighed against (even when the label is uncertain). */
  toward: string
  /** The features that pushed the text towards its label, strongest first… */
  for: Contribution[]
  /** …and those that pulled it towards another label. */
  against: Contribution[]
}

/** What the model was trained with; chosen by cross-validation unless given. */
export interface Hyper {
  /** SVM regularisation. */
  C: number
  /** Scale features by naive-Bayes log-count ratios (NBSVM, Wang & Manning 2012). */
  nb: boolean
}

export interface ModelParams {
  labels: string[]
  features: FeatureOptions
  hyper: Hyper
  /** Softmax temperature over decision values, fitted on held-out predictions: calibrated confidence. */
  temperature: number
  minConfidence: number
  /** Cross-validated macro-F1 of each candidate, for the record. */
  selection: { hyper: Hyper; macroF1: number }[]
}

export interface TrainOptions {
  /** Fix the hyper-parameters instead of choosing them by cross-validation. */
  hyper?: Hyper
  features?: FeatureOptions
  /** Folds for choosing hyper-parameters and fitting the temperature. */
  folds?: number
  seed?: number
}

const GRID: Hyper[] = [
  { C: 0.1, nb: true },
  { C: 0.3, nb: true },
  { C: 1, nb: true },
  { C: 0.1, nb: false },
  { C: 0.3, nb: false },
  { C: 1, nb: false },
]
const NB_INTERPOLATION = 0.25
const TEMPERATURES = [0.05, 0.08, 0.12, 0.18, 0.25, 0.35, 0.5, 0.7, 1, 1.4, 2]

/**
 * One-vs-rest linear SVMs (NBSVM) over hashed word and character n-grams, with class-balanced costs,
 * hyper-parameters chosen by cross-validation on the training data, and softmax-calibrated confidence.
 * Strong on short, noisy, multilingual posts, and small: a few hundred kilobytes per topic.
 */
export class StanceModel {
  private readonly idf: Float32Array
  private readonly weights: Float32Array
  private readonly k: number

  private constructor(
    readonly params: ModelParams,
    /** Buckets that carry weight, sorted; and per bucket its idf and one weight per label. */
    readonly buckets: Uint32Array,
    readonly bucketIdf: Float32Array,
    readonly bucketWeights: Float32Array,
    readonly bias: Float32Array,
  ) {
    this.k = params.labels.length
    const size = 2 ** params.features.hashBits
    this.idf = new Float32Array(size)
    this.weights = new Float32Array(size * this.k)
    buckets.forEach((b, i) => {
      this.idf[b] = bucketIdf[i]!
      this.weights.set(bucketWeights.subarray(i * this.k, (i + 1) * this.k), b * this.k)
    })
  }

  static train(examples: readonly Example[], labels: readonly string[], minConfidence: number, o: TrainOptions = {}): StanceModel {
    const features = o.features ?? DEFAULT_FEATURES
    const known = examples.filter((e) => labels.includes(e.label))
    const ys = known.map((e) => labels.indexOf(e.label))
    const raw = known.map((e) => rawFeatures(e.text, features))
    const idf = learnIdf(raw, features.hashBits)
    const space = compact(raw.map((r) => vectorize(r, idf)))
    const folds = Math.min(o.folds ?? 3, Math.min(...labels.map((_, c) => ys.filter((y) => y === c).length).filter((n) => n > 0)))
    const candidates = o.hyper ? [o.hyper] : GRID
    let best = { hyper: candidates[0]!, macroF1: -1, oof: null as Float64Array[] | null }
    const selection: ModelParams['selection'] = []
    if (folds >= 2 && known.length >= 20) {
      const fold = stratifiedFolds(ys, labels.length, folds, o.seed ?? 7)
      for (const hyper of candidates) {
        const oof = outOfFold(space.xs, ys, labels.length, space.dims, hyper, fold, folds)
        const pred = oof.map((d) => argmax(d))
        const m = evaluate(ys.map((y) => labels[y]!), pred.map((p) => labels[p]!), labels)
        selection.push({ hyper, macroF1: m.macro_f1 })
        if (m.macro_f1 > best.macroF1) best = { hyper, macroF1: m.macro_f1, oof }
      }
    }
    const temperature = best.oof ? fitTemperature(best.oof, ys) : 0.35
    const { weights, bias } = fitAll(space.xs, ys, labels.length, space.dims, best.hyper)
    // Keep only buckets that carry weight.
    const used: number[] = []
    for (let i = 0; i < space.dims; i++) {
      for (let c = 0; c < labels.length; c++) {
        if (weights[i * labels.length + c] !== 0) {
          used.push(i)
          break
        }
      }
    }
    const buckets = Uint32Array.from(used.map((i) => space.buckets[i]!))
    const order = [...buckets.keys()].sort((a, b) => buckets[a]! - buckets[b]!)
    const k = labels.length
    const sortedBuckets = Uint32Array.from(order.map((i) => buckets[i]!))
    const bucketIdf = Float32Array.from(order.map((i) => idf[buckets[i]!]!))
    const bucketWeights = new Float32Array(order.length * k)
    order.forEach((i, j) => bucketWeights.set(weights.subarray(used[i]! * k, used[i]! * k + k), j * k))
    return new StanceModel({ labels: [...labels], features, hyper: best.hyper, temperature, minConfidence, selection }, sortedBuckets, bucketIdf, bucketWeights, bias)
  }

  /** Decision values, one per label. */
  decision(text: string, lang = detectLang(text)): Float64Array {
    const x = vectorize(rawFeatures(text, this.params.features, lang), this.idf)
    const out = new Float64Array(this.k)
    for (let c = 0; c < this.k; c++) out[c] = this.bias[c]!
    for (let j = 0; j < x.index.length; j++) {
      const base = x.index[j]! * this.k
      const v = x.value[j]!
      for (let c = 0; c < this.k; c++) out[c]! += this.weights[base + c]! * v
    }
    return out
  }

  predict(text: string): Prediction {
    const probs = softmax(this.decision(text), this.params.temperature)
    const best = argmax(probs)
    const confidence = probs[best]!
    return {
      label: confidence >= this.params.minConfidence ? this.params.labels[best]! : UNCERTAIN,
      confidence,
      scores: Object.fromEntries(this.params.labels.map((l, i) => [l, round(probs[i]!)])),
    }
  }

  /** The prediction and the features behind it: what pushed the text towards its label and away. */
  explain(text: string, top = 10): Explanation {
    const lang = detectLang(text)
    const names = new Map<number, string>()
    const x = vectorize(rawFeatures(text, this.params.features, lang, names), this.idf)
    const p = this.predict(text)
    const best = argmax(softmax(this.decision(text, lang), this.params.temperature))
    // A feature's push: its weight for the chosen label minus the mean of its weights for the others.
    const pushes: Contribution[] = []
    for (let j = 0; j < x.index.length; j++) {
      const base = x.index[j]! * this.k
      let others = 0
      for (let c = 0; c < this.k; c++) if (c !== best) others += this.weights[base + c]!
      const push = (this.weights[base + best]! - others / Math.max(1, this.k - 1)) * x.value[j]!
      if (push !== 0) pushes.push({ feature: names.get(x.index[j]!) ?? `#${x.index[j]}`, weight: round(push) })
    }
    pushes.sort((a, b) => b.weight - a.weight)
    return { ...p, language: lang, toward: this.params.labels[best]!, for: pushes.filter((c) => c.weight > 0).slice(0, top), against: pushes.filter((c) => c.weight < 0).reverse().slice(0, top) }
  }

  serialize(): { params: string; weights: Buffer } {
    const header = new Uint32Array([2, this.k, this.buckets.length])
    return {
      params: JSON.stringify(this.params),
      weights: Buffer.concat([bytes(header), bytes(this.bias), bytes(this.buckets), bytes(this.bucketIdf), bytes(this.bucketWeights)]),
    }
  }

  static load(params: string, weights: Buffer): StanceModel {
    const p = JSON.parse(params) as ModelParams
    const buf = Uint8Array.from(weights).buffer
    const [format, k, n] = new Uint32Array(buf, 0, 3)
    if (format !== 2) throw new Error(`this model was stored in format ${format}; retrain it with \`stancewatch train\``)
    let off = 12
    const take = <T>(make: (b: ArrayBuffer, o: number, len: number) => T, len: number, size: number) => {
      const v = make(buf, off, len)
      off += len * size
      return v
    }
    const bias = take((b, o, l) => new Float32Array(b.slice(o, o + l * 4)), k!, 4)
    const buckets = take((b, o, l) => new Uint32Array(b.slice(o, o + l * 4)), n!, 4)
    const idf = take((b, o, l) => new Float32Array(b.slice(o, o + l * 4)), n!, 4)
    const w = take((b, o, l) => new Float32Array(b.slice(o, o + l * 4)), n! * k!, 4)
    return new StanceModel(p, buckets, idf, w, bias)
  }
}

/** Training vectors re-indexed to the buckets they use: weights then fit in arrays of that size. */
function compact(xs: SparseVector[]): { xs: SparseVector[]; buckets: Uint32Array; dims: number } {
  const used = new Map<number, number>()
  for (const x of xs) for (const b of x.index) if (!used.has(b)) used.set(b, used.size)
  const buckets = new Uint32Array(used.size)
  for (const [b, i] of used) buckets[i] = b
  return { xs: xs.map((x) => ({ index: Uint32Array.from(x.index, (b) => used.get(b)!), value: x.value })), buckets, dims: used.size }
}

/** One-vs-rest SVMs on all the examples: effective weights [bucket][label] (NB scaling folded in) and biases. */
function fitAll(xs: readonly SparseVector[], ys: readonly number[], k: number, dims: number, hyper: Hyper): { weights: Float32Array; bias: Float32Array } {
  const weights = new Float32Array(dims * k)
  const bias = new Float32Array(k)
  const counts = Array.from({ length: k }, (_, c) => ys.filter((y) => y === c).length)
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) {
      bias[c] = -10
      continue
    }
    const positive = ys.map((y) => y === c)
    const scale = hyper.nb ? nbRatios(xs, positive, dims) : null
    // Balanced costs: each label weighs as much as the others together would if all were equally common.
    const posW = ys.length / (k * counts[c]!)
    const negW = ys.length / (k * Math.max(1, (ys.length - counts[c]!) / (k - 1)))
    const { w, b } = trainSvm(xs, positive, dims, { C: hyper.C, positiveWeight: posW, negativeWeight: negW, maxEpochs: 40, tolerance: 0.1, scale, seed: 11 + c })
    let meanAbs = 0
    if (hyper.nb) {
      for (let i = 0; i < dims; i++) meanAbs += Math.abs(w[i]!)
      meanAbs /= dims
    }
    for (let i = 0; i < dims; i++) {
      const wi = hyper.nb ? ((1 - NB_INTERPOLATION) * meanAbs + NB_INTERPOLATION * w[i]!) * scale![i]! : w[i]!
      weights[i * k + c] = wi
    }
    bias[c] = b
  }
  return { weights, bias }
}

/** Naive-Bayes log-count ratios of binarised features for one class against the rest (smoothing 1). */
function nbRatios(xs: readonly SparseVector[], positive: readonly boolean[], dims: number): Float32Array {
  const p = new Float64Array(dims).fill(1)
  const q = new Float64Array(dims).fill(1)
  xs.forEach((x, i) => {
    const into = positive[i] ? p : q
    for (const b of x.index) into[b]! += 1
  })
  let ps = 0
  let qs = 0
  for (let i = 0; i < dims; i++) {
    ps += p[i]!
    qs += q[i]!
  }
  const r = new Float32Array(dims)
  for (let i = 0; i < dims; i++) r[i] = Math.log(p[i]! / ps / (q[i]! / qs))
  return r
}

/** Decision values for every example from models that never saw it. */
function outOfFold(xs: readonly SparseVector[], ys: readonly number[], k: number, dims: number, hyper: Hyper, fold: Int32Array, folds: number): Float64Array[] {
  const out: Float64Array[] = xs.map(() => new Float64Array(k))
  for (let f = 0; f < folds; f++) {
    const train = xs.map((_, i) => i).filter((i) => fold[i] !== f)
    const { weights, bias } = fitAll(
      train.map((i) => xs[i]!),
      train.map((i) => ys[i]!),
      k,
      dims,
      hyper,
    )
    xs.forEach((x, i) => {
      if (fold[i] !== f) return
      const d = out[i]!
      for (let c = 0; c < k; c++) d[c] = bias[c]!
      for (let j = 0; j < x.index.length; j++) {
        const base = x.index[j]! * k
        for (let c = 0; c < k; c++) d[c]! += weights[base + c]! * x.value[j]!
      }
    })
  }
  return out
}

/** Stratified fold assignment: each label spread evenly over the folds, in seeded random order. */
export function stratifiedFolds(ys: readonly number[], k: number, folds: number, seed: number): Int32Array {
  const fold = new Int32Array(ys.length)
  let s = seed >>> 0
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296)
  for (let c = 0; c < k; c++) {
    const members = ys.map((y, i) => (y === c ? i : -1)).filter((i) => i >= 0)
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[members[i], members[j]] = [members[j]!, members[i]!]
    }
    members.forEach((m, i) => (fold[m] = i % folds))
  }
  return fold
}

/** The softmax temperature that makes held-out probabilities most likely (log loss), from a small grid. */
function fitTemperature(decisions: readonly Float64Array[], ys: readonly number[]): number {
  let best = 1
  let bestLoss = Infinity
  for (const t of TEMPERATURES) {
    let loss = 0
    decisions.forEach((d, i) => (loss -= Math.log(Math.max(1e-12, softmax(d, t)[ys[i]!]!))))
    if (loss < bestLoss) {
      bestLoss = loss
      best = t
    }
  }
  return best
}

function softmax(d: Float64Array, t: number): Float64Array {
  const out = new Float64Array(d.length)
  let max = -Infinity
  for (const v of d) if (v > max) max = v
  let sum = 0
  for (let i = 0; i < d.length; i++) sum += out[i] = Math.exp((d[i]! - max) / t)
  for (let i = 0; i < d.length; i++) out[i]! /= sum
  return out
}

function argmax(a: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i
  return best
}

function bytes(a: Uint32Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

/** k-fold cross-validation of the whole training procedure (hyper-parameter choice included). */
export function crossValidate(examples: readonly Example[], labels: readonly string[], folds = 5, o: TrainOptions = {}): EvalMetrics {
  const known = examples.filter((e) => labels.includes(e.label))
  const ys = known.map((e) => labels.indexOf(e.label))
  const fold = stratifiedFolds(ys, labels.length, folds, (o.seed ?? 7) + 1)
  const actual: string[] = []
  const predicted: string[] = []
  for (let f = 0; f < folds; f++) {
    const test = known.filter((_, i) => fold[i] === f)
    if (test.length === 0) continue
    const model = StanceModel.train(
      known.filter((_, i) => fold[i] !== f),
      labels,
      0,
      o,
    )
    for (const e of test) {
      actual.push(e.label)
      predicted.push(model.predict(e.text).label)
    }
  }
  return evaluate(actual, predicted, labels)
}

/** A version name that changes whenever the training data or parameters change. */
export function modelVersion(topicId: string, examples: readonly Example[], params: ModelParams, at: Date): string {
  const h = createHash('sha256')
  h.update(JSON.stringify({ labels: params.labels, features: params.features, hyper: params.hyper, minConfidence: params.minConfidence }))
  for (const e of examples) h.update(`${e.label}\t${e.text}\n`)
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return `${topicId}@${stamp}-${h.digest('hex').slice(0, 8)}`
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000
}
