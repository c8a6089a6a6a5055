import { detectLang, type DetectedLang } from '../text/detect-lang.js'
import { stemmerFor } from '../text/stem.js'
import { prepareText, preparedWordTokens } from '../text/tokenize.js'

/** A sparse feature vector: sorted bucket indices and their values. */
export interface SparseVector {
  index: Uint32Array
  value: Float32Array
}

export interface FeatureOptions {
  /** log2 of the number of hash buckets. */
  hashBits: number
  /** Longest word n-gram (1–3). */
  wordN: number
  /** Character n-gram sizes for Latin-script text, and for Chinese and Japanese. */
  charRange: [number, number]
  cjkCharRange: [number, number]
}

export const DEFAULT_FEATURES: FeatureOptions = { hashBits: 20, wordN: 2, charRange: [2, 5], cjkCharRange: [1, 2] }

/** Feature families are hashed with different seeds, so "ai" the word never collides by name with "ai" the characters. */
const SEED = { word: [0, 0x01000193, 0x02000193, 0x03000193], char: 0x0a000193, lang: 0x14000193 } as const

/**
 * Where a text's features came from, recorded only when explaining (`explain-text.ts`); scoring passes none.
 * Offsets are UTF-16 indices: in the prepared text for words, in the character n-grams' string for those.
 */
export interface FeatureTrace {
  /** The prepared text, as `prepareText` makes it, remembering where each of its characters came from. */
  prepare(text: string): string
  /** Word n-gram `idx` made of tokens[i, i + n); `spans` holds each token's [start, end) in the prepared text. */
  word(idx: number, tokens: readonly string[], i: number, n: number, spans: readonly number[]): void
  /** The string character n-grams are read from (the prepared text with its spaces collapsed)… */
  chars(s: string): void
  /** …and character n-gram `idx` at [i, i + n) of it. */
  char(idx: number, i: number, n: number): void
  language(idx: number, lang: DetectedLang): void
}

/** Counts of hashed features of one text, word and character features apart (they are normalised apart). */
export interface RawFeatures {
  words: Map<number, number>
  chars: Map<number, number>
}

/** Hashed feature occurrences of one text (repeats included), in buffers reused from text to text. */
export class FeatureBuffer {
  words: Uint32Array = new Uint32Array(256)
  nWords = 0
  chars: Uint32Array = new Uint32Array(2048)
  nChars = 0

  reset(): void {
    this.nWords = 0
    this.nChars = 0
  }

  word(idx: number): void {
    if (this.nWords === this.words.length) this.words = grow(this.words)
    this.words[this.nWords++] = idx
  }

  char(idx: number): void {
    if (this.nChars === this.chars.length) this.chars = grow(this.chars)
    this.chars[this.nChars++] = idx
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2)
  b.set(a)
  return b
}

/**
 * Word 1–n-grams (stemmed, negation-marked, language-aware tokens) and character n-grams of the
 * folded text, hashed into a fixed space: no vocabulary to store, new words still count.
 */
