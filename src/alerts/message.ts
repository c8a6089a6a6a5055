import { DateTime } from 'luxon'
import type { Message, MessagePost } from '../domain/message.js'
import { LANGUAGE_NAMES } from '../text/detect-lang.js'
import type { AlertRecord } from '../store/alerts.js'
import type { ContextPost, StoredAlertContext } from './context.js'

/* A stored alert as a channel-neutral message. Post text stays exactly as written: each channel escapes it. */

const PLATFORM = { x: 'X', bluesky: 'Bluesky' } as Record<string, string>

export type AlertForMessage = Pick<
  AlertRecord,
  'id' | 'kind' | 'topicId' | 'platform' | 'windowStart' | 'windowEnd' | 'observed' | 'expected' | 'score' | 'context'
> & { state?: string }

export interface AlertMessageOptions {
  /** Where times are shown (and named). */
  zone: string
  /** Display names of stance labels, by id. */
  labelNames?: Record<string, string>
}

export function alertMessage(a: AlertForMessage, opts: AlertMessageOptions): Message {
  const c = (a.context ?? {}) as Partial<StoredAlertContext>
  const where = a.platform ? ` on ${PLATFORM[a.platform] ?? a.platform}` : ''
  const hours = Math.round((a.windowEnd - a.windowStart) / 3_600_000)
  const name = (label: string) => opts.labelNames?.[label] ?? label
  const isShift = a.kind === 'stance_shift'
  const title = isShift
    ? `Stance shift${where}: ${name(c.label ?? '?')} ${pct(a.observed)} vs ${pct(a.expected)} usual — ${a.topicId}, last ${hours} h`
    : `Volume spike${where}: ${num(a.observed)} posts in ${hours} h, ${ratio(a.observed, a.expected)} the usual ${num(a.expected)} — ${a.topicId}`

  const summary: string[] = [`${timeSpan(a.windowStart, a.windowEnd, opts.zone)}.`]
  if (isShift) {
    const others = (c.shares ?? []).filter((s) => s.label !== c.label).map((s) => `${name(s.label)} ${pct(s.share)} (usually ${pct(s.baselineShare)})`)
    summary.push(
      `Observed: ${name(c.label ?? '?')} ${pct(a.observed)} of ${num(c.posts ?? 0)} classified posts; expected ${pct(a.expected)} from the same hours of the previous ${c.baselineDays ?? '?'} days (z ${a.score.toFixed(1)}${c.pValue !== undefined ? `, p ${pValue(c.pValue)}` : ''}).`,
    )
    if (others.length) summary.push(`Other labels: ${others.join(' · ')}.`)
  } else {
    summary.push(
      `Observed: ${num(a.observed)} posts; expected ${a.expected.toFixed(1)} from the same hours of the previous ${c.baselineDays ?? '?'} days (${ratio(a.observed, a.expected)}, ${a.score.toFixed(1)} σ).`,
    )
  }
  if (c.partialCoverage) {
    const gaps = (c.gaps ?? []).map((g) => `${g.source} ${timeSpan(Date.parse(g.start), Date.parse(g.end), opts.zone, false)} (${g.reason})`)
    summary.push(`Partial coverage: part of the window was not collected${gaps.length ? ` — ${gaps.join('; ')}` : ''}; the count is a lower bound.`)
  }
  if (c.stanceMix && c.posts)
    summary.push(`Stance: ${breakdown(c.stanceMix, c.posts, name)}${c.humanLabels ? ` (${num(c.humanLabels)} labelled by people)` : ''}.`)
  if (c.languages && c.posts) summary.push(`Languages: ${breakdown(c.languages, c.posts, (l) => LANGUAGE_NAMES[l] ?? l)}.`)
  if (!a.platform && c.platforms && c.posts) summary.push(`Platforms: ${breakdown(c.platforms, c.posts, (p) => PLATFORM[p] ?? p)}.`)
  if (c.articleLinkShare !== undefined && c.posts) summary.push(`Links the article: ${pct(c.articleLinkShare)} of posts.`)
  if (c.topTerms?.length)
    summary.push(`Top terms: ${c.topTerms.map((t) => (t.lift ? `${t.term} (${t.lift.toFixed(1)}×)` : `${t.term} (${num(t.posts)})`)).join(', ')}.`)
  if (c.topAccounts?.length)
    summary.push(`Top accounts: ${c.topAccounts.map((t) => `${t.account} (${num(t.posts)} posts, ${num(t.engagement)} engagements)`).join(', ')}.`)

  return {
    kind: 'alert',
    key: `alert:${a.id}`,
    topicId: a.topicId,
    title,
    summary,
    posts: (c.topPosts ?? []).map((p) => messagePost(p, name)),
    link: null,
    data: {
      id: a.id,
      kind: a.kind,
      topic: a.topicId,
      platform: a.platform,
      label: c.label ?? null,
      window_start: new Date(a.windowStart).toISOString(),
      window_end: new Date(a.windowEnd).toISOString(),
      observed: a.observed,
      expected: a.expected,
      score: a.score,
      state: a.state ?? 'open',
      context: a.context,
    },
  }
}

function messagePost(p: ContextPost, name: (label: string) => string): MessagePost {
  const parts: string[] = []
  if (p.likes !== undefined) {
    if (p.likes) parts.push(`${num(p.likes)} likes`)
    if (p.reposts) parts.push(`${num(p.reposts)} reposts`)
    if (p.replies) parts.push(`${num(p.replies)} replies`)
    if (p.quotes) parts.push(`${num(p.quotes)} quotes`)
  } else if (p.engagement) parts.push(`${num(p.engagement)} engagements`)
  return {
    text: p.text,
    author: p.author,
    url: p.url,
    platform: p.platform,
    label: p.label === null ? null : name(p.label),
    human: p.human,
    engagement: parts.join(' · ') || 'no engagement yet',
  }
}

/** "16 Jul 2025 04:00–07:00 America/New_York" (the end's date too when the window crosses midnight). */
function timeSpan(from: number, to: number, zone: string, withZone = true): string {
  const a = DateTime.fromMillis(from, { zone }).setLocale('en-GB')
  const b = DateTime.fromMillis(to, { zone }).setLocale('en-GB')
  const end = a.hasSame(b, 'day') || b.equals(b.startOf('day')) ? b.toFormat('HH:mm') : b.toFormat('d LLL HH:mm')
  return `${a.toFormat('d LLL yyyy HH:mm')}–${end}${withZone ? ` ${zone}` : ''}`
}

function breakdown(counts: Record<string, number>, total: number, name: (k: string) => string): string {
  return Object.entries(counts)
    .sort((x, y) => y[1] - x[1])
    .map(([k, n]) => `${name(k)} ${pct(n / total)}`)
    .join(' · ')
}

function num(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.095 ? 1 : 0)}%`
}

function ratio(observed: number, expected: number): string {
  return expected > 0 ? `${(observed / expected).toFixed(1)}×` : 'far above'
}

function pValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3)
}
