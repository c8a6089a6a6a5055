import { foldForMatch } from '../text/fold.js'

/** A text a person labelled, and what it is called in the record (e.g. `#123` for a stored post). */
export interface LabelledText {
  text: string
  label: string
  ref: string | null
}

export interface Recall {
  label: string
  ref: string | null
  /** 1 for the same words; below for a near copy (Jaccard of word pairs). */
  similarity: number
}

export interface MemoryOptions {
  /** Jaccard similarity of the two texts' word pairs at least this… */
  minJaccard: number
  /** …and one text's pairs nearly all inside the other's: a copy with a few words around it, not an edit inside it. */
  minContainment: number
  /** Texts shorter than this (in words, or CJK characters) are recalled only when their words are the same. */
  minUnits: number
}

export const MEMORY_DEFAULTS: MemoryOptions = { minJaccard: 0.8, minContainment: 0.97, minUnits: 5 }

/**
 * People's labels given again to exact and near copies of the texts they labelled: copy-pastes, retweets,
 * quote posts that repeat the words with a link, a mention or a word or two around them. Links, mentions,
 * the `RT @x:` prefix, hashtag marks, emoji, punctuation, case and accents are ignored. Near copies are found
 * by shared word pairs (CJK: character pairs); an edit inside the text ("is not great" for "is great") breaks
 * the containment test, so a negated copy is never recalled with the original's label.
 */
export class LabelMemory {
  /** The exact key of each labelled text's words → its entry; `units` holds the words to confirm a match. */
  private readonly exact = new Map<number, number>()
  private readonly units: Uint32Array[] = []
  /** A few word pairs of each labelled text (its smallest hashes: a bottom-k sketch) → the texts. */
  private readonly sketch = new Map<number, number[]>()
  /** Each labelled text's distinct word-pair hashes, sorted: counted against a post's by one merge. */
  private readonly pairs: Uint32Array[] = []
  private readonly sketchSizes: number[] = []

  constructor(
    private readonly entries: readonly LabelledText[],
    private readonly o: MemoryOptions = MEMORY_DEFAULTS,
  ) {
    entries.forEach((e, i) => {
      const units = unitHashes(e.text)
      this.units.push(units)
      // A later label of the same words wins, as a person's latest correction should.
      if (units.length) this.exact.set(exactKey(units), i)
      const pairs = distinctSorted(pairHashes(units))
      this.pairs.push(pairs)
      this.sketchSizes.push(units.length < o.minUnits ? 0 : Math.min(SKETCH, pairs.length))
      if (units.length < o.minUnits) return
      // A copy keeps ≥ 97% of the labelled text's pairs, so it has one of these few: candidates are found
      // without counting shared pairs against every labelled text (most posts share "the fund" with many).
      for (const h of pairs.subarray(0, SKETCH)) {
        const list = this.sketch.get(h)
        if (list) list.push(i)
        else this.sketch.set(h, [i])
      }
    })
  }

  get size(): number {
    return this.entries.length
  }

  /** The label a person gave to this text or a near copy of it, or null. */
  recall(text: string): Recall | null {
    if (this.entries.length === 0) return null
    // Every post of a run is asked: its words are hashed as they are scanned, never kept as strings.
    const units = unitHashes(text)
    const same = units.length ? this.exact.get(exactKey(units)) : undefined
    if (same !== undefined && sameUnits(units, this.units[same]!)) return { label: this.entries[same]!.label, ref: this.entries[same]!.ref, similarity: 1 }
    if (units.length < this.o.minUnits) return null
    const hashes = pairHashes(units)
    // Sketch pairs each labelled text shares with the post. One alone is often a common pair ("the fund");
    // a copy shares nearly all of them.
    let hits: Map<number, number> | null = null
    for (const h of hashes) {
      const list = this.sketch.get(h)
      if (list) for (const i of list) (hits ??= new Map()).set(i, (hits.get(i) ?? 0) + 1)
    }
    if (!hits) return null
    let pairs: Uint32Array | null = null
    let best: Recall | null = null
    let bestAt = -1
    for (const [i, shared] of hits) {
      if (shared < Math.min(MIN_SKETCH_HITS, this.sketchSizes[i]!)) continue
      pairs ??= distinctSorted(hashes)
      const other = this.pairs[i]!
      // Jaccard ≥ m needs the smaller set at least m of the larger: most candidates (a common pair shared
      // with a text of another length) fail this without counting.
      if (Math.min(pairs.length, other.length) < this.o.minJaccard * Math.max(pairs.length, other.length)) continue
      const n = sharedCount(pairs, other)
      const jaccard = n / (pairs.length + other.length - n)
      const containment = Math.max(n / pairs.length, n / other.length)
      if (jaccard < this.o.minJaccard || containment < this.o.minContainment) continue
      if (!best || jaccard > best.similarity || (jaccard === best.similarity && i > bestAt)) {
        best = { label: this.entries[i]!.label, ref: this.entries[i]!.ref, similarity: Math.round(jaccard * 1000) / 1000 }
        bestAt = i
      }
    }
    return best
  }
}

