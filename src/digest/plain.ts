import { displaySafe, truncateGraphemes } from '../render/escape.js'
import type { DigestFacts } from './facts.js'
import {
  alertSentence,
  breakdown,
  changeText,
  engagementLine,
  exemplarRule,
  groupNote,
  healthItems,
  labelledBy,
  labelNames,
  LANGUAGE_NAMES,
  longDate,
  notMeasuredSentence,
  num,
  pct,
  PLATFORM_NAMES,
  QUOTE_GRAPHEMES,
  revisionSentence,
  shareWithInterval,
  themeSentence,
  timeOfDay,
  volumeSentence,
  zoneLine,
} from './text.js'

/**
 * The digest as plain text: the alternative part of the e-mail, for clients that show no HTML. Post text
 * is shown as written, minus control and bidi-override characters; nothing in plain text is live.
 */
export function renderPlainText(f: DigestFacts): string {
  const t = (s: string) => displaySafe(s)
  const out: string[] = [`${t(f.topic.name)}: daily digest for ${longDate(f)}`, zoneLine(f), '']
  for (const r of f.revisions) out.push(`Update: ${revisionSentence(r, labelNames(f), f.timezone)}`, '')
  if (f.empty) {
    out.push('No posts about this topic were collected on this day.', '')
  } else {
    out.push(
      volumeSentence(f),
      `Platforms: ${breakdown(f.volume.byPlatform, PLATFORM_NAMES, f.volume.total)}`,
      `Languages: ${breakdown(f.volume.byLanguage, LANGUAGE_NAMES, f.volume.total)}`,
    )
    out.push(`Linking the article itself: ${num(f.article.posts)} posts (${pct(f.article.share)})`, '', 'STANCE')
    if (f.notMeasured) out.push(`  ${notMeasuredSentence(f)}`)
    for (const l of f.stance)
      out.push(
        `  ${t(l.name)}: ${num(l.count)} posts, ${shareWithInterval(l)}; vs day before ${changeText(l.vsPreviousDay)}; vs 7-day average ${changeText(l.vsSevenDays)}`,
      )
    if (f.themes.length) out.push('', 'THEMES', ...f.themes.map((th) => `  ${t(themeSentence(th))}`))
    out.push('', 'MOST ENGAGED POSTS', ...(f.notMeasured ? [] : [`  ${exemplarRule(f)}`]))
    for (const p of f.mostEngaged)
      out.push(
        `    "${t(truncateGraphemes(p.text, QUOTE_GRAPHEMES)).replace(/\s+/g, ' ')}"`,
        `     ${t(p.author)}, ${PLATFORM_NAMES[p.platform] ?? p.platform} ${timeOfDay(p.createdAt, f.timezone)}, ${engagementLine(p)}`,
        `     ${p.url}`,
      )
    for (const g of f.topPosts) {
      out.push(`  ${t(g.name)}:`)
      const note = groupNote(g, f)
      if (note) out.push(`    (${note})`)
      for (const p of g.posts)
        out.push(
          `    ${p.unsure ? '[MODEL UNSURE] ' : ''}"${t(truncateGraphemes(p.text, QUOTE_GRAPHEMES)).replace(/\s+/g, ' ')}"`,
          `     ${t(p.author)}, ${PLATFORM_NAMES[p.platform] ?? p.platform} ${timeOfDay(p.createdAt, f.timezone)}, ${engagementLine(p)}, ${labelledBy(p)}`,
          `     ${p.url}`,
        )
    }
    if (f.topAccounts.length)
      out.push('', 'ACCOUNTS THAT DROVE IT', ...f.topAccounts.map((a) => `  ${t(a.account)}: ${num(a.posts)} posts, ${num(a.engagement)} engagements`))
  }
  out.push(
    '',
    'ALERTS',
    ...(f.alerts.length
      ? f.alerts.map((a) => `  ${alertSentence(a, f.timezone)}${a.topTerms.length ? `; driven by ${a.topTerms.map(t).join(', ')}` : ''}`)
      : ['  No alerts fired on this day.']),
  )
  out.push('', 'COLLECTION HEALTH', ...healthItems(f).map((i) => `  ${i}`), '', `Generated ${f.generatedAt} by stancewatch.`)
  return `${out.join('\n')}\n`
}
