/** How two labellers agree on the same posts (people against the assistant). */
export interface Agreement {
  n: number
  /** Share of the posts given the same label; null when n is 0. */
  percent: number | null
  /** Cohen's kappa: agreement beyond what the two label mixes give by chance; null when undefined (n 0, or one label only). */
  kappa: number | null
  /** confusion[person][assistant] = posts. */
  confusion: Record<string, Record<string, number>>
}

export function agreement(pairs: readonly { person: string; assistant: string }[], labels: readonly string[]): Agreement {
  const all = [...new Set([...labels, ...pairs.flatMap((p) => [p.person, p.assistant])])]
  const confusion = Object.fromEntries(all.map((a) => [a, Object.fromEntries(all.map((b) => [b, 0]))])) as Record<string, Record<string, number>>
  for (const p of pairs) confusion[p.person]![p.assistant]!++
  const n = pairs.length
  if (n === 0) return { n, percent: null, kappa: null, confusion }
  const observed = pairs.filter((p) => p.person === p.assistant).length / n
  let expected = 0
  for (const l of all) {
    const person = pairs.filter((p) => p.person === l).length / n
    const assistant = pairs.filter((p) => p.assistant === l).length / n
    expected += person * assistant
  }
  const kappa = expected < 1 ? (observed - expected) / (1 - expected) : null
  return { n, percent: observed * 100, kappa, confusion }
}
