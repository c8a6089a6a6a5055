import type { Message } from '../domain/message.js'
import { combinedDate, type CombinedFacts } from './combined.js'
import { sharedSentences, topicSentences, totalSentence } from './combined-text.js'

/** The topic id a combined digest is recorded under in deliveries: no configured topic can have it (ids are slugs). */
export const COMBINED_ID = '*combined'

/** The combined digest as a channel-neutral digest message: a line per topic for chat, the full renderings for e-mail. */
export function combinedMessage(f: CombinedFacts, body: { html: string; text: string; markdown: string }, link: string | null): Message {
  const summary = [totalSentence(f), ...sharedSentences(f)]
  for (const t of f.topics) {
    const s = topicSentences(t, f.timezone)
    summary.push(`${t.name}: ${[s.volume, s.stance, s.alert].filter(Boolean).join(' ')}`)
  }
  return {
    kind: 'digest',
    key: `digest:${COMBINED_ID}:${f.date}`,
    topicId: COMBINED_ID,
    title: `All topics: digest for ${combinedDate(f)}`,
    summary,
    posts: [],
    link,
    body,
    data: f,
  }
}

/** Where the combined HTML digest is published, when `notify.public_url` is set. */
export function combinedUrl(publicUrl: string | null | undefined, date: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/combined/digest-${date}.html` : null
}
