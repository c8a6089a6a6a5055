import { UNCERTAIN } from '../domain/stance.js'
import { detectLang, type DetectedLang } from '../text/detect-lang.js'
import { BucketTable } from './bucket-table.js'
import { readableContributions, TextTrace, type Contribution } from './explain-text.js'
import { FeatureBuffer, hashFeatures, rawFeatures, vectorize, type FeatureOptions } from './features.js'
import { decodeWeights, encodeWeights, type ModelWeights } from './model-file.js'

export interface Example {
  text: string
  label: string
  /** How much the example counts in training (1 when absent): people's labels may weigh more than seeds. */
  weight?: number
}

export interface Prediction {
  label: string
  /** Calibrated probability of the most probable label, in [0, 1]. */
  confidence: number
  scores: Record<string, number>
}

export interface Explanation extends Prediction {
  language: string
  /** The most probable label, which the features are weighed against (even when the label is uncertain). */
  toward: string
  /** The words and phrases of the text that pushed it towards its label, strongest first… */
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
  /**
   * The languages the training set covered (see `coveredLanguages`): a post in any other is labelled
   * uncertain, never guessed from features the model never learnt. Absent from models trained before it
   * was recorded, and from those trained on fewer than MIN_EXAMPLES_FOR_LANGUAGES: those score every
   * language, as models did before.
   */
  languages?: string[]
}

/** A language counts as covered with this many training examples… */
export const MIN_LANGUAGE_EXAMPLES = 10
/** …in a training set of at least this many: a toy set is too small to say which languages it knows. */
export const MIN_EXAMPLES_FOR_LANGUAGES = 50

/** The languages detected in at least MIN_LANGUAGE_EXAMPLES training texts, sorted; undefined for a tiny set. */
export function coveredLanguages(texts: readonly string[]): string[] | undefined {
  if (texts.length < MIN_EXAMPLES_FOR_LANGUAGES) return undefined
  const counts = new Map<string, number>()
  for (const t of texts) {
    const lang = detectLang(t)
    counts.set(lang, (counts.get(lang) ?? 0) + 1)
  }
  return [...counts]
    .filter(([, n]) => n >= MIN_LANGUAGE_EXAMPLES)
    .map(([l]) => l)
    .sort()
}

/**
 * One-vs-rest linear SVMs over hashed word and character n-grams, with softmax-calibrated confidence
 * (trained by `training.ts`). Strong on short, noisy, multilingual posts, and small: a few hundred kilobytes
 * per topic.
 */
export class StanceModel implements ModelWeights {
  readonly bias: Float32Array
  readonly buckets: Uint32Array
  readonly bucketIdf: Float32Array
  readonly bucketWeights: Float32Array
  private readonly table: BucketTable
  private readonly k: number
  private readonly languages: ReadonlySet<string> | null

  constructor(
    readonly params: ModelParams,
    weights: ModelWeights,
  ) {
    this.bias = weights.bias
    this.buckets = weights.buckets
    this.bucketIdf = weights.bucketIdf
    this.bucketWeights = weights.bucketWeights
    this.k = params.labels.length
    this.table = new BucketTable(weights)
    this.languages = params.languages ? new Set(params.languages) : null
  }

  static load(params: string, weights: Buffer): StanceModel {
    return new StanceModel(JSON.parse(params) as ModelParams, decodeWeights(weights))
  }

  serialize(): { params: string; weights: Buffer } {
    return { params: JSON.stringify(this.params), weights: encodeWeights(this) }
  }

  /** Decision values, one per label: features hashed into a reused buffer, then weighed by the table. */
  decision(text: string, lang = detectLang(text)): Float64Array {
    const buf = bufferFor(this.params.features.hashBits)
    buf.reset()
    hashFeatures(text, this.params.features, lang, buf)
    const out = new Float64Array(this.k)
    for (let c = 0; c < this.k; c++) out[c] = this.bias[c]!
    this.table.addFamily(buf.words, buf.nWords, out)
    this.table.addFamily(buf.chars, buf.nChars, out)
    return out
  }

  /**
   * `lang` when already detected (stored posts carry it from ingest); detected here otherwise. Uncertain below
   * the confidence floor, and for a language the training set did not cover.
   */
  predict(text: string, lang: DetectedLang = detectLang(text)): Prediction {
    const probs = softmax(this.decision(text, lang), this.params.temperature)
    const best = argmax(probs)
    const confidence = probs[best]!
    const known = this.languages === null || this.languages.has(lang)
    return {
      label: known && confidence >= this.params.minConfidence ? this.params.labels[best]! : UNCERTAIN,
      confidence,
      scores: Object.fromEntries(this.params.labels.map((l, i) => [l, round(probs[i]!)])),
    }
  }

  /**
   * The prediction and the words behind it: each feature's push traced back to the words and phrases of the
   * text it was read from (`explain-text.ts`), what pushed the text towards its label and what pulled away.
   */
  explain(text: string, top = 10): Explanation {
    const lang = detectLang(text)
    const trace = new TextTrace(text)
    const idf = new Float32Array(2 ** this.params.features.hashBits)
    this.buckets.forEach((b, i) => (idf[b] = this.bucketIdf[i]!))
    const x = vectorize(rawFeatures(text, this.params.features, lang, trace), idf)
    const p = this.predict(text, lang)
    const best = argmax(softmax(this.decision(text, lang), this.params.temperature))
    // Each feature's share of every label's decision value: its weight for the label times its value.
    const pushes = new Map<number, Float64Array>()
    const { vals } = this.table
    for (let j = 0; j < x.index.length; j++) {
      const at = this.table.find(x.index[j]!)
      if (at < 0) continue
      const v = new Float64Array(this.k)
      for (let c = 0; c < this.k; c++) v[c] = vals[at + 3 + c]! * x.value[j]!
      pushes.set(x.index[j]!, v)
    }
    const words = readableContributions(trace, pushes, this.params.labels, best)
    return {
      ...p,
      language: lang,
      toward: this.params.labels[best]!,
      for: words.filter((c) => c.weight > 0).slice(0, top),
      against: words
        .filter((c) => c.weight < 0)
        .reverse()
        .slice(0, top),
    }
  }
}

/** One feature buffer per hash size, shared by every model: scoring is synchronous, so never in use twice at once. */
const buffers = new Map<number, FeatureBuffer>()
function bufferFor(hashBits: number): FeatureBuffer {
  let b = buffers.get(hashBits)
  if (!b) buffers.set(hashBits, (b = new FeatureBuffer()))
  return b
}

export function softmax(d: Float64Array, t: number): Float64Array {
  const out = new Float64Array(d.length)
  let max = -Infinity
  for (const v of d) if (v > max) max = v
  let sum = 0
  for (let i = 0; i < d.length; i++) sum += out[i] = Math.exp((d[i]! - max) / t)
  for (let i = 0; i < d.length; i++) out[i]! /= sum
  return out
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i
  return best
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000
}
