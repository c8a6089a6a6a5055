import { DateTime } from 'luxon'
import type { TopicConfig } from '../config/schema.js'
import { reviewCommand, UNCERTAIN, UNCLASSIFIED, type LabelProgress } from '../domain/stance.js'
import { buildAlertContext } from '../alerts/context.js'
import { stanceOverTime, type StanceBucket } from '../aggregate/stance-over-time.js'
import { shareChange } from '../aggregate/proportion-change.js'
import { dayRange } from '../aggregate/time-buckets.js'
import { wilson } from '../aggregate/wilson.js'
import type { Db } from '../store/db.js'
import { alertsBetween, type AlertRecord } from '../store/alerts.js'
import { deliveredDigests } from '../store/digests.js'
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
  /** Detected language: the HTML digest marks the quote with it, so CJK text gets its own fonts. */
  lang: string
  human: boolean
  /** The model's confidence in the label (0–1); null when a person gave the label. */
  confidence: number | null
  /** Shown although below the topic's exemplar confidence: no post with this label cleared it. */
  unsure: boolean
}

/** The most engaged posts of a label, from those the model is confident about (or a person labelled). */
export interface DigestPostGroup {
  label: string
  name: string
  posts: DigestPost[]
  /** No post of this label cleared the bar: `posts` holds the single most confident one, marked unsure. */
  unsure: boolean
  /** Posts with this label on the day whose confidence is below the bar (not shown, unless `unsure`). */
  belowBar: number
}

export interface ShareChange {
  /** Percentage points, signed. */
  points: number
  /** Beyond chance at these counts (two-proportion z-test, 95%): small days do not look dramatic. */
  significant: boolean
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
  vsPreviousDay: ShareChange | null
  vsSevenDays: ShareChange | null
}

/** A sub-theme's share of the day's posts against its share over the 7 days before. */
export interface DigestTheme {
  id: string
  name: string
  posts: number
  share: number
  sevenDayShare: number | null
  change: ShareChange | null
}

/** A day people were already sent, whose numbers later data changed. */
export interface DigestRevision {
  day: string
  deliveredAt: string
  was: { total: number; shares: Record<string, number> }
  now: { total: number; shares: Record<string, number> }
}

export interface DigestAlert {
  kind: string
  platform: string | null
  label: string | null
  windowStart: string
  windowEnd: string
  observed: number
  expected: number
  score: number
  partialCoverage: boolean
  topTerms: string[]
  topPosts: { url: string; author: string; text: string }[]
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
  volume: {
    total: number
    /** Null: the day before was not collected (before the topic's record begins), so there is nothing to compare. */
    previousDay: number | null
    /** Posts per day over the days of the 7 before that were collected (0 when none was). */
    sevenDayAverage: number
    /** How many of the 7 days before were collected: the average is over these. */
    sevenDaysCollected: number
    byPlatform: Record<string, number>
    byLanguage: Record<string, number>
  }
  /**
   * Set for a topic with no model whose labels are still short of the floor a first model needs: stance is
   * not measured, so `stance` and `topPosts` are empty and `mostEngaged` shows the day's posts unlabelled.
   */
  notMeasured: (LabelProgress & { review: string }) | null
  /** With stance not measured: the day's most engaged posts, without stance labels. */
  mostEngaged: DigestPost[]
  stance: DigestLabel[]
  /** `collected: false`: a day before the topic's record begins, whose zero counts mean "not collected". */
  chart: { day: string; collected: boolean; total: number; counts: Record<string, number> }[]
  /** A model post is shown as an example of its label only at this confidence or above (stance.exemplar_confidence). */
  exemplarConfidence: number
  topPosts: DigestPostGroup[]
  topAccounts: { account: string; posts: number; engagement: number }[]
  topTerms: { term: string; posts: number }[]
  article: { posts: number; share: number }
  themes: DigestTheme[]
  alerts: DigestAlert[]
  revisions: DigestRevision[]
  health: {
    runs: { source: string; status: string; fetched: number; newPosts: number; skipped: number; rateLimitWaits: number; reads: number; estCostUsd: number }[]
    gaps: { source: string; start: string; end: string; reason: string }[]
    model: { version: string; trainedAt: string; accuracy: number | null; macroF1: number | null; minMacroF1: number } | null
    unclassified: number
  }
}

const CHART_DAYS = 14

