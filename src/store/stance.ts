import type { Db } from './db.js'
import { stmt } from './statements.js'

/** Counts are grouped in 15-minute slots: every time zone's offset is a multiple of 15 minutes. */
export const SLOT_MS = 15 * 60_000

export interface SlotCount {
  slot: number
  platform: string
  lang: string
  /** Only with `byTheme`: one of the post's themes, or null for a post with none. */
  theme?: string | null
  label: string
  human: number
  n: number
}

export interface StanceFilter {
  topicId: string
  from: number
  to: number
  platform?: string
  lang?: string
  /** Only posts tagged with this theme. */
  theme?: string
  /** One row per theme of each post (a post with two themes counts in both; one with none under null). */
  byTheme?: boolean
}

export type StanceSplit = 'platform' | 'lang' | 'theme'

export interface TimeRange {
  from: number
  to: number
}

/** Counts of one label in one of the ranges asked for; rows with the same range, group and label add up. */
export interface RangeCount {
  /** Index into the ranges. */
  range: number
  /** The platform, language or theme (null: no theme) when split; null otherwise. */
  group: string | null
  label: string
  n: number
  human: number
}

/**
 * Label counts per slot, platform and detected language for a topic and time range. Deleted posts are
 * left out; posts not yet classified count as `unclassified`. Read from the aggregates that migration 0007
 * keeps; the same rows as {@link stanceSlotCountsPlain}.
 */
export function stanceSlotCounts(db: Db, f: StanceFilter): SlotCount[] {
  // The aggregates count each theme on its own: which other themes a theme's posts have is in posts only.
  if (f.byTheme && f.theme !== undefined) return stanceSlotCountsPlain(db, f)
  return piecewise(
    f,
    (range) => stanceSlotCountsPlain(db, { ...f, ...range }),
    (slots) => {
      const out: SlotCount[] = []
      for (const source of sourcesOf(db, f, f.byTheme ? 'theme' : null)) {
        for (const label of labelsOf(db, f.topicId, source)) {
          const rows = stmt(
            db,
            `SELECT slot, platform, lang, ${f.byTheme ? "nullif(theme, '') AS theme," : ''} label, human, n FROM ${source.table}
           WHERE ${keyPrefix(source)} AND label = @label AND slot >= @from AND slot < @to ${SLICE}`,
          ).all({ ...keyParams(f.topicId, source), label, ...slots, ...sliceParams(f) }) as SlotCount[]
          for (const r of rows) out.push(r)
        }
      }
      return out
    },
  )
}

/**
 * Counts per label (and platform, language or theme when split) in each time range, from the aggregates:
 * a few index seeks and a sum per label and range, whatever the number of posts. Parts of a range that do
 * not fill a whole slot (times typed to the minute) are counted from the posts.
 */
export function stanceRangeCounts(
  db: Db,
  f: Omit<StanceFilter, 'from' | 'to' | 'byTheme'>,
  split: StanceSplit | null,
  ranges: readonly TimeRange[],
): RangeCount[] {
  const groupOf = (r: SlotCount): string | null =>
    split === 'platform' ? r.platform : split === 'lang' ? r.lang : split === 'theme' ? (r.theme ?? null) : null
  const fromPosts = (range: TimeRange, i: number): RangeCount[] =>
    stanceSlotCountsPlain(db, { ...f, ...range, byTheme: split === 'theme' }).map((r) => ({
      range: i,
      group: groupOf(r),
      label: r.label,
      n: r.n,
      human: r.human,
    }))
  if (split === 'theme' && f.theme !== undefined) return ranges.flatMap(fromPosts)

  // One reader per source and label, prepared once: a long series runs each for every range.
  const column = split === 'platform' || split === 'lang' ? split : null
  const readers = sourcesOf(db, f, split).flatMap((source) => {
    const sum = stmt(
      db,
      `SELECT ${column ?? 'NULL'}, sum(n), sum(human) FROM ${source.table}
       WHERE ${keyPrefix(source)} AND label = @label AND slot >= @from AND slot < @to ${SLICE}
       ${column ? `GROUP BY ${column}` : ''}`,
    ).raw(true)
    const group = split === 'theme' ? source.theme || null : null
    return labelsOf(db, f.topicId, source).map((label) => ({
      sum,
      group,
      label,
      params: { ...keyParams(f.topicId, source), label, ...sliceParams(f), from: 0, to: 0 },
    }))
  })
  const out: RangeCount[] = []
  ranges.forEach((range, i) => {
    const counts = piecewise(
      range,
      (part) => fromPosts(part, i),
      (slots) => {
        const found: RangeCount[] = []
        for (const r of readers) {
          r.params.from = slots.from
          r.params.to = slots.to
          for (const [grp, n, human] of r.sum.all(r.params) as [string | null, number | null, number][]) {
            if (n) found.push({ range: i, group: column ? grp : r.group, label: r.label, n, human })
          }
        }
        return found
      },
    )
    for (const c of counts) out.push(c)
  })
  return out
}

