import type { Db } from './db.js'
import { POST_FILTER_SQL, postFilterParams, type PostFilter } from './post-filter.js'
import { stmt } from './statements.js'

export interface ExportRow {
  /** The membership's key after the topic (post_topics.created_at, post_id): where the next page starts. */
  position_at: number
  post_id: number
  platform: string
  platform_id: string
  url: string
  author_id: string
  author_handle: string | null
  author_name: string | null
  author_followers: number | null
  text: string
  lang: string | null
  lang_detected: string
  created_at: number
  created_at_source: string
  reply_to: string | null
  quote_of: string | null
  conversation_id: string | null
  likes: number | null
  reposts: number | null
  replies: number | null
  quotes: number | null
  first_seen_at: number
  deleted_at: number | null
  /** The post's own item (JSON), or '' when it is inside `payload`. */
  raw: string
  payload_id: number | null
  /** The payload the post arrived in, as received: only when asked for and the item is not in `raw`. */
  payload: string | null
  rules: string
  /** JSON array of the exported topic's theme ids. */
  themes: string
  stance_label: string | null
  stance_confidence: number | null
  stance_source: string | null
  model_version: string | null
  /** The assistant's label when it was asked about this post (migration 0015): model null when never asked. */
  assistant_label: string | null
  assistant_confidence: number | null
  assistant_model: string | null
  links: string
  topics: string
}

export interface ExportFilter {
  topicId: string
  from: number
  to: number
  includeDeleted: boolean
  /** Read each post's payload when its item is kept there (export --raw). */
  withPayloads: boolean
  /** Labels, language, platform, theme, confidence: see PostFilter. */
  posts?: PostFilter
}

/** Where a page of the export starts: after this post in (created_at, post id) order. */
export interface ExportPosition {
  createdAt: number
  postId: number
}

export const EXPORT_START: ExportPosition = { createdAt: Number.MIN_SAFE_INTEGER, postId: 0 }

/**
 * The next `limit` of a topic's posts in time order after `after`. Pages, not one long iteration: an open
 * statement would keep the connection busy between pages, and the dashboard's export waits for a slow
 * client between them while other requests (and the daemon's jobs) use the same connection.
 */
export function exportPage(db: Db, f: ExportFilter, after: ExportPosition, limit: number): ExportRow[] {
  return stmt(
    db,
    `SELECT pt.created_at AS position_at, pt.post_id, p.platform, p.platform_id, p.url, p.author_id, p.author_handle, p.author_name, p.author_followers, p.text,
            p.lang, p.lang_detected, p.created_at, p.created_at_source, p.reply_to, p.quote_of, p.conversation_id,
            p.likes, p.reposts, p.replies, p.quotes, p.first_seen_at, p.deleted_at, p.raw, p.payload_id,
            CASE WHEN @withPayloads AND p.raw = '' THEN (SELECT body FROM payloads WHERE id = p.payload_id) END AS payload,
            pt.rules, pt.themes, pt.stance_label, pt.stance_confidence, pt.stance_source, m.version AS model_version,
            a.label AS assistant_label, a.confidence AS assistant_confidence, a.model AS assistant_model,
            p.links AS links, p.topics AS topics
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id LEFT JOIN models m ON m.id = pt.stance_model_id
       LEFT JOIN assistant_labels a ON a.topic_id = pt.topic_id AND a.post_id = pt.post_id
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to
       AND (pt.created_at, pt.post_id) > (@afterCreatedAt, @afterPostId)
       AND (@includeDeleted OR p.deleted_at IS NULL)
       AND ${POST_FILTER_SQL}
     ORDER BY pt.created_at, pt.post_id
     LIMIT @limit`,
  ).all({
    topicId: f.topicId,
    from: f.from,
    to: f.to,
    afterCreatedAt: after.createdAt,
    afterPostId: after.postId,
    limit,
    includeDeleted: f.includeDeleted ? 1 : 0,
    withPayloads: f.withPayloads ? 1 : 0,
    ...postFilterParams(f.posts),
  }) as ExportRow[]
}
