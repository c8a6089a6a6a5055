import type { AppContext } from '../context.js'
import { lastDigest, openAlertCount, topicPostsSince } from '../store/topic-status.js'

const DAY_MS = 86_400_000
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** What `status` adds per topic beside its totals: the last 24 hours, open alerts, the last digest written. */
export function topicActivity(ctx: AppContext, topicId: string, now: number) {
  const d = lastDigest(ctx.db, topicId)
  return {
    postsLast24h: topicPostsSince(ctx.db, topicId, now - DAY_MS),
    openAlerts: openAlertCount(ctx.db, topicId),
    lastDigest: d ? { day: d.day, generatedAt: iso(d.generatedAt), deliveredAt: iso(d.deliveredAt), files: d.files } : null,
  }
}
