import { DateTime } from 'luxon'
import { notMeasuredText } from '../domain/stance.js'
import type { DigestAlert, DigestFacts, DigestLabel, DigestPost, DigestPostGroup, DigestRevision, DigestTheme, ShareChange } from './facts.js'

/* Wording shared by every digest format, so Markdown, HTML and e-mail say the same thing. */

export const PLATFORM_NAMES: Record<string, string> = { x: 'X', bluesky: 'Bluesky' }
export { LANGUAGE_NAMES } from '../text/detect-lang.js'

/** Label ids → the names the topic gives them. */
export function labelNames(f: DigestFacts): Map<string, string> {
  return new Map(f.stance.map((l) => [l.label, l.name]))
}

export function longDate(f: DigestFacts): string {
  return DateTime.fromISO(f.date, { zone: f.timezone }).setLocale('en-GB').toFormat('cccc d LLLL yyyy')
}

/** "Times are America/New_York (UTC−04:00); the day runs from 00:00 to 24:00 there." */
export function zoneLine(f: DigestFacts): string {
  const from = DateTime.fromISO(f.from, { setZone: true })
  const to = DateTime.fromISO(f.to, { setZone: true })
  const hours = Math.round(to.diff(from, 'hours').hours)
  return `Times are ${f.timezone} (UTC${from.toFormat('ZZ').replace('-', '−')}); this day had ${hours} hours there.`
}

export function num(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.095 ? 1 : 0)}%`
}

/** A change in points, said plainly when chance alone could explain it at these counts. */
export function changeText(c: ShareChange | null): string {
  if (c === null) return '–'
  if (Math.abs(c.points) < 0.5) return '±0 pts'
  const text = `${c.points > 0 ? '+' : '−'}${Math.abs(c.points).toFixed(0)} pts`
  return c.significant ? text : `${text} (within noise)`
}

/** "Fund rose to 31% of posts from 18% over the previous 7 days." */
export function themeSentence(t: DigestTheme): string {
  const was = t.sevenDayShare === null ? '' : ` (${pct(t.sevenDayShare)} over the previous 7 days)`
  const verb = !t.change || !t.change.significant || Math.abs(t.change.points) < 0.5 ? 'held at' : t.change.points > 0 ? 'rose to' : 'fell to'
  return `${t.name} ${verb} ${pct(t.share)} of posts${was}, ${num(t.posts)} posts`
}

/** "The digest of 15 July said 389 posts; with later data it is 412 (+23); praise 36% → 35%." */
export function revisionSentence(r: DigestRevision, names: Map<string, string>, zone: string): string {
  const day = DateTime.fromISO(r.day, { zone }).setLocale('en-GB').toFormat('d LLLL')
  const diff = r.now.total - r.was.total
  const parts = [
    `The digest of ${day} said ${num(r.was.total)} posts; with later data it is ${num(r.now.total)}${diff ? ` (${diff > 0 ? '+' : '−'}${num(Math.abs(diff))})` : ''}`,
  ]
  for (const [label, was] of Object.entries(r.was.shares)) {
    const now = r.now.shares[label] ?? 0
    if (Math.abs(now - was) >= 0.005) parts.push(`${names.get(label) ?? label} ${pct(was)} → ${pct(now)}`)
  }
  return `${parts.join('; ')}.`
}

/** One alert as a sentence, by kind; only stancewatch's words and numbers (terms are shown apart, escaped). */
export function alertSentence(a: DigestAlert, zone: string): string {
  const where = a.platform ? ` on ${PLATFORM_NAMES[a.platform] ?? a.platform}` : ''
  const when = `${timeOfDay(a.windowStart, zone)}–${timeOfDay(a.windowEnd, zone)}`
  const partial = a.partialCoverage ? ' (during partial coverage: a collection gap overlaps it)' : ''
  if (a.kind === 'stance_shift') {
    // A shift's observed and expected are the label's share of classified posts (0–1).
    return `Stance shift${where}, ${when}: ${a.label ?? 'a label'} at ${pct(a.observed)} against ${pct(a.expected)} usually (z ${a.score.toFixed(1)})${partial}`
  }
  return `${a.kind === 'volume_spike' ? 'Volume spike' : a.kind.replace(/_/g, ' ')}${where}, ${when}: ${num(a.observed)} posts against ${a.expected.toFixed(1)} expected (${a.score.toFixed(1)} σ)${partial}`
}

/** The legend of the days shown as not collected in the 14-day chart and table. */
export function notCollectedSince(f: DigestFacts): string {
  const first = f.chart.find((d) => d.collected)
  return first ? `not collected (before ${first.day}, when collection of this topic began)` : 'not collected'
}

/** Said instead of the stance mix for a topic with no model yet (see notMeasuredText). */
export function notMeasuredSentence(f: DigestFacts, code?: (command: string) => string, text?: (s: string) => string): string {
  return notMeasuredText(f.topic.id, f.notMeasured!, code, text)
}

export function volumeSentence(f: DigestFacts): string {
  const v = f.volume
  const vsDay =
    v.previousDay === null
      ? 'the day before was not collected'
      : v.previousDay
        ? `${changeWord(v.total, v.previousDay)} the day before (${num(v.previousDay)})`
        : 'none the day before'
  // Days before the topic was collected are left out of the average, not counted as days without posts.
  const days = v.sevenDaysCollected
  const average = days === 7 ? 'the 7-day average' : days === 1 ? 'the one day collected before' : `the average of the ${days} days collected before`
  const vsWeek =
    days === 0
      ? 'the 7 days before were not collected'
      : v.sevenDayAverage
        ? `${(v.total / v.sevenDayAverage).toFixed(1)}× ${average} (${num(v.sevenDayAverage)})`
        : days === 7
          ? 'no posts in the previous 7 days'
          : `no posts in the ${days === 1 ? 'one day' : `${days} days`} collected before`
  return `${num(v.total)} posts, ${vsDay}; ${vsWeek}.`
}

function changeWord(now: number, before: number): string {
  const r = (now - before) / before
  if (Math.abs(r) < 0.005) return 'the same as'
  return `${r > 0 ? 'up' : 'down'} ${pct(Math.abs(r))} on`
}

export function breakdown(counts: Record<string, number>, names: Record<string, string>, total: number): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${names[k] ?? k} ${num(n)} (${pct(total ? n / total : 0)})`)
    .join(' · ')
}

