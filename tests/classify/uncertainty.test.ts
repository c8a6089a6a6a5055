import { describe, expect, it } from 'vitest'
import { mostUncertainFirst, uncertainty } from '../../src/classify/uncertainty.js'

describe('uncertainty (what review offers first)', () => {
  it('is 0 for a certain prediction and ln(k) when k labels are alike', () => {
    expect(uncertainty({ concern: 1, praise: 0, neutral: 0 })).toBe(0)
    expect(uncertainty({ concern: 1 / 3, praise: 1 / 3, neutral: 1 / 3 })).toBeCloseTo(Math.log(3), 12)
    expect(uncertainty({ concern: 0.5, praise: 0.5, neutral: 0 })).toBeCloseTo(Math.log(2), 12)
  })

  it('reads every label: a three-way doubt comes before a tie of two the third is ruled out of', () => {
    // By the margin between the two best, the tie (0) would come first; by the confidence, the three-way doubt.
    const tie = { id: 'tie', scores: { concern: 0.5, praise: 0.5, neutral: 0 } }
    const threeWay = { id: 'three-way', scores: { concern: 0.45, praise: 0.3, neutral: 0.25 } }
    const sure = { id: 'sure', scores: { concern: 0.9, praise: 0.05, neutral: 0.05 } }
    expect(mostUncertainFirst([sure, tie, threeWay]).map((x) => x.id)).toEqual(['three-way', 'tie', 'sure'])
  })

  it('keeps the order of equally unsure ones', () => {
    const a = { id: 'a', scores: { concern: 0.6, praise: 0.4 } }
    const b = { id: 'b', scores: { concern: 0.4, praise: 0.6 } }
    expect(mostUncertainFirst([a, b]).map((x) => x.id)).toEqual(['a', 'b'])
    expect(mostUncertainFirst([b, a]).map((x) => x.id)).toEqual(['b', 'a'])
  })
})
