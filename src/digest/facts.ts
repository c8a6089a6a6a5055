import { DateTime } from 'luxon'
import type { TopicConfig } from '../config/schema.js'
import { UNCERTAIN } from '../classify/stance-model.js'
import { buildAlertContext } from '../alerts/context.js'
import { stanceOverTime, UNCLASSIFIED } from '../aggregate/stance-over-time.js'
import { dayRange } from '../aggregate/time-buckets.js'
import { wilson } from '../aggregate/wilson.js'
import type { Db } from '../store/db.js'
import { alertsBetween } from '../store/alerts.js'
import { gapsOverlapping } from '../store/gaps.js'
import { activeModel } from '../store/models.js'
import { collectorRunsBetween } from '../store/runs.js'
import { postsInWindow, type WindowPost } from '../store/volume.js'

export interface DigestPost {
  url: string
  platform: string
  author: string
  text: string
  createdAt: string
  engagement: number
  likes: number
  reposts: number
  replies: number
  quotes: number
  human: boolean
}

export interface DigestLabel {
  label: string
  name: string
  count: number
  share: number
  ci95: [number, number]
  human: number
  previousDayShare: number | null
  sevenDayShare: number | null
}

/** Everything a digest says, computed once; Markdown, HTML and JSON all render these same facts. */
export interface DigestFacts {
  topic: { id: string; name: string; articles: string[] }
  date: string
  timezone: string
  from: string
  to: string
  generatedAt: string
  empty: boolean
  volume: { total: number; previousDay: number; sevenDayAverage: number; byPlatform: Record<string, number>; byLanguage: Record<string, number> }
  stance: DigestLabel[]
  chart: { day: string; total: number; counts: Record<string, number> }[]
  topPosts: { label: string; name: string; posts: DigestPost[] }[]
  topAccounts: { account: string; posts: number; engagement: number }[]
  topTerms: { term: string; posts: number }[]
  article: { posts: number; share: number }
  alerts: { kind: string; platform: string | null; windowStart: string; windowEnd: string; observed: number; expected: number; score: number }[]
  health: {
    runs: { source: string; status: string; fetched: number; newPosts: number; skipped: number; rateLimitWaits: number; reads: number; estCostUsd: number }[]
    gaps: { source: string; start: string; end: string; reason: string }[]
    model: { version: string; trainedAt: string; accuracy: number | null; macroF1: number | null } | null
    unclassified: number
  }
}

const CHART_DAYS = 14

export function buildDigestFacts(db: Db, topic: TopicConfig, day: string, zone: string, now: Date, topN: number): DigestFacts {
  const { from, to } = dayRange(day, zone)
  const posts = postsInWindow(db, topic.id, from, to, null)
  const labelIds = topic.stance.labels.map((l) => l.id)
  const names = new Map<string, string>([...topic.stance.labels.map((l) => [l.id, l.name] as [string, string]), [UNCERTAIN, 'Uncertain (model not confident)']])

  const daily = stanceOverTime(db, { topic, from: DateTime.fromMillis(from, { zone }).minus({ days: CHART_DAYS + 7 }).toMillis(), to, bucket: 'day', zone })
  const days = daily.buckets
  const today = days.at(-1)!
  const yesterday = days.at(-2)
  const lastWeek = days.slice(-8, -1).filter((b) => b.total > 0)
  const share = (b: (typeof days)[number] | undefined, label: string) => (b && b.total ? b.labels.find((l) => l.label === label)!.count / b.total : null)
  const weekShare = (label: string) => {
    const total = lastWeek.reduce((s, b) => s + b.total, 0)
    return total ? lastWeek.reduce((s, b) => s + b.labels.find((l) => l.label === label)!.count, 0) / total : null
  }

  const context = buildAlertContext(posts)
  const shownLabels = [...labelIds, UNCERTAIN]
  const alerts = alertsBetween(db, from, to, topic.id)
  const model = activeModel(db, topic.id)
  const cv = (model?.metrics ?? null) as { accuracy?: number; macro_f1?: number } | null

  return {
    topic: { id: topic.id, name: topic.name, articles: [...topic.articles] },
    date: day,
    timezone: zone,
    from: DateTime.fromMillis(from, { zone }).toISO()!,
    to: DateTime.fromMillis(to, { zone }).toISO()!,
    generatedAt: now.toISOString(),
    empty: posts.length === 0,
    volume: {
      total: posts.length,
      previousDay: yesterday?.total ?? 0,
      sevenDayAverage: days.slice(-8, -1).reduce((s, b) => s + b.total, 0) / 7,
      byPlatform: context.platforms,
      byLanguage: context.languages,
    },
    stance: shownLabels.map((label) => {
      const count = posts.filter((p) => p.label === label).length
      const ci = wilson(count, posts.length)
      return {
        label,
        name: names.get(label) ?? label,
        count,
        share: posts.length ? count / posts.length : 0,
        ci95: [ci.low, ci.high],
        human: posts.filter((p) => p.label === label && p.labelSource === 'human').length,
        previousDayShare: share(yesterday, label),
        sevenDayShare: weekShare(label),
      }
    }),
    chart: days
      .slice(-CHART_DAYS)
      .map((b) => ({ day: b.start.slice(0, 10), total: b.total, counts: Object.fromEntries(b.labels.filter((l) => l.label !== UNCLASSIFIED || l.count > 0).map((l) => [l.label, l.count])) })),
    topPosts: labelIds.map((label) => ({ label, name: names.get(label)!, posts: topPostsOf(posts.filter((p) => p.label === label), topN, zone) })),
    topAccounts: context.topAccounts,
    topTerms: context.topTerms,
    article: { posts: Math.round(context.articleLinkShare * posts.length), share: context.articleLinkShare },
    alerts: alerts.map((a) => ({
      kind: a.kind,
      platform: a.platform,
      windowStart: DateTime.fromMillis(a.windowStart, { zone }).toISO()!,
      windowEnd: DateTime.fromMillis(a.windowEnd, { zone }).toISO()!,
      observed: a.observed,
      expected: a.expected,
      score: a.score,
    })),
    health: {
      runs: collectorRunsBetween(db, from, to).map((r) => ({ source: r.source, status: r.status, fetched: r.fetched, newPosts: r.newPosts, skipped: r.skipped, rateLimitWaits: r.rateLimitWaits, reads: r.reads, estCostUsd: r.estCostUsd })),
      gaps: gapsOverlapping(db, from, to).map((g) => ({ source: g.source, start: new Date(g.startAt).toISOString(), end: new Date(g.endAt).toISOString(), reason: g.reason })),
      model: model ? { version: model.version, trainedAt: new Date(model.trainedAt).toISOString(), accuracy: cv?.accuracy ?? null, macroF1: cv?.macro_f1 ?? null } : null,
      unclassified: today.labels.find((l) => l.label === UNCLASSIFIED)?.count ?? 0,
    },
  }
}

function topPostsOf(posts: WindowPost[], n: number, zone: string): DigestPost[] {
  return [...posts]
    .sort((a, b) => b.engagement - a.engagement || a.createdAt - b.createdAt)
    .slice(0, n)
    .map((p) => ({
      url: p.url,
      platform: p.platform,
      author: p.authorHandle ? `@${p.authorHandle}` : p.authorId,
      text: p.text,
      createdAt: DateTime.fromMillis(p.createdAt, { zone }).toISO()!,
      engagement: p.engagement,
      likes: p.likes,
      reposts: p.reposts,
      replies: p.replies,
      quotes: p.quotes,
      human: p.labelSource === 'human',
    }))
}
