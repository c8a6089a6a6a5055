import type { Db } from './db.js'
import { stmt } from './statements.js'

/*
 * The assistant's labels and its answer cache (migration 0015): kept apart from `labels`, people's, which
 * they never change.
 */

export interface AssistantCandidate {
  postId: number
  text: string
  lang: string
  createdAt: number
}

/**
 * Posts of a topic the assistant may be asked about: not deleted, with words, no person's label and not asked
 * before. In a fixed scrambled order (a multiplicative hash of the id), so a sample drawn from the first
 * `limit` spreads over the topic's whole history rather than its oldest or newest posts.
 */
export function assistantCandidates(db: Db, topicId: string, limit: number): AssistantCandidate[] {
  return stmt(
    db,
    `SELECT pt.post_id AS postId, p.text AS text, p.lang_detected AS lang, pt.created_at AS createdAt
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = ? AND p.deleted_at IS NULL AND trim(p.text) <> ''
       AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.topic_id = pt.topic_id AND l.post_id = pt.post_id)
       AND NOT EXISTS (SELECT 1 FROM assistant_labels a WHERE a.topic_id = pt.topic_id AND a.post_id = pt.post_id)
     ORDER BY (pt.post_id * 2654435761) % 4294967291, pt.post_id
     LIMIT ?`,
  ).all(topicId, limit) as AssistantCandidate[]
}

export interface CachedAnswer {
  answer: string
  inputTokens: number
  outputTokens: number
}

export function cachedAnswer(db: Db, key: string): CachedAnswer | null {
  return (
    (stmt(db, 'SELECT answer, input_tokens AS inputTokens, output_tokens AS outputTokens FROM assistant_cache WHERE key = ?').get(key) as
      CachedAnswer | undefined) ?? null
  )
}

export function cacheAnswer(db: Db, key: string, a: CachedAnswer, at: number): void {
  stmt(
    db,
    `INSERT INTO assistant_cache (key, answer, input_tokens, output_tokens, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET answer = excluded.answer, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, created_at = excluded.created_at`,
  ).run(key, a.answer, a.inputTokens, a.outputTokens, at)
}

export interface AssistantLabelRow {
  topicId: string
  postId: number
  /** null: the assistant was unsure. */
  label: string | null
  confidence: number | null
  reason: string
  model: string
  promptHash: string
  createdAt: number
}

export function saveAssistantLabel(db: Db, r: AssistantLabelRow): void {
  stmt(
    db,
    `INSERT INTO assistant_labels (topic_id, post_id, label, confidence, reason, model, prompt_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (topic_id, post_id) DO UPDATE SET label = excluded.label, confidence = excluded.confidence, reason = excluded.reason,
       model = excluded.model, prompt_hash = excluded.prompt_hash, created_at = excluded.created_at`,
  ).run(r.topicId, r.postId, r.label, r.confidence, r.reason, r.model, r.promptHash, r.createdAt)
}

/** The assistant's stored labels of a topic, per label (`null`: unsure). */
export function assistantLabelCounts(db: Db, topicId: string): { label: string | null; n: number }[] {
  return stmt(db, 'SELECT label, count(*) AS n FROM assistant_labels WHERE topic_id = ? GROUP BY label ORDER BY label').all(topicId) as {
    label: string | null
    n: number
  }[]
}

export function assistantLabelOf(db: Db, topicId: string, postId: number): AssistantLabelRow | null {
  return (
    (stmt(
      db,
      `SELECT topic_id AS topicId, post_id AS postId, label, confidence, reason, model, prompt_hash AS promptHash, created_at AS createdAt
       FROM assistant_labels WHERE topic_id = ? AND post_id = ?`,
    ).get(topicId, postId) as AssistantLabelRow | undefined) ?? null
  )
}

/** Posts labelled both by a person and by the assistant (unsure answers aside). */
export function agreementPairs(db: Db, topicId: string): { person: string; assistant: string }[] {
  return stmt(
    db,
    `SELECT l.label AS person, a.label AS assistant FROM labels l
     JOIN assistant_labels a ON a.topic_id = l.topic_id AND a.post_id = l.post_id
     WHERE l.topic_id = ? AND a.label IS NOT NULL ORDER BY l.post_id`,
  ).all(topicId) as { person: string; assistant: string }[]
}

/** The assistant's labels a model may learn from: never one of a post a person labelled. */
export function assistantTrainingExamples(db: Db, topicId: string): { text: string; label: string }[] {
  return stmt(
    db,
    `SELECT p.text AS text, a.label AS label FROM assistant_labels a JOIN posts p ON p.id = a.post_id
     WHERE a.topic_id = ? AND a.label IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.topic_id = a.topic_id AND l.post_id = a.post_id)
     ORDER BY a.post_id`,
  ).all(topicId) as { text: string; label: string }[]
}
