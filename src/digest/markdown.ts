import { escapeMarkdown, safeHref, truncateGraphemes } from '../render/escape.js'
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
  revisionSentence,
  themeSentence,
  zoneLine,
  LANGUAGE_NAMES,
  longDate,
  notCollectedSince,
  notMeasuredSentence,
  num,
  pct,
  PLATFORM_NAMES,
  QUOTE_GRAPHEMES,
  shareWithInterval,
  timeOfDay,
  volumeSentence,
} from './text.js'

/** The digest as Markdown. Every piece of post text, handle and name goes through escapeMarkdown. */
export function renderMarkdown(f: DigestFacts): string {
  const out: string[] = []
  const md = escapeMarkdown
  out.push(`# ${md(f.topic.name)}: daily digest for ${longDate(f)}`, '')
  out.push(zoneLine(f), '')
  for (const r of f.revisions) out.push(`_Update: ${revisionSentence(r, labelNames(f), f.timezone)}_`, '')
  if (f.empty) {
    out.push('**No posts about this topic were collected on this day.**', '')
    out.push(...health(f))
    return `${out.join('\n')}\n`
  }
  out.push(`**${volumeSentence(f)}**`, '')
  out.push(`- Platforms: ${breakdown(f.volume.byPlatform, PLATFORM_NAMES, f.volume.total)}`)
  out.push(`- Languages: ${breakdown(f.volume.byLanguage, LANGUAGE_NAMES, f.volume.total)}`)
  out.push(`- Linking the article itself: ${num(f.article.posts)} posts (${pct(f.article.share)})`, '')

  if (f.notMeasured) return `${[...out, ...unmeasured(f)].join('\n')}\n`

  out.push('## Stance', '')
  out.push('| Stance | Posts | Share (95% interval) | vs day before | vs 7-day average |', '|---|---:|---:|---:|---:|')
  for (const l of f.stance)
    out.push(`| ${md(l.name)} | ${num(l.count)} | ${shareWithInterval(l)} | ${changeText(l.vsPreviousDay)} | ${changeText(l.vsSevenDays)} |`)
  const human = f.stance.reduce((s, l) => s + l.human, 0)
  out.push(
    '',
    human ? `${num(human)} of these labels were given by people; the rest by the model.` : 'All labels are the model’s; none corrected by people yet.',
    '',
  )

  if (f.themes.length) {
    out.push('## Themes', '', ...f.themes.map((t) => `- ${md(themeSentence(t))}`), '')
  }

  out.push('## Last 14 days', '')
  const labels = f.stance.map((l) => l.label)
  out.push(`| Day | Posts | ${f.stance.map((l) => md(l.label)).join(' | ')} |`, `|---|---:|${labels.map(() => '---:').join('|')}|`)
  for (const d of f.chart)
    out.push(
      d.collected
        ? `| ${d.day} | ${num(d.total)} | ${labels.map((l) => (d.total ? pct((d.counts[l] ?? 0) / d.total) : '–')).join(' | ')} |`
        : `| ${d.day} | _not collected_ | ${labels.map(() => '').join(' | ')} |`,
    )
  out.push('')
  if (f.chart.some((d) => !d.collected)) out.push(`_${md(notCollectedSince(f))}: unknown, not zero._`, '')

  out.push('## Most engaged posts', '', `_${md(exemplarRule(f))}_`, '')
  for (const group of f.topPosts) {
    out.push(`### ${md(group.name)}`, '')
    const note = groupNote(group, f)
    if (note) out.push(`_${md(note)}_`, '')
    group.posts.forEach((p, i) => {
      const href = safeHref(p.url)
      // A person's label and the model's doubt stand out; the model's ordinary confidence is plain.
      const by = p.human || p.unsure ? `**${md(labelledBy(p))}**` : md(labelledBy(p))
      out.push(`${i + 1}. > ${md(truncateGraphemes(p.text, QUOTE_GRAPHEMES))}`)
      out.push(
        `   — ${md(p.author)} on ${PLATFORM_NAMES[p.platform] ?? p.platform} at ${timeOfDay(p.createdAt, f.timezone)}; ${engagementLine(p)}; ${by}${href ? ` · [open](<${href}>)` : ''}`,
      )
    })
    out.push('')
  }

  out.push(...driversAndAlerts(f))
  out.push(...health(f))
  return `${out.join('\n')}\n`
}

/** A topic with no model yet: no stance mix, the volume per day and the most engaged posts without labels. */
function unmeasured(f: DigestFacts): string[] {
  const md = escapeMarkdown
  const out = ['## Stance', '', `**${notMeasuredSentence(f)}**`, '']
  if (f.themes.length) out.push('## Themes', '', ...f.themes.map((t) => `- ${md(themeSentence(t))}`), '')
  out.push('## Last 14 days', '', '| Day | Posts |', '|---|---:|')
  for (const d of f.chart) out.push(`| ${d.day} | ${d.collected ? num(d.total) : '_not collected_'} |`)
  out.push('')
  if (f.chart.some((d) => !d.collected)) out.push(`_${md(notCollectedSince(f))}: unknown, not zero._`, '')
  out.push('## Most engaged posts', '')
  f.mostEngaged.forEach((p, i) => {
    const href = safeHref(p.url)
    out.push(`${i + 1}. > ${md(truncateGraphemes(p.text, QUOTE_GRAPHEMES))}`)
    out.push(
      `   — ${md(p.author)} on ${PLATFORM_NAMES[p.platform] ?? p.platform} at ${timeOfDay(p.createdAt, f.timezone)}; ${engagementLine(p)}${href ? ` · [open](<${href}>)` : ''}`,
    )
  })
  out.push('')
  out.push(...driversAndAlerts(f))
  return [...out, ...health(f)]
}

function health(f: DigestFacts): string[] {
  return ['## Collection health', '', ...healthItems(f).map((i) => `- ${i}`), '', `_Generated ${f.generatedAt} by stancewatch._`]
}

/** The terms and accounts that drove the day, and its alerts: the same in a digest with or without stance. */
function driversAndAlerts(f: DigestFacts): string[] {
  const md = escapeMarkdown
  const out: string[] = []
  if (f.topTerms.length) out.push('## What drove it', '', `Terms and matched rules: ${f.topTerms.map((t) => `${md(t.term)} (${num(t.posts)})`).join(', ')}`, '')
  if (f.topAccounts.length)
    out.push(
      '## Accounts that drove the conversation',
      '',
      ...f.topAccounts.map((a) => `- ${md(a.account)}: ${num(a.posts)} posts, ${num(a.engagement)} engagements`),
      '',
    )
  out.push('## Alerts', '')
  if (f.alerts.length === 0) out.push('No alerts fired on this day.', '')
  for (const a of f.alerts) {
    out.push(`- **${md(alertSentence(a, f.timezone))}**${a.topTerms.length ? `; driven by ${a.topTerms.map(md).join(', ')}` : ''}`)
    for (const p of a.topPosts) {
      const href = safeHref(p.url)
      out.push(`  - ${md(p.author)}: “${md(truncateGraphemes(p.text, 140))}”${href ? ` · [open](<${href}>)` : ''}`)
    }
  }
  if (f.alerts.length) out.push('')
  return out
}
