import { createHash } from 'node:crypto'
import type { TopicConfig } from '../../config/schema.js'
import { langFreeTerms } from '../lang-free-terms.js'

export interface BskyQueryParams {
  q: string
  lang?: string
  url?: string
  author?: string
  tag?: string[]
}

export interface BskyQuery {
  /** Stable id of the parameters: the query's `since` watermark is stored under it. */
  key: string
  topicId: string
  label: string
  params: BskyQueryParams
}

/**
 * Compile a topic into searchPosts queries. Bluesky's query syntax is "unspecified" (Lucene is merely
 * recommended), so nothing relies on OR: one query per article (`url`), per keyword term (with the rule's
 * `lang` for common Latin words only: see lang-free-terms.ts), per hashtag (`tag`) and per watched account
 * (`author`); `*` where only the filter matters.
 * Terms shared by several rules are asked once. The topic's `queries.bluesky` are used as written.
 */
export function compileBskyQueries(topic: TopicConfig): BskyQuery[] {
  const { add, queries } = querySet(topic.id)
  for (const url of topic.articles) add('article', { q: '*', url })
  const free = langFreeTerms(topic)
  // Search ignores case: a free term listed by several rules (DeepSeek, NVIDIA and Nvidia) is asked once, as first written.
  const spelling = new Map<string, string>()
  for (const rule of topic.keywords) {
    for (const term of rule.any) {
      const t = free.isFree(term) ? (spelling.get(term.trim().toLowerCase()) ?? term.trim()) : term.trim()
      if (free.isFree(t)) spelling.set(t.toLowerCase(), t)
      // Common words stay in the rule's language: one word a query, with no `with` to narrow it, would
      // page through every language's posts that share its spelling (Fonds, distorsión).
      const lang = rule.lang && !free.isFree(t) ? { lang: rule.lang } : {}
      add(`keyword:${rule.id}`, { q: /\s/.test(t) ? `"${t.replace(/"/g, '')}"` : t, ...lang })
    }
  }
  addTheRest(topic, add)
  return queries()
}

/** A topic's queries by their parameters: the same parameters asked for two reasons are one query, labelled with both. */
export function querySet(topicId: string) {
  const out = new Map<string, BskyQuery>()
  const add = (label: string, params: BskyQueryParams) => {
    const key = `bluesky:${topicId}:${createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16)}`
    const known = out.get(key)
    if (known) known.label = [...new Set([...known.label.split(' + '), label])].join(' + ')
    else out.set(key, { key, topicId, label, params })
  }
  return { add, queries: () => [...out.values()] }
}

/** Hashtags, watched accounts and the topic's own queries, after its articles and keywords. */
export function addTheRest(topic: TopicConfig, add: (label: string, params: BskyQueryParams) => void): void {
  for (const h of topic.hashtags) add('hashtags', { q: '*', tag: [h.replace(/^#/, '')] })
  for (const a of topic.accounts.bluesky) add('accounts', { q: '*', author: a.replace(/^@/, '') })
  for (const q of topic.queries.bluesky) add('configured', { q })
}
