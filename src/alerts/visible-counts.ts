import type { SeenCount } from '../store/alerts.js'

export const HOUR_MS = 3_600_000

interface Cell {
  /** Collection minutes, ascending. */
  seen: number[]
  /** Posts collected by each of those minutes. */
  cumulative: number[]
}

/**
 * Hourly counts per category (a stance label, or one category for volume) as they stood at any moment: a
 * check as of T counts only posts collected by T. Loaded once, so a backtest replays hundreds of checks
 * without going back to the database.
 */
export class VisibleCounts {
  private readonly cells = new Map<number, Cell>()

  constructor(
    readonly categories: readonly string[],
    rows: readonly SeenCount[],
  ) {
    const index = new Map(categories.map((c, i) => [c, i]))
    const grouped = new Map<number, Map<number, number>>()
    for (const r of rows) {
      const c = index.get(r.label)
      if (c === undefined) continue
      const key = r.hour * categories.length + c
      let m = grouped.get(key)
      if (!m) grouped.set(key, (m = new Map<number, number>()))
      m.set(r.seenMinute, (m.get(r.seenMinute) ?? 0) + r.n)
    }
    for (const [key, m] of grouped) {
      const seen = [...m.keys()].sort((a, b) => a - b)
      let total = 0
      this.cells.set(key, { seen, cumulative: seen.map((s) => (total += m.get(s)!)) })
    }
  }

  /** Count of one category in one hour (hours since the epoch), as collected by `asOf`. */
  count(hour: number, category: number, asOf: number): number {
    const cell = this.cells.get(hour * this.categories.length + category)
    if (!cell) return 0
    const minute = Math.floor(asOf / 60_000)
    const { seen, cumulative } = cell
    if (minute >= seen[seen.length - 1]!) return cumulative[cumulative.length - 1]!
    // The last collection minute at or before `minute`.
    let lo = 0
    let hi = seen.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (seen[mid]! <= minute) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found < 0 ? 0 : cumulative[found]!
  }

  /** Per hour in [fromHour, toHour), the count of every category, as collected by `asOf`. */
  table(fromHour: number, toHour: number, asOf: number): number[][] {
    const out: number[][] = []
    for (let h = fromHour; h < toHour; h++) out.push(this.categories.map((_, c) => this.count(h, c, asOf)))
    return out
  }

  /** Per hour in [fromHour, toHour), all categories together. */
  totals(fromHour: number, toHour: number, asOf: number): number[] {
    const out: number[] = []
    for (let h = fromHour; h < toHour; h++) {
      let n = 0
      for (let c = 0; c < this.categories.length; c++) n += this.count(h, c, asOf)
      out.push(n)
    }
    return out
  }
}
