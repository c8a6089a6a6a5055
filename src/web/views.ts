/*
 * What the pages and the JSON API show, computed once: each page renders one of these and its API route
 * returns it as JSON, so the two never disagree.
 */
import { stanceOverTime, type StanceSeries } from '../aggregate/stance-over-time.js'
import type { AppContext } from '../context.js'
import { reviewCommand, type LabelProgress } from '../domain/stance.js'
import { storedCombinedDigests } from '../jobs/combined-digest.js'
import { reviewQueue, type ReviewQueue } from '../jobs/review.js'
import { stanceState } from '../jobs/stance-state.js'
import { statusReport, type StatusReport } from '../jobs/status.js'
import { alertsBetween } from '../store/alerts.js'
import { peopleLabelCount, postsByPlatformIds, postsPage, type DashboardPost, type ThreadPost } from '../store/dashboard-posts.js'
import { storedDigests, type DigestListing } from '../store/digests.js'
import { gapsOverlapping } from '../store/gaps.js'
import { activeModel } from '../store/models.js'
import { PAGE_SIZE, postFilterOf, type Filters } from './filters.js'

const iso = (ms: number) => new Date(ms).toISOString()

export interface StanceView {
  series: StanceSeries
  /** Marked on the chart's time axis. */
  alerts: { id: number; kind: string; platform: string | null; state: string; start: string; end: string; observed: number; expected: number }[]
  gaps: { source: string; start: string; end: string; reason: string }[]
  /** Set for a topic with no model whose labels are short of the floor: there are no shares to draw. */
  notMeasured: (LabelProgress & { review: string }) | null
}

export function stanceView(ctx: AppContext, f: Filters): StanceView {
  const series = stanceOverTime(ctx.db, {
    topic: f.topic,
    from: f.from,
    to: f.to,
    bucket: f.bucket,
    zone: f.zone,
    platform: f.platform,
    lang: f.lang,
    theme: f.theme,
  })
  const alerts = alertsBetween(ctx.db, f.from, f.to, f.topic.id)
    .filter((a) => !f.platform || a.platform === null || a.platform === f.platform)
    .map((a) => ({
      id: a.id,
      kind: a.kind,
      platform: a.platform,
      state: a.state,
      start: iso(a.windowStart),
      end: iso(a.windowEnd),
      observed: a.observed,
      expected: a.expected,
    }))
  const gaps = gapsOverlapping(ctx.db, f.from, f.to).map((g) => ({ source: g.source, start: iso(g.startAt), end: iso(g.endAt), reason: g.reason }))
  const state = stanceState(ctx, f.topic)
  const notMeasured = state.status === 'awaiting-labels' ? { counts: state.counts, floor: state.floor, review: reviewCommand(f.topic.id) } : null
  return { series, alerts, gaps, notMeasured }
}

export interface PostView extends Omit<DashboardPost, 'createdAt' | 'themes'> {
  createdAt: string
  themes: string[]
  /** The stored post this one replies to or quotes, when it is stored. */
  replyToPost: ThreadPost | null
  quotePost: ThreadPost | null
}

export interface PostsView {
  topic: string
  labels: string[]
  page: number
  pageSize: number
  hasMore: boolean
  posts: PostView[]
}

export function postsView(ctx: AppContext, f: Filters): PostsView {
  const rows = postsPage(ctx.db, {
    topicId: f.topic.id,
    from: f.from,
    to: f.to,
    posts: postFilterOf(f),
    sort: f.sort,
    offset: f.page * PAGE_SIZE,
    // One more than a page says whether there is a next one, without counting the whole range.
    limit: PAGE_SIZE + 1,
  })
  const shown = rows.slice(0, PAGE_SIZE)
  const thread = new Map<string, ThreadPost>()
  for (const platform of ['x', 'bluesky']) {
    const ids = shown.filter((p) => p.platform === platform).flatMap((p) => [p.replyTo, p.quoteOf].filter((x): x is string => !!x))
    for (const t of postsByPlatformIds(ctx.db, platform, ids)) thread.set(`${platform} ${t.platformId}`, t)
  }
  return {
    topic: f.topic.id,
    labels: f.topic.stance.labels.map((l) => l.id),
    page: f.page,
    pageSize: PAGE_SIZE,
    hasMore: rows.length > PAGE_SIZE,
    posts: shown.map((p) => ({
      ...p,
      createdAt: iso(p.createdAt),
      themes: JSON.parse(p.themes) as string[],
      replyToPost: p.replyTo ? (thread.get(`${p.platform} ${p.replyTo}`) ?? null) : null,
      quotePost: p.quoteOf ? (thread.get(`${p.platform} ${p.quoteOf}`) ?? null) : null,
    })),
  }
}

export interface ModelFigures {
  version: string
  trainedAt: string
  trainingSize: number
  /** Cross-validated when it was trained. */
  accuracy: number | null
  macroF1: number | null
}

export interface ReviewView {
  topic: string
  labels: string[]
  model: ModelFigures | null
  peopleLabels: number
  retrainAfterLabels: number
  /** Each label's name and definition, shown beside the queue. */
  definitions: ReviewQueue['definitions']
  /** With no model yet: examples per label against the floor of a first model. */
  progress: ReviewQueue['progress']
  queue: ReviewQueue['posts']
}

export function modelFigures(ctx: AppContext, topicId: string): ModelFigures | null {
  const m = activeModel(ctx.db, topicId)
  if (!m) return null
  const cv = m.metrics as { accuracy?: number; macro_f1?: number } | null
  return { version: m.version, trainedAt: iso(m.trainedAt), trainingSize: m.trainingSize, accuracy: cv?.accuracy ?? null, macroF1: cv?.macro_f1 ?? null }
}

export function reviewView(ctx: AppContext, topicId: string, n: number): ReviewView {
  const topic = ctx.config.topics.find((t) => t.id === topicId)!
  const model = modelFigures(ctx, topicId)
  // With no model the queue is still there: the first posts to label, by language and engagement.
  const q = reviewQueue(ctx, { topic: topicId, n })[0]!
  return {
    topic: topicId,
    labels: topic.stance.labels.map((l) => l.id),
    model,
    peopleLabels: peopleLabelCount(ctx.db, topicId),
    retrainAfterLabels: topic.stance.retrain_after_labels,
    definitions: q.definitions,
    progress: q.progress,
    queue: q.posts,
  }
}

export function digestsView(ctx: AppContext, topicId: string): DigestListing[] {
  return storedDigests(ctx.db, topicId)
}

/** The combined digests (all topics side by side), newest day first. */
export function combinedDigestsView(ctx: AppContext): DigestListing[] {
  return storedCombinedDigests(ctx)
}

export function healthView(ctx: AppContext): StatusReport {
  return statusReport(ctx, { runs: 10 })
}