export function hashFeatures(text: string, opts: FeatureOptions, lang: DetectedLang, out: FeatureBuffer, trace?: FeatureTrace): void {
  const mask = (2 ** opts.hashBits - 1) >>> 0
  const prepared = trace ? trace.prepare(text) : prepareText(text)
  const spans = trace ? ([] as number[]) : undefined
  const tokens = preparedWordTokens(prepared, lang, stemmerFor(lang), spans)
  const tokenHashes = tokens.map((t) => fnv(t, 0x811c9dc5))
  for (let i = 0; i < tokens.length; i++) {
    let h = tokenHashes[i]!
    for (let n = 1; n <= opts.wordN && i + n <= tokens.length; n++) {
      if (n > 1) h = mix(h, tokenHashes[i + n - 1]!)
      const idx = (mix(h, SEED.word[n]!) & mask) >>> 0
      out.word(idx)
      if (trace) trace.word(idx, tokens, i, n, spans!)
    }
  }
  const cjk = lang === 'zh' || lang === 'ja'
  const [min, max] = cjk ? opts.cjkCharRange : opts.charRange
  const s = ` ${prepared.replace(/\s+/g, ' ').trim()} `
  trace?.chars(s)
  // Rolling FNV-1a over UTF-16 units: each n-gram's hash extends the (n-1)-gram's, nothing allocated.
  for (let i = 0; i < s.length; i++) {
    let h = SEED.char ^ 0x811c9dc5
    for (let n = 1; n <= max && i + n <= s.length; n++) {
      h = Math.imul(h ^ s.charCodeAt(i + n - 1), 0x01000193)
      if (n < min) continue
      const idx = (h & mask) >>> 0
      out.char(idx)
      if (trace) trace.char(idx, i, n)
    }
  }
  const langIdx = (fnv(`lang:${lang}`, SEED.lang) & mask) >>> 0
  out.word(langIdx)
  trace?.language(langIdx, lang)
}

/** The features of one text, counted: what training and explanations work from. */
export function rawFeatures(text: string, opts: FeatureOptions, lang: DetectedLang = detectLang(text), trace?: FeatureTrace): RawFeatures {
  const buf = new FeatureBuffer()
  hashFeatures(text, opts, lang, buf, trace)
  const count = (list: Uint32Array, n: number) => {
    const m = new Map<number, number>()
    for (let i = 0; i < n; i++) m.set(list[i]!, (m.get(list[i]!) ?? 0) + 1)
    return m
  }
  return { words: count(buf.words, buf.nWords), chars: count(buf.chars, buf.nChars) }
}

/**
 * The vector a model sees: sublinear counts (1 + ln tf) weighted by idf when given (buckets unseen in
 * training dropped), each family scaled to unit length so that hundreds of character n-grams do not
 * drown a dozen words.
 */
export function vectorize(raw: RawFeatures, idf: Float32Array | null): SparseVector {
  const entries = new Map<number, number>()
  for (const family of [raw.words, raw.chars]) {
    let norm = 0
    const vals: [number, number][] = []
    for (const [idx, count] of family) {
      // A bucket no training text had (idf 0) is dropped, as a vocabulary would drop an unknown word.
      const weight = idf ? idf[idx]! : 1
      if (weight === 0) continue
      const v = (1 + Math.log(count)) * weight
      vals.push([idx, v])
      norm += v * v
    }
    norm = Math.sqrt(norm) || 1
    for (const [idx, v] of vals) entries.set(idx, (entries.get(idx) ?? 0) + v / norm)
  }
  const keys = [...entries.keys()].sort((a, b) => a - b)
  const index = Uint32Array.from(keys)
  const value = new Float32Array(keys.length)
  keys.forEach((k, i) => (value[i] = entries.get(k)!))
  return { index, value }
}

export function featurize(text: string, opts: FeatureOptions = DEFAULT_FEATURES, idf: Float32Array | null = null, lang?: DetectedLang): SparseVector {
  return vectorize(rawFeatures(text, opts, lang ?? detectLang(text)), idf)
}

/** Smoothed inverse document frequency per bucket, from a training set's raw features. */
export function learnIdf(docs: readonly RawFeatures[], hashBits: number): Float32Array {
  const df = new Uint32Array(2 ** hashBits)
  for (const d of docs) {
    for (const idx of d.words.keys()) df[idx]!++
    for (const idx of d.chars.keys()) df[idx]!++
  }
  const idf = new Float32Array(df.length)
  const n = docs.length
  for (let i = 0; i < df.length; i++) if (df[i]) idf[i] = Math.log((1 + n) / (1 + df[i]!)) + 1
  return idf
}

function fnv(s: string, seed: number): number {
  let h = seed >>> 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Combine two hashes (murmur3 finaliser style), order-sensitive: "state fund" ≠ "fund state". */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ (b + 0x9e3779b9 + (a << 6) + (a >>> 2)), 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}
