import type { PostRef } from '../domain/post-ref.js'
import type { Db } from './db.js'
import { stmt } from './statements.js'

export interface FoundPost {
  id: number
  platform: string
  platformId: string
  url: string
  text: string
  createdAt: number
  topics: string[]
  deleted: boolean
}

/** The stored post a reference names; a web URL of a Bluesky post matches its author's handle or DID. */
export function findPost(db: Db, ref: PostRef): FoundPost | null {
  const select = `SELECT id, platform, platform_id AS platformId, url, text, created_at AS createdAt, topics, deleted_at IS NOT NULL AS deleted FROM posts`
  type Row = Omit<FoundPost, 'topics' | 'deleted'> & { topics: string; deleted: number }
  const one = (sql: string, ...args: unknown[]) => stmt(db, `${select} WHERE ${sql}`).get(...args) as Row | undefined
  let row: Row | undefined
  switch (ref.kind) {
    case 'row':
      row = one('id = ?', ref.id)
      break
    case 'tweet':
      row = one("platform = 'x' AND platform_id = ?", ref.id)
      break
    case 'bluesky-web':
      row = one(
        "platform = 'bluesky' AND (platform_id = ? OR (platform_id LIKE ? AND (author_handle = ? OR author_id = ?)))",
        `at://${ref.actor}/app.bsky.feed.post/${ref.rkey}`,
        `%/app.bsky.feed.post/${ref.rkey}`,
        ref.actor,
        ref.actor,
      )
      break
    case 'bluesky-uri':
      row = one("platform = 'bluesky' AND platform_id = ?", ref.uri)
      break
    case 'digits':
      row = one("platform = 'x' AND platform_id = ?", ref.digits) ?? one('id = ?', Number(ref.digits))
      break
    case 'unknown':
      break
    default: {
      const never: never = ref
      throw new Error(`unknown post reference ${JSON.stringify(never)}`)
    }
  }
  if (!row) return null
  return { ...row, topics: JSON.parse(row.topics) as string[], deleted: Boolean(row.deleted) }
}

/**
 * A person's label: it replaces the model's label for this post and topic, survives every later model,
 * and joins the topic's training set.
 */
export function setHumanLabel(db: Db, post: FoundPost, topicId: string, label: string, author: string | null, at: number): void {
  db.transaction(() => {
    stmt(
      db,
      "UPDATE post_topics SET stance_label = ?, stance_confidence = NULL, stance_source = 'human' WHERE topic_id = ? AND created_at = ? AND post_id = ?",
    ).run(label, topicId, post.createdAt, post.id)
    stmt(
      db,
      `INSERT INTO labels (topic_id, post_id, text, label, source, author, created_at) VALUES (?, ?, ?, ?, 'human', ?, ?)
       ON CONFLICT (topic_id, post_id) WHERE post_id IS NOT NULL DO UPDATE SET label = excluded.label, text = excluded.text, author = excluded.author, created_at = excluded.created_at`,
    ).run(topicId, post.id, post.text, label, author, at)
  })()
}

/** Take a person's label back: the post returns to the model at the next classify run. */
export function clearHumanLabel(db: Db, post: FoundPost, topicId: string): boolean {
  return db.transaction(() => {
    const removed = stmt(db, 'DELETE FROM labels WHERE topic_id = ? AND post_id = ?').run(topicId, post.id).changes
    stmt(
      db,
      "UPDATE post_topics SET stance_source = NULL, stance_label = NULL, stance_confidence = NULL, stance_model_id = NULL WHERE topic_id = ? AND created_at = ? AND post_id = ? AND stance_source = 'human'",
    ).run(topicId, post.createdAt, post.id)
    return removed > 0
  })()
}

export interface ReviewCandidate {
  id: number
  platform: string
  url: string
  author: string | null
  text: string
  createdAt: number
  label: string
  confidence: number
  scores: Record<string, number>
}

/**
 * The posts the active model labelled least confidently (at least 200, and five times `n`: enough to hold
 * the `n` most unsure by any measure of its scores), among those no person has labelled (nor copies of what a
 * person labelled). `review` ranks them (`mostUncertainFirst`).
 */
