/**
 * mulberry32: a small seeded generator of floats in [0, 1). Generated samples, benchmarks and tests use it
 * so that the same seed always builds the same data and a failure replays exactly.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Draws from `seededRandom`, shaped as the generators need them. */
export class Rng {
  readonly next: () => number
  constructor(seed: number) {
    this.next = seededRandom(seed)
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list')
    return xs[Math.floor(this.next() * xs.length)] as T
  }
  weighted<T>(xs: readonly T[], ws: readonly number[]): T {
    let total = 0
    for (const w of ws) total += w
    let r = this.next() * total
    for (let i = 0; i < xs.length; i++) {
      r -= ws[i] as number
      if (r < 0) return xs[i] as T
    }
    return xs[xs.length - 1] as T
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0
    if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()))
    const l = Math.exp(-lambda)
    let k = 0
    let p = 1
    do {
      k++
      p *= this.next()
    } while (p > l)
    return k - 1
  }
  normal(): number {
    const u = 1 - this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next())
  }
  logUniform(lo: number, hi: number): number {
    return Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo)))
  }
  /** Pareto with minimum 1. */
  pareto(alpha: number): number {
    return Math.pow(1 - this.next(), -1 / alpha)
  }
  chars(alphabet: string, n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)]
    return s
  }
}
