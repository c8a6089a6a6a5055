import type { Aligned } from '../text/align.js'
import type { DetectedLang } from '../text/detect-lang.js'
import { foldForMatch } from '../text/fold.js'
import { prepareTextAligned } from '../text/tokenize.js'
import type { FeatureTrace } from './features.js'

/**
 * Explanations in a person's words: every feature of a text traced back to the span(s) of the text it was
 * read from, and the features' pushes gathered onto the words and phrases as written ("Beijing", "this
 * will", "#DeepSeek", a link). Built only when explaining; scoring never records any of this.
 */

/** A part of the text that pushed the decision, as its writer wrote it. */
export interface Contribution {
  /** The words as written ("Beijing", "this will", "#DeepSeek"); "a link" for a URL, "language: …" for the language. */
  text: string
  /** Push towards the label weighed against (positive) or away from it (negative). */
  weight: number
  /** What it adds to each label's decision value. */
  labels: Record<string, number>
  /** [start, end) UTF-16 offsets of each place in the text it comes from; none for the language. */
  spans: [number, number][]
  /** The model's internal features behind it (stems, negation marks, hashed n-grams), for debugging. */
  features: string[]
}

interface Occurrence {
  start: number
  end: number
  kind: 'word' | 'char' | 'language'
  /** A single word read under a negation (NOT_…). */
  negated: boolean
}

/** Records where each feature of one text came from, in offsets of the original text. */
export class TextTrace implements FeatureTrace {
  readonly names = new Map<number, string>()
  readonly occurrences = new Map<number, Occurrence[]>()
  /** Each word token's span in the original text. */
  readonly words: [number, number][] = []
  lang: DetectedLang | null = null
  private aligned: Aligned = { text: '', start: new Int32Array(0), end: new Int32Array(0), entities: [] }
  private s = ''
  private sStart = new Int32Array(0)
  private sEnd = new Int32Array(0)

  constructor(readonly text: string) {}

  prepare(text: string): string {
    this.aligned = prepareTextAligned(text)
    return this.aligned.text
  }

  word(idx: number, tokens: readonly string[], i: number, n: number, spans: readonly number[]): void {
    const start = this.aligned.start[spans[2 * i]!]!
    const end = this.aligned.end[spans[2 * (i + n - 1) + 1]! - 1]!
    if (n === 1) this.words.push([start, end])
    const name = tokens.slice(i, i + n).join(' ')
    this.add(idx, name, { start, end, kind: 'word', negated: n === 1 && tokens[i]!.startsWith('NOT_') })
  }

  chars(s: string): void {
    // s is the prepared text with its white space collapsed and a space at each end: spaces come from nowhere.
    const prepared = this.aligned.text
    this.s = s
    this.sStart = new Int32Array(s.length).fill(-1)
    this.sEnd = new Int32Array(s.length).fill(-1)
    let p = 0
    for (let j = 0; j < s.length; j++) {
      if (s[j] === ' ') continue
      while (p < prepared.length && /\s/.test(prepared[p]!)) p++
      if (p >= prepared.length) break
      this.sStart[j] = this.aligned.start[p]!
      this.sEnd[j] = this.aligned.end[p]!
      p++
    }
  }

  char(idx: number, i: number, n: number): void {
    let start = Infinity
    let end = -1
    for (let j = i; j < i + n; j++) {
      if (this.sStart[j]! < 0) continue
      start = Math.min(start, this.sStart[j]!)
      end = Math.max(end, this.sEnd[j]!)
    }
    const name = `"${this.s.slice(i, i + n)}"`
    if (end < 0) this.name(idx, name)
    else this.add(idx, name, { start, end, kind: 'char', negated: false })
  }

  language(idx: number, lang: DetectedLang): void {
    this.lang = lang
    this.add(idx, `language ${lang}`, { start: 0, end: 0, kind: 'language', negated: false })
  }

  /** The entities of the text (links, mentions, hashtags), in the original's offsets. */
  get entities(): Aligned['entities'] {
    return this.aligned.entities
  }

  private add(idx: number, name: string, o: Occurrence): void {
    this.name(idx, name)
    let list = this.occurrences.get(idx)
    if (!list) this.occurrences.set(idx, (list = []))
    list.push(o)
  }

  private name(idx: number, name: string): void {
    if (!this.names.has(idx)) this.names.set(idx, name)
  }
}

/** A stretch of the text a person would point at: a word, a link, a hashtag, a mention, or punctuation. */
interface Unit {
  start: number
  end: number
  kind: string
}

/**
 * The features' pushes gathered onto the words of the text: a word n-gram goes to the words it spans (a
 * phrase when n > 1), a character n-gram is shared among the words it overlaps, a feature found in several
 * places is shared among them, and pushes on the same words add up. `pushes` holds, per bucket, its
 * contribution to each label's decision value; `toward` is the label weighed against the others.
 */
