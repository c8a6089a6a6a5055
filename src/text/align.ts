import { foldForMatch } from './fold.js'

/**
 * A text rewritten from an original, with where each of its UTF-16 units came from: unit i was read from
 * original[start[i], end[i]). Explanations use it to show the words a person wrote, not the tokens the model
 * read; only built when explaining, never on the scoring path.
 */
export interface Aligned {
  text: string
  start: Int32Array
  end: Int32Array
  /** Spans of the original that were replaced by a marker (links, mentions, hashtags), in order. */
  entities: { kind: string; start: number; end: number }[]
}

export function aligned(text: string): Aligned {
  const start = new Int32Array(text.length)
  const end = new Int32Array(text.length)
  for (let i = 0; i < text.length; i++) {
    start[i] = i
    end[i] = i + 1
  }
  return { text, start, end, entities: [] }
}

/** `String.replace` with a global regex, keeping the alignment: a replacement comes from its whole match. */
export function alignedReplace(a: Aligned, re: RegExp, replace: (match: string, ...groups: string[]) => string, kind: string): Aligned {
  const parts: Aligned[] = []
  const entities: Aligned['entities'] = []
  let at = 0
  for (const m of a.text.matchAll(re)) {
    const i = m.index
    const out = replace(...(m as unknown as [string, ...string[]]))
    // What the replacement keeps of the match's start (the space before a mention) stays where it was.
    let kept = 0
    while (kept < out.length && kept < m[0].length - 1 && out[kept] === m[0][kept]) kept++
    parts.push(slice(a, at, i + kept))
    const from = a.start[i + kept]!
    const to = a.end[i + m[0].length - 1]!
    const rest = out.length - kept
    parts.push({ text: out.slice(kept), start: new Int32Array(rest).fill(from), end: new Int32Array(rest).fill(to), entities: [] })
    entities.push({ kind, start: from, end: to })
    at = i + m[0].length
  }
  if (!parts.length) return a
  parts.push(slice(a, at, a.text.length))
  const joined = concat(parts)
  return { ...joined, entities: [...a.entities, ...entities].sort((x, y) => x.start - y.start) }
}

/** `foldForMatch`, one grapheme at a time so that each folded unit knows its source. */
export function alignedFold(a: Aligned): Aligned {
  const parts: Aligned[] = []
  for (const g of graphemes.segment(a.text)) {
    const out = foldForMatch(g.segment)
    const from = a.start[g.index]!
    const to = a.end[g.index + g.segment.length - 1]!
    parts.push({ text: out, start: new Int32Array(out.length).fill(from), end: new Int32Array(out.length).fill(to), entities: [] })
  }
  return { ...concat(parts), entities: a.entities }
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })

function slice(a: Aligned, from: number, to: number): Aligned {
  return { text: a.text.slice(from, to), start: a.start.slice(from, to), end: a.end.slice(from, to), entities: [] }
}

function concat(parts: Aligned[]): Aligned {
  const text = parts.map((p) => p.text).join('')
  const start = new Int32Array(text.length)
  const end = new Int32Array(text.length)
  let at = 0
  for (const p of parts) {
    start.set(p.start, at)
    end.set(p.end, at)
    at += p.text.length
  }
  return { text, start, end, entities: [] }
}
