import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { copyKey } from '../classify/label-memory.js'
import { labelledTexts } from '../store/models.js'
import { unlabelledByLanguage, type UnlabelledPost } from '../store/labels.js'

/**
 * What to label first in a topic with no model, when there are no scores to find the close calls by: one
 * post of each set of copies (a label covers them all), none that copies a text already labelled, the
 * languages taken in turn (a first model trained on one language is `uncertain` on the others), the most
 * engaged first within each (what readers saw most).
 */
export function firstLabelQueue(ctx: AppContext, topic: TopicConfig, n: number): UnlabelledPost[] {
  const seen = new Set<number>()
  for (const l of labelledTexts(ctx.db, topic.id)) {
    const key = copyKey(l.text)
    if (key !== null) seen.add(key)
  }
  // Copies are dropped after the query, so each language is asked for more than it may give.
  const byLang = new Map<string, UnlabelledPost[]>()
  for (const p of unlabelledByLanguage(ctx.db, topic.id, n * 3)) {
    const key = copyKey(p.text)
    if (key !== null && seen.has(key)) continue
    if (key !== null) seen.add(key)
    byLang.set(p.lang, [...(byLang.get(p.lang) ?? []), p])
  }
  // The language with the most posts to offer goes first in every round.
  const queues = [...byLang.values()].sort((a, b) => b.length - a.length || (b[0]?.engagement ?? 0) - (a[0]?.engagement ?? 0))
  const out: UnlabelledPost[] = []
  for (let round = 0; out.length < n && queues.some((q) => q.length > round); round++)
    for (const q of queues) if (round < q.length && out.length < n) out.push(q[round]!)
  return out
}
