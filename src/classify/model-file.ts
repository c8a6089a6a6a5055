/**
 * A trained model's numbers, stored beside its JSON params: the hash buckets any training text had (sorted),
 * and per bucket its idf and one weight per label.
 */
export interface ModelWeights {
  /** One per label. */
  readonly bias: Float32Array
  readonly buckets: Uint32Array
  readonly bucketIdf: Float32Array
  /** [bucket][label] */
  readonly bucketWeights: Float32Array
}

/** Raised when the layout or the features change: an older model is then retrained, never misread. */
const FORMAT = 2

/** The weights BLOB: [format, labels, buckets] as 32-bit words, then bias, buckets, idf and weights. */
export function encodeWeights(w: ModelWeights): Buffer {
  const header = new Uint32Array([FORMAT, w.bias.length, w.buckets.length])
  return Buffer.concat([bytes(header), bytes(w.bias), bytes(w.buckets), bytes(w.bucketIdf), bytes(w.bucketWeights)])
}

export function decodeWeights(weights: Buffer): ModelWeights {
  // A Buffer may be a view at any offset into a shared pool: copy it, so 32-bit words start at offset 0.
  const buf = Uint8Array.from(weights).buffer
  const header = new Uint32Array(buf, 0, 3)
  const format = header[0]
  const k = header[1]!
  const n = header[2]!
  if (format !== FORMAT) throw new Error(`this model was stored in format ${format}; retrain it with \`stancewatch train\``)
  let off = 12
  const words = (len: number): ArrayBuffer => {
    const out = buf.slice(off, off + len * 4)
    off += len * 4
    return out
  }
  const bias = new Float32Array(words(k))
  const buckets = new Uint32Array(words(n))
  const bucketIdf = new Float32Array(words(n))
  const bucketWeights = new Float32Array(words(n * k))
  return { bias, buckets, bucketIdf, bucketWeights }
}

function bytes(a: Uint32Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}