export function readableContributions(trace: TextTrace, pushes: Map<number, Float64Array>, labels: readonly string[], toward: number): Contribution[] {
  const text = trace.text
  const units = unitsOf(trace)
  const entries = new Map<string, { text: string; labels: Float64Array; spans: Set<string>; features: Set<string> }>()
  const k = labels.length
  const addTo = (key: string, display: string, span: [number, number] | null, v: Float64Array, share: number, feature: string) => {
    let e = entries.get(key)
    if (!e) entries.set(key, (e = { text: display, labels: new Float64Array(k), spans: new Set(), features: new Set() }))
    for (let c = 0; c < k; c++) e.labels[c]! += v[c]! * share
    if (span) e.spans.add(`${span[0]},${span[1]}`)
    e.features.add(feature)
  }
  for (const [idx, v] of pushes) {
    const occ = trace.occurrences.get(idx)
    const feature = trace.names.get(idx) ?? `#${idx}`
    if (!occ?.length) continue
    const share = 1 / occ.length
    for (const o of occ) {
      if (o.kind === 'language') {
        addTo('\u0000language', `language: ${languageName(trace.lang ?? 'und')}`, null, v, share, feature)
        continue
      }
      const touched = units.map((u, i) => [i, overlap(u, o)] as const).filter(([, n]) => n > 0)
      if (!touched.length) continue
      if (o.kind === 'word') {
        const first = touched[0]![0]
        const last = touched[touched.length - 1]![0]
        const display = describe(text, units, first, last) + (o.negated ? ' (negated)' : '')
        addTo(foldForMatch(display), display, [units[first]!.start, units[last]!.end], v, share, feature)
      } else {
        const total = touched.reduce((a, [, n]) => a + n, 0)
        for (const [i, n] of touched) {
          const display = describe(text, units, i, i)
          addTo(foldForMatch(display), display, [units[i]!.start, units[i]!.end], v, (share * n) / total, feature)
        }
      }
    }
  }
  const out: Contribution[] = []
  for (const e of entries.values()) {
    let others = 0
    for (let c = 0; c < k; c++) if (c !== toward) others += e.labels[c]!
    const weight = e.labels[toward]! - others / Math.max(1, k - 1)
    if (Math.abs(weight) < 5e-5) continue
    out.push({
      text: e.text,
      weight: round(weight),
      labels: Object.fromEntries(labels.map((l, c) => [l, round(e.labels[c]!)])),
      spans: [...e.spans].map((s) => s.split(',').map(Number) as [number, number]).sort((a, b) => a[0] - b[0]),
      features: [...e.features],
    })
  }
  return out.sort((a, b) => b.weight - a.weight)
}

/** Words (as tokenized), entities, and every other run of visible characters (punctuation, emoji). */
function unitsOf(trace: TextTrace): Unit[] {
  const raw: Unit[] = [
    ...trace.entities.map((e) => ({ start: e.start, end: e.end, kind: e.kind })),
    ...trace.words.map(([start, end]) => ({ start, end, kind: 'word' })),
  ].sort((a, b) => a.start - b.start || b.end - a.end)
  // Overlapping spans (a hashtag's words, a split 不) become one unit; an entity keeps its kind.
  const merged: Unit[] = []
  for (const u of raw) {
    const last = merged[merged.length - 1]
    if (last && u.start < last.end) {
      last.end = Math.max(last.end, u.end)
      if (u.kind !== 'word') last.kind = u.kind
    } else merged.push({ ...u })
  }
  const out: Unit[] = []
  let at = 0
  const gaps = (from: number, to: number) => {
    for (const m of trace.text.slice(from, to).matchAll(/\S+/gu)) out.push({ start: from + m.index, end: from + m.index + m[0].length, kind: 'other' })
  }
  for (const u of merged) {
    gaps(at, u.start)
    out.push(u)
    at = u.end
  }
  gaps(at, trace.text.length)
  return out
}

/** Units first..last as written, a link said as "a link". */
function describe(text: string, units: readonly Unit[], first: number, last: number): string {
  let out = ''
  for (let i = first; i <= last; i++) {
    const u = units[i]!
    if (i > first) out += text.slice(units[i - 1]!.end, u.start)
    out += u.kind === 'link' ? 'a link' : text.slice(u.start, u.end)
  }
  return out.replace(/\s+/g, ' ')
}

function overlap(u: Unit, o: Occurrence): number {
  return Math.max(0, Math.min(u.end, o.end) - Math.max(u.start, o.start))
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' })
function languageName(lang: string): string {
  if (lang === 'und') return 'undetermined'
  try {
    return languageNames.of(lang) ?? lang
  } catch {
    return lang
  }
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000
}
