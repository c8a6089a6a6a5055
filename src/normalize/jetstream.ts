import type { Post, PostDeletion } from '../domain/post.js'
import { bskyWebUrl, readPostRecord, trustedCreatedAt } from './bluesky-record.js'
import { capText } from './limits.js'
import { isObj, isoOf, nonEmpty, type Obj, type Skipped } from './shape.js'

const POST = 'app.bsky.feed.post'

export type JetstreamResult =
  | { type: 'post'; post: Post; timeUs: number; operation: 'create' | 'update' }
  | { type: 'delete'; deletion: PostDeletion; timeUs: number }
  /** Identity, account and other collections' events: valid, but not posts. */
  | { type: 'ignored'; timeUs: number | null }
  | { type: 'skipped'; skipped: Skipped; timeUs: number | null }

/** One Jetstream v1 message: `{did, time_us, kind, commit | identity | account}`. */
export function normalizeJetstreamEvent(ev: Obj): JetstreamResult {
  const timeUs = typeof ev.time_us === 'number' && Number.isSafeInteger(ev.time_us) && ev.time_us > 0 ? ev.time_us : null
  const did = nonEmpty(ev.did)
  if (ev.kind !== 'commit') return { type: 'ignored', timeUs }
  const commit = isObj(ev.commit) ? ev.commit : null
  if (!commit || commit.collection !== POST) return { type: 'ignored', timeUs }
  const rkey = nonEmpty(commit.rkey)
  if (!did || !rkey || timeUs === null) return { type: 'skipped', skipped: { reason: 'jetstream: commit without did, rkey or time_us', id: null }, timeUs }
  const uri = `at://${did}/${POST}/${rkey}`
  const seenMs = Math.floor(timeUs / 1000)
  if (commit.operation === 'delete') {
    return { type: 'delete', deletion: { platform: 'bluesky', platformId: uri, deletedAt: isoOf(seenMs) }, timeUs }
  }
  if (commit.operation !== 'create' && commit.operation !== 'update') return { type: 'ignored', timeUs }
  const record = isObj(commit.record) ? commit.record : null
  const fields = record ? readPostRecord(record) : null
  if (!record || !fields) return { type: 'skipped', skipped: { reason: 'jetstream: post record without text', id: uri }, timeUs }
  const created = trustedCreatedAt(record.createdAt, seenMs)!
  return {
    type: 'post',
    operation: commit.operation,
    timeUs,
    post: {
      platform: 'bluesky',
      platformId: uri,
      url: bskyWebUrl(did, rkey),
      // Jetstream carries the DID only; handles arrive later through lookups.
      author: { id: did, handle: null, name: null, followers: null },
      text: capText(fields.text),
      lang: fields.lang,
      createdAt: isoOf(created.ms),
      createdAtSource: created.source,
      replyTo: fields.replyTo,
      quoteOf: fields.quoteOf,
      conversationId: fields.rootUri ?? uri,
      metrics: null,
      links: fields.links,
      hashtags: fields.hashtags,
      mentions: fields.mentions,
      raw: ev,
    },
  }
}
