import { isCjkChar } from '../text/fold.js'

/*
 * Finds every configured term in a post in one pass (Aho-Corasick), however many rules and topics there
 * are: Jetstream delivers the whole network, and a regex per rule would cost rules × text on every post.
 * Terms and text are compared after foldForMatch and with runs of spaces and hyphens made one space.
 */

/** How a term's edges must sit in the text. */
interface TermShape {
  /** The term starts with a Latin letter or digit: the character before must not be one. */
  boundedStart: boolean
  /** After the term: anything (CJK or punctuation end), no letter (it ends in a letter: Qwen3 is fine), or no letter or digit. */
  end: 'free' | 'no-letter' | 'no-word'
}

const ASCII = 128

/** The terms found in one text; valid until the next `scan`. */
export interface Found {
  readonly size: number
  /** Whether any term of a list registered with `addList` was found. */
  hasAnyOf(list: number): boolean
}

export class TermIndex {
  // Build-time trie.
  private readonly asciiEdges: Int32Array[] = []
  private readonly otherEdges: Map<number, number>[] = []
  private readonly outputs: number[][] = []
  private readonly lengths: number[] = []
  private readonly shapes: TermShape[] = []
  private readonly ids = new Map<string, number>()
  /** Non-ASCII code units that occur in some term: any other one sends the automaton back to its root. */
  private readonly inTerms = new Uint8Array(65536)
  // Search-time automaton: ASCII transitions resolved through failure links into one flat table.
  private delta = new Int32Array(0)
  private fail = new Int32Array(0)
  private outStart = new Int32Array(0)
  private outIds = new Int32Array(0)
  // Results: a term is found in the current scan when its stamp equals the scan's generation.
  private stamps = new Uint32Array(0)
  private generation = 0
  private foundCount = 0
  private readonly found: Found
  /**
   * Term lists (a rule's `any`, `with` or `not`): rules ask whether any term of a list was found. With the
   * lists each term belongs to known, a scan marks the lists of the few terms it finds, and every question
   * is one lookup, instead of every rule walking its terms for every post.
   */
  private readonly lists: number[][] = []
  private listsOfTerm = new Int32Array(0)
  private listsOfTermStart = new Int32Array(1)
  private listStamps = new Uint32Array(0)

  constructor() {
    // A getter cannot be an arrow function, and it reads the index's own counter.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this
    this.found = {
      get size() {
        return self.foundCount
      },
      hasAnyOf: (list: number) => self.listStamps[list] === self.generation,
    }
  }

  /** Register a list of terms (ids from `add`); returns its id, for `Found.hasAnyOf`. Call before `build()`. */
  addList(termIds: readonly number[]): number {
    return this.lists.push([...termIds]) - 1
  }

  /** Register a term (idempotent); returns its id. Call `build()` after the last one. */
  add(rawTerm: string): number {
    const term = squashSeparators(rawTerm)
    const known = this.ids.get(term)
    if (known !== undefined) return known
    const id = this.lengths.length
    this.ids.set(term, id)
    this.lengths.push(term.length)
    this.shapes.push(shapeOf(term))
    if (this.asciiEdges.length === 0) this.newNode()
    let node = 0
    for (let i = 0; i < term.length; i++) {
      const c = term.charCodeAt(i)
      if (c >= ASCII) this.inTerms[c] = 1
      let next = c < ASCII ? this.asciiEdges[node]![c]! : (this.otherEdges[node]!.get(c) ?? 0)
      if (next === 0) {
        next = this.newNode()
        if (c < ASCII) this.asciiEdges[node]![c] = next
        else this.otherEdges[node]!.set(c, next)
      }
      node = next
    }
    this.outputs[node]!.push(id)
    return id
  }

  /** Compute failure links breadth-first, the full ASCII transition table, and flat outputs. */
  build(): this {
    if (this.asciiEdges.length === 0) this.newNode()
    const n = this.asciiEdges.length
    const fail = new Int32Array(n)
    const delta = new Int32Array(n * ASCII)
    const order: number[] = [0]
    for (let head = 0; head < order.length; head++) {
      const node = order[head]!
      const f = fail[node]!
      for (let c = 0; c < ASCII; c++) {
        const child = this.asciiEdges[node]![c]!
        if (child > 0) {
          fail[child] = node === 0 ? 0 : delta[f * ASCII + c]!
          delta[node * ASCII + c] = child
          order.push(child)
        } else {
          delta[node * ASCII + c] = node === 0 ? 0 : delta[f * ASCII + c]!
        }
      }
      for (const [c, child] of this.otherEdges[node]!) {
        let g = f
        let target = 0
        if (node !== 0) {
          for (;;) {
            const t = this.otherEdges[g]!.get(c)
            if (t !== undefined) {
              target = t
              break
            }
            if (g === 0) break
            g = fail[g]!
          }
        }
        fail[child] = target
        order.push(child)
      }
    }
    // Outputs include those of every suffix state, in breadth-first order so suffixes are complete first.
    const merged: number[][] = this.outputs.map((o) => [...o])
    for (const node of order) if (node !== 0) for (const id of merged[fail[node]!]!) if (!merged[node]!.includes(id)) merged[node]!.push(id)
    const outStart = new Int32Array(n + 1)
    for (let i = 0; i < n; i++) outStart[i + 1] = outStart[i]! + merged[i]!.length
    const outIds = new Int32Array(outStart[n] ?? 0)
    for (let i = 0; i < n; i++) outIds.set(merged[i]!, outStart[i])
    const terms = this.lengths.length
    const listsOfTermStart = new Int32Array(terms + 1)
    for (const list of this.lists) for (const t of new Set(list)) listsOfTermStart[t + 1]!++
    for (let t = 0; t < terms; t++) listsOfTermStart[t + 1]! += listsOfTermStart[t]!
    const listsOfTerm = new Int32Array(listsOfTermStart[terms]!)
    const filled = listsOfTermStart.slice(0, terms)
    this.lists.forEach((list, id) => {
      for (const t of new Set(list)) listsOfTerm[filled[t]!++] = id
    })
    Object.assign(this, {
      delta,
      fail,
      outStart,
      outIds,
      stamps: new Uint32Array(terms),
      listsOfTerm,
      listsOfTermStart,
      listStamps: new Uint32Array(this.lists.length),
    })
    return this
  }

