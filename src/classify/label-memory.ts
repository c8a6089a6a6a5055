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
  private readonly exact = new Map<string, number>()
  /** A few word pairs of each labelled text (its smallest hashes: a bottom-k sketch) → the texts. */
  private readonly sketch = new Map<number, number[]>()
  private readonly pairs: Set<number>[] = []

  constructor(
    private readonly entries: readonly LabelledText[],
    private readonly o: MemoryOptions = MEMORY_DEFAULTS,
  ) {
    entries.forEach((e, i) => {
      const units = memoryUnits(e.text)
      // A later label of the same words wins, as a person's latest correction should.
      this.exact.set(units.join(' '), i)
      const pairs = new Set(pairHashes(units))
      this.pairs.push(pairs)
      if (units.length < o.minUnits) return
      // A copy keeps ≥ 97% of the labelled text's pairs, so it has one of these few: candidates are found
      // without counting shared pairs against every labelled text (most posts share "the fund" with many).
      for (const h of [...pairs].sort((x, y) => x - y).slice(0, SKETCH)) {
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
    const units = memoryUnits(text)
    const key = units.join(' ')
    const same = this.exact.get(key)
    if (same !== undefined && key !== '') return { label: this.entries[same]!.label, ref: this.entries[same]!.ref, similarity: 1 }
    if (units.length < this.o.minUnits) return null
    const hashes = pairHashes(units)
    let candidates: Set<number> | null = null
    for (const h of hashes) {
      const list = this.sketch.get(h)
      if (list) for (const i of list) (candidates ??= new Set()).add(i)
    }
    if (!candidates) return null
    const pairs = new Set(hashes)
    let best: Recall | null = null
    let bestAt = -1
    for (const i of candidates) {
      const other = this.pairs[i]!
      let n = 0
      for (const h of other) if (pairs.has(h)) n++
      const jaccard = n / (pairs.size + other.size - n)
      const containment = Math.max(n / pairs.size, n / other.size)
      if (jaccard < this.o.minJaccard || containment < this.o.minContainment) continue
      if (!best || jaccard > best.similarity || (jaccard === best.similarity && i > bestAt)) {
        best = { label: this.entries[i]!.label, ref: this.entries[i]!.ref, similarity: Math.round(jaccard * 1000) / 1000 }
        bestAt = i
      }
    }
    return best
  }
}

const SKETCH = 4

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

/** Word pairs, hashed (FNV-1a of each word, combined): numbers are cheaper to index and compare than strings. */
function pairHashes(units: readonly string[]): number[] {
  if (units.length === 1) return [fnv(units[0]!, 0x811c9dc5)]
  const out: number[] = []
  let prev = units.length ? fnv(units[0]!, 0x811c9dc5) : 0
  for (let i = 1; i < units.length; i++) {
    const h = fnv(units[i]!, 0x811c9dc5)
    out.push(Math.imul(prev ^ Math.imul(h, 0x9e3779b1), 0x01000193) >>> 0)
    prev = h
  }
  return out
}

function fnv(s: string, seed: number): number {
  let h = seed >>> 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