/** "41% (38–44%)": a share is never shown without its uncertainty. */
export function shareWithInterval(l: DigestLabel): string {
  return `${pct(l.share)} (${pct(l.ci95[0])}–${pct(l.ci95[1])})`
}

export function engagementLine(p: { likes: number; reposts: number; replies: number; quotes: number }): string {
  return `${num(p.likes)} likes · ${num(p.reposts)} reposts · ${num(p.replies)} replies · ${num(p.quotes)} quotes`
}

/** Who gave a shown post its label and how sure: "model confidence 0.82", "model unsure, confidence 0.51", "label given by a person". */
export function labelledBy(p: Pick<DigestPost, 'human' | 'confidence' | 'unsure'>): string {
  if (p.human) return 'label given by a person'
  const c = p.confidence === null ? '–' : p.confidence.toFixed(2)
  return p.unsure ? `model unsure, confidence ${c}` : `model confidence ${c}`
}

/** What the examples under each stance are, said once above them. */
export function exemplarRule(f: DigestFacts): string {
  return `Examples are posts a person labelled or the model gave at least ${f.exemplarConfidence.toFixed(2)} confidence; a stance with none shows its most confident post, marked “model unsure”.`
}

/** Said under a stance whose examples fell short of the bar (or that had none to show). */
export function groupNote(g: DigestPostGroup, f: DigestFacts): string | null {
  if (g.unsure)
    return `No post with this stance reached ${f.exemplarConfidence.toFixed(2)} confidence (${num(g.belowBar)} below it); the most confident is shown, but it may not be this stance.`
  if (g.posts.length === 0) return 'No posts with this stance.'
  return null
}

export function timeOfDay(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat('HH:mm')
}

export const QUOTE_GRAPHEMES = 280

/**
 * The collection-health footer as plain sentences. They hold only stancewatch's own words and numbers
 * (source names, counts, model versions), never post text.
 */
export function healthItems(f: DigestFacts): string[] {
  const h = f.health
  const items: string[] = []
  if (h.runs.length === 0) items.push('No collector ran during this day (data may come from later runs or replays).')
  const bySource = new Map<string, typeof h.runs>()
  for (const r of h.runs) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r])
  for (const [source, runs] of bySource) {
    const s = (k: 'fetched' | 'newPosts' | 'skipped' | 'rateLimitWaits' | 'reads') => runs.reduce((t, r) => t + r[k], 0)
    const cost = runs.reduce((t, r) => t + r.estCostUsd, 0)
    items.push(
      `${source}: ${runs.length} runs (${runs.filter((r) => r.status !== 'ok').length} not complete), ${num(s('fetched'))} posts fetched, ${num(s('newPosts'))} new, ${num(s('skipped'))} skipped, ${num(s('rateLimitWaits'))} rate-limit waits, ${num(s('reads'))} API reads ≈ $${cost.toFixed(2)}`,
    )
  }
  items.push(
    h.gaps.length ? `Coverage gaps: ${h.gaps.map((g) => `${g.source} ${g.start}–${g.end} (${g.reason})`).join('; ')}` : 'Coverage gaps: none recorded.',
  )
  // A model below the floor is only ever active because someone forced it: say so wherever its labels are read.
  const weak = h.model && h.model.macroF1 !== null && h.model.macroF1 < h.model.minMacroF1
  items.push(
    h.model
      ? `Stance model ${h.model.version}${h.model.accuracy !== null ? `, cross-validated accuracy ${pct(h.model.accuracy)}, macro-F1 ${h.model.macroF1?.toFixed(2) ?? '–'}` : ''}${weak ? ` — below the topic's floor of ${h.model.minMacroF1} (made active with train --force): treat its labels with caution` : ''}`
      : 'Stance model: none trained yet.',
  )
  if (h.unclassified) items.push(`${num(h.unclassified)} posts not classified yet.`)
  return items
}
