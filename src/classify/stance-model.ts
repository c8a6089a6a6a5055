import { createHash } from 'node:crypto'
import { UNCERTAIN } from '../domain/stance.js'
import { detectLang, type DetectedLang } from '../text/detect-lang.js'
import { DEFAULT_FEATURES, FeatureBuffer, hashFeatures, learnIdf, rawFeatures, vectorize, type FeatureOptions, type SparseVector } from './features.js'
import { evaluate, type EvalMetrics } from './metrics.js'
import { trainSvm } from './linear-svm.js'

export const ALGORITHM = 'svm-ovr/hashed-word+char-ngrams@3'

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

/*
 * Candidate regularisation, solved from small C to large with each solution warm-starting the next. Naive-Bayes
 * feature scaling (NBSVM) was a candidate too; on stance data it lost to the plain SVM by 0.06 F1 and was dropped.
 */
const C_GRID = [0.1, 0.3, 1]
const TEMPERATURES = [0.05, 0.08, 0.12, 0.18, 0.25, 0.35, 0.5, 0.7, 1, 1.4, 2]

/**
 * One-vs-rest linear SVMs over hashed word and character n-grams, with class-balanced costs,
 * hyper-parameters chosen by cross-validation on the training data, and softmax-calibrated confidence.
 * Strong on short, noisy, multilingual posts, and small: a few hundred kilobytes per topic.
 */