/** `awaiting`: the topic's labels so far, when it has no model and they are short of the floor (see DigestFacts.notMeasured). */
export function buildDigestFacts(
  db: Db,
  topic: TopicConfig,
  day: string,
  zone: string,
  now: Date,
  topN: number,
  awaiting: LabelProgress | null = null,
): DigestFacts {
  const { from, to } = dayRange(day, zone)
  const posts = postsInWindow(db, topic.id, from, to, null)
  const labelIds = topic.stance.labels.map((l) => l.id)
  const names = new Map<string, string>([...topic.stance.labels.map((l) => [l.id, l.name] as [string, string]), [UNCERTAIN, 'Uncertain (model not confident)']])

  const daily = stanceOverTime(db, {
    topic,
    from: DateTime.fromMillis(from, { zone })
      .minus({ days: CHART_DAYS + 7 })
      .toMillis(),
    to,
    bucket: 'day',
    zone,
  })
  const days = daily.buckets
  const today = days.at(-1)!
  // A day before the topic was collected is unknown, not quiet: nothing is compared with it.
  const yesterday = days.at(-2)?.collected ? days.at(-2) : undefined
  const weekCollected = days.slice(-8, -1).filter((b) => b.collected)
  const lastWeek = weekCollected.filter((b) => b.total > 0)
  const share = (b: (typeof days)[number] | undefined, label: string) => (b && b.total ? b.labels.find((l) => l.label === label)!.count / b.total : null)
  const weekShare = (label: string) => {
    const total = lastWeek.reduce((s, b) => s + b.total, 0)
    return total ? lastWeek.reduce((s, b) => s + b.labels.find((l) => l.label === label)!.count, 0) / total : null
  }

  const context = buildAlertContext(posts)
  const shownLabels = [...labelIds, UNCERTAIN]
  const alerts = alertsBetween(db, from, to, topic.id)
  const model = activeModel(db, topic.id)
  const cv = model?.metrics as { accuracy?: number; macro_f1?: number } | null
  // A few people's labels in a topic with no model would read as a stance mix: none is shown until a model measures it.
  const notMeasured = !model && awaiting ? { ...awaiting, review: reviewCommand(topic.id) } : null

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
      previousDay: yesterday ? yesterday.total : null,
      sevenDayAverage: weekCollected.length ? weekCollected.reduce((s, b) => s + b.total, 0) / weekCollected.length : 0,
      sevenDaysCollected: weekCollected.length,
      byPlatform: context.platforms,
      byLanguage: context.languages,
    },
    notMeasured,
    mostEngaged: notMeasured ? digestPosts(byEngagement(posts).slice(0, topN), zone, false) : [],
    stance: (notMeasured ? [] : shownLabels).map((label) => {
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
        vsPreviousDay: yesterday ? changeOf(shareChange({ count, n: posts.length }, { count: countIn([yesterday], label), n: yesterday.total })) : null,
        vsSevenDays: changeOf(shareChange({ count, n: posts.length }, { count: countIn(lastWeek, label), n: lastWeek.reduce((t, b) => t + b.total, 0) })),
      }
    }),
    chart: days.slice(-CHART_DAYS).map((b) => ({
      day: b.start.slice(0, 10),
      collected: b.collected,
      total: b.total,
      counts: Object.fromEntries(b.labels.filter((l) => l.label !== UNCLASSIFIED || l.count > 0).map((l) => [l.label, l.count])),
    })),
    exemplarConfidence: topic.stance.exemplar_confidence,
    topPosts: (notMeasured ? [] : labelIds).map((label) => exemplarsOf(label, names.get(label)!, posts, topic.stance.exemplar_confidence, topN, zone)),
    topAccounts: context.topAccounts,
    topTerms: context.topTerms,
    article: { posts: Math.round(context.articleLinkShare * posts.length), share: context.articleLinkShare },
    themes: themesOf(db, topic, day, from, to, zone, posts.length),
    alerts: alerts.map((a) => digestAlert(a, zone)),
    revisions: revisionsBefore(db, topic, day, zone, days),
    health: {
      runs: collectorRunsBetween(db, from, to).map((r) => ({
        source: r.source,
        status: r.status,
        fetched: r.fetched,
        newPosts: r.newPosts,
        skipped: r.skipped,
        rateLimitWaits: r.rateLimitWaits,
        reads: r.reads,
        estCostUsd: r.estCostUsd,
      })),
      gaps: gapsOverlapping(db, from, to).map((g) => ({
        source: g.source,
        start: new Date(g.startAt).toISOString(),
        end: new Date(g.endAt).toISOString(),
        reason: g.reason,
      })),
      model: model
        ? {
            version: model.version,
            trainedAt: new Date(model.trainedAt).toISOString(),
            accuracy: cv?.accuracy ?? null,
            macroF1: cv?.macro_f1 ?? null,
            minMacroF1: topic.stance.min_cv_macro_f1,
          }
        : null,
      unclassified: today.labels.find((l) => l.label === UNCLASSIFIED)?.count ?? 0,
    },
  }
}

const countIn = (buckets: readonly StanceBucket[], label: string) => buckets.reduce((t, b) => t + (b.labels.find((l) => l.label === label)?.count ?? 0), 0)

function changeOf(c: ReturnType<typeof shareChange>): ShareChange | null {
  return c ? { points: c.points, significant: c.significant } : null
}

