import type { SparseVector } from './features.js'

export interface TrainOptions {
  epochs: number
  /** L2 penalty per example. */
  l2: number
  learningRate: number
  /** Weigh classes by inverse frequency so a rare stance is not drowned by the common one. */
  balanced: boolean
  seed: number
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 10, l2: 1e-4, learningRate: 0.5, balanced: true, seed: 7 }

/**
 * Multinomial logistic regression over hashed sparse features, trained by AdaGrad SGD. Small, fast and
 * gives probabilities rather than margins, which the uncertainty threshold needs.
 */
export class SoftmaxRegression {
  constructor(
    readonly classes: number,
    readonly dims: number,
    /** Row-major [feature][class]. */
    readonly weights: Float32Array = new Float32Array(dims * classes),
    readonly bias: Float32Array = new Float32Array(classes),
  ) {}

  static train(xs: SparseVector[], ys: number[], classes: number, dims: number, opts: TrainOptions = DEFAULT_TRAIN): SoftmaxRegression {
    const model = new SoftmaxRegression(classes, dims)
    const w = model.weights
    const b = model.bias
    const g2 = new Float32Array(dims * classes)
    const gb2 = new Float32Array(classes)
    const classWeight = classWeights(ys, classes, opts.balanced)
    const order = xs.map((_, i) => i)
    const rand = mulberry32(opts.seed)
    const p = new Float64Array(classes)
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      shuffle(order, rand)
      for (const i of order) {
        const x = xs[i]!
        model.probabilitiesInto(x, p)
        const cw = classWeight[ys[i]!]!
        for (let k = 0; k < classes; k++) {
          const err = (p[k]! - (k === ys[i] ? 1 : 0)) * cw
          gb2[k]! += err * err
          b[k]! -= (opts.learningRate * err) / Math.sqrt(gb2[k]! + 1e-8)
          for (let j = 0; j < x.index.length; j++) {
            const at = x.index[j]! * classes + k
            const g = err * x.value[j]! + opts.l2 * w[at]!
            g2[at]! += g * g
            w[at]! -= (opts.learningRate * g) / Math.sqrt(g2[at]! + 1e-8)
          }
        }
      }
    }
    return model
  }

  /** Class probabilities for one vector, written into `out` (no allocation on the hot path). */
  probabilitiesInto(x: SparseVector, out: Float64Array): Float64Array {
    const k = this.classes
    for (let c = 0; c < k; c++) out[c] = this.bias[c]!
    for (let j = 0; j < x.index.length; j++) {
      const base = x.index[j]! * k
      const v = x.value[j]!
      for (let c = 0; c < k; c++) out[c]! += this.weights[base + c]! * v
    }
    let max = -Infinity
    for (let c = 0; c < k; c++) if (out[c]! > max) max = out[c]!
    let sum = 0
    for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c]! - max)
    for (let c = 0; c < k; c++) out[c]! /= sum
    return out
  }

  probabilities(x: SparseVector): number[] {
    return [...this.probabilitiesInto(x, new Float64Array(this.classes))]
  }

  /** Each feature's push towards a class: weight × value, for explanations. */
  contributions(x: SparseVector, cls: number): { index: number; weight: number }[] {
    const out: { index: number; weight: number }[] = []
    for (let j = 0; j < x.index.length; j++) out.push({ index: x.index[j]!, weight: this.weights[x.index[j]! * this.classes + cls]! * x.value[j]! })
    return out
  }

  /** Weights stored sparsely: hashed spaces are mostly empty, so this is a fraction of the dense size. */
  serialize(): Buffer {
    const nonzero: number[] = []
    for (let f = 0; f < this.dims; f++) {
      for (let c = 0; c < this.classes; c++) {
        if (this.weights[f * this.classes + c] !== 0) {
          nonzero.push(f)
          break
        }
      }
    }
    const header = new Uint32Array([1, this.classes, this.dims, nonzero.length])
    const idx = Uint32Array.from(nonzero)
    const vals = new Float32Array(nonzero.length * this.classes)
    nonzero.forEach((f, i) => vals.set(this.weights.subarray(f * this.classes, (f + 1) * this.classes), i * this.classes))
    return Buffer.concat([Buffer.from(header.buffer), Buffer.from(this.bias.buffer, this.bias.byteOffset, this.bias.byteLength), Buffer.from(idx.buffer), Buffer.from(vals.buffer)])
  }

  static deserialize(buf: Buffer): SoftmaxRegression {
    const bytes = Uint8Array.from(buf) // copy: aligned, detached from SQLite's buffer
    const header = new Uint32Array(bytes.buffer, 0, 4)
    const [format, classes, dims, n] = [header[0]!, header[1]!, header[2]!, header[3]!]
    if (format !== 1) throw new Error(`unknown model weight format ${format}`)
    let off = 16
    const bias = new Float32Array(bytes.buffer.slice(off, off + classes * 4))
    off += classes * 4
    const idx = new Uint32Array(bytes.buffer.slice(off, off + n * 4))
    off += n * 4
    const vals = new Float32Array(bytes.buffer.slice(off, off + n * classes * 4))
    const weights = new Float32Array(dims * classes)
    for (let i = 0; i < n; i++) weights.set(vals.subarray(i * classes, (i + 1) * classes), idx[i]! * classes)
    return new SoftmaxRegression(classes, dims, weights, bias)
  }
}

function classWeights(ys: number[], classes: number, balanced: boolean): number[] {
  if (!balanced) return new Array<number>(classes).fill(1)
  const counts = new Array<number>(classes).fill(0)
  for (const y of ys) counts[y]!++
  return counts.map((c) => (c === 0 ? 0 : ys.length / (classes * c)))
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
}
