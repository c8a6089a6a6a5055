import { describe, expect, it } from 'vitest'
import { isoOf } from '../../src/normalize/shape.js'

describe('isoOf', () => {
  it('writes exactly what toISOString writes, at day and year edges, in runs of one day and at random', () => {
    const edges = [
      0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 1_752_120_842_007, 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001, 1.5,
    ]
    const sameDay = Array.from({ length: 500 }, (_, i) => 1_752_105_600_000 + i * 172_799)
    let seed = 7
    const random = Array.from({ length: 20_000 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      return Math.floor((seed / 2_147_483_648) * 253_402_300_800_000)
    })
    for (const ms of [...edges, ...sameDay, ...random]) expect(isoOf(ms)).toBe(new Date(ms).toISOString())
  })

  it('throws for a time no date has, as toISOString does', () => {
    expect(() => isoOf(Number.NaN)).toThrow(RangeError)
    expect(() => isoOf(8.64e15 + 1)).toThrow(RangeError)
  })
})
