import { foldForMatch, isCjkChar } from '../text/fold.js'

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
  private readonly index = new Map<string, number[]>()
  private readonly sizes: number[] = []

  constructor(
    private readonly entries: readonly LabelledText[],
    private readonly o: MemoryOptions = MEMORY_DEFAULTS,
  ) {
    entries.forEach((e, i) => {
      const units = memoryUnits(e.text)
      // A later label of the same words wins, as a person's latest correction should.
      this.exact.set(units.join(' '), i)
      const pairs = shingles(units)
      this.sizes.push(pairs.size)
      if (units.length < o.minUnits) return
      for (const p of pairs) {
        const list = this.index.get(p)
        if (list) list.push(i)
        else this.index.set(p, [i])
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
    const pairs = shingles(units)
    const shared = new Map<number, number>()
    for (const p of pairs) for (const i of this.index.get(p) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1)
    let best: Recall | null = null
    let bestAt = -1
    for (const [i, n] of shared) {
      const other = this.sizes[i]!
      const jaccard = n / (pairs.size + other - n)
      const containment = Math.max(n / pairs.size, n / other)
      if (jaccard < this.o.minJaccard || containment < this.o.minContainment) continue
      if (!best || jaccard > best.similarity || (jaccard === best.similarity && i > bestAt)) {
        best = { label: this.entries[i]!.label, ref: this.entries[i]!.ref, similarity: Math.round(jaccard * 1000) / 1000 }
        bestAt = i
      }
    }
    return best
  }
}

/** The words of a text as a copy keeps them: Latin words and digits, and CJK characters one by one. */
export function memoryUnits(text: string): string[] {
  const folded = foldForMatch(text)
    .replace(/^\s*rt\b/u, ' ')
    .replace(/https?:\/\/\S+|www\.\S+|\b[\w-]+(\.[\w-]+)+\/\S*/gu, ' ')
    .replace(/\/\/@[^:：]+[:：]/gu, ' ')
    .replace(/@[\p{L}\p{N}_.-]+/gu, ' ')
  const units: string[] = []
  for (const m of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = m[0]
    if ([...w].some(isCjkChar)) {
      let run = ''
      for (const ch of w) {
        if (isCjkChar(ch)) {
          if (run) units.push(run)
          run = ''
          units.push(ch)
        } else run += ch
      }
      if (run) units.push(run)
    } else units.push(w)
  }
  return units
}

function shingles(units: readonly string[]): Set<string> {
  const out = new Set<string>()
  if (units.length === 1) out.add(units[0]!)
  for (let i = 0; i + 1 < units.length; i++) out.add(`${units[i]} ${units[i + 1]}`)
  return out
}
