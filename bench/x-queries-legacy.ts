/*
 * The X query compiler as it was before keyword terms were split by language (every clause pinned to its
 * rule's `lang:`), kept here only as the baseline of bench/matcher.bench.ts.
 */
import type { TopicConfig } from '../src/config/schema.js'
import { chunkTerms, group, make, quote, SUFFIX, term, urlForOperator, wrap, X_QUERY_LIMIT, type XQuery } from '../src/sources/x/queries.js'

/**
 * Compile a topic's rules into X search queries: article `url:` operators, one clause per keyword rule
 * (`(any) (with) -not lang:xx`), hashtags, `from:` watched accounts; clauses packed with OR into as few
 * queries of ≤ 512 characters as fit, so a post is read (and billed) once rather than once per rule.
 * The topic's explicit `queries.x` are used as written. The local matcher still decides what is stored.
 */
export function legacyCompileXQueries(topic: TopicConfig): XQuery[] {
  const clauses: { label: string; text: string }[] = []
  for (const url of topic.articles) clauses.push({ label: 'article', text: `url:${quote(urlForOperator(url))}` })
  for (const rule of topic.keywords) {
    const tail = [group(rule.with ?? []), ...(rule.not ?? []).map((t) => `-${term(t)}`), rule.lang ? `lang:${rule.lang}` : ''].filter(Boolean).join(' ')
    const budget = X_QUERY_LIMIT - SUFFIX.length - tail.length - 4
    for (const chunk of chunkTerms(rule.any.map(term), budget)) {
      clauses.push({ label: `keyword:${rule.id}`, text: [wrap(chunk), tail].filter(Boolean).join(' ') })
    }
  }
  if (topic.hashtags.length) {
    for (const chunk of chunkTerms(
      topic.hashtags.map((h) => `#${h.replace(/^#/, '')}`),
      X_QUERY_LIMIT - SUFFIX.length - 4,
    ))
      clauses.push({ label: 'hashtags', text: wrap(chunk) })
  }
  if (topic.accounts.x.length) {
    const need = group(topic.accounts.require_any)
    const budget = X_QUERY_LIMIT - SUFFIX.length - need.length - 4
    for (const chunk of chunkTerms(
      topic.accounts.x.map((a) => `from:${a.replace(/^@/, '')}`),
      budget,
    ))
      clauses.push({ label: 'accounts', text: [wrap(chunk), need].filter(Boolean).join(' ') })
  }

  const queries: XQuery[] = []
  let labels: string[] = []
  let parts: string[] = []
  const flush = () => {
    if (parts.length === 0) return
    const query = (parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(' OR ')) + SUFFIX
    queries.push(make(topic.id, [...new Set(labels)].join(' + '), query))
    parts = []
    labels = []
  }
  for (const c of clauses) {
    const candidate = [...parts, c.text]
    const length = (candidate.length === 1 ? c.text.length : candidate.reduce((n, p) => n + p.length + 6, 0)) + SUFFIX.length
    if (length > X_QUERY_LIMIT) flush()
    parts.push(c.text)
    labels.push(c.label)
  }
  flush()
  for (const q of topic.queries.x) queries.push(make(topic.id, 'configured', q))
  return queries
}
