import { scrubSecrets } from '../util/secrets.js'
import type { Message } from '../domain/message.js'
import type { Db } from './db.js'
import { stmt } from './statements.js'

export type DeliveryStatus = 'sent' | 'failed' | 'pending' | 'skipped'

/** One message on one channel: its state, and the payload a later retry sends. */
export interface Delivery {
  id: number
  messageKey: string
  kind: string
  topicId: string
  channelId: string
  status: DeliveryStatus
  /** Every try, all rounds together. */
  attempts: number
  lastError: string | null
  message: Message
  /** What the channel already did (e.g. the posts of a half-posted thread), for a retry to continue. */
  progress: unknown
  createdAt: number
  updatedAt: number
  deliveredAt: number | null
  /** First failure since the last success (null while not failing). */
  failingSince: number | null
  nextAttemptAt: number | null
}

export interface DeliveryAttempt {
  attempt: number
  at: number
  ok: boolean
  error: string | null
}

interface Row {
  id: number
  message_key: string
  kind: string
  topic_id: string
  channel_id: string
  status: DeliveryStatus
  attempts: number
  last_error: string | null
  payload: string
  progress: string | null
  created_at: number
  updated_at: number
  delivered_at: number | null
  failing_since: number | null
  next_attempt_at: number | null
}

const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  messageKey: r.message_key,
  kind: r.kind,
  topicId: r.topic_id,
  channelId: r.channel_id,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  // Written by this module from a Message; nothing else writes the column.
  message: JSON.parse(r.payload) as Message,
  progress: r.progress === null ? null : (JSON.parse(r.progress) as unknown),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  deliveredAt: r.delivered_at,
  failingSince: r.failing_since,
  nextAttemptAt: r.next_attempt_at,
})

/** Errors may quote a URL or a server's answer: secrets are replaced before anything is stored. */
const clean = (error: string | null): string | null => (error === null ? null : scrubSecrets(error).slice(0, 2000))

export function findDelivery(db: Db, messageKey: string, channelId: string): Delivery | null {
  const r = stmt(db, 'SELECT * FROM deliveries WHERE message_key = ? AND channel_id = ?').get(messageKey, channelId) as Row | undefined
  return r ? toDelivery(r) : null
}

export function deliveryById(db: Db, id: number): Delivery | null {
  const r = stmt(db, 'SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined
  return r ? toDelivery(r) : null
}

/**
 * Start a round: the row (created if new) becomes `pending` with the message to send and a lease in
 * `next_attempt_at`, so a crash mid-round is retried once the lease runs out, and a concurrent retry
 * pass leaves it alone meanwhile. `keepProgress` false starts the channel's work from scratch.
 */
export function beginDelivery(db: Db, d: { message: Message; channelId: string; at: number; leaseUntil: number; keepProgress: boolean }): Delivery {
  const m = d.message
  stmt(
    db,
    `INSERT INTO deliveries (message_key, kind, topic_id, channel_id, status, payload, created_at, updated_at, next_attempt_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)
     ON CONFLICT (message_key, channel_id) DO UPDATE SET status = 'pending', kind = excluded.kind, topic_id = excluded.topic_id,
       payload = excluded.payload, updated_at = excluded.updated_at, next_attempt_at = excluded.next_attempt_at,
       progress = CASE WHEN ? THEN progress ELSE NULL END`,
  ).run(m.key, m.kind, m.topicId, d.channelId, JSON.stringify(m), d.at, d.at, d.leaseUntil, d.keepProgress ? 1 : 0)
  return findDelivery(db, m.key, d.channelId)!
}

/** One try and its outcome; returns the attempt's number over the delivery's life. */
export function recordAttempt(db: Db, id: number, a: { at: number; ok: boolean; error: string | null }): number {
  return db.transaction(() => {
    const n =
      (stmt(db, 'UPDATE deliveries SET attempts = attempts + 1, updated_at = ? WHERE id = ? RETURNING attempts').pluck().get(a.at, id) as number | undefined) ??
      0
    stmt(db, 'INSERT INTO delivery_attempts (delivery_id, attempt, at, ok, error) VALUES (?, ?, ?, ?, ?)').run(id, n, a.at, a.ok ? 1 : 0, clean(a.error))
    return n
  })()
}

export function saveProgress(db: Db, id: number, progress: unknown, at: number): void {
  stmt(db, 'UPDATE deliveries SET progress = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(progress), at, id)
}

export function markSent(db: Db, id: number, at: number): void {
  stmt(
    db,
    "UPDATE deliveries SET status = 'sent', last_error = NULL, delivered_at = ?, updated_at = ?, failing_since = NULL, next_attempt_at = NULL WHERE id = ?",
  ).run(at, at, id)
}

/** `nextAttemptAt` null: given up (or not worth retrying); the row stays failed for people to see. */
export function markFailed(db: Db, id: number, f: { at: number; error: string; nextAttemptAt: number | null }): void {
  stmt(
    db,
    "UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ?, failing_since = coalesce(failing_since, ?), next_attempt_at = ? WHERE id = ?",
  ).run(clean(f.error), f.at, f.at, f.nextAttemptAt, id)
}

/** Not attempted (e.g. the channel's secret is not set): recorded with the reason, never retried by itself. */
export function markSkipped(db: Db, s: { message: Message; channelId: string; at: number; reason: string }): void {
  const m = s.message
  stmt(
    db,
    `INSERT INTO deliveries (message_key, kind, topic_id, channel_id, status, last_error, payload, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'skipped', ?, ?, ?, ?)
     ON CONFLICT (message_key, channel_id) DO UPDATE SET status = 'skipped', last_error = excluded.last_error,
       payload = excluded.payload, updated_at = excluded.updated_at, failing_since = NULL, next_attempt_at = NULL`,
  ).run(m.key, m.kind, m.topicId, s.channelId, clean(s.reason), JSON.stringify(m), s.at, s.at)
}

/** Failed rounds (and rounds a crash interrupted) whose time to retry has come, oldest due first. */
export function dueDeliveries(db: Db, now: number, limit: number): Delivery[] {
  return (
    stmt(db, "SELECT * FROM deliveries WHERE next_attempt_at <= ? AND status IN ('failed', 'pending') ORDER BY next_attempt_at, id LIMIT ?").all(
      now,
      limit,
    ) as Row[]
  ).map(toDelivery)
}

/** Most recently updated first; filters are optional. */
export function listDeliveries(db: Db, f: { messageKey?: string; channelId?: string; limit?: number } = {}): Delivery[] {
  return (
    stmt(db, 'SELECT * FROM deliveries WHERE (? IS NULL OR message_key = ?) AND (? IS NULL OR channel_id = ?) ORDER BY updated_at DESC, id DESC LIMIT ?').all(
      f.messageKey ?? null,
      f.messageKey ?? null,
      f.channelId ?? null,
      f.channelId ?? null,
      f.limit ?? 100,
    ) as Row[]
  ).map(toDelivery)
}

export function deliveryAttempts(db: Db, id: number): DeliveryAttempt[] {
  return (
    stmt(db, 'SELECT attempt, at, ok, error FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt').all(id) as {
      attempt: number
      at: number
      ok: number
      error: string | null
    }[]
  ).map((r) => ({ attempt: r.attempt, at: r.at, ok: r.ok === 1, error: r.error }))
}
