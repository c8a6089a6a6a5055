import { escapeHtml as e } from '../render/escape.js'
import { combinedDate, type CombinedFacts } from './combined.js'
import { sharedSentences, topicSentences, totalSentence } from './combined-text.js'
import { page } from './html.js'

/** The combined digest as self-contained HTML, in the same page (style, security policy) as a topic's digest. */
export function renderCombinedHtml(f: CombinedFacts): string {
  const title = `All topics: digest for ${combinedDate(f)}`
  const body = [`<h1>${e(title)}</h1>`, `<p class="muted">Times are ${e(f.timezone)}.</p>`, `<p class="lead">${e(totalSentence(f))}</p>`]
  const shared = sharedSentences(f)
  if (shared.length) body.push(`<ul>${shared.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`)
  for (const t of f.topics) {
    const s = topicSentences(t, f.timezone)
    body.push(`<h2>${e(t.name)}</h2>`, `<p>${e(s.volume)}</p>`)
    if (s.stance) body.push(`<p>${e(s.stance)}</p>`)
    if (s.alert) body.push(`<p>${e(s.alert)}</p>`)
    if (t.links.html) body.push(`<p><a href="${e(t.links.html)}">The full digest of ${e(t.name)}</a></p>`)
  }
  body.push(`<p class="muted">Generated ${e(f.generatedAt)} by stancewatch.</p>`)
  return page(title, body)
}
