import type { ModelWeights } from './model-file.js'

/**
 * A model's weights by hash bucket, only for buckets that carry weight: an open-addressing table whose rows
 * hold [idf, one weight per label]. A few megabytes where a dense table would take 16, so lookups mostly
 * hit the cache.
 */
export class BucketTable {
  /**
   * One cell per slot, [bucket + 1 (0 = empty), occurrences while one text is scored, idf, one weight per
   * label], as 32-bit words of one buffer seen as integers (`keys`) and as floats (`vals`): a probe, its
   * count and its weights share a cache line, so a feature costs one memory miss rather than two.
   */
  readonly keys: Uint32Array
  readonly vals: Float32Array
  readonly mask: number
  readonly stride: number
  private readonly k: number
  /** One family's dot product with each label's weights, before scaling. */
  private readonly acc: Float64Array

  constructor(w: ModelWeights) {
    const k = w.bias.length
    let size = 16
    while (size < w.buckets.length * 1.5) size *= 2
    this.k = k
    this.acc = new Float64Array(k)
    this.mask = size - 1
    this.stride = k + 3
    const cells = new ArrayBuffer(size * this.stride * 4)
    this.keys = new Uint32Array(cells)
    this.vals = new Float32Array(cells)
    w.buckets.forEach((b, i) => {
      let slot = b & this.mask
      while (this.keys[slot * this.stride] !== 0) slot = (slot + 1) & this.mask
      const at = slot * this.stride
      this.keys[at] = b + 1
      this.vals[at + 2] = w.bucketIdf[i]!
      this.vals.set(w.bucketWeights.subarray(i * k, (i + 1) * k), at + 3)
    })
  }

  /** The cell offset of a bucket, or -1 when the model has no weight for it. */
  find(b: number): number {
    for (let slot = b & this.mask; ; slot = (slot + 1) & this.mask) {
      const key = this.keys[slot * this.stride]!
      if (key === b + 1) return slot * this.stride
      if (key === 0) return -1
    }
  }

  /**
   * Add one feature family's share to the decision values `out`: sublinear counts times idf, the family
   * scaled to unit length, dotted with the weights (as `vectorize` then a dot product would). The hot path
   * of classification: occurrences are counted in the table itself, with no vector built and nothing sorted.
   */
  addFamily(list: Uint32Array, n: number, out: Float64Array): void {
    if (touched.length < n) touched = new Uint32Array(n * 2)
    const { keys, vals, mask, stride, k, acc } = this
    const slots = touched
    let t = 0
    for (let i = 0; i < n; i++) {
      const key = list[i]! + 1
      // Linear probing; buckets no training text had are absent (as an unknown word would be).
      let at = ((key - 1) & mask) * stride
      let found = keys[at]!
      while (found !== 0 && found !== key) found = keys[(at = (at + stride) % (stride * (mask + 1)))]!
      if (found !== 0 && keys[at + 1]!++ === 0) slots[t++] = at
    }
    acc.fill(0)
    let norm = 0
    for (let i = 0; i < t; i++) {
      const at = slots[i]!
      const count = keys[at + 1]!
      keys[at + 1] = 0
      const v = (count === 1 ? 1 : 1 + Math.log(count)) * vals[at + 2]!
      norm += v * v
      for (let c = 0; c < k; c++) acc[c]! += v * vals[at + 3 + c]!
    }
    norm = Math.sqrt(norm) || 1
    for (let c = 0; c < k; c++) out[c]! += acc[c]! / norm
  }
}

/** The cells one text's features touched, each once; shared by every table, as scoring is synchronous. */
let touched = new Uint32Array(4096)
