/** The label given when no stance is probable enough: shown, counted, never silently guessed. */
export const UNCERTAIN = 'uncertain'

/** Where stance is counted, the posts no model has labelled yet. */
export const UNCLASSIFIED = 'unclassified'

/** How close a topic without a model is to its first one: examples per label against the floor each needs. */
export interface LabelProgress {
  counts: Record<string, number>
  floor: number
}

/** "support 2/5, oppose 0/5, neutral 1/5": the same words in every output that says stance is not yet measured. */
export function labelProgressText(p: LabelProgress, separator = ', '): string {
  return Object.entries(p.counts)
    .map(([label, n]) => `${label} ${n}/${p.floor}`)
    .join(separator)
}
