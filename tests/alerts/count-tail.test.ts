import { describe, expect, it } from 'vitest'
import { countTailZ } from '../../src/alerts/count-tail.js'
import { normalQuantile, twoSidedP } from '../../src/alerts/normal.js'

describe('countTailZ and the normal distribution', () => {
  it('normal quantiles and p-values agree with tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5)
    expect(twoSidedP(1.959964)).toBeCloseTo(0.05, 5)
    expect(twoSidedP(-3.290527)).toBeCloseTo(0.001, 5)
  })

  it('a Poisson tail: P(X ≥ 10 | mean 3) ≈ 0.0011 → z ≈ 3.06', () => {
    expect(countTailZ(10, 3, 3)).toBeCloseTo(normalQuantile(1 - 0.001102), 1)
  })

  it('over-dispersion makes the same count less surprising', () => {
    expect(countTailZ(20, 8, 8 + (0.25 * 8) ** 2)).toBeLessThan(countTailZ(20, 8, 8))
  })

  it('large means and counts at or below the mean', () => {
    expect(countTailZ(5000, 4000, 4000)).toBeCloseTo(999.5 / Math.sqrt(4000), 6)
    expect(countTailZ(2, 5, 5)).toBeLessThan(0)
    expect(countTailZ(100_000, 2, 2)).toBe(40)
  })
})
