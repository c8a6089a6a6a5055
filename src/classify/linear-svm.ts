import type { SparseVector } from './features.js'

export interface SvmOptions {
  /** Regularisation: larger fits the training data harder. */
  C: number
  /** Cost multiplier for the positive and the negative side (class balance). */
  positiveWeight: number
  negativeWeight: number
  maxEpochs: number
  tolerance: number
  /** Per-feature scaling applied to every input (NB log-count ratios), or null. */
  scale: Float32Array | null
  seed: number
}

/**
 * A binary L2-regularised, squared-hinge linear SVM trained by dual coordinate descent (Hsieh et al.
 * 2008, LIBLINEAR's default solver): exact, deterministic, and fast on sparse text features. The bias is
 * a constant feature, regularised like the others.
 */
export function trainSvm(xs: readonly SparseVector[], positive: readonly boolean[], dims: number, o: SvmOptions): { w: Float32Array; b: number } {
  const n = xs.length
  const w = new Float64Array(dims)
  let b = 0
  const alpha = new Float64Array(n)
  const y = positive.map((p) => (p ? 1 : -1))
  const diag = positive.map((p) => 0.5 / (o.C * (p ? o.positiveWeight : o.negativeWeight)))
  const qii = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 1 // bias feature
    const x = xs[i]!
    for (let j = 0; j < x.index.length; j++) {
      const v = x.value[j]! * (o.scale ? o.scale[x.index[j]!]! : 1)
      s += v * v
    }
    qii[i] = s + diag[i]!
  }
  const order = Array.from({ length: n }, (_, i) => i)
  let rand = o.seed >>> 0
  const next = () => {
    rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0
    return rand / 4294967296
  }
  for (let epoch = 0; epoch < o.maxEpochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    let maxPg = -Infinity
    let minPg = Infinity
    for (const i of order) {
      const x = xs[i]!
      let dot = b
      for (let j = 0; j < x.index.length; j++) dot += w[x.index[j]!]! * x.value[j]! * (o.scale ? o.scale[x.index[j]!]! : 1)
      const g = y[i]! * dot - 1 + diag[i]! * alpha[i]!
      const pg = alpha[i] === 0 ? Math.min(g, 0) : g
      if (pg > maxPg) maxPg = pg
      if (pg < minPg) minPg = pg
      if (Math.abs(pg) < 1e-12) continue
      const old = alpha[i]!
      alpha[i] = Math.max(old - g / qii[i]!, 0)
      const d = (alpha[i]! - old) * y[i]!
      if (d === 0) continue
      for (let j = 0; j < x.index.length; j++) w[x.index[j]!]! += d * x.value[j]! * (o.scale ? o.scale[x.index[j]!]! : 1)
      b += d
    }
    if (maxPg - minPg < o.tolerance) break
  }
  return { w: Float32Array.from(w), b }
}
