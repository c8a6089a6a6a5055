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

export class TermIndex {
  private readonly ascii: Int32Array[] = []
  private readonly other: Map<number, number>[] = []
  private readonly fail: number[] = []
  private readonly out: number[][] = []
  private readonly lengths: number[] = []
  private readonly shapes: TermShape[] = []
  private readonly ids = new Map<string, number>()

  /** Register a term (idempotent); returns its id. Call `build()` after the last one. */
  add(rawTerm: string): number {
    const term = squashSeparators(rawTerm)
    const known = this.ids.get(term)
    if (known !== undefined) return known
    const id = this.lengths.length
    this.ids.set(term, id)
    this.lengths.push(term.length)
    this.shapes.push(shapeOf(term))
    if (this.ascii.length === 0) this.newNode()
    let node = 0
    for (let i = 0; i < term.length; i++) {
      const c = term.charCodeAt(i)
      let next = this.step(node, c)
      if (next < 0) {
        next = this.newNode()
        if (c < ASCII) this.ascii[node]![c] = next
        else this.other[node]!.set(c, next)
      }
      node = next
    }
    this.out[node]!.push(id)
    return id
  }

  /** Compute failure links (breadth-first), merging each node's outputs with its suffix's. */
  build(): this {
    if (this.ascii.length === 0) this.newNode()
    const queue: number[] = []
    const children = (n: number): [number, number][] => {
      const list: [number, number][] = []
      const a = this.ascii[n]!
      for (let c = 0; c < ASCII; c++) if (a[c]! > 0) list.push([c, a[c]!])
      for (const [c, m] of this.other[n]!) list.push([c, m])
      return list
    }
    for (const [, child] of children(0)) {
      this.fail[child] = 0
      queue.push(child)
    }
    while (queue.length) {
      const n = queue.shift()!
      for (const [c, child] of children(n)) {
        let f = this.fail[n]!
        while (f > 0 && this.step(f, c) < 0) f = this.fail[f]!
        const t = this.step(f, c)
        this.fail[child] = t > 0 && t !== child ? t : 0
        this.out[child]!.push(...this.out[this.fail[child]!]!)
        queue.push(child)
      }
    }
    return this
  }

  /** Ids of the terms present in already-folded text, edges respected. */
  find(foldedText: string): Set<number> {
    const text = squashSeparators(foldedText)
    const found = new Set<number>()
    const { ascii, other, fail, out, lengths, shapes } = this
    let node = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      for (;;) {
        const next = c < ASCII ? ascii[node]![c]! : (other[node]!.get(c) ?? 0)
        if (next > 0) {
          node = next
          break
        }
        if (node === 0) break
        node = fail[node]!
      }
      const ids = out[node]!
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k]!
        if (!found.has(id) && edgesFit(text, i + 1 - lengths[id]!, i + 1, shapes[id]!)) found.add(id)
      }
    }
    return found
  }

  private step(node: number, c: number): number {
    if (c < ASCII) {
      const n = this.ascii[node]![c]!
      return n > 0 ? n : -1
    }
    return this.other[node]!.get(c) ?? -1
  }

  private newNode(): number {
    this.ascii.push(new Int32Array(ASCII))
    this.other.push(new Map())
    this.fail.push(0)
    this.out.push([])
    return this.ascii.length - 1
  }
}

/** Spaces, hyphens and dashes in any run count as one space: "data-labelling" is "data labelling". */
export function squashSeparators(s: string): string {
  return s.replace(/[\s\-‐‑–]+/g, ' ').trim()
}

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
    if ((before === 0x27 || before === 0x2019) && start >= 2 && (text.charCodeAt(start - 2) | 0x20) === 0x6a && (start < 3 || !isAlphabetic(text.codePointAt(start - 3) ?? 32))) return false
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
  return (cp >= 0x30 && cp <= 0x39) || /\p{N}/u.test(String.fromCodePoint(cp))
}