export class StanceModel {
  private readonly table: BucketTable
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
    this.table = new BucketTable(buckets, bucketIdf, bucketWeights, this.k)
  }

  static train(examples: readonly Example[], labels: readonly string[], minConfidence: number, o: TrainOptions = {}): StanceModel {
    const features = o.features ?? DEFAULT_FEATURES
    const known = examples.filter((e) => labels.includes(e.label))
    const ys = known.map((e) => labels.indexOf(e.label))
    const raw = known.map((e) => rawFeatures(e.text, features))
    const idf = learnIdf(raw, features.hashBits)
    const space = compact(raw.map((r) => vectorize(r, idf)))
    const folds = Math.min(o.folds ?? 3, Math.min(...labels.map((_, c) => ys.filter((y) => y === c).length).filter((n) => n > 0)))
    const grid = o.hyper ? [o.hyper.C] : C_GRID
    let best = { hyper: { C: grid[0]! }, macroF1: -1, oof: null as Float64Array[] | null }
    const selection: ModelParams['selection'] = []
    if (folds >= 2 && known.length >= 20) {
      const fold = stratifiedFolds(ys, labels.length, folds, o.seed ?? 7)
      const oofs = outOfFold(space.xs, ys, labels.length, space.dims, grid, fold, folds)
      grid.forEach((C, g) => {
        const pred = oofs[g]!.map((d) => argmax(d))
        const m = evaluate(ys.map((y) => labels[y]!), pred.map((p) => labels[p]!), labels)
        selection.push({ hyper: { C }, macroF1: m.macro_f1 })
        if (m.macro_f1 > best.macroF1) best = { hyper: { C }, macroF1: m.macro_f1, oof: oofs[g]! }
      })
    }
    const temperature = best.oof ? fitTemperature(best.oof, ys) : 0.35
    const { weights, bias } = fitAll(space.xs, ys, labels.length, space.dims, best.hyper)
    // Every bucket a training text had is kept, weight or not: each counts towards a text's norm.
    const used = Array.from({ length: space.dims }, (_, i) => i)
    const buckets = Uint32Array.from(used.map((i) => space.buckets[i]!))
    const order = [...buckets.keys()].sort((a, b) => buckets[a]! - buckets[b]!)
    const k = labels.length
    const sortedBuckets = Uint32Array.from(order.map((i) => buckets[i]!))
    const bucketIdf = Float32Array.from(order.map((i) => idf[buckets[i]!]!))
    const bucketWeights = new Float32Array(order.length * k)
    order.forEach((i, j) => bucketWeights.set(weights.subarray(used[i]! * k, used[i]! * k + k), j * k))
    return new StanceModel({ labels: [...labels], features, hyper: best.hyper, temperature, minConfidence, selection }, sortedBuckets, bucketIdf, bucketWeights, bias)
  }

  /**
   * Decision values, one per label. The hot path of classification: features are hashed into reused
   * buffers and counted in a reused table, with no vector built and nothing sorted.
   */
  decision(text: string, lang = detectLang(text)): Float64Array {
    const scratch = scratchFor(this.params.features.hashBits)
    const buf = scratch.buffer
    buf.reset()
    hashFeatures(text, this.params.features, lang, buf)
    const out = new Float64Array(this.k)
    for (let c = 0; c < this.k; c++) out[c] = this.bias[c]!
    const acc = new Float64Array(this.k)
    this.addFamily(scratch, buf.words, buf.nWords, out, acc)
    this.addFamily(scratch, buf.chars, buf.nChars, out, acc)
    return out
  }

  /**
   * Add one feature family's share: sublinear counts times idf, the family scaled to unit length, dotted
   * with the weights (as `vectorize` then a dot product would).
   */
  private addFamily(scratch: Scratch, list: Uint32Array, n: number, out: Float64Array, acc: Float64Array): void {
    if (scratch.touched.length < n) scratch.touched = new Uint32Array(n * 2)
    const touched = scratch.touched
    const { keys, vals, mask, stride } = this.table
    const k = this.k
    let t = 0
    for (let i = 0; i < n; i++) {
      const key = list[i]! + 1
      // Open addressing, linear probing; buckets no training text had are absent (as an unknown word would be).
      let at = ((key - 1) & mask) * stride
      let found = keys[at]!
      while (found !== 0 && found !== key) found = keys[(at = (at + stride) % (stride * (mask + 1)))]!
      if (found !== 0 && keys[at + 1]!++ === 0) touched[t++] = at
    }
    acc.fill(0)
    let norm = 0
    for (let i = 0; i < t; i++) {
      const at = touched[i]!
      const count = keys[at + 1]!
      keys[at + 1] = 0
      const v = (count === 1 ? 1 : 1 + Math.log(count)) * vals[at + 2]!
      norm += v * v
      for (let c = 0; c < k; c++) acc[c]! += v * vals[at + 3 + c]!
    }
    norm = Math.sqrt(norm) || 1
    for (let c = 0; c < k; c++) out[c]! += acc[c]! / norm
  }

  /** `lang` when already detected (stored posts carry it from ingest); detected here otherwise. */
  predict(text: string, lang: DetectedLang = detectLang(text)): Prediction {
    const probs = softmax(this.decision(text, lang), this.params.temperature)
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
    const idf = new Float32Array(2 ** this.params.features.hashBits)
    this.buckets.forEach((b, i) => (idf[b] = this.bucketIdf[i]!))
    const x = vectorize(rawFeatures(text, this.params.features, lang, names), idf)
    const p = this.predict(text)
    const best = argmax(softmax(this.decision(text, lang), this.params.temperature))
    // A feature's push: its weight for the chosen label minus the mean of its weights for the others.
    const pushes: Contribution[] = []
    const { vals } = this.table
    for (let j = 0; j < x.index.length; j++) {
      const at = this.table.find(x.index[j]!)
      if (at < 0) continue
      const base = at + 3
      let others = 0
      for (let c = 0; c < this.k; c++) if (c !== best) others += vals[base + c]!
      const push = (vals[base + best]! - others / Math.max(1, this.k - 1)) * x.value[j]!
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

/**
 * The model's weights by hash bucket, only for buckets that carry weight: an open-addressing table whose
 * rows hold [idf, one weight per label]. A few megabytes where a dense table would take 16, so lookups
 * mostly hit the cache.
 */
class BucketTable {
  /**
   * One cell per slot, [bucket + 1 (0 = empty), occurrences while one text is scored, idf, one weight per
   * label], as 32-bit words of one buffer seen as integers (`keys`) and as floats (`vals`): a probe, its
   * count and its weights share a cache line, so a feature costs one memory miss rather than two.
   */
  readonly keys: Uint32Array
  readonly vals: Float32Array
  readonly mask: number
  readonly stride: number

  constructor(buckets: Uint32Array, idf: Float32Array, weights: Float32Array, k: number) {
    let size = 16
    while (size < buckets.length * 1.5) size *= 2
    this.mask = size - 1
    this.stride = k + 3
    const cells = new ArrayBuffer(size * this.stride * 4)
    this.keys = new Uint32Array(cells)
    this.vals = new Float32Array(cells)
    buckets.forEach((b, i) => {
      let slot = b & this.mask
      while (this.keys[slot * this.stride] !== 0) slot = (slot + 1) & this.mask
      const at = slot * this.stride
      this.keys[at] = b + 1
      this.vals[at + 2] = idf[i]!
      this.vals.set(weights.subarray(i * k, (i + 1) * k), at + 3)
    })
  }

  /** The cell offset of a bucket, or -1 when the model has no weight for it. */
  find(b: number): number {
    for (let slot = b & this.mask; ; slot = (slot + 1) & this.mask) {
      const key = this.keys[slot * this.stride]!
      if (key === b + 1) return slot * this.stride
      if (key === 0) return -1
    }
  }
}

interface Scratch {
  buffer: FeatureBuffer
  /** Slots of one text's features, each once. */
  touched: Uint32Array
}

/** One scratch space per hash size, shared by every model: scoring is synchronous, so never in use twice at once. */
const scratches = new Map<number, Scratch>()
function scratchFor(hashBits: number): Scratch {
  let s = scratches.get(hashBits)
  if (!s) scratches.set(hashBits, (s = { buffer: new FeatureBuffer(), touched: new Uint32Array(4096) }))
  return s
}

/** Training vectors re-indexed to the buckets they use: weights then fit in arrays of that size. */
function compact(xs: SparseVector[]): { xs: SparseVector[]; buckets: Uint32Array; dims: number } {
  const used = new Map<number, number>()
  for (const x of xs) for (const b of x.index) if (!used.has(b)) used.set(b, used.size)
  const buckets = new Uint32Array(used.size)
  for (const [b, i] of used) buckets[i] = b
  return { xs: xs.map((x) => ({ index: Uint32Array.from(x.index, (b) => used.get(b)!), value: x.value })), buckets, dims: used.size }
}

/** Balanced costs: each label weighs as much as the others together would if all were equally common. */
function costs(ys: readonly number[], k: number, c: number): { positiveWeight: number; negativeWeight: number } {
  let count = 0
  for (const y of ys) if (y === c) count++
  return { positiveWeight: ys.length / (k * count), negativeWeight: ys.length / (k * Math.max(1, (ys.length - count) / (k - 1))) }
}

const SOLVER = { maxEpochs: 60, tolerance: 0.1 }

/**
 * One-vs-rest SVMs for each C in ascending order, warm-started from the previous C: weights
 * [C][bucket][label] and biases [C][label].
 */
function fitPath(xs: readonly SparseVector[], ys: readonly number[], k: number, dims: number, Cs: readonly number[]): { weights: Float32Array; bias: Float32Array }[] {
  const out = Cs.map(() => ({ weights: new Float32Array(dims * k), bias: new Float32Array(k) }))
  for (let c = 0; c < k; c++) {
    const positive = ys.map((y) => y === c)
    if (!positive.some(Boolean)) {
      for (const o of out) o.bias[c] = -10
      continue
    }
    let start: Float64Array | undefined
    Cs.forEach((C, g) => {
      const sol = trainSvm(xs, positive, dims, { C, ...costs(ys, k, c), ...SOLVER, seed: 11 + c, start })
      start = sol.alpha
      const { weights, bias } = out[g]!
      for (let i = 0; i < dims; i++) weights[i * k + c] = sol.w[i]!
      bias[c] = sol.b
    })
  }
  return out
}

function fitAll(xs: readonly SparseVector[], ys: readonly number[], k: number, dims: number, hyper: Hyper): { weights: Float32Array; bias: Float32Array } {
  return fitPath(xs, ys, k, dims, [hyper.C])[0]!
}

/** Decision values for every example from models that never saw it, for each C: [C][example][label]. */
function outOfFold(xs: readonly SparseVector[], ys: readonly number[], k: number, dims: number, Cs: readonly number[], fold: Int32Array, folds: number): Float64Array[][] {
  const out = Cs.map(() => xs.map(() => new Float64Array(k)))
  for (let f = 0; f < folds; f++) {
    const train: number[] = []
    for (let i = 0; i < xs.length; i++) if (fold[i] !== f) train.push(i)
    const path = fitPath(
      train.map((i) => xs[i]!),
      train.map((i) => ys[i]!),
      k,
      dims,
      Cs,
    )
    path.forEach(({ weights, bias }, g) => {
      xs.forEach((x, i) => {
        if (fold[i] !== f) return
        const d = out[g]![i]!
        for (let c = 0; c < k; c++) d[c] = bias[c]!
        for (let j = 0; j < x.index.length; j++) {
          const base = x.index[j]! * k
          for (let c = 0; c < k; c++) d[c]! += weights[base + c]! * x.value[j]!
        }
      })
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
