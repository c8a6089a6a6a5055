/*
 * The X query compiler as it was before keyword terms were split by language (every clause pinned to its
 * rule's `lang:`), kept here only as the baseline of bench/matcher.bench.ts.
 */
import { createHash } from 'node:crypto'
import type { TopicConfig } from '../src/config/schema.js'

/** X recent search accepts 512 characters per query on self-serve plans. */
const X_QUERY_LIMIT = 512
/** Appended to every query: reposts are someone else's words (and X no longer returns them anyway). */
const SUFFIX = ' -is:retweet'

interface XQuery {
  /** Stable id of the query text: its since_id watermark is stored under this key. */
  key: string
  topicId: string
  /** What the query was built from, for people reading run records. */
  label: string
  query: string
}

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

function make(topicId: string, label: string, query: string): XQuery {
  return { key: `x:${topicId}:${createHash('sha256').update(query).digest('hex').slice(0, 16)}`, topicId, label, query }
}

/** Host and path without scheme, `www.` or extension: X's url: operator matches it inside every variant. */
function urlForOperator(url: string): string {
  const u = new URL(url)
  return `${u.hostname.replace(/^www\./, '')}${u.pathname.replace(/(\.amp)?\.html?$/, '')}`
}

/** A term as X reads it: bare when it is one plain word, quoted otherwise (phrases, CJK, $ and punctuation). */
function term(t: string): string {
  const s = t.trim()
  return /^[\p{L}\p{N}_]+$/u.test(s) && /^[A-Za-z0-9_]+$/.test(s) && !/^(OR|AND)$/.test(s) ? s : quote(s)
}

function quote(s: string): string {
  return `"${s.replace(/"/g, '')}"`
}

function group(terms: readonly string[]): string {
  return terms.length ? wrap(terms.map(term)) : ''
}

function wrap(terms: readonly string[]): string {
  return terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`
}

/** Split terms into OR-groups that each fit in `budget` characters. */
function chunkTerms(terms: readonly string[], budget: number): string[][] {
  const out: string[][] = []
  let cur: string[] = []
  let len = 2
  for (const t of terms) {
    if (cur.length && len + t.length + 4 > budget) {
      out.push(cur)
      cur = []
      len = 2
    }
    cur.push(t)
    len += t.length + 4
  }
  if (cur.length) out.push(cur)
  return out
}
