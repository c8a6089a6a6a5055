import { DateTime } from 'luxon'
import type { AlertDetails } from '../alerts/details.js'
import { displaySafe, truncateGraphemes } from '../render/escape.js'
import { pct } from './table.js'

const POST_GRAPHEMES = 280

/**
 * Everything the alert could be tied to is someone else's text (posts, handles, terms): on a terminal an
 * escape sequence in it could rewrite the screen or the title, and a bidi override reorder what is read.
 * Controls and overrides are dropped, and line breaks folded, so each post stays on its own lines.
 */
const safe = (s: string) => displaySafe(s).replace(/\s+/g, ' ').trim()

/** One alert for a person at a terminal: times in `zone`. */
export function alertDetailsText(d: AlertDetails, zone: string): string {
  const at = (iso: string) => DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm')
  const stance = d.kind === 'stance_shift'
  const out: string[] = [
    `Alert #${d.id}: ${stance ? 'stance shift' : 'volume spike'} (${d.state})`,
    `  topic     ${d.topic}${d.platform ? ` on ${d.platform}` : ', all platforms'}`,
    `  window    ${at(d.window.start)} – ${at(d.window.end)} ${zone}${d.window.hours ? ` (${d.window.hours} h)` : ''}`,
    stance
      ? `  observed  ${safe(d.label ?? '?')} ${pct(d.observed)} of classified posts, expected ${pct(d.expected)}; score ${d.score.toFixed(1)}${d.pValue !== null ? `, p = ${d.pValue.toPrecision(2)}` : ''}`
      : `  observed  ${d.observed} posts, expected ${d.expected.toFixed(1)}; score ${d.score.toFixed(1)}`,
    `  fired     ${at(d.firedAt)}${d.checkedAt ? `, by the check as of ${at(d.checkedAt)}` : ''}${d.baselineDays ? `; baseline ${d.baselineDays} days` : ''}`,
  ]
  if (d.partialCoverage)
    out.push(
      `  coverage  partial: counts are a lower bound (${d.gaps.map((g) => `${safe(g.source)} ${at(g.start)}–${at(g.end)}, ${safe(g.reason)}`).join('; ') || 'gap'})`,
    )
  if (d.shares.length) {
    out.push('', 'Shares, window against baseline:')
    for (const s of d.shares) out.push(`  ${safe(s.label)}: ${pct(s.share)} vs ${pct(s.baselineShare)} (z ${s.z.toFixed(1)})`)
  }
  if (d.posts !== null) {
    out.push('', `Posts in the window: ${d.posts}${d.humanLabels ? ` (${d.humanLabels} labelled by people)` : ''}`)
    out.push(`  stance     ${mix(d.stanceMix)}`, `  languages  ${mix(d.languages)}`, `  platforms  ${mix(d.platforms)}`)
    if (d.articleLinkShare !== null) out.push(`  linking the article: ${pct(d.articleLinkShare)}`)
  }
  if (d.topTerms.length)
    out.push('', 'Top terms:', `  ${d.topTerms.map((t) => `${safe(t.term)} (${t.posts}${t.lift ? `, ×${t.lift.toFixed(1)}` : ''})`).join(', ')}`)
  if (d.topAccounts.length) {
    out.push('', 'Top accounts:')
    for (const a of d.topAccounts) out.push(`  ${safe(a.account)}: ${a.posts} posts, ${a.engagement} engagements`)
  }
  if (d.topPosts.length) {
    out.push('', 'Most engaged posts:')
    d.topPosts.forEach((p, i) => {
      out.push(`  ${i + 1}. ${safe(truncateGraphemes(p.text, POST_GRAPHEMES))}`)
      out.push(
        `     ${safe(p.author)} on ${safe(p.platform)} · ${p.engagement} engagements · ${p.label ? `${safe(p.label)}${p.human ? ' (a person’s label)' : ''}` : 'unclassified'}`,
      )
      out.push(`     ${safe(p.url)}`)
    })
  }
  return out.join('\n')
}

function mix(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((s, n) => s + n, 0)
  const parts = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${safe(k)} ${n} (${pct(total ? n / total : 0)})`)
  return parts.length ? parts.join(', ') : '–'
}
