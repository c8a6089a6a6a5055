import path from 'node:path'
import { DateTime } from 'luxon'
import type { Db } from '../store/db.js'
import { distinctPosts, sharedPosts, storedDigestOfDay } from '../store/topic-status.js'
import type { DigestAlert, DigestFacts, ShareChange } from './facts.js'

/** One topic's short section in the combined digest. */
export interface CombinedTopic {
  id: string
  name: string
  /** False: no digest of this topic was written for the day (not collected yet). */
  written: boolean
  posts: number
  previousDay: number | null
  stance: { label: string; name: string; count: number; share: number; vsPreviousDay: ShareChange | null }[]
  alerts: number
  /** The alert of the day with the highest score. */
  topAlert: DigestAlert | null
  /** The topic's own digest files by format, relative to the combined digest's folder. */
  links: Record<string, string>
}

/** The combined digest of a day: every topic side by side, read from the topics' stored digests of that day. */
export interface CombinedFacts {
  kind: 'combined'
  date: string
  timezone: string
  generatedAt: string
  /** Distinct posts of the day over all topics: a post matched by two topics counts once. */
  posts: number
  topics: CombinedTopic[]
  /** Posts stored once and matched by two topics, per pair of topics (pairs sharing none left out). */
  shared: { a: string; b: string; aName: string; bName: string; posts: number }[]
}

export function buildCombinedFacts(db: Db, topics: readonly { id: string; name: string }[], date: string, zone: string, now: Date, dir: string): CombinedFacts {
  const day = DateTime.fromISO(date, { zone })
  const from = day.startOf('day').toMillis()
  const to = day.plus({ days: 1 }).startOf('day').toMillis()
  const names = new Map(topics.map((t) => [t.id, t.name]))
  const ids = topics.map((t) => t.id)
  return {
    kind: 'combined',
    date,
    timezone: zone,
    generatedAt: now.toISOString(),
    posts: distinctPosts(db, ids, from, to),
    topics: topics.map((t) => section(t, storedDigestOfDay(db, t.id, date), dir)),
    shared: sharedPosts(db, ids, from, to)
      .filter((p) => p.posts > 0)
      .map((p) => ({ ...p, aName: names.get(p.a)!, bName: names.get(p.b)! })),
  }
}

function section(t: { id: string; name: string }, stored: { facts: unknown; files: string[] } | null, dir: string): CombinedTopic {
  if (!stored) return { id: t.id, name: t.name, written: false, posts: 0, previousDay: null, stance: [], alerts: 0, topAlert: null, links: {} }
  const f = stored.facts as DigestFacts
  const top = [...f.alerts].sort((a, b) => b.score - a.score)[0] ?? null
  return {
    id: t.id,
    name: f.topic.name,
    written: true,
    posts: f.volume.total,
    previousDay: f.volume.previousDay,
    stance: f.stance.map((l) => ({ label: l.label, name: l.name, count: l.count, share: l.share, vsPreviousDay: l.vsPreviousDay })),
    alerts: f.alerts.length,
    topAlert: top,
    // Relative links keep working wherever the digest folder is copied or published.
    links: Object.fromEntries(stored.files.map((file) => [path.extname(file).slice(1), path.relative(dir, file).split(path.sep).join('/')])),
  }
}

/** "Wednesday 16 July 2025" */
export function combinedDate(f: CombinedFacts): string {
  return DateTime.fromISO(f.date, { zone: f.timezone }).setLocale('en-GB').toFormat('cccc d LLLL yyyy')
}
