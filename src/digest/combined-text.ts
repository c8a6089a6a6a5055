import type { CombinedFacts, CombinedTopic } from './combined.js'
import { alertSentence, changeText, num, pct } from './text.js'

/** A topic's lines in every rendering of the combined digest, as plain sentences (renderers escape them). */
export function topicSentences(t: CombinedTopic, zone: string): { volume: string; stance: string | null; alert: string | null } {
  if (!t.written) return { volume: 'No digest for this day: the topic was not collected yet.', stance: null, alert: null }
  const before = t.previousDay === null ? 'the day before was not collected' : `${num(t.previousDay)} the day before`
  const volume = t.posts ? `${num(t.posts)} posts (${before}).` : `No posts on this day (${before}).`
  const shown = t.stance.filter((l) => l.count > 0)
  const stance = shown.length
    ? `Stance: ${shown.map((l) => `${l.name} ${pct(l.share)} (${changeText(l.vsPreviousDay)} on the day before)`).join(' · ')}`
    : t.posts
      ? 'Stance: not yet measured (no post of the day is classified).'
      : null
  const more = t.alerts > 1 ? ` (and ${t.alerts - 1} more)` : ''
  const alert = t.topAlert ? `Top alert: ${alertSentence(t.topAlert, zone)}${more}` : null
  return { volume, stance, alert }
}

export function sharedSentences(f: CombinedFacts): string[] {
  if (f.topics.length < 2) return []
  if (f.shared.length === 0) return ['No post matched two topics on this day.']
  return f.shared.map((s) => `${num(s.posts)} post${s.posts === 1 ? '' : 's'} matched both ${s.aName} and ${s.bName} (stored once, counted in each).`)
}

export function totalSentence(f: CombinedFacts): string {
  return `${num(f.posts)} distinct posts over ${f.topics.length} topic${f.topics.length === 1 ? '' : 's'} (a post matched by two topics counts once here).`
}

/** The combined digest as plain text: the e-mail alternative and what chat channels quote. */
export function renderCombinedPlain(f: CombinedFacts, title: string): string {
  const out = [title, '', totalSentence(f), ...sharedSentences(f), '']
  for (const t of f.topics) {
    const s = topicSentences(t, f.timezone)
    out.push(t.name, `  ${s.volume}`)
    if (s.stance) out.push(`  ${s.stance}`)
    if (s.alert) out.push(`  ${s.alert}`)
    out.push('')
  }
  return `${out.join('\n')}`
}
