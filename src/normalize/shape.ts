/* Small guards for reading untrusted JSON without trusting its shape. */

export type Obj = Record<string, unknown>

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null
}

export function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null
}

/** A non-negative integer count, or 0 when the field is missing or nonsense. */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** Milliseconds since the epoch for a full ISO-8601 datetime, or null. Bare dates and garbage are rejected. */
export function parseIsoMs(v: unknown): number | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return null
  const ms = Date.parse(v)
  return Number.isFinite(ms) ? ms : null
}

const DAY_MS = 86_400_000
/** Year 10000: from there on toISOString writes six-digit years. */
const FOUR_DIGIT_YEARS_END = 253_402_300_800_000
let cachedDay = Number.NaN
let cachedDayPrefix = ''

/**
 * `new Date(ms).toISOString()`, exactly. Every post's time goes through here, and posts come in runs of the
 * same day: the date part is kept from the last call and only the time of day is written (a replay of 100k
 * posts spent a tenth of a second in toISOString).
 */
export function isoOf(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= FOUR_DIGIT_YEARS_END) return new Date(ms).toISOString()
  const day = Math.floor(ms / DAY_MS)
  if (day !== cachedDay) {
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11)
    cachedDay = day
  }
  let rest = ms - day * DAY_MS
  const milli = rest % 1000
  rest = (rest - milli) / 1000
  const sec = rest % 60
  rest = (rest - sec) / 60
  const min = rest % 60
  const hour = (rest - min) / 60
  return `${cachedDayPrefix}${two(hour)}:${two(min)}:${two(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`
}

/** Why an item was not turned into a post; counted per run, never fatal. */
export interface Skipped {
  reason: string
  id: string | null
}
