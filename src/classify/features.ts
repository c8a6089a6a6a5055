import { detectLang, type DetectedLang } from '../text/detect-lang.js'
import { foldForMatch } from '../text/fold.js'
import { normaliseEntities, wordTokens } from '../text/tokenize.js'

/** A sparse, L2-normalised feature vector over hashed feature names. */
export interface SparseVector {
  index: Uint32Array
  value: Float32Array
}

export interface FeatureOptions {
  /** log2 of the number of hash buckets. */
  hashBits: number
  /** Character n-gram sizes for Latin-script and for Chinese/Japanese text. */
  charRange: [number, number]
  cjkCharRange: [number, number]
}

export const DEFAULT_FEATURES: FeatureOptions = { hashBits: 18, charRange: [2, 5], cjkCharRange: [1, 3] }

/**
 * Word unigrams and bigrams (negation-marked, stemmed), character n-grams and the language, hashed
 * (FNV-1a) into a fixed space so the model never needs a vocabulary.
 */
export function featurize(text: string, opts: FeatureOptions = DEFAULT_FEATURES, lang: DetectedLang = detectLang(text)): SparseVector {
  const mask = (1 << opts.hashBits) - 1
  const counts = new Map<number, number>()
  const add = (prefix: number, s: string) => {
    const h = fnv1a(s, prefix) & mask
    counts.set(h, (counts.get(h) ?? 0) + 1)
  }
  const words = wordTokens(text, lang)
  for (let i = 0; i < words.length; i++) {
    add(1, words[i]!)
    if (i + 1 < words.length) add(2, `${words[i]} ${words[i + 1]}`)
  }
  const cjk = lang === 'zh' || lang === 'ja'
  const [min, max] = cjk ? opts.cjkCharRange : opts.charRange
  const chars = [...` ${foldForMatch(normaliseEntities(text)).replace(/\s+/g, ' ').trim()} `]
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      let g = chars[i]!
      for (let j = 1; j < n; j++) g += chars[i + j]
      add(3 + n, g)
    }
  }
  add(20, `lang:${lang}`)

  const index = new Uint32Array(counts.size)
  const value = new Float32Array(counts.size)
  let i = 0
  let norm = 0
  for (const k of [...counts.keys()].sort((a, b) => a - b)) {
    const v = 1 + Math.log(counts.get(k)!)
    index[i] = k
    value[i] = v
    norm += v * v
    i++
  }
  norm = Math.sqrt(norm) || 1
  for (let j = 0; j < value.length; j++) value[j]! /= norm
  return { index, value }
}

/** 32-bit FNV-1a over UTF-16 code units, seeded per feature family so families never collide by name. */
function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}
