import { readFileSync } from 'node:fs'
import type { Post } from '../../src/domain/post.js'

/** A payload fixture exactly as it would arrive on the wire: parsed JSON, type unknown. */
export function loadPayload(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/payloads/${name}`, import.meta.url), 'utf8')) as unknown
}

/** The same fixture, for tests that need to read into it (ids, raw items). */
export function loadJson(name: string): Record<string, unknown> {
  return loadPayload(name) as Record<string, unknown>
}

/** Named Jetstream v1 messages (create, update, delete, identity, ...). */
export function jetstreamEvent(name: string): Record<string, unknown> {
  const ev = loadJson('jetstream-events.json')[name]
  if (!ev || typeof ev !== 'object') throw new Error(`no jetstream fixture named ${name}`)
  return ev as Record<string, unknown>
}

export function postById(posts: readonly Post[], platformId: string): Post {
  const p = posts.find((x) => x.platformId === platformId)
  if (!p) throw new Error(`no post ${platformId} among ${posts.map((x) => x.platformId).join(', ')}`)
  return p
}

/** True when the string holds a UTF-16 surrogate without its partner (a split emoji or CJK extension char). */
export function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
}

export const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
export const CANONICAL_ARTICLE = 'https://nytimes.com/2025/07/16/technology/china-ai.html'
