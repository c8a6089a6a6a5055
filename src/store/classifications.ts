import type { Db } from './db.js'
import { stmt } from './statements.js'

export interface PendingPost {
  postId: number
  createdAt: number
  text: string
  /** The language detected from the text at ingest. */
  lang: string
}

/** Where a classification pass stands in a topic's (time, post) order. */
export interface ClassifyPosition {
  createdAt: number
  postId: number
}

/** Posts of a topic the given model has not scored yet, in key order after `after` (no re-scan of done work). */
export function postsToClassify(db: Db, topicId: string, modelId: number, after: ClassifyPosition, limit: number): PendingPost[] {
  return stmt(
    db,
    `SELECT pt.post_id AS postId, pt.created_at AS createdAt, p.text AS text, p.lang_detected AS lang FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = ? AND (pt.created_at, pt.post_id) > (?, ?) AND pt.stance_model_id IS NOT ?
     ORDER BY pt.created_at, pt.post_id LIMIT ?`,
  ).all(topicId, after.createdAt, after.postId, modelId, limit) as PendingPost[]
}

export function countToClassify(db: Db, topicId: string, modelId: number): number {
  return stmt(db, 'SELECT count(*) FROM post_topics WHERE topic_id = ? AND stance_model_id IS NOT ?').pluck().get(topicId, modelId) as number
}

export interface ClassificationWrite {
  postId: number
  createdAt: number
  label: string
  confidence: number
  scores: Record<string, number>
  /** The person's label this repeats for the same or nearly the same words (see classify/label-memory.ts). */
  recalled?: { ref: string | null; similarity: number } | null
}

/**
 * Record a model's labels. The current label changes only where no person has labelled the post:
 * a human label overrides every model, now and after retraining.
 */
export function saveClassifications(db: Db, topicId: string, modelId: number, rows: readonly ClassificationWrite[], at: number): void {
  const history = stmt(
    db,
    `INSERT OR REPLACE INTO classifications (post_id, topic_id, model_id, label, confidence, scores, classified_at, recalled_from, recalled_similarity)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const current = stmt(
    db,
    `UPDATE post_topics SET stance_model_id = @modelId,
       stance_label = CASE WHEN stance_source = 'human' THEN stance_label ELSE @label END,
       stance_confidence = CASE WHEN stance_source = 'human' THEN stance_confidence ELSE @confidence END,
       stance_source = CASE WHEN stance_source = 'human' THEN 'human' ELSE 'model' END
     WHERE topic_id = @topicId AND created_at = @createdAt AND post_id = @postId`,
  )
  db.transaction(() => {
    for (const r of rows) {
      history.run(r.postId, topicId, modelId, r.label, r.confidence, JSON.stringify(r.scores), at, r.recalled?.ref ?? null, r.recalled?.similarity ?? null)
      current.run({ modelId, label: r.label, confidence: r.confidence, topicId, createdAt: r.createdAt, postId: r.postId })
    }
  })()
}

export interface RecalledClassification {
  postId: number
  label: string
  from: string | null
  similarity: number
}

/** The posts whose current classification by a model repeats a person's label (label memory). */
export function recalledClassifications(db: Db, topicId: string, modelId: number): RecalledClassification[] {
  return stmt(
    db,
    `SELECT post_id AS postId, label, recalled_from AS "from", recalled_similarity AS similarity FROM classifications
     WHERE topic_id = ? AND model_id = ? AND recalled_similarity IS NOT NULL ORDER BY post_id`,
  ).all(topicId, modelId) as RecalledClassification[]
}
