import type { Platform } from '../domain/post.js'
import type { GapRecord } from '../store/alerts.js'
import { HOUR_MS } from './visible-counts.js'

/** Which platforms a collector's gap leaves uncovered; null: it cannot be told, so all of them. */
export function platformsOfSource(source: string): Platform[] | null {
  if (source === 'x' || source === 'x-backfill') return ['x']
  if (source === 'bluesky' || source === 'jetstream' || source === 'bluesky-backfill') return ['bluesky']
  return null
}

/**
 * Coverage gaps as a check at a given moment knew them. From the first live collection on, a gap counts
 * from when it was detected until it was repaired; for history loaded before that, the gaps known today.
 */
export class Coverage {
  constructor(
    private readonly gaps: readonly GapRecord[],
    private readonly liveSince: number | null,
  ) {}

  /** Gaps open as of `asOf` that leave `scope` (a platform, or null for all) uncovered somewhere in [from, to). */
  gapsAt(scope: Platform | null, from: number, to: number, asOf: number): GapRecord[] {
    const live = this.liveSince !== null && asOf >= this.liveSince
    return this.gaps.filter((g) => {
      if (g.startAt >= to || g.endAt <= from) return false
      const open = live ? g.detectedAt <= asOf && (g.repairedAt === null || g.repairedAt > asOf) : g.repairedAt === null
      if (!open) return false
      const platforms = platformsOfSource(g.source)
      return scope === null || platforms === null || platforms.includes(scope)
    })
  }

  /**
   * Per hour in [fromHour, toHour): false where the count is not the whole story — in an open gap, or
   * before `historyStart` (a partly collected first hour included).
   */
  knownHours(scope: Platform | null, fromHour: number, toHour: number, asOf: number, historyStart: number | null): boolean[] {
    const firstFullHour = historyStart === null ? Infinity : Math.ceil(historyStart / HOUR_MS)
    const known: boolean[] = []
    for (let h = fromHour; h < toHour; h++) known.push(h >= firstFullHour)
    for (const g of this.gapsAt(scope, fromHour * HOUR_MS, toHour * HOUR_MS, asOf)) {
      const a = Math.max(fromHour, Math.floor(g.startAt / HOUR_MS))
      const b = Math.min(toHour, Math.ceil(g.endAt / HOUR_MS))
      for (let h = a; h < b; h++) known[h - fromHour] = false
    }
    return known
  }
}
