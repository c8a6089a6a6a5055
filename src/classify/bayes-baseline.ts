import { BayesClassifier } from 'natural/lib/natural/classifiers/index.js'
import type { Example } from './stance-model.js'

/**
 * natural's BayesClassifier exactly as it comes (default tokenizer and stemmer): the baseline every
 * evaluation prints beside stancewatch's model. Its tokenizer drops non-ASCII text, so on Chinese or
 * Japanese it sees almost nothing; that is the point of comparing.
 */
export class BayesBaseline {
  private readonly c = new BayesClassifier()
  private fallback: string

  constructor(examples: readonly Example[]) {
    const counts = new Map<string, number>()
    for (const e of examples) {
      this.c.addDocument(e.text, e.label)
      counts.set(e.label, (counts.get(e.label) ?? 0) + 1)
    }
    this.fallback = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
    // natural ignores documents whose tokens are all dropped; with none left it cannot train at all.
    if ((this.c as unknown as { docs: unknown[] }).docs.length > 0) this.c.train()
  }

  predict(text: string): string {
    if ((this.c as unknown as { docs: unknown[] }).docs.length === 0) return this.fallback
    return this.c.classify(text)
  }
}
