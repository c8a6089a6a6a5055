import type { SparseVector } from './features.js'

export interface SvmOptions {
  /** Regularisation: larger fits the training data harder. */
  C: number
  /** Cost multiplier for the positive and the negative side (class balance). */
  positiveWeight: number
  negativeWeight: number
  maxEpochs: number
  tolerance: number
  seed: number
  /** Dual variables to start from (a solution for a smaller C is a good start for a larger one). */
  start?: Float64Array
  /** A cost multiplier per example (1 when absent): a person's label can weigh more than a seed. */
  exampleWeights?: Float64Array
}

export interface SvmSolution {
  w: Float32Array
  b: number
  /** The dual variables, to warm-start a neighbouring problem. */
  alpha: Float64Array
  epochs: number
}

/**
 * A binary L2-regularised, squared-hinge linear SVM trained by dual coordinate descent with shrinking
 * (Hsieh et al. 2008, LIBLINEAR's default solver): exact, deterministic, and fast on sparse text features.
 * The bias is a constant feature, regularised like the others.
 */
export function trainSvm(xs: readonly SparseVector[], positive: readonly boolean[], dims: number, o: SvmOptions): SvmSolution {
  const n = xs.length
  const w = new Float64Array(dims)
  let b = 0
  const alpha = o.start ? Float64Array.from(o.start) : new Float64Array(n)
  const y = new Float64Array(n)
  const diag = new Float64Array(n)
  const qii = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    y[i] = positive[i] ? 1 : -1
    diag[i] = 0.5 / (o.C * (positive[i] ? o.positiveWeight : o.negativeWeight) * (o.exampleWeights?.[i] ?? 1))
    const x = xs[i]!
    let s = 1 // bias feature
    for (let j = 0; j < x.value.length; j++) s += x.value[j]! * x.value[j]!
    qii[i] = s + diag[i]!
    if (alpha[i] !== 0) {
      const d = alpha[i]! * y[i]!
      for (let j = 0; j < x.index.length; j++) w[x.index[j]!]! += d * x.value[j]!
      b += d
    }
  }
  // Shrinking: an example at alpha = 0 whose gradient is clearly positive stays there; skip it until the end.
  const active = Int32Array.from({ length: n }, (_, i) => i)
  let activeN = n
  let pgMaxOld = Infinity
  let rand = o.seed >>> 0
  let epoch = 0
  for (; epoch < o.maxEpochs; epoch++) {
    for (let i = activeN - 1; i > 0; i--) {
      rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0
      const j = Math.floor((rand / 4294967296) * (i + 1))
      const t = active[i]!
      active[i] = active[j]!
      active[j] = t
    }
    let maxPg = -Infinity
    let minPg = Infinity
    for (let s = 0; s < activeN; s++) {
      const i = active[s]!
      const x = xs[i]!
      const idx = x.index
      const val = x.value
      let dot = b
      for (let j = 0; j < idx.length; j++) dot += w[idx[j]!]! * val[j]!
      const g = y[i]! * dot - 1 + diag[i]! * alpha[i]!
      let pg = g
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          active[s] = active[--activeN]!
          active[activeN] = i
          s--
          continue
        }
        if (g > 0) pg = 0
      }
      if (pg > maxPg) maxPg = pg
      if (pg < minPg) minPg = pg
      if (Math.abs(pg) < 1e-12) continue
      const old = alpha[i]!
      const a = Math.max(old - g / qii[i]!, 0)
      alpha[i] = a
      const d = (a - old) * y[i]!
      if (d === 0) continue
      for (let j = 0; j < idx.length; j++) w[idx[j]!]! += d * val[j]!
      b += d
    }
    if (maxPg - minPg < o.tolerance) {
      if (activeN === n) break
      // Converged on the active set: check every example once more before stopping.
      activeN = n
      pgMaxOld = Infinity
      continue
    }
    pgMaxOld = maxPg > 0 ? maxPg : Infinity
  }
  return { w: Float32Array.from(w), b, alpha, epochs: epoch }
}
