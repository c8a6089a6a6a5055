/**
 * Many small strings and numbers, sent between threads as one string (the strings end to end) and one
 * buffer of numbers (each string's length, -1 for null, between the numbers), read back in the order written.
 * Structured cloning writes and allocates every string, array and object separately, and the receiver's
 * garbage collector then traces them all; this is two objects, and the buffer is transferred.
 */
export class FieldWriter {
  private readonly parts: string[] = []
  private numbers = new Float64Array(1 << 14)
  private n = 0

  str(s: string | null): this {
    if (s === null) return this.num(-1)
    this.parts.push(s)
    return this.num(s.length)
  }

  strs(xs: readonly string[]): this {
    this.num(xs.length)
    for (const s of xs) this.str(s)
    return this
  }

  num(x: number): this {
    if (this.n === this.numbers.length) {
      const more = new Float64Array(this.n * 2)
      more.set(this.numbers)
      this.numbers = more
    }
    this.numbers[this.n++] = x
    return this
  }

  /** The fields in a buffer of their own, which is transferred. */
  done(): { strings: string; fields: Float64Array } {
    return { strings: this.parts.join(''), fields: this.numbers.slice(0, this.n) }
  }
}

/** Reads what a FieldWriter wrote, in the same order; strings come back as slices of the one string. */
export class FieldReader {
  private at = 0
  private pos = 0

  constructor(
    private readonly strings: string,
    private readonly fields: Float64Array,
  ) {}

  num(): number {
    return this.fields[this.at++]!
  }

  numOrNull(): number | null {
    const n = this.num()
    return Number.isNaN(n) ? null : n
  }

  str(): string | null {
    const n = this.num()
    if (n < 0) return null
    const s = this.strings.slice(this.pos, this.pos + n)
    this.pos += n
    return s
  }

  strs(): string[] {
    const xs: string[] = []
    for (let i = this.num(); i > 0; i--) xs.push(this.str()!)
    return xs
  }
}
