import { copyKey } from './label-memory.js'

export interface SampleCandidate {
  postId: number
  text: string
  lang: string
  createdAt: number
}

/**
 * At most `size` posts for the assistant, spread across languages and days: one from each (language, UTC day)
 * in turn, round after round, so a busy English day does not fill the sample. One post per set of copies
 * (the same words retweeted or pasted): a label covers every copy, and the rest would cost as much again.
 */
export function pickSample<T extends SampleCandidate>(candidates: readonly T[], size: number): T[] {
  const groups = new Map<string, T[]>()
  for (const c of candidates) {
    const g = `${c.lang}|${new Date(c.createdAt).toISOString().slice(0, 10)}`
    let list = groups.get(g)
    if (!list) groups.set(g, (list = []))
    list.push(c)
  }
  const queues = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, list]) => list)
  const seen = new Set<number>()
  const out: T[] = []
  for (let round = 0; out.length < size && queues.some((q) => round < q.length); round++) {
    for (const q of queues) {
      if (out.length >= size) break
      const c = q[round]
      if (!c) continue
      const key = copyKey(c.text)
      if (key !== null && seen.has(key)) continue
      if (key !== null) seen.add(key)
      out.push(c)
    }
  }
  return out
}
