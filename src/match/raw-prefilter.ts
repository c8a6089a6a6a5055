import type { TopicConfig } from '../config/schema.js'
import { foldForMatch } from '../text/fold.js'
import { canonicalUrl } from './canonical-url.js'
import { TermIndex } from './term-index.js'

/**
 * A cheap look at a raw Jetstream frame before it is parsed: most of the network's posts contain none of a
 * topic's terms, hashtags, article or accounts, and need no JSON.parse at all. It may say yes to frames
 * that turn out off-topic (the matcher decides), never no to one that could match: anything it cannot
 * judge from the raw text (edits, deletes, replies and quotes, which can inherit a topic, or text escaped
 * beyond the usual) goes through the full path.
 */
export class RawPrefilter {
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

  /** False only when the frame certainly holds a new post that no topic can match. */
  mayMatter(frame: string): boolean {
    if (!frame.includes('"operation":"create"') || !frame.includes('"collection":"app.bsky.feed.post"')) return true
    if (frame.includes('"reply":') || frame.includes('app.bsky.embed.record')) return true
    // JSON escapes: newlines and tabs separate words; Go escapes <, > and & as \u003c etc. Anything else
    // escaped (a producer that escapes all non-ASCII) cannot be scanned safely.
    if (/\\u(?!00(?:3[ce]|26))[0-9a-fA-F]{4}/.test(frame)) return true
    const text = frame.replace(/\\[nrt]/g, ' ').replace(/\\u003c/g, '<').replace(/\\u003e/g, '>').replace(/\\u0026/g, '&').replace(/\\(["\\/])/g, '$1')
    return this.terms.scan(foldForMatch(text)).size > 0
  }
}

/** The event time of a raw frame, without parsing it. */
export function frameTimeUs(frame: string): number | null {
  const m = /"time_us":(\d{10,20})/.exec(frame)
  return m ? Number(m[1]) : null
}
