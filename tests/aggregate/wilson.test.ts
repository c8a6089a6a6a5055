import { describe, expect, it } from 'vitest'
import { wilson } from '../../src/aggregate/wilson.js'

/*
 * Reference values: Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics
 * in Medicine 17:857–872, Table I (Wilson score method without continuity correction), and the textbook
 * 5/10, 1/1, 50/100 cases.
 */
const PUBLISHED: [successes: number, n: number, low: number, high: number][] = [
  [5, 10, 0.2366, 0.7634],
  [1, 1, 0.2065, 1],
  [50, 100, 0.4038, 0.5962],
  [0, 10, 0, 0.2775],
  [10, 10, 0.7225, 1],
  [81, 263, 0.2553, 0.3662],
  [15, 148, 0.0624, 0.1605],
  [0, 20, 0, 0.1611],
  [1, 29, 0.0061, 0.1718],
  [29, 29, 0.883, 1],
]

describe('wilson', () => {
  it('0 of 0 says nothing: the whole [0, 1]', () => {
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 })
  })

  it.each(PUBLISHED)('%i of %i matches the published interval to 3 decimals', (s, n, low, high) => {
    const ci = wilson(s, n)
    expect(ci.low).toBeCloseTo(low, 3)
    expect(ci.high).toBeCloseTo(high, 3)
  })

  it('never leaves [0, 1], always contains the observed share, and is symmetric', () => {
    for (const n of [1, 2, 3, 7, 50, 1000]) {
      for (let s = 0; s <= n; s += Math.max(1, Math.floor(n / 7))) {
        const { low, high } = wilson(s, n)
        expect(low).toBeGreaterThanOrEqual(0)
        expect(high).toBeLessThanOrEqual(1)
        expect(low).toBeLessThanOrEqual(s / n + 1e-12)
        expect(high).toBeGreaterThanOrEqual(s / n - 1e-12)
        const mirror = wilson(n - s, n)
        expect(mirror.low).toBeCloseTo(1 - high, 10)
        expect(mirror.high).toBeCloseTo(1 - low, 10)
      }
    }
  })

  it('narrows as n grows at the same share', () => {
    const width = (s: number, n: number) => wilson(s, n).high - wilson(s, n).low
    expect(width(3, 4)).toBeGreaterThan(width(30, 40))
    expect(width(30, 40)).toBeGreaterThan(width(300, 400))
  })

  it('accepts another z (99%: wider)', () => {
    const ci99 = wilson(5, 10, 2.5758)
    expect(ci99.low).toBeCloseTo(0.1842, 3)
    expect(ci99.high).toBeCloseTo(0.8158, 3)
  })
})
