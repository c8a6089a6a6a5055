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

export function isoOf(ms: number): string {
  return new Date(ms).toISOString()
}

/** Why an item was not turned into a post; counted per run, never fatal. */
export interface Skipped {
  reason: string
  id: string | null
}
