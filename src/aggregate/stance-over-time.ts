import { DateTime } from 'luxon'
import type { TopicConfig } from '../config/schema.js'
import { UNCERTAIN, UNCLASSIFIED } from '../domain/stance.js'
import type { Db } from '../store/db.js'
import { SLOT_MS, stanceRangeCounts, stanceSlotCountsPlain, type RangeCount } from '../store/stance.js'
import { coverageStart } from '../store/topic-coverage.js'
import { bucketsBetween, type Bucket, type BucketUnit } from './time-buckets.js'
import { wilson } from './wilson.js'

/** The group of posts tagged with no theme when the series is split by theme (theme ids cannot look like this). */
export const NO_THEME = '(none)'

export type Split = 'platform' | 'lang' | 'theme'

export interface LabelShare {
  label: string
  count: number
  /** Of which labelled by a person. */
  human: number
  share: number
  ci95: [number, number]
}

export interface StanceBucket {
  start: string
  end: string
  /** The platform, language or theme when the series is split. */
  group: string | null
  /**
   * False when the bucket ends before the topic's record begins (see coverageStart): nobody was watching,
   * so its zero counts mean "unknown", and it is shown as not collected.
   */
  collected: boolean
  total: number
  labels: LabelShare[]
}

export interface StanceSeries {
  topic: string
  timezone: string
  bucket: BucketUnit
  from: string
  to: string
  filters: { platform: string | null; lang: string | null; theme: string | null }
  split: Split | null
  /** Where the topic's record begins (ISO in the zone); null when it was never collected. */
  collectedFrom: string | null
  labels: string[]
  /**
   * Split by theme, a post with several themes counts once in each of their rows, so the rows of a bucket
   * can add up to more than its posts; `totals` counts every post once.
   */
  buckets: StanceBucket[]
  totals: StanceBucket
}

export interface StanceQuery {
  topic: TopicConfig
  from: number
  to: number
  bucket: BucketUnit
  zone: string
  platform?: string
  lang?: string
  /** Only posts tagged with this theme (an id of `topic.themes`). */
  theme?: string
  split?: Split
  /**
   * Where the counts come from: the aggregates kept by the database (the default), or a GROUP BY over every
   * post, the reference that tests and the benchmark compare them with.
   */
  counts?: 'aggregates' | 'posts'
}

/** Counts and shares per stance label per time bucket, with a 95% interval on every share. */
export function stanceOverTime(db: Db, q: StanceQuery): StanceSeries {
  const labels = [...q.topic.stance.labels.map((l) => l.id), UNCERTAIN, UNCLASSIFIED]
  const buckets = bucketsBetween(q.from, q.to, q.bucket, q.zone)
  const byTheme = q.split === 'theme'
  const cells = countCells(db, q, buckets, q.split ?? null)

  // counts[bucketIndex][group][label] = {n, human}
  const counts = buckets.map(() => new Map<string, Map<string, { n: number; human: number }>>())
  const total = new Map<string, { n: number; human: number }>()
  const groups = new Set<string>()
  for (const c of cells) {
    const group = byTheme ? (c.group ?? NO_THEME) : (c.group ?? '')
    groups.add(group)
    const byGroup = counts[c.range]!
    const byLabel = byGroup.get(group) ?? byGroup.set(group, new Map()).get(group)!
    bump(byLabel, c.label, c.n, c.human)
    if (!byTheme) bump(total, c.label, c.n, c.human)
  }
  // Theme rows overlap (multi-label): the totals count each post once, from the unsplit counts.
  if (byTheme) for (const c of countCells(db, q, buckets, null)) bump(total, c.label, c.n, c.human)
  const groupList = !q.split ? [''] : byTheme ? themeGroups(q.topic, groups) : [...groups].sort()
  const since = coverageStart(db, q.topic.id)
  const collected = (b: Bucket) => since !== null && b.endMs > since
  const out: StanceBucket[] = []
  buckets.forEach((b, i) => {
    for (const g of groupList) out.push(toBucket(b.start, b.end, q.split ? g : null, collected(b), counts[i]!.get(g), labels))
  })
  return {
    topic: q.topic.id,
    timezone: q.zone,
    bucket: q.bucket,
    from: buckets[0]?.start ?? new Date(q.from).toISOString(),
    to: buckets.at(-1)?.end ?? new Date(q.to).toISOString(),
    filters: { platform: q.platform ?? null, lang: q.lang ?? null, theme: q.theme ?? null },
    split: q.split ?? null,
    collectedFrom: since === null ? null : DateTime.fromMillis(since, { zone: q.zone }).toISO(),
    labels,
    buckets: out,
    totals: toBucket(buckets[0]?.start ?? '', buckets.at(-1)?.end ?? '', null, buckets.some(collected), total, labels),
  }
}

