/*
 * The Bluesky query compiler as it was before keyword terms were split by language (every term asked with its
 * rule's `lang`), kept here only as the baseline of bench/matcher.bench.ts.
 */
import type { TopicConfig } from '../src/config/schema.js'
import { addTheRest, querySet, type BskyQuery } from '../src/sources/bluesky/queries.js'

/**
 * Compile a topic into searchPosts queries. Bluesky's query syntax is "unspecified" (Lucene is merely
 * recommended), so nothing relies on OR: one query per article (`url`), per keyword term (with the rule's
 * `lang`), per hashtag (`tag`) and per watched account (`author`); `*` where only the filter matters.
 * Terms shared by several rules are asked once. The topic's `queries.bluesky` are used as written.
 */
export function legacyCompileBskyQueries(topic: TopicConfig): BskyQuery[] {
  const { add, queries } = querySet(topic.id)
  for (const url of topic.articles) add('article', { q: '*', url })
  for (const rule of topic.keywords) {
    for (const term of rule.any)
      add(`keyword:${rule.id}`, { q: /\s/.test(term.trim()) ? `"${term.trim().replace(/"/g, '')}"` : term.trim(), ...(rule.lang ? { lang: rule.lang } : {}) })
  }
  addTheRest(topic, add)
  return queries()
}
