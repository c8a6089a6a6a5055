import { describe, expect, it } from 'vitest'
import { decodeWeights, encodeWeights } from '../../src/classify/model-file.js'

/** Format 2 as stored in `models.weights`: [format, labels, buckets], then bias, buckets, idf, weights. */
const STORED = Buffer.concat(
  [new Uint32Array([2, 2, 1]), new Float32Array([0.5, -0.5]), new Uint32Array([7]), new Float32Array([1.25]), new Float32Array([0.75, -0.25])].map((a) =>
    Buffer.from(a.buffer),
  ),
)

describe('model file', () => {
  it('reads and writes format 2 byte for byte, so stored models keep loading', () => {
    const w = decodeWeights(STORED)
    expect([...w.bias]).toEqual([0.5, -0.5])
    expect([...w.buckets]).toEqual([7])
    expect([...w.bucketIdf]).toEqual([1.25])
    expect([...w.bucketWeights]).toEqual([0.75, -0.25])
    expect(encodeWeights(w).equals(STORED)).toBe(true)
  })

  it('reads a BLOB at any offset of a larger buffer', () => {
    const pooled = Buffer.concat([Buffer.from([1, 2, 3]), STORED]).subarray(3)
    expect(encodeWeights(decodeWeights(pooled)).equals(STORED)).toBe(true)
  })

  it('refuses another format and says to retrain', () => {
    const old = Buffer.from(STORED)
    old.writeUInt32LE(1, 0)
    expect(() => decodeWeights(old)).toThrow(/format 1; retrain it with `stancewatch train`/)
  })
})
