import { escapeMarkdown } from '../render/escape.js'
import { combinedDate, type CombinedFacts } from './combined.js'
import { sharedSentences, topicSentences, totalSentence } from './combined-text.js'

/** The combined digest as Markdown: a short section per topic linking to its own digest. */
export function renderCombinedMarkdown(f: CombinedFacts): string {
  const md = escapeMarkdown
  const out = [`# All topics: digest for ${combinedDate(f)}`, '', `Times are ${f.timezone}.`, '', `**${md(totalSentence(f))}**`, '']
  for (const line of sharedSentences(f)) out.push(`- ${md(line)}`)
  out.push('')
  for (const t of f.topics) {
    const s = topicSentences(t, f.timezone)
    out.push(`## ${md(t.name)}`, '', md(s.volume))
    if (s.stance) out.push('', md(s.stance))
    if (s.alert) out.push('', md(s.alert))
    // The link's target is a relative path the bot wrote itself (topic id and date): no user text in it.
    if (t.links.md) out.push('', `[The full digest of ${md(t.name)}](${t.links.md})`)
    out.push('')
  }
  return `${out.join('\n')}\n`
}
