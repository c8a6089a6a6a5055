import { z } from 'zod'

/** Ids of topics, rules, themes, labels and channels: they name things in records and on the command line. */
export const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, "-" or "_", starting with a letter or digit')

export const term = z.string().trim().min(1)

/** Indexes of values that appeared earlier in the list. */
export function duplicateIndexes(values: readonly string[]): number[] {
  const seen = new Set<string>()
  const out: number[] = []
  values.forEach((v, i) => (seen.has(v) ? out.push(i) : seen.add(v)))
  return out
}
