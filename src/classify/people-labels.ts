import type { DetectedLang } from '../text/detect-lang.js'
import type { LabelMemory, LabelledText } from './label-memory.js'
import type { Example, Prediction, StanceModel } from './stance-model.js'

/**
 * How much a person's label (or an imported labelled example) weighs in training against a seed's 1, when
 * the topic does not say (`stance.people_label_weight`). Chosen on bench/learning-curve.bench.ts.
 */
export const PEOPLE_LABEL_WEIGHT = 3

/**
 * The training set of a topic: its seeds at weight 1, and people's labels at `peopleWeight`: a few hundred
 * in-domain corrections must be able to outvote five hundred seeds written before any post was collected.
 */
export function trainingSet(seeds: readonly Example[], people: readonly Omit<LabelledText, 'ref'>[], peopleWeight = PEOPLE_LABEL_WEIGHT): Example[] {
  return [...seeds.map(({ text, label }) => ({ text, label })), ...people.map(({ text, label }) => ({ text, label, weight: peopleWeight }))]
}

export interface StancePrediction extends Prediction {
  /** Set when the label is a person's, recalled for the same or nearly the same words: whose, and how alike. */
  remembered: { ref: string | null; similarity: number } | null
}

/**
 * The model's prediction, unless a person labelled these words (or a copy of them): then the person's label,
 * at confidence 1, saying so. The model's own scores are kept for the record.
 */
export function predictStance(model: StanceModel, memory: LabelMemory, text: string, lang?: DetectedLang): StancePrediction {
  const p = model.predict(text, lang)
  const r = memory.recall(text)
  if (!r) return { ...p, remembered: null }
  return { label: r.label, confidence: 1, scores: p.scores, remembered: { ref: r.ref, similarity: r.similarity } }
}

/**
 * `predictStance` for a batch: the label memory is asked about every text first, then the model scores them.
 * Interleaved, the two evict each other's tables from the CPU cache: apart, a batch costs ~4 µs a post less.
 */
export function predictStances(model: StanceModel, memory: LabelMemory, items: readonly { text: string; lang?: DetectedLang }[]): StancePrediction[] {
  const recalled = items.map((it) => memory.recall(it.text))
  return items.map((it, i) => {
    const p = model.predict(it.text, it.lang)
    const r = recalled[i]
    // Written out, not spread: a spread copies through a slow path, at every post of a run.
    return r
      ? { label: r.label, confidence: 1, scores: p.scores, remembered: { ref: r.ref, similarity: r.similarity } }
      : { label: p.label, confidence: p.confidence, scores: p.scores, remembered: null }
  })
}
