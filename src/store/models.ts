import type { Db } from './db.js'
import { stmt } from './statements.js'

export interface StoredModel {
  id: number
  topicId: string
  version: string
  algorithm: string
  params: string
  metrics: unknown
  trainingSize: number
  trainedAt: number
  weights: Buffer
}

export interface NewModel {
  topicId: string
  version: string
  algorithm: string
  params: string
  metrics: unknown
  trainingSize: number
  trainedAt: number
  weights: Buffer
}

/** Store a model and make it the topic's active one, atomically. */
export function saveActiveModel(db: Db, m: NewModel): number {
  return db.transaction(() => {
    stmt(db, 'UPDATE models SET active = 0 WHERE topic_id = ?').run(m.topicId)
    return Number(
      stmt(
        db,
        `INSERT INTO models (topic_id, version, algorithm, params, metrics, training_size, trained_at, weights, active)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      ).run(m.topicId, m.version, m.algorithm, m.params, JSON.stringify(m.metrics ?? null), m.trainingSize, m.trainedAt, m.weights).lastInsertRowid,
    )
  })()
}

interface ModelRow {
  id: number
  topic_id: string
  version: string
  algorithm: string
  params: string
  metrics: string | null
  training_size: number
  trained_at: number
  weights: Buffer
}

export function activeModel(db: Db, topicId: string): StoredModel | null {
  const r = stmt(db, 'SELECT * FROM models WHERE topic_id = ? AND active = 1 ORDER BY id DESC LIMIT 1').get(topicId) as ModelRow | undefined
  return r
    ? {
        id: r.id,
        topicId: r.topic_id,
        version: r.version,
        algorithm: r.algorithm,
        params: r.params,
        metrics: r.metrics ? (JSON.parse(r.metrics) as unknown) : null,
        trainingSize: r.training_size,
        trainedAt: r.trained_at,
        weights: r.weights,
      }
    : null
}

/** Labels people gave (or imported), the part of the training set that grows with use. */
export function peopleLabels(db: Db, topicId: string): { text: string; label: string; source: 'human' | 'import' }[] {
  return stmt(db, 'SELECT text, label, source FROM labels WHERE topic_id = ? ORDER BY id').all(topicId) as {
    text: string
    label: string
    source: 'human' | 'import'
  }[]
}

/** People's labels with what the label memory calls them: `#N` for a labelled post, `import:FILE` for a file's example. */
export function labelledTexts(db: Db, topicId: string): { text: string; label: string; ref: string }[] {
  return stmt(
    db,
    "SELECT text, label, CASE WHEN post_id IS NOT NULL THEN '#' || post_id ELSE 'import:' || coalesce(author, '') END AS ref FROM labels WHERE topic_id = ? ORDER BY id",
  ).all(topicId) as { text: string; label: string; ref: string }[]
}

/** Labels given or imported since a time: how much a topic's model has not learnt yet. */
export function labelsSince(db: Db, topicId: string, since: number): number {
  return stmt(db, 'SELECT count(*) FROM labels WHERE topic_id = ? AND created_at > ?').pluck().get(topicId, since) as number
}

/**
 * When the topic's latest model was trained (active or not), or null before its first: labels older than it
 * were offered to a training already, so a model a quality check kept from activation is not retrained on the
 * same labels again and again.
 */
export function latestTrainingAt(db: Db, topicId: string): number | null {
  return stmt(db, 'SELECT max(trained_at) FROM models WHERE topic_id = ?').pluck().get(topicId) as number | null
}

/** The active model's version without its weights: enough to say whether a topic's stance is measured. */
export function activeModelVersion(db: Db, topicId: string): string | null {
  return (stmt(db, 'SELECT version FROM models WHERE topic_id = ? AND active = 1 ORDER BY id DESC LIMIT 1').pluck().get(topicId) as string | undefined) ?? null
}
