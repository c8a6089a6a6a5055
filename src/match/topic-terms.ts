import type { TopicConfig } from '../config/schema.js'
import { foldForMatch } from '../text/fold.js'
import { canonicalUrl } from './canonical-url.js'
import { TermIndex } from './term-index.js'

/**
 * Every term any topic could match a post by (keywords, hashtags, accounts, the article's host and path), for
 * a quick look at raw text: most of the network's posts contain none and need no parsing at all. It may say
 * yes to text that turns out off-topic (the matcher decides), never no to text that could match.
 */
export class TopicTerms {
  private readonly terms = new TermIndex()

  constructor(topics: readonly TopicConfig[]) {
    for (const t of topics) {
      for (const r of t.keywords) for (const term of r.any) this.terms.add(foldForMatch(term))
      for (const h of t.hashtags) this.terms.add(foldForMatch(h.replace(/^#/, '')))
      for (const a of [...t.accounts.bluesky, ...t.accounts.x]) this.terms.add(foldForMatch(a.replace(/^@/, '')))
      // Every variant of an article link contains its host and path (AMP, mobile, tracking, caches).
      for (const u of t.articles) {
        const c = canonicalUrl(u)
        if (c) this.terms.add(c.replace(/^https:\/\//, '').replace(/\.html?$/, ''))
      }
    }
    this.terms.build()
  }

  /** False only when the text holds none of the terms. */
  mayMatch(text: string): boolean {
    return this.terms.scan(foldForMatch(text)).size > 0
  }
}