/**
 * Counts per bucket, label and group: from the maintained aggregates, or (`counts: 'posts'`) by the plain
 * GROUP BY over posts, placed in buckets by slot.
 */
function countCells(db: Db, q: StanceQuery, buckets: Bucket[], split: Split | null): RangeCount[] {
  const filter = { topicId: q.topic.id, platform: q.platform, lang: q.lang, theme: q.theme }
  if (q.counts !== 'posts') {
    // The first and last buckets can stick out of the range asked for: only the part inside counts.
    return stanceRangeCounts(
      db,
      filter,
      split,
      buckets.map((b) => ({ from: Math.max(b.startMs, q.from), to: Math.min(b.endMs, q.to) })),
    )
  }
  const rows = stanceSlotCountsPlain(db, { ...filter, from: q.from, to: q.to, byTheme: split === 'theme' })
  return rows.flatMap((r) => {
    const range = findBucket(buckets, r.slot * SLOT_MS)
    const group = split === 'platform' ? r.platform : split === 'lang' ? r.lang : split === 'theme' ? (r.theme ?? null) : null
    return range < 0 ? [] : [{ range, group, label: r.label, n: r.n, human: r.human }]
  })
}

/**
 * Every configured theme in config order (a theme nobody mentioned is a zero row, not a missing one), then
 * theme ids stored but no longer configured (until `retag`), then posts with no theme.
 */
function themeGroups(topic: TopicConfig, seen: Set<string>): string[] {
  const configured = topic.themes.map((t) => t.id)
  const stale = [...seen].filter((g) => g !== NO_THEME && !configured.includes(g)).sort()
  return [...configured, ...stale, ...(seen.has(NO_THEME) ? [NO_THEME] : [])]
}

function bump(m: Map<string, { n: number; human: number }>, label: string, n: number, human: number) {
  const c = m.get(label) ?? { n: 0, human: 0 }
  c.n += n
  c.human += human
  m.set(label, c)
}

function toBucket(
  start: string,
  end: string,
  group: string | null,
  collected: boolean,
  byLabel: Map<string, { n: number; human: number }> | undefined,
  labels: string[],
): StanceBucket {
  const total = [...(byLabel?.values() ?? [])].reduce((s, c) => s + c.n, 0)
  return {
    start,
    end,
    group,
    collected,
    total,
    labels: labels.map((label) => {
      const c = byLabel?.get(label) ?? { n: 0, human: 0 }
      const ci = wilson(c.n, total)
      return { label, count: c.n, human: c.human, share: total ? c.n / total : 0, ci95: [ci.low, ci.high] }
    }),
  }
}

/** Buckets are sorted and contiguous: binary search by start time. */
function findBucket(buckets: { startMs: number; endMs: number }[], at: number): number {
  let lo = 0
  let hi = buckets.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const b = buckets[mid]!
    if (at < b.startMs) hi = mid - 1
    else if (at >= b.endMs) lo = mid + 1
    else return mid
  }
  return -1
}