  /** The terms present in already-folded text, edges respected. */
  scan(foldedText: string): Found {
    const text = squashSeparators(foldedText)
    const gen = ++this.generation
    this.foundCount = 0
    const { delta, fail, outStart, outIds, stamps, lengths, shapes, inTerms, otherEdges, listsOfTerm, listsOfTermStart, listStamps } = this
    let node = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < ASCII) node = delta[node * ASCII + c]!
      else if (inTerms[c] === 0) node = 0
      else {
        // Rare: a non-ASCII character that some term contains (CJK terms, accented words).
        for (;;) {
          const t = otherEdges[node]!.get(c)
          if (t !== undefined) {
            node = t
            break
          }
          if (node === 0) break
          node = fail[node]!
        }
      }
      const end = outStart[node + 1]!
      for (let k = outStart[node]!; k < end; k++) {
        const id = outIds[k]!
        if (stamps[id] !== gen && edgesFit(text, i + 1 - lengths[id]!, i + 1, shapes[id]!)) {
          stamps[id] = gen
          this.foundCount++
          for (let l = listsOfTermStart[id]!, stop = listsOfTermStart[id + 1]!; l < stop; l++) listStamps[listsOfTerm[l]!] = gen
        }
      }
    }
    return this.found
  }

  private newNode(): number {
    this.asciiEdges.push(new Int32Array(ASCII))
    this.otherEdges.push(new Map())
    this.outputs.push([])
    return this.asciiEdges.length - 1
  }
}

/** Spaces, hyphens and dashes in any run count as one space: "data-labelling" is "data labelling". */
export function squashSeparators(s: string): string {
  // Most posts have nothing to squash (single spaces only): skip the replace and its copy.
  return NEEDS_SQUASH.test(s) ? s.replace(SEPARATOR_RUN, ' ') : s
}

const SEPARATOR_RUN = /[\s\-‐‑–]+/g
const NEEDS_SQUASH = /[\s\-‐‑–]{2}|[^\S ]|[-‐‑–]/

function shapeOf(term: string): TermShape {
  const first = String.fromCodePoint(term.codePointAt(0) ?? 32)
  const last = [...term].at(-1) ?? ' '
  const alnum = (ch: string) => /[\p{L}\p{N}]/u.test(ch) && !isCjkChar(ch)
  return {
    boundedStart: alnum(first),
    end: !alnum(last) ? 'free' : /\p{N}/u.test(last) ? 'no-word' : 'no-letter',
  }
}

function edgesFit(text: string, start: number, end: number, shape: TermShape): boolean {
  if (shape.boundedStart && start > 0) {
    const before = text.codePointAt(start - 1) ?? 32
    if (isAlphabetic(before) || isDigit(before)) return false
    // French elision: "j'ai" is not the term "ai".
    if (
      (before === 0x27 || before === 0x2019) &&
      start >= 2 &&
      (text.charCodeAt(start - 2) | 0x20) === 0x6a &&
      (start < 3 || !isAlphabetic(text.codePointAt(start - 3) ?? 32))
    )
      return false
  }
  if (shape.end !== 'free' && end < text.length) {
    const after = text.codePointAt(end) ?? 32
    if (isAlphabetic(after)) return false
    if (shape.end === 'no-word' && isDigit(after)) return false
  }
  return true
}

/** Letters of alphabetic scripts (Latin, Greek, Cyrillic): the ones that glue onto a Latin term. */
function isAlphabetic(cp: number): boolean {
  if (cp < 0x80) return (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a
  return (cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7) || (cp >= 0x370 && cp <= 0x52f) || (cp >= 0x1e00 && cp <= 0x1fff)
}

function isDigit(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x80 && /\p{N}/u.test(String.fromCodePoint(cp)))
}
