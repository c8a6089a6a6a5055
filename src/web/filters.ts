import { DateTime } from 'luxon'
import { parseUserTime, type BucketUnit } from '../aggregate/time-buckets.js'
import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { checkPostFilter, filterChoices, type FilterField } from '../jobs/post-filter-check.js'
import { latestPostAt } from '../store/dashboard-posts.js'
import type { PostFilter } from '../store/post-filter.js'

/** Posts per page in the posts view and its API. */
export const PAGE_SIZE = 50
const DEFAULT_DAYS = 30
const BUCKETS: readonly BucketUnit[] = ['hour', 'day', 'week']
const MAX_BUCKETS = 5000

/**
 * The filters every page and API route shares, read from the query string and checked: a wrong value is a
 * 400 naming the parameter, never a query run on it. The text fields keep what was typed, for the forms.
 */
export interface Filters {
  topic: TopicConfig
  zone: string
  from: number
  to: number
  fromText: string
  toText: string
  bucket: BucketUnit
  platform?: 'x' | 'bluesky'
  lang?: string
  theme?: string
  label?: string
  minConfidence?: number
  q?: string
  sort: 'time' | 'engagement'
  page: number
}

const opt = (p: URLSearchParams, k: string): string | undefined => {
  const v = p.get(k)?.trim()
  return v ? v : undefined
}

export function topicOf(ctx: AppContext, id: string | undefined): TopicConfig {
  const t = id ? ctx.config.topics.find((x) => x.id === id) : ctx.config.topics[0]
  if (!t) throw new UsageError(`topic: no topic "${id}"; topics: ${ctx.config.topics.map((x) => x.id).join(', ')}`)
  return t
}

/** Labels a post can be filtered by: the topic's, and what the model says when it cannot tell or has not scored. */
export function filterLabels(topic: TopicConfig): string[] {
  return filterChoices(topic).labels
}

/** The query parameter of each filter, for errors that name what the page sent. */
const PARAM: Record<FilterField, string> = { label: 'label', lang: 'lang', platform: 'platform', theme: 'theme', minConfidence: 'min_confidence' }

/** The filters `stancewatch export` shares (its SQL in store/post-filter.ts): the same posts in both. */
export function postFilterOf(f: Filters): PostFilter {
  return { labels: f.label === undefined ? undefined : [f.label], lang: f.lang, platform: f.platform, theme: f.theme, minConfidence: f.minConfidence, q: f.q }
}

export function readFilters(ctx: AppContext, p: URLSearchParams, defaultTopic?: string): Filters {
  const topic = topicOf(ctx, opt(p, 'topic') ?? defaultTopic)
  const zone = ctx.config.timezone
  // Without dates: the 30 days up to the topic's newest post (a database of old posts still shows them).
  const latest = latestPostAt(ctx.db, topic.id) ?? ctx.now().getTime()
  const toText = opt(p, 'to') ?? DateTime.fromMillis(latest, { zone }).toISODate()!
  const to = parseUserTime(toText, zone, 'to', 'to')
  const fromText = opt(p, 'from') ?? DateTime.fromMillis(to, { zone }).minus({ days: DEFAULT_DAYS }).toISODate()!
  const from = parseUserTime(fromText, zone, 'from', 'from')
  if (to <= from) throw new UsageError('to: must be after from')

  const bucket = (opt(p, 'bucket') ?? 'day') as BucketUnit
  if (!BUCKETS.includes(bucket)) throw new UsageError(`bucket: one of ${BUCKETS.join(', ')}`)
  const hours = { hour: 1, day: 24, week: 168 }[bucket]
  if ((to - from) / 3_600_000 / hours > MAX_BUCKETS)
    throw new UsageError(`bucket: more than ${MAX_BUCKETS} ${bucket}s; choose a wider bucket or a shorter range`)

  const platform = opt(p, 'platform') as Filters['platform']
  const lang = opt(p, 'lang')
  const theme = opt(p, 'theme')
  const label = opt(p, 'label')
  const conf = opt(p, 'min_confidence')
  const minConfidence = conf === undefined ? undefined : Number(conf)
  // The same check as `stancewatch export --label … --min-confidence …`: the same values are valid in both.
  const [problem] = checkPostFilter(topic, { labels: label === undefined ? undefined : [label], lang, platform, theme, minConfidence })
  if (problem) throw new UsageError(`${PARAM[problem.field]}=${problem.value}: ${problem.message}`)
  const q = opt(p, 'q')
  if (q !== undefined && q.length > 200) throw new UsageError('q: at most 200 characters')
  const sort = opt(p, 'sort') ?? 'time'
  if (sort !== 'time' && sort !== 'engagement') throw new UsageError('sort: time or engagement')
  const page = Number(opt(p, 'page') ?? 0)
  if (!Number.isInteger(page) || page < 0 || page > 10_000) throw new UsageError('page: a whole number from 0')
  return { topic, zone, from, to, fromText, toText, bucket, platform, lang, theme, label, minConfidence, q, sort, page }
}

/** The query string that gives these filters again (what links and the chart's clicks carry). */
export function filterQuery(f: Filters, over: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams()
  const all: Record<string, string | number | undefined> = {
    topic: f.topic.id,
    from: f.fromText,
    to: f.toText,
    bucket: f.bucket,
    platform: f.platform,
    lang: f.lang,
    theme: f.theme,
    label: f.label,
    min_confidence: f.minConfidence,
    q: f.q,
    sort: f.sort === 'time' ? undefined : f.sort,
    ...over,
  }
  for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== '') p.set(k, String(v))
  return p.toString()
}
