/**
 * Whether a share moved beyond what chance gives at these counts: a two-proportion z-test (pooled).
 * A day of 12 posts going from 25% to 42% is noise; a day of 12,000 doing it is news.
 */
export function shareChange(
  now: { count: number; n: number },
  before: { count: number; n: number },
  z = 1.959964,
): { points: number; z: number; significant: boolean } | null {
  if (now.n === 0 || before.n === 0) return null
  const p1 = now.count / now.n
  const p0 = before.count / before.n
  const pooled = (now.count + before.count) / (now.n + before.n)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / now.n + 1 / before.n))
  const score = se === 0 ? 0 : (p1 - p0) / se
  return { points: (p1 - p0) * 100, z: score, significant: Math.abs(score) >= z }
}
