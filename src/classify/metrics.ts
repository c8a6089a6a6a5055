export interface LabelMetrics {
  precision: number
  recall: number
  f1: number
  support: number
}

export interface EvalMetrics {
  labels: Record<string, LabelMetrics>
  macro_f1: number
  accuracy: number
  /** confusion[actual][predicted] = count */
  confusion: Record<string, Record<string, number>>
  n: number
}

/** Per-label precision, recall, F1, macro-F1, accuracy and the confusion matrix. */
export function evaluate(actual: readonly string[], predicted: readonly string[], labels: readonly string[]): EvalMetrics {
  const confusion: Record<string, Record<string, number>> = {}
  const all = [...new Set([...labels, ...actual, ...predicted])]
  for (const a of all) confusion[a] = Object.fromEntries(all.map((p) => [p, 0]))
  let correct = 0
  actual.forEach((a, i) => {
    const p = predicted[i]!
    confusion[a]![p]!++
    if (a === p) correct++
  })
  const out: Record<string, LabelMetrics> = {}
  for (const l of labels) {
    const tp = confusion[l]![l]!
    const predictedL = all.reduce((s, a) => s + confusion[a]![l]!, 0)
    const support = all.reduce((s, p) => s + confusion[l]![p]!, 0)
    const precision = predictedL ? tp / predictedL : 0
    const recall = support ? tp / support : 0
    out[l] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support }
  }
  const macro = labels.reduce((s, l) => s + out[l]!.f1, 0) / (labels.length || 1)
  return { labels: out, macro_f1: macro, accuracy: actual.length ? correct / actual.length : 0, confusion, n: actual.length }
}
