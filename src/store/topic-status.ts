import type { Db } from './db.js'
import { stmt } from './statements.js'

/** A topic's posts written since `since` (by when they were posted): read off the (topic, created_at) key. */
export function topicPostsSince(db: Db, topicId: string, since: number): number {
  return stmt(db, 'SELECT count(*) FROM post_topics WHERE topic_id = ? AND created_at >= ?').pluck().get(topicId, since) as number
}

export function openAlertCount(db: Db, topicId: string): number {
  return stmt(db, "SELECT count(*) FROM alerts WHERE topic_id = ? AND state = 'open'").pluck().get(topicId) as number
}

export interface LastDigest {
  day: string
  generatedAt: number
  deliveredAt: number | null
  files: string[]
}

export function lastDigest(db: Db, topicId: string): LastDigest | null {
  const row = stmt(
    db,
    'SELECT day, generated_at AS generatedAt, delivered_at AS deliveredAt, files FROM digests WHERE topic_id = ? ORDER BY day DESC LIMIT 1',
  ).get(topicId) as (Omit<LastDigest, 'files'> & { files: string }) | undefined
  return row ? { ...row, files: JSON.parse(row.files) as string[] } : null
}

/**
 * Posts stored once and matched by several topics, posted in [from, to) and not deleted: each pair of
 * topics and how many posts it shares.
 */
export function sharedPosts(db: Db, topicIds: readonly string[], from = 0, to = Number.MAX_SAFE_INTEGER): { a: string; b: string; posts: number }[] {
  const count = stmt(
    db,
    `SELECT count(*) FROM post_topics x
       JOIN post_topics y ON y.topic_id = @b AND y.created_at = x.created_at AND y.post_id = x.post_id
       JOIN posts p ON p.id = x.post_id AND p.deleted_at IS NULL
     WHERE x.topic_id = @a AND x.created_at >= @from AND x.created_at < @to`,
  ).pluck()
  const pairs: { a: string; b: string; posts: number }[] = []
  for (const [i, a] of topicIds.entries()) for (const b of topicIds.slice(i + 1)) pairs.push({ a, b, posts: count.get({ a, b, from, to }) as number })
  return pairs
}

/** Distinct posts (not deleted) posted in [from, to) under any of these topics: a post in two topics counts once. */
export function distinctPosts(db: Db, topicIds: readonly string[], from: number, to: number): number {
  if (topicIds.length === 0) return 0
  return stmt(
    db,
    `SELECT count(DISTINCT pt.post_id) FROM post_topics pt JOIN posts p ON p.id = pt.post_id AND p.deleted_at IS NULL
     WHERE pt.topic_id IN (SELECT value FROM json_each(@ids)) AND pt.created_at >= @from AND pt.created_at < @to`,
  )
    .pluck()
    .get({ ids: JSON.stringify(topicIds), from, to }) as number
}

/** A topic's stored digest of a day: its facts (JSON, as written) and the files it was written to. */
export function storedDigestOfDay(db: Db, topicId: string, day: string): { facts: unknown; files: string[] } | null {
  const row = stmt(db, 'SELECT facts, files FROM digests WHERE topic_id = ? AND day = ?').get(topicId, day) as { facts: string; files: string } | undefined
  return row ? { facts: JSON.parse(row.facts) as unknown, files: JSON.parse(row.files) as string[] } : null
}
