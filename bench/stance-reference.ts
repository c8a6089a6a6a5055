/*
 * The reference points the stance bar is set against, rebuilt so they can be measured on any data in the
 * same run as stancewatch: the per-target majority class, and the classic per-target linear SVM on word
 * 1–3-grams and character 2–5-grams (binary features, L2-normalised, C = 1, one-vs-rest, squared hinge:
 * what scikit-learn's CountVectorizer + LinearSVC give with their defaults, the SemEval-2016 baseline).
 */
import type { SparseVector } from '../src/classify/features.js'
import { trainSvm } from '../src/classify/linear-svm.js'

export interface Row {
  text: string
  label: string
  target: string | null
}

export interface Predictor {
  predict(text: string): string
}

export function majority(rows: readonly Row[]): Predictor {
  const counts = new Map<string, number>()
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1)
  const best = [...counts].sort((a, b) => b[1] - a[1])[0]![0]
  return { predict: () => best }
}

const words = new Intl.Segmenter(undefined, { granularity: 'word' })

function ngrams(text: string): string[] {
  const lower = text.toLowerCase()
  const tokens = [...words.segment(lower)].filter((s) => s.isWordLike).map((s) => s.segment)
  const out: string[] = []
  for (let n = 1; n <= 3; n++) for (let i = 0; i + n <= tokens.length; i++) out.push(`w${n}:${tokens.slice(i, i + n).join(' ')}`)
  const s = lower.replace(/\s+/g, ' ')
  for (let n = 2; n <= 5; n++) for (let i = 0; i + n <= s.length; i++) out.push(`c:${s.slice(i, i + n)}`)
  return out
}

export function ngramSvm(rows: readonly Row[]): Predictor {
  const vocab = new Map<string, number>()
  const vec = (text: string, grow: boolean): SparseVector => {
    const idx = new Set<number>()
    for (const g of ngrams(text)) {
      let i = vocab.get(g)
      if (i === undefined && grow) vocab.set(g, (i = vocab.size))
      if (i !== undefined) idx.add(i)
    }
    const index = Uint32Array.from([...idx].sort((a, b) => a - b))
    return { index, value: new Float32Array(index.length).fill(1 / Math.sqrt(index.length || 1)) }
  }
  const xs = rows.map((r) => vec(r.text, true))
  const labels = [...new Set(rows.map((r) => r.label))]
  const models = labels.map((l, c) =>
    trainSvm(
      xs,
      rows.map((r) => r.label === l),
      vocab.size,
      { C: 1, positiveWeight: 1, negativeWeight: 1, maxEpochs: 1000, tolerance: 0.1, seed: c + 1 },
    ),
  )
  return {
    predict: (text) => {
      const x = vec(text, false)
      let best = 0
      let bestScore = -Infinity
      models.forEach((m, c) => {
        let s = m.b
        for (let j = 0; j < x.index.length; j++) s += m.w[x.index[j]!]! * x.value[j]!
        if (s > bestScore) {
          bestScore = s
          best = c
        }
      })
      return labels[best]!
    },
  }
}
