/** Small robust statistics: a past spike in the history must not move the expected much. */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Median absolute deviation: a spread that one past spike cannot inflate. */
export function mad(xs: readonly number[]): number {
  const m = median(xs)
  return median(xs.map((x) => Math.abs(x - m)))
}

/**
 * Mean of the middle 60%: as robust as the median to a spike or two among the days, but without its
 * downward bias on small counts (the median of Poisson(0.7) days is 0 or 1). Below five values, the median.
 */
export function trimmedMean(xs: readonly number[]): number {
  if (xs.length < 5) return median(xs)
  const s = [...xs].sort((a, b) => a - b)
  const cut = Math.floor(s.length * 0.2)
  const kept = s.slice(cut, s.length - cut)
  return kept.reduce((a, b) => a + b, 0) / kept.length
}