export function leastCertain(db: Db, topicId: string, modelId: number, n: number): ReviewCandidate[] {
  const rows = stmt(
    db,
    `SELECT p.id, p.platform, p.url, p.author_handle AS author, p.text, p.created_at AS createdAt, pt.stance_label AS label,
            pt.stance_confidence AS confidence, c.scores AS scores
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     JOIN classifications c ON c.post_id = pt.post_id AND c.topic_id = pt.topic_id AND c.model_id = ?
     WHERE pt.topic_id = ? AND pt.stance_source = 'model' AND p.deleted_at IS NULL AND c.recalled_similarity IS NULL
     ORDER BY pt.stance_confidence ASC LIMIT ?`,
  ).all(modelId, topicId, leastCertainPool(n)) as (Omit<ReviewCandidate, 'scores'> & { scores: string })[]
  return rows.map((r) => ({ ...r, scores: JSON.parse(r.scores) as Record<string, number> }))
}

/** How many of the least confident posts `leastCertain` reads to offer `n`. */
export const leastCertainPool = (n: number): number => Math.max(n * 5, 200)

export interface UnlabelledPost {
  id: number
  platform: string
  url: string
  author: string | null
  text: string
  createdAt: number
  lang: string
  engagement: number
}

/**
 * A topic's posts no person has labelled, the most engaged first within each detected language (at most
 * `perLang` of each), for a topic with no model yet: there are no scores to rank them by.
 */
export function unlabelledByLanguage(db: Db, topicId: string, perLang: number): UnlabelledPost[] {
  return stmt(
    db,
    `SELECT id, platform, url, author, text, createdAt, lang, engagement FROM (
       SELECT p.id, p.platform, p.url, p.author_handle AS author, p.text, p.created_at AS createdAt, p.lang_detected AS lang,
              coalesce(p.likes, 0) + coalesce(p.reposts, 0) + coalesce(p.replies, 0) + coalesce(p.quotes, 0) AS engagement,
              row_number() OVER (PARTITION BY p.lang_detected ORDER BY coalesce(p.likes, 0) + coalesce(p.reposts, 0) + coalesce(p.replies, 0) + coalesce(p.quotes, 0) DESC, p.created_at, p.id) AS rank
       FROM post_topics pt JOIN posts p ON p.id = pt.post_id
       WHERE pt.topic_id = ? AND pt.stance_source IS NOT 'human' AND p.deleted_at IS NULL)
     WHERE rank <= ? ORDER BY lang, rank`,
  ).all(topicId, perLang) as UnlabelledPost[]
}

export interface CurrentStance {
  label: string | null
  confidence: number | null
  source: 'model' | 'human' | null
  modelId: number | null
}

/** What a post's stance is now for one topic (null when the post is not in the topic). */
export function currentStance(db: Db, topicId: string, post: Pick<FoundPost, 'id' | 'createdAt'>): CurrentStance | null {
  const row = stmt(
    db,
    'SELECT stance_label AS label, stance_confidence AS confidence, stance_source AS source, stance_model_id AS modelId FROM post_topics WHERE topic_id = ? AND created_at = ? AND post_id = ?',
  ).get(topicId, post.createdAt, post.id) as CurrentStance | undefined
  return row ?? null
}

/**
 * Labelled examples from a file join the topic's training set once: the same text with the same label is
 * not stored twice however often the file is imported.
 */
export function importLabels(
  db: Db,
  topicId: string,
  rows: readonly { text: string; label: string }[],
  source: string,
  at: number,
): { added: number; known: number } {
  const exists = stmt(db, "SELECT 1 FROM labels WHERE topic_id = ? AND post_id IS NULL AND text = ? AND label = ? AND source = 'import'")
  const insert = stmt(db, "INSERT INTO labels (topic_id, post_id, text, label, source, author, created_at) VALUES (?, NULL, ?, ?, 'import', ?, ?)")
  return db.transaction(() => {
    let added = 0
    for (const r of rows) {
      if (exists.get(topicId, r.text, r.label)) continue
      insert.run(topicId, r.text, r.label, source, at)
      added++
    }
    return { added, known: rows.length - added }
  })()
}
