import type { PostRef } from '../domain/post-ref.js'

/**
 * Whatever a person has at hand for a post: its URL (x.com/…/status/ID, bsky.app/profile/…/post/RKEY), its
 * platform id (tweet id, at:// URI), or stancewatch's own number (#123).
 */
export function parsePostRef(input: string): PostRef {
  const text = input.trim()
  const internal = /^#(\d+)$/.exec(text)
  if (internal) return { kind: 'row', id: Number(internal[1]), text }
  const tweet = /(?:x|twitter)\.com\/[^/]+\/status(?:es)?\/(\d+)/.exec(text)
  if (tweet) return { kind: 'tweet', id: tweet[1]!, text }
  const web = /bsky\.app\/profile\/([^/]+)\/post\/([a-z0-9]+)/i.exec(text)
  if (web) return { kind: 'bluesky-web', actor: web[1]!, rkey: web[2]!, text }
  if (text.startsWith('at://')) return { kind: 'bluesky-uri', uri: text, text }
  if (/^\d+$/.test(text)) return { kind: 'digits', digits: text, text }
  return { kind: 'unknown', text }
}