/**
 * Sketch pairs per labelled text, and how many a post must share with it to be compared. A copy keeps
 * ≥ 97% of a labelled text's pairs, and a shortened copy (Jaccard ≥ 0.8) 80%: it misses two of eight with a
 * probability below 1 in 10,000, while posts that merely share a common pair are not compared at all.
 */
const SKETCH = 8
const MIN_SKETCH_HITS = 2

/** What a copy need not keep: links (bare domains with a path too), mentions, a retweet's `//@name:`. */
const NOISE = /https?:\/\/\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)+\/\S*|\/\/@[^:：\s]+[:：]|@[\p{L}\p{N}_.-]+/gu
/** A CJK character on its own, or a run of other letters and digits. */
const UNIT = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc]|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc])[\p{L}\p{N}])+/gu

/** The words of a text as a copy keeps them: Latin words and digits, and CJK characters one by one. */
export function memoryUnits(text: string): string[] {
  const folded = foldForMatch(text)
    .replace(/^\s*rt\b/u, ' ')
    .replace(NOISE, ' ')
  // eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
  return folded.match(/^[\x00-\x7f]*$/.test(folded) ? /[a-z0-9]+/g : UNIT) ?? []
}

/** FNV-1a of each word of `memoryUnits(text)`, without making the words: numbers are cheaper to index and compare. */
export function unitHashes(text: string): Uint32Array {
  let folded = foldForMatch(text).replace(/^\s*rt\b/u, ' ')
  // Links and mentions need one of these: most posts skip the long replace.
  if (folded.includes('/') || folded.includes('@') || folded.includes('www.')) folded = folded.replace(NOISE, ' ')
  // One pass over the characters: a CJK character is a word on its own, other letters and digits run on.
  const out: number[] = []
  let h = FNV_OFFSET
  let inWord = false
  for (let i = 0; i < folded.length; i++) {
    const c = folded.charCodeAt(i)
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < folded.length
    const kind = c < 0x80 ? ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) ? WORD : OTHER) : kindOf(folded.codePointAt(i)!)
    if (kind === WORD) {
      h = Math.imul((inWord ? h : FNV_OFFSET) ^ c, 0x01000193)
      if (pair) h = Math.imul(h ^ folded.charCodeAt(++i), 0x01000193)
      inWord = true
      continue
    }
    if (inWord) out.push(h >>> 0)
    inWord = false
    if (kind === CJK) {
      let k = Math.imul(FNV_OFFSET ^ c, 0x01000193)
      if (pair) k = Math.imul(k ^ folded.charCodeAt(++i), 0x01000193)
      out.push(k >>> 0)
    } else if (pair) i++
  }
  if (inWord) out.push(h >>> 0)
  return Uint32Array.from(out)
}

const OTHER = 0
const WORD = 1
const CJK = 2
/** What each non-ASCII character is to `memoryUnits`' pattern, looked up once per character seen. */
const kinds = new Map<number, number>()
const CJK_CHAR = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc]$/u
const WORD_CHAR = /^[\p{L}\p{N}]$/u

function kindOf(codePoint: number): number {
  let k = kinds.get(codePoint)
  if (k === undefined) {
    const ch = String.fromCodePoint(codePoint)
    k = CJK_CHAR.test(ch) ? CJK : WORD_CHAR.test(ch) ? WORD : OTHER
    kinds.set(codePoint, k)
  }
  return k
}

/**
 * What two copies of the same words share (links, mentions, `RT`, case and punctuation aside): a number, or
 * null for a text without words. `review` offers one post of each, as one label covers every copy.
 */
export function copyKey(text: string): number | null {
  const units = unitHashes(text)
  return units.length ? exactKey(units) : null
}

/** One number for the whole sequence of words (53 bits of two order-sensitive hashes); a match is confirmed word by word. */
function exactKey(units: Uint32Array): number {
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  for (const u of units) {
    a = Math.imul(a ^ u, 0x01000193)
    b = Math.imul(b ^ u, 0x85ebca6b) ^ (b >>> 13)
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff)
}

function sameUnits(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Word pairs, hashed (each word's hash, combined in order). */
function pairHashes(units: Uint32Array): number[] {
  if (units.length === 1) return [units[0]!]
  const out: number[] = []
  for (let i = 1; i < units.length; i++) out.push(Math.imul(units[i - 1]! ^ Math.imul(units[i]!, 0x9e3779b1), 0x01000193) >>> 0)
  return out
}

const FNV_OFFSET = 0x811c9dc5

function distinctSorted(hashes: readonly number[]): Uint32Array {
  const a = Uint32Array.from(hashes).sort()
  let n = 0
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[n++] = a[i]!
  return a.subarray(0, n)
}

/** How many values two sorted, distinct arrays share (one merge). */
function sharedCount(a: Uint32Array, b: Uint32Array): number {
  let i = 0
  let j = 0
  let n = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      n++
      i++
      j++
    } else if (a[i]! < b[j]!) i++
    else j++
  }
  return n
}
