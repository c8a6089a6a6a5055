import type { StatusReport } from '../jobs/status.js'

/** One line of `status` per topic: the last 24 hours, open alerts and the last digest. */
export function topicActivityLine(t: StatusReport['topics'][number]): string {
  const d = t.lastDigest
  const digest = d ? `${d.day} (${d.deliveredAt ? `delivered ${d.deliveredAt.slice(0, 16).replace('T', ' ')}` : 'not delivered'})` : 'none yet'
  return `last 24 hours: ${t.postsLast24h} posts; open alerts: ${t.openAlerts}; last digest: ${digest}`
}
