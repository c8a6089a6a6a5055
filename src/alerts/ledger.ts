import type { NewAlert } from '../store/alerts.js'

/** Earlier alerts, as the rules need them: where (platform) and when (window end) each ended. */
export interface AlertLedger {
  endsSince(kind: string, topicId: string, since: number): { platform: string | null; windowEnd: number }[]
  /** Keep a new alert; its id, or null when the same event (dedupe key) is already kept. */
  keep(alert: NewAlert): number | null
}

/** A ledger that keeps alerts in memory only: backtests store and send nothing. */
export class MemoryLedger implements AlertLedger {
  private readonly alerts: NewAlert[] = []
  private readonly keys = new Set<string>()

  endsSince(kind: string, topicId: string, since: number): { platform: string | null; windowEnd: number }[] {
    return this.alerts
      .filter((a) => a.kind === kind && a.topicId === topicId && a.windowEnd >= since)
      .map((a) => ({ platform: a.platform, windowEnd: a.windowEnd }))
      .sort((a, b) => b.windowEnd - a.windowEnd)
  }

  keep(alert: NewAlert): number | null {
    if (this.keys.has(alert.dedupeKey)) return null
    this.keys.add(alert.dedupeKey)
    this.alerts.push(alert)
    return this.alerts.length
  }
}