/**
 * The reference: the same counts by a GROUP BY over every post of the range. Kept for the tests that prove
 * the aggregates equal it, for the benchmark, and for the few questions the aggregates cannot answer.
 */
export function stanceSlotCountsPlain(db: Db, f: StanceFilter): SlotCount[] {
  // Themes are a JSON array per row: json_each unnests it (a LEFT JOIN keeps posts without themes).
  return stmt(
    db,
    `SELECT pt.created_at / ${SLOT_MS} AS slot, p.platform AS platform, p.lang_detected AS lang,
            ${f.byTheme ? 'th.value AS theme,' : ''}
            coalesce(pt.stance_label, 'unclassified') AS label,
            sum(pt.stance_source IS 'human') AS human, count(*) AS n
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     ${f.byTheme ? 'LEFT JOIN json_each(pt.themes) th' : ''}
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL
       AND (@platform IS NULL OR p.platform = @platform) AND (@lang IS NULL OR p.lang_detected = @lang)
       AND (@theme IS NULL OR EXISTS (SELECT 1 FROM json_each(pt.themes) WHERE value = @theme))
     GROUP BY slot, p.platform, p.lang_detected, ${f.byTheme ? 'theme, ' : ''}label`,
  ).all({ topicId: f.topicId, from: f.from, to: f.to, platform: f.platform ?? null, lang: f.lang ?? null, theme: f.theme ?? null }) as SlotCount[]
}

/** Where the counts of a filter are kept: the topic's table, or one theme's part of the theme table. */
interface Source {
  table: 'stance_slots' | 'stance_theme_slots'
  /** For the theme table: the theme ('' for posts with none). */
  theme?: string
}

const SLICE = 'AND (@platform IS NULL OR platform = @platform) AND (@lang IS NULL OR lang = @lang)'

function sliceParams(f: { platform?: string; lang?: string }) {
  return { platform: f.platform ?? null, lang: f.lang ?? null }
}

function keyPrefix(s: Source): string {
  return s.table === 'stance_theme_slots' ? 'topic_id = @topicId AND theme = @theme' : 'topic_id = @topicId'
}

function keyParams(topicId: string, s: Source): Record<string, string> {
  return s.table === 'stance_theme_slots' ? { topicId, theme: s.theme! } : { topicId }
}

function sourcesOf(db: Db, f: { topicId: string; theme?: string }, split: StanceSplit | null): Source[] {
  if (split === 'theme')
    return distinctKeys(db, 'stance_theme_slots', 'theme', 'topic_id = @topicId', { topicId: f.topicId }).map((theme) => ({
      table: 'stance_theme_slots',
      theme,
    }))
  if (f.theme !== undefined) return [{ table: 'stance_theme_slots', theme: f.theme }]
  return [{ table: 'stance_slots' }]
}

function labelsOf(db: Db, topicId: string, s: Source): string[] {
  return distinctKeys(db, s.table, 'label', keyPrefix(s), keyParams(topicId, s))
}

/**
 * The distinct values of the key column that follows `prefix`, one index seek each: without statistics
 * SQLite would read every row to find the handful of labels or themes.
 */
function distinctKeys(db: Db, table: string, column: string, prefix: string, params: Record<string, string>): string[] {
  const first = stmt(db, `SELECT min(${column}) FROM ${table} WHERE ${prefix}`).pluck()
  const next = stmt(db, `SELECT min(${column}) FROM ${table} WHERE ${prefix} AND ${column} > @after`).pluck()
  const out: string[] = []
  for (let v = first.get(params) as string | null; v !== null; v = next.get({ ...params, after: v }) as string | null) out.push(v)
  return out
}

/**
 * Answer [from, to) from the aggregates for its whole slots and from the posts for the minutes before the
 * first and after the last whole slot (none when the range starts and ends on a quarter hour, as buckets do).
 */
function piecewise<T>(range: TimeRange, fromPosts: (part: TimeRange) => T[], fromSlots: (slots: TimeRange) => T[]): T[] {
  const first = Math.ceil(range.from / SLOT_MS)
  const end = Math.floor(range.to / SLOT_MS)
  if (first >= end) return range.from < range.to ? fromPosts(range) : []
  return [
    ...(range.from < first * SLOT_MS ? fromPosts({ from: range.from, to: first * SLOT_MS }) : []),
    ...fromSlots({ from: first, to: end }),
    ...(end * SLOT_MS < range.to ? fromPosts({ from: end * SLOT_MS, to: range.to }) : []),
  ]
}
