import type { Db } from './db.js'
import { stmt } from './statements.js'

/** A person's label as stored: what an undo must put back. */
export interface PersonLabel {
  label: string
  author: string | null
  at: number
}

/** The person's label of a post in a topic, if any (imported examples have no post and are not included). */
export function personLabel(db: Db, topicId: string, postId: number): PersonLabel | null {
  const row = stmt(db, "SELECT label, author, created_at AS at FROM labels WHERE topic_id = ? AND post_id = ? AND source = 'human'").get(topicId, postId) as
    PersonLabel | undefined
  return row ?? null
}

export type BatchKind = 'label' | 'file'

export interface LabelBatch {
  id: number
  kind: BatchKind
  source: string | null
  author: string | null
  createdAt: number
}

export function startLabelBatch(db: Db, b: Omit<LabelBatch, 'id'>): number {
  return Number(
    stmt(db, 'INSERT INTO label_batches (kind, source, author, created_at) VALUES (?, ?, ?, ?)').run(b.kind, b.source, b.author, b.createdAt).lastInsertRowid,
  )
}

export interface LabelChange {
  topicId: string
  postId: number
  before: PersonLabel | null
  after: PersonLabel | null
}

export function recordLabelChange(db: Db, batchId: number, seq: number, c: LabelChange): void {
  stmt(
    db,
    `INSERT INTO label_changes (batch_id, seq, topic_id, post_id, before_label, before_author, before_at, after_label, after_author, after_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    batchId,
    seq,
    c.topicId,
    c.postId,
    c.before?.label ?? null,
    c.before?.author ?? null,
    c.before?.at ?? null,
    c.after?.label ?? null,
    c.after?.author ?? null,
    c.after?.at ?? null,
  )
}

/** The newest batch not undone yet: what `label --undo` takes back next. */
export function lastOpenBatch(db: Db): LabelBatch | null {
  const row = stmt(db, 'SELECT id, kind, source, author, created_at AS createdAt FROM label_batches WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1').get() as
    LabelBatch | undefined
  return row ?? null
}

/** A batch's changes, last first: the order to undo them in. */
export function changesOf(db: Db, batchId: number): LabelChange[] {
  type Row = {
    topicId: string
    postId: number
    bl: string | null
    ba: string | null
    bt: number | null
    al: string | null
    aa: string | null
    at: number | null
  }
  const rows = stmt(
    db,
    `SELECT topic_id AS topicId, post_id AS postId, before_label AS bl, before_author AS ba, before_at AS bt, after_label AS al, after_author AS aa, after_at AS at
     FROM label_changes WHERE batch_id = ? ORDER BY seq DESC`,
  ).all(batchId) as Row[]
  return rows.map((r) => ({
    topicId: r.topicId,
    postId: r.postId,
    before: r.bl === null ? null : { label: r.bl, author: r.ba, at: r.bt ?? 0 },
    after: r.al === null ? null : { label: r.al, author: r.aa, at: r.at ?? 0 },
  }))
}

export function markBatchUndone(db: Db, batchId: number, at: number): void {
  stmt(db, 'UPDATE label_batches SET undone_at = ? WHERE id = ?').run(at, batchId)
}
