import type { Db } from './db.js'
import { POST_FILTER_SQL, postFilterParams, type PostFilter } from './post-filter.js'
import { stmt } from './statements.js'

/** A page of the dashboard's posts view: the topic, the range, the filters `stancewatch export` shares, and the order. */
export interface PostsFilter {
  topicId: string
  from: number
  to: number
  posts: PostFilter
  sort: 'time' | 'engagement'
  offset: number
  limit: number
}

export interface DashboardPost {
  id: number
  platform: string
  platformId: string
  url: string
  authorHandle: string | null
  authorName: string | null
  text: string
  lang: string
  createdAt: number
  likes: number | null
  reposts: number | null
  replies: number | null
  quotes: number | null
  engagement: number
  replyTo: string | null
  quoteOf: string | null
  themes: string
  label: string | null
  confidence: number | null
  source: 'model' | 'human' | null
  modelVersion: string | null
  /** The optional assistant's label (`unsure` when it could not say); null when it was never asked. Never the post's stance. */
  assistantLabel: string | null
}

const ENGAGEMENT = 'coalesce(p.likes, 0) + coalesce(p.reposts, 0) + coalesce(p.replies, 0) + coalesce(p.quotes, 0)'

/** Up to this long, a range's posts are read and sorted by engagement; longer ones are walked in engagement order. */
const SORT_RANGE_MS = 3 * 86_400_000

const COLUMNS = `p.id, p.platform, p.platform_id AS platformId, p.url, p.author_handle AS authorHandle, p.author_name AS authorName, p.text,
  p.lang_detected AS lang, p.created_at AS createdAt, p.likes, p.reposts, p.replies, p.quotes, ${ENGAGEMENT} AS engagement,
  p.reply_to AS replyTo, p.quote_of AS quoteOf, pt.themes, pt.stance_label AS label, pt.stance_confidence AS confidence,
  pt.stance_source AS source, m.version AS modelVersion,
  (SELECT coalesce(a.label, 'unsure') FROM assistant_labels a WHERE a.topic_id = pt.topic_id AND a.post_id = pt.post_id) AS assistantLabel`

const FILTERS = `pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL AND ${POST_FILTER_SQL}`

/**
 * One page of a topic's posts, newest first or most engaged first; deleted posts are left out, as in stance
 * counts. Newest first walks the post_topics key backwards, so a page costs the rows it reads, not the range.
 * Most engaged first: a short range is read and sorted; a long one is walked along the engagement index
 * (migration 0014) until the page is full, since most of its posts qualify.
 */
export function postsPage(db: Db, f: PostsFilter): DashboardPost[] {
  const walkEngagement = f.sort === 'engagement' && f.to - f.from > SORT_RANGE_MS
  const sql = walkEngagement
    ? `SELECT ${COLUMNS} FROM posts p INDEXED BY posts_engagement
       JOIN post_topics pt ON pt.topic_id = @topicId AND pt.created_at = p.created_at AND pt.post_id = p.id
       LEFT JOIN models m ON m.id = pt.stance_model_id
       WHERE ${FILTERS}
       ORDER BY ${ENGAGEMENT} DESC, p.created_at DESC, p.id DESC LIMIT @limit OFFSET @offset`
    : `SELECT ${COLUMNS} FROM post_topics pt JOIN posts p ON p.id = pt.post_id LEFT JOIN models m ON m.id = pt.stance_model_id
       WHERE pt.topic_id = @topicId AND ${FILTERS}
       ORDER BY ${f.sort === 'engagement' ? `${ENGAGEMENT} DESC, pt.created_at DESC, pt.post_id DESC` : 'pt.created_at DESC, pt.post_id DESC'}
       LIMIT @limit OFFSET @offset`
  return stmt(db, sql).all({
    topicId: f.topicId,
    from: f.from,
    to: f.to,
    ...postFilterParams(f.posts),
    limit: f.limit,
    offset: f.offset,
  }) as DashboardPost[]
}

export interface ThreadPost {
  id: number
  platform: string
  platformId: string
  url: string
  authorHandle: string | null
  text: string
  createdAt: number
}

/** Stored posts by their platform ids (what `reply_to` and `quote_of` name): the thread context shown beside a post. */
export function postsByPlatformIds(db: Db, platform: string, ids: readonly string[]): ThreadPost[] {
  const one = stmt(
    db,
    `SELECT id, platform, platform_id AS platformId, url, author_handle AS authorHandle, text, created_at AS createdAt
     FROM posts WHERE platform = ? AND platform_id = ? AND deleted_at IS NULL`,
  )
  return [...new Set(ids)].flatMap((id) => {
    const row = one.get(platform, id) as ThreadPost | undefined
    return row ? [row] : []
  })
}

/** The time of a topic's newest post (one seek on the post_topics key): where the dashboard's default range ends. */
export function latestPostAt(db: Db, topicId: string): number | null {
  return (stmt(db, 'SELECT max(created_at) FROM post_topics WHERE topic_id = ?').pluck().get(topicId) as number | null) ?? null
}

/** How many labels people have given a topic (its training set beyond the seeds). */
export function peopleLabelCount(db: Db, topicId: string): number {
  return stmt(db, "SELECT count(*) FROM labels WHERE topic_id = ? AND source = 'human'").pluck().get(topicId) as number
}
