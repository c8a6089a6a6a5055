import type { Db } from './db.js'
import { stmt } from './statements.js'

export const HOUR_MS = 3_600_000

/** Posts per hour of a topic in [from, to) (hour-aligned), optionally one platform; deleted posts excluded. */
export function hourlyCounts(db: Db, topicId: string, from: number, to: number, platform: string | null): number[] {
  const hours = Math.ceil((to - from) / HOUR_MS)
  const out = new Array<number>(hours).fill(0)
  const rows = stmt(
    db,
    // CAST: better-sqlite3 binds JS numbers as REAL, which would make this division fractional.
    `SELECT CAST((pt.created_at - @from) / ${HOUR_MS} AS INTEGER) AS h, count(*) AS n
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL
       AND (@platform IS NULL OR p.platform = @platform)
     GROUP BY h`,
  ).all({ topicId, from, to, platform }) as { h: number; n: number }[]
  for (const r of rows) if (r.h >= 0 && r.h < hours) out[r.h] = r.n
  return out
}

/** Time of a topic's first stored post: the history an expected volume can be learned from starts here. */
export function firstPostAt(db: Db, topicId: string): number | null {
  return (stmt(db, 'SELECT min(created_at) FROM post_topics WHERE topic_id = ?').pluck().get(topicId) as number | null) ?? null
}

export interface WindowPost {
  id: number
  platform: string
  url: string
  authorHandle: string | null
  authorId: string
  text: string
  lang: string
  createdAt: number
  likes: number
  reposts: number
  replies: number
  quotes: number
  engagement: number
  label: string | null
  labelSource: string | null
  /** The model's confidence in the label; null for a person's label and unclassified posts. */
  confidence: number | null
  rules: string
}

/**
 * The posts of a topic in a time range, with their current label: the material of alert context and digests.
 * `seenBy`: only posts collected by `asOf` (history from before `liveSince` counts as collected when posted),
 * so an alert checked as of a past time describes what that check could see.
 */
export function postsInWindow(
  db: Db,
  topicId: string,
  from: number,
  to: number,
  platform: string | null,
  seenBy?: { asOf: number; liveSince: number | null },
): WindowPost[] {
  return stmt(
    db,
    `SELECT p.id, p.platform, p.url, p.author_handle AS authorHandle, p.author_id AS authorId, p.text,
            p.lang_detected AS lang, p.created_at AS createdAt,
            coalesce(p.likes, 0) AS likes, coalesce(p.reposts, 0) AS reposts, coalesce(p.replies, 0) AS replies, coalesce(p.quotes, 0) AS quotes,
            coalesce(p.likes, 0) + coalesce(p.reposts, 0) + coalesce(p.replies, 0) + coalesce(p.quotes, 0) AS engagement,
            pt.stance_label AS label, pt.stance_source AS labelSource,
            CASE WHEN pt.stance_source = 'human' THEN NULL ELSE pt.stance_confidence END AS confidence, pt.rules AS rules
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL
       AND (@platform IS NULL OR p.platform = @platform)
       AND (@asOf IS NULL OR pt.created_at < @liveSince OR pt.matched_at <= @asOf)
     ORDER BY pt.created_at`,
  ).all({ topicId, from, to, platform, asOf: seenBy?.asOf ?? null, liveSince: seenBy?.liveSince ?? Number.MAX_SAFE_INTEGER }) as WindowPost[]
}
