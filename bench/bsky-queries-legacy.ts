/*
 * The Bluesky query compiler as it was before keyword terms were split by language (every term asked with its
 * rule's `lang`), kept here only as the baseline of bench/matcher.bench.ts.
 */
import { createHash } from 'node:crypto'
import type { TopicConfig } from '../src/config/schema.js'

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
 * `lang`), per hashtag (`tag`) and per watched account (`author`); `*` where only the filter matters.
 * Terms shared by several rules are asked once. The topic's `queries.bluesky` are used as written.
 */
export function legacyCompileBskyQueries(topic: TopicConfig): BskyQuery[] {
  const out = new Map<string, BskyQuery>()
  const add = (label: string, params: BskyQueryParams) => {
    const key = `bluesky:${topic.id}:${createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16)}`
    const known = out.get(key)
    if (known) known.label = [...new Set([...known.label.split(' + '), label])].join(' + ')
    else out.set(key, { key, topicId: topic.id, label, params })
  }
  for (const url of topic.articles) add('article', { q: '*', url })
  for (const rule of topic.keywords) {
    for (const term of rule.any)
      add(`keyword:${rule.id}`, { q: /\s/.test(term.trim()) ? `"${term.trim().replace(/"/g, '')}"` : term.trim(), ...(rule.lang ? { lang: rule.lang } : {}) })
  }
  for (const h of topic.hashtags) add('hashtags', { q: '*', tag: [h.replace(/^#/, '')] })
  for (const a of topic.accounts.bluesky) add('accounts', { q: '*', author: a.replace(/^@/, '') })
  for (const q of topic.queries.bluesky) add('configured', { q })
  return [...out.values()]
}
