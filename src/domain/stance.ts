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

/** The command that offers a new topic's posts to label. */
export function reviewCommand(topicId: string): string {
  return `stancewatch review --topic ${topicId}`
}

/**
 * "Stance not yet measured: labels so far …; label posts with `stancewatch review --topic T`.", said by
 * every output for a topic with no model yet. `code` marks up the command for the medium and `text`
 * escapes the rest (both plain by default).
 */
export function notMeasuredText(
  topicId: string,
  p: LabelProgress,
  code: (command: string) => string = (c) => `\`${c}\``,
  text: (s: string) => string = (s) => s,
): string {
  return `${text(`Stance not yet measured: labels so far ${labelProgressText(p)} (a model is trained once every label has ${p.floor}); label posts with `)}${code(reviewCommand(topicId))}.`
}
