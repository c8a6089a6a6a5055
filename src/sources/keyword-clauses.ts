import type { TopicConfig } from '../config/schema.js'
import { isCjkTerm, langFreeTerms } from './lang-free-terms.js'

/** What a search asks for on behalf of keyword rules: any of `any`, one of `with` (if given), none of `not`, in `lang` (if given). */
export interface KeywordClause {
  /** `keyword:<rule id>` of every rule the clause serves. */
  rules: string[]
  any: string[]
  with: string[]
  not: string[]
  lang?: string
}

/**
 * A topic's keyword rules as search clauses that return every post the rules match, whatever language the
 * platform claims for it where the term allows (see lang-free-terms.ts), and each such post once:
 *  - terms some rule takes alone are one clause with no other condition, for every rule listing them;
 *  - a term that contains one of those (DeepSeek-R1, 国产大模型) is dropped: that clause returns its posts;
 *  - a language-free term listed by several rules (H20 in four) is one clause with all their `with` terms;
 *  - the rest of a rule (its common words, its terms next to a `not`) keeps the rule's own conditions.
 */
export function keywordClauses(topic: TopicConfig): KeywordClause[] {
  const free = langFreeTerms(topic)
  const key = (t: string) => t.trim().toLowerCase()
  const bareTerms = [...free.bare]
  const covered = (t: string) => bareTerms.some((b) => b !== key(t) && contains(key(t), b))
  const out: KeywordClause[] = []

  const bare = new Map<string, string>()
  const bareRules: string[] = []
  for (const r of topic.keywords) {
    const own = r.any.filter((t) => free.bare.has(key(t)))
    if (own.length && !r.with?.length && !r.not?.length) bareRules.push(`keyword:${r.id}`)
    for (const t of own) if (!covered(t) && !bare.has(key(t))) bare.set(key(t), t.trim())
  }
  if (bare.size) out.push({ rules: bareRules, any: [...bare.values()], with: [], not: [] })

  // Language-free terms of rules with `with` and no `not`: each term once, with every `with` it comes with.
  const merged = new Map<string, { term: string; with: Map<string, string>; rules: Set<string> }>()
  for (const r of topic.keywords) {
    const rest = r.any.filter((t) => !free.bare.has(key(t)) && !covered(t))
    const open = rest.filter((t) => free.isFree(t))
    const words = rest.filter((t) => !free.isFree(t))
    const rule = `keyword:${r.id}`
    if (r.not?.length && open.length) out.push({ rules: [rule], any: open, with: r.with ?? [], not: r.not })
    else
      for (const t of open) {
        const m = merged.get(key(t)) ?? { term: t.trim(), with: new Map<string, string>(), rules: new Set<string>() }
        for (const w of r.with ?? []) if (!m.with.has(key(w))) m.with.set(key(w), w.trim())
        m.rules.add(rule)
        merged.set(key(t), m)
      }
    if (words.length) out.push({ rules: [rule], any: words, with: r.with ?? [], not: r.not ?? [], ...(r.lang ? { lang: r.lang } : {}) })
  }
  // Terms that ended up with the same `with` share a clause.
  const byWith = new Map<string, KeywordClause>()
  for (const m of merged.values()) {
    const sig = [...m.with.keys()].sort().join('\n')
    const c = byWith.get(sig)
    if (c) {
      c.any.push(m.term)
      for (const r of m.rules) if (!c.rules.includes(r)) c.rules.push(r)
    } else byWith.set(sig, { rules: [...m.rules], any: [m.term], with: [...m.with.values()], not: [] })
  }
  // Before the rules' own clauses: a rule's name and script terms come first in config order too.
  out.splice(bare.size ? 1 : 0, 0, ...byWith.values())
  return out
}

/** Whether lower-cased `term` holds `inner` as a whole word (anywhere, for Chinese and Japanese script). */
function contains(term: string, inner: string): boolean {
  if (isCjkTerm(inner)) return term.includes(inner)
  let at = term.indexOf(inner)
  while (at >= 0) {
    const before = term[at - 1]
    const after = term[at + inner.length]
    if ((before === undefined || !/[\p{L}\p{N}]/u.test(before)) && (after === undefined || !/[\p{L}\p{N}]/u.test(after))) return true
    at = term.indexOf(inner, at + 1)
  }
  return false
}
