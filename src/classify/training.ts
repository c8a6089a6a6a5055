import { createHash } from 'node:crypto'
import { DEFAULT_FEATURES, learnIdf, rawFeatures, vectorize, type FeatureOptions, type SparseVector } from './features.js'
import { trainSvm } from './linear-svm.js'
import { evaluate, type EvalMetrics } from './metrics.js'
import { argmax, coveredLanguages, softmax, StanceModel, type Example, type Hyper, type ModelParams } from './stance-model.js'

export const ALGORITHM = 'svm-ovr/hashed-word+char-ngrams@3'

export interface TrainOptions {
  /** Fix the hyper-parameters instead of choosing them by cross-validation. */
  hyper?: Hyper
  features?: FeatureOptions
  /** Folds for choosing hyper-parameters and fitting the temperature. */
  folds?: number
  seed?: number
}

/** Candidate regularisation, solved from small C to large with each solution warm-starting the next. */
const C_GRID = [0.1, 0.3, 1]
const TEMPERATURES = [0.05, 0.08, 0.12, 0.18, 0.25, 0.35, 0.5, 0.7, 1, 1.4, 2]
const SOLVER = { maxEpochs: 60, tolerance: 0.1 }

/**
 * One-vs-rest linear SVMs with class-balanced costs; C chosen by cross-validation on the training data, and a
 * softmax temperature fitted on the held-out decisions of the chosen C. Examples with other labels are ignored.
 */
