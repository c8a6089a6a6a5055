import type { BucketUnit } from '../aggregate/time-buckets.js'

const NOMINAL_HOURS: Record<BucketUnit, number> = { hour: 1, day: 24, week: 168 }

/**
 * How a person reads each bucket start (ISO with the zone's offset): the local date, or date and time for
 * hours. The hour that repeats when clocks fall back would read the same twice, so repeated texts carry
 * their UTC offset.
 */
export function bucketLabels(starts: readonly string[], unit: BucketUnit): Map<string, string> {
  const plain = (iso: string) => (unit === 'hour' ? iso.slice(0, 16).replace('T', ' ') : iso.slice(0, 10))
  const seen = new Map<string, Set<string>>()
  for (const iso of starts) {
    const text = plain(iso)
    seen.set(text, (seen.get(text) ?? new Set()).add(iso))
  }
  return new Map(starts.map((iso) => [iso, seen.get(plain(iso))!.size > 1 ? `${plain(iso)} ${iso.slice(23)}` : plain(iso)]))
}

/** A day or week made shorter or longer by a daylight-saving change: its length, e.g. "25 h"; otherwise null. */
export function unusualLength(start: string, end: string, unit: BucketUnit): string | null {
  const hours = (Date.parse(end) - Date.parse(start)) / 3_600_000
  return hours === NOMINAL_HOURS[unit] ? null : `${hours} h`
}