/** Each configured theme's share of the day against the 7 days before. */
function themesOf(db: Db, topic: TopicConfig, day: string, from: number, to: number, zone: string, dayTotal: number): DigestTheme[] {
  if (topic.themes.length === 0) return []
  const weekFrom = DateTime.fromMillis(from, { zone }).minus({ days: 7 }).toMillis()
  const series = stanceOverTime(db, { topic, from: weekFrom, to, bucket: 'day', zone, split: 'theme' })
  const totals = stanceOverTime(db, { topic, from: weekFrom, to, bucket: 'day', zone }).buckets
  const weekTotal = totals.filter((b) => b.start.slice(0, 10) !== day).reduce((t, b) => t + b.total, 0)
  return topic.themes
    .map((theme) => {
      const rows = series.buckets.filter((b) => b.group === theme.id)
      const today = rows.filter((b) => b.start.slice(0, 10) === day).reduce((t, b) => t + b.total, 0)
      const before = rows.filter((b) => b.start.slice(0, 10) !== day).reduce((t, b) => t + b.total, 0)
      return {
        id: theme.id,
        name: theme.name,
        posts: today,
        share: dayTotal ? today / dayTotal : 0,
        sevenDayShare: weekTotal ? before / weekTotal : null,
        change: changeOf(shareChange({ count: today, n: dayTotal }, { count: before, n: weekTotal })),
      }
    })
    .sort((a, b) => Math.abs(b.change?.points ?? 0) - Math.abs(a.change?.points ?? 0))
}

function digestAlert(a: AlertRecord, zone: string): DigestAlert {
  // Context is what the alert rule stored; read defensively, as older alerts may carry less.
  const c = (a.context ?? {}) as {
    label?: string
    partialCoverage?: boolean
    partial_coverage?: boolean
    topTerms?: { term: string }[]
    topPosts?: { url: string; author: string; text: string }[]
  }
  return {
    kind: a.kind,
    platform: a.platform,
    label: typeof c.label === 'string' ? c.label : null,
    windowStart: DateTime.fromMillis(a.windowStart, { zone }).toISO()!,
    windowEnd: DateTime.fromMillis(a.windowEnd, { zone }).toISO()!,
    observed: a.observed,
    expected: a.expected,
    score: a.score,
    partialCoverage: Boolean(c.partialCoverage ?? c.partial_coverage),
    topTerms: (c.topTerms ?? []).slice(0, 5).map((t) => t.term),
    topPosts: (c.topPosts ?? []).slice(0, 2).map((p) => ({ url: p.url, author: p.author, text: p.text })),
  }
}

/** Delivered days in the week before whose total or shares later data has changed (a post or half a point). */
function revisionsBefore(db: Db, topic: TopicConfig, day: string, zone: string, days: readonly StanceBucket[]): DigestRevision[] {
  const weekBefore = DateTime.fromISO(day, { zone }).minus({ days: 7 }).toISODate()!
  const out: DigestRevision[] = []
  for (const d of deliveredDigests(db, topic.id, weekBefore, day)) {
    const was = d.facts as Partial<DigestFacts>
    const bucket = days.find((b) => b.start.slice(0, 10) === d.day)
    if (!bucket || !was.volume || !was.stance) continue
    const wasShares = Object.fromEntries(was.stance.map((l) => [l.label, l.share]))
    const nowShares = Object.fromEntries(was.stance.map((l) => [l.label, bucket.total ? countIn([bucket], l.label) / bucket.total : 0]))
    const moved = Object.keys(wasShares).some((l) => Math.abs(wasShares[l]! - nowShares[l]!) >= 0.005)
    if (bucket.total === was.volume.total && !moved) continue
    out.push({
      day: d.day,
      deliveredAt: new Date(d.deliveredAt).toISOString(),
      was: { total: was.volume.total, shares: wasShares },
      now: { total: bucket.total, shares: nowShares },
    })
  }
  return out
}

/**
 * The posts a reader sees as examples of a label: the most engaged of those a person labelled or the model
 * gave at least `bar`. When none clears it, the single most confident post is shown marked unsure rather
 * than nothing: the label's share counts those posts, and one flagged example shows what was counted
 * without presenting it as typical.
 */
function exemplarsOf(label: string, name: string, all: readonly WindowPost[], bar: number, n: number, zone: string): DigestPostGroup {
  const posts = all.filter((p) => p.label === label)
  const clears = (p: WindowPost) => p.labelSource === 'human' || (p.confidence ?? 0) >= bar
  const cleared = posts.filter(clears)
  const belowBar = posts.length - cleared.length
  if (cleared.length > 0 || posts.length === 0)
    return { label, name, posts: digestPosts(byEngagement(cleared).slice(0, n), zone, false), unsure: false, belowBar }
  const best = [...posts].sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0) || b.engagement - a.engagement || a.createdAt - b.createdAt)
  return { label, name, posts: digestPosts(best.slice(0, Math.min(1, n)), zone, true), unsure: true, belowBar }
}

function byEngagement(posts: readonly WindowPost[]): WindowPost[] {
  return [...posts].sort((a, b) => b.engagement - a.engagement || a.createdAt - b.createdAt)
}

function digestPosts(posts: readonly WindowPost[], zone: string, unsure: boolean): DigestPost[] {
  return posts.map((p) => ({
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
    lang: p.lang,
    human: p.labelSource === 'human',
    confidence: p.labelSource === 'human' ? null : p.confidence,
    unsure,
  }))
}
