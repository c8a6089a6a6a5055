import { DateTime } from 'luxon'
import { UsageError } from '../domain/errors.js'

export type BucketUnit = 'hour' | 'day' | 'week'

export interface Bucket {
  /** ISO with the zone's offset, e.g. 2025-03-09T00:00:00.000-05:00. */
  start: string
  end: string
  startMs: number
  endMs: number
}

/**
 * Consecutive buckets covering [fromMs, toMs) in a named zone. Days and weeks follow the wall clock, so a
 * daylight-saving day is 23 or 25 hours long; weeks start on Monday (ISO).
 */
export function bucketsBetween(fromMs: number, toMs: number, unit: BucketUnit, zone: string): Bucket[] {
  const out: Bucket[] = []
  let cur = DateTime.fromMillis(fromMs, { zone }).startOf(unit === 'week' ? 'week' : unit)
  while (cur.toMillis() < toMs) {
    const next = cur.plus({ [`${unit}s`]: 1 })
    out.push({ start: cur.toISO()!, end: next.toISO()!, startMs: cur.toMillis(), endMs: next.toMillis() })
    cur = next
  }
  return out
}

/**
 * A time a person typed: `YYYY-MM-DD` (midnight in the zone) or a full ISO datetime. For `--to`, a bare date
 * means the end of that day, since "to 2025-07-16" includes the 16th.
 */
export function parseUserTime(value: string, zone: string, edge: 'from' | 'to', flag: string): number {
  const v = value.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = DateTime.fromISO(v, { zone })
    if (!d.isValid) throw new UsageError(`${flag} ${value}: not a real date; write YYYY-MM-DD`)
    return (edge === 'to' ? d.plus({ days: 1 }) : d).toMillis()
  }
  const d = DateTime.fromISO(v, { zone, setZone: true })
  if (!d.isValid) throw new UsageError(`${flag} ${value}: not a date or time; write YYYY-MM-DD or an ISO time such as 2025-07-16T08:00`)
  return d.toMillis()
}

/** The calendar day a moment falls on, in the zone. */
export function dayOf(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate()!
}

export function dayRange(day: string, zone: string): { from: number; to: number } {
  const d = DateTime.fromISO(day, { zone })
  if (!d.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UsageError(`--date ${day}: not a real date; write YYYY-MM-DD`)
  return { from: d.toMillis(), to: d.plus({ days: 1 }).toMillis() }
}
