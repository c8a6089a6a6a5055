import { normalQuantile } from './normal.js'

/** Beyond this mean the negative binomial is close enough to normal. */
const NORMAL_ABOVE = 2000
const MAX_Z = 40

/**
 * How surprising `observed` is for a count with this mean and variance, as the z of a normal tail with the
 * same probability. Counts are skewed: at a mean of 5, 16 is far rarer than its plain z says under a normal
 * curve, and far commoner than under Poisson once posts come in waves. The tail is a negative binomial's with
 * the given variance (Poisson when it is not above the mean), so one sensitivity means the same at 5 posts an
 * hour as at 500.
 */
export function countTailZ(observed: number, mean: number, variance: number): number {
  if (observed <= mean) return (observed - mean) / Math.sqrt(Math.max(variance, 1e-9))
  if (mean >= NORMAL_ABOVE) return (observed - 0.5 - mean) / Math.sqrt(variance)
  const p = upperTail(Math.round(observed), mean, Math.max(variance, mean))
  if (p <= 0) return MAX_Z
  if (p >= 0.5) return (observed - mean) / Math.sqrt(variance)
  return Math.min(MAX_Z, -normalQuantile(p))
}

/** P(X ≥ x) for a negative binomial (Poisson when variance = mean) with this mean and variance. */
function upperTail(x: number, mean: number, variance: number): number {
  if (mean <= 0) return x <= 0 ? 1 : 0
  const poisson = variance <= mean * (1 + 1e-9)
  const r = poisson ? Infinity : (mean * mean) / (variance - mean)
  const q = poisson ? 0 : mean / (r + mean)
  // Sum the pmf below x in log space (the first terms underflow at large means), then take the complement.
  let logPmf = poisson ? -mean : r * Math.log(1 - q)
  let below = 0
  for (let k = 0; k < x; k++) {
    below += Math.exp(logPmf)
    logPmf += poisson ? Math.log(mean / (k + 1)) : Math.log(((k + r) / (k + 1)) * q)
  }
  const tail = 1 - below
  // When the complement loses all precision, sum the tail itself.
  if (tail > 1e-9) return tail
  let sum = 0
  for (let k = x; k < x + 10_000; k++) {
    const term = Math.exp(logPmf)
    sum += term
    if (term < sum * 1e-15) break
    logPmf += poisson ? Math.log(mean / (k + 1)) : Math.log(((k + r) / (k + 1)) * q)
  }
  return sum
}