export function trainStanceModel(examples: readonly Example[], labels: readonly string[], minConfidence: number, o: TrainOptions = {}): StanceModel {
  const features = o.features ?? DEFAULT_FEATURES
  const known = examples.filter((e) => labels.includes(e.label))
  const ys = known.map((e) => labels.indexOf(e.label))
  const ws = exampleWeights(known)
  const raw = known.map((e) => rawFeatures(e.text, features))
  const idf = learnIdf(raw, features.hashBits)
  const space = compact(raw.map((r) => vectorize(r, idf)))
  const folds = Math.min(o.folds ?? 3, Math.min(...labels.map((_, c) => ys.filter((y) => y === c).length).filter((n) => n > 0)))
  const grid = o.hyper ? [o.hyper.C] : C_GRID
  let best = { hyper: { C: grid[0]! }, macroF1: -1, oof: null as Float64Array[] | null }
  const selection: ModelParams['selection'] = []
  if (folds >= 2 && known.length >= 20) {
    const fold = stratifiedFolds(ys, labels.length, folds, o.seed ?? 7)
    const oofs = outOfFold(space.xs, ys, ws, labels.length, space.dims, grid, fold, folds)
    grid.forEach((C, g) => {
      const pred = oofs[g]!.map((d) => argmax(d))
      const m = evaluate(
        ys.map((y) => labels[y]!),
        pred.map((p) => labels[p]!),
        labels,
      )
      selection.push({ hyper: { C }, macroF1: m.macro_f1 })
      if (m.macro_f1 > best.macroF1) best = { hyper: { C }, macroF1: m.macro_f1, oof: oofs[g]! }
    })
  }
  const temperature = best.oof ? fitTemperature(best.oof, ys) : 0.35
  const { weights, bias } = fitPath(space.xs, ys, ws, labels.length, space.dims, [best.hyper.C])[0]!
  // Every bucket a training text had is kept, weight or not: each counts towards a text's norm.
  const order = [...space.buckets.keys()].sort((a, b) => space.buckets[a]! - space.buckets[b]!)
  const k = labels.length
  const buckets = Uint32Array.from(order.map((i) => space.buckets[i]!))
  const bucketIdf = Float32Array.from(order.map((i) => idf[space.buckets[i]!]!))
  const bucketWeights = new Float32Array(order.length * k)
  order.forEach((i, j) => bucketWeights.set(weights.subarray(i * k, i * k + k), j * k))
  return new StanceModel(
    { labels: [...labels], features, hyper: best.hyper, temperature, minConfidence, selection, languages: coveredLanguages(known.map((e) => e.text)) },
    { bias, buckets, bucketIdf, bucketWeights },
  )
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
    const model = trainStanceModel(
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

/** Stratified fold assignment: each label spread evenly over the folds, in seeded random order. */
export function stratifiedFolds(ys: readonly number[], k: number, folds: number, seed: number): Int32Array {
  const fold = new Int32Array(ys.length)
  let s = seed >>> 0
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296
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

/** A version name that changes whenever the training data or parameters change. */
export function modelVersion(topicId: string, examples: readonly Example[], params: ModelParams, at: Date): string {
  const h = createHash('sha256')
  h.update(JSON.stringify({ labels: params.labels, features: params.features, hyper: params.hyper, minConfidence: params.minConfidence }))
  for (const e of examples) h.update(`${e.label}\t${e.text}\n`)
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return `${topicId}@${stamp}-${h.digest('hex').slice(0, 8)}`
}

/** Training vectors re-indexed to the buckets they use: weights then fit in arrays of that size. */
function compact(xs: SparseVector[]): { xs: SparseVector[]; buckets: Uint32Array; dims: number } {
  const used = new Map<number, number>()
  for (const x of xs) for (const b of x.index) if (!used.has(b)) used.set(b, used.size)
  const buckets = new Uint32Array(used.size)
  for (const [b, i] of used) buckets[i] = b
  return { xs: xs.map((x) => ({ index: Uint32Array.from(x.index, (b) => used.get(b)!), value: x.value })), buckets, dims: used.size }
}

/** Per-example cost multipliers, or undefined when every example weighs 1 (the solver's plain path). */
function exampleWeights(examples: readonly Example[]): Float64Array | undefined {
  if (examples.every((e) => (e.weight ?? 1) === 1)) return undefined
  return Float64Array.from(examples, (e) => e.weight ?? 1)
}

/** Balanced costs: each label weighs as much as the others together would if all were equally common. */
function costs(ys: readonly number[], k: number, c: number): { positiveWeight: number; negativeWeight: number } {
  let count = 0
  for (const y of ys) if (y === c) count++
  return { positiveWeight: ys.length / (k * count), negativeWeight: ys.length / (k * Math.max(1, (ys.length - count) / (k - 1))) }
}

/**
 * One-vs-rest SVMs for each C in ascending order, warm-started from the previous C: weights
 * [C][bucket][label] and biases [C][label].
 */
function fitPath(
  xs: readonly SparseVector[],
  ys: readonly number[],
  ws: Float64Array | undefined,
  k: number,
  dims: number,
  Cs: readonly number[],
): { weights: Float32Array; bias: Float32Array }[] {
  const out = Cs.map(() => ({ weights: new Float32Array(dims * k), bias: new Float32Array(k) }))
  for (let c = 0; c < k; c++) {
    const positive = ys.map((y) => y === c)
    if (!positive.some(Boolean)) {
      for (const o of out) o.bias[c] = -10
      continue
    }
    let start: Float64Array | undefined
    Cs.forEach((C, g) => {
      const sol = trainSvm(xs, positive, dims, { C, ...costs(ys, k, c), ...SOLVER, seed: 11 + c, start, exampleWeights: ws })
      start = sol.alpha
      const { weights, bias } = out[g]!
      for (let i = 0; i < dims; i++) weights[i * k + c] = sol.w[i]!
      bias[c] = sol.b
    })
  }
  return out
}

/** Decision values for every example from models that never saw it, for each C: [C][example][label]. */
function outOfFold(
  xs: readonly SparseVector[],
  ys: readonly number[],
  ws: Float64Array | undefined,
  k: number,
  dims: number,
  Cs: readonly number[],
  fold: Int32Array,
  folds: number,
): Float64Array[][] {
  const out = Cs.map(() => xs.map(() => new Float64Array(k)))
  for (let f = 0; f < folds; f++) {
    const train: number[] = []
    for (let i = 0; i < xs.length; i++) if (fold[i] !== f) train.push(i)
    const path = fitPath(
      train.map((i) => xs[i]!),
      train.map((i) => ys[i]!),
      ws && Float64Array.from(train, (i) => ws[i]!),
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
