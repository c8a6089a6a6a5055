import type { Post } from '../domain/post.js'
import { snowflakeMs } from '../domain/x-ids.js'
import { capText } from './limits.js'
import { arr, count, isObj, isoOf, nonEmpty, parseIsoMs, str, type Obj, type Skipped } from './shape.js'

export interface XPageResult {
  posts: Post[]
  skipped: Skipped[]
  /** Reposts are someone else's words: not counted as reactions. */
  reposts: number
}

/** An X API v2 search or lookup page, `{data, includes, meta}`, into posts. */
export function normalizeXPage(page: Obj): XPageResult {
  const users = new Map<string, Obj>()
  if (isObj(page.includes)) {
    for (const u of arr(page.includes.users)) if (isObj(u) && typeof u.id === 'string') users.set(u.id, u)
  }
  const result: XPageResult = { posts: [], skipped: [], reposts: 0 }
  const items = Array.isArray(page.data) ? page.data : isObj(page.data) ? [page.data] : []
  for (const item of items) {
    if (!isObj(item)) {
      result.skipped.push({ reason: 'x: item is not an object', id: null })
      continue
    }
    const refs = arr(item.referenced_tweets).filter(isObj)
    if (refs.some((r) => r.type === 'retweeted')) {
      result.reposts++
      continue
    }
    const post = normalizeTweet(item, refs, users)
    if ('reason' in post) result.skipped.push(post)
    else result.posts.push(post)
  }
  return result
}

function normalizeTweet(t: Obj, refs: Obj[], users: Map<string, Obj>): Post | Skipped {
  const id = nonEmpty(t.id)
  if (!id || !/^\d{1,20}$/.test(id)) return { reason: 'x: tweet without a valid id', id: str(t.id) }
  const note = isObj(t.note_tweet) ? t.note_tweet : null
  const rawText = str(note?.text) ?? str(t.text)
  if (rawText === null) return { reason: 'x: tweet without text', id }

  const authorId = str(t.author_id) ?? ''
  const user = users.get(authorId)
  const handle = str(user?.username)
  const userMetrics = isObj(user?.public_metrics) ? user.public_metrics : null

  const claimed = parseIsoMs(t.created_at)
  const fromId = snowflakeMs(id)
  const createdMs = claimed ?? fromId
  if (createdMs === null) return { reason: 'x: tweet without a creation time', id }

  const entities = isObj(note?.entities) ? note.entities : isObj(t.entities) ? t.entities : {}
  const links = arr(entities.urls)
    .filter(isObj)
    .map((u) => nonEmpty(u.unwound_url) ?? nonEmpty(u.expanded_url) ?? nonEmpty(u.url))
    .filter((u): u is string => u !== null)
  const m = isObj(t.public_metrics) ? t.public_metrics : null
  const refOf = (type: string) => str(refs.find((r) => r.type === type)?.id)

  return {
    platform: 'x',
    platformId: id,
    url: `https://x.com/${handle ?? 'i/web'}/status/${id}`,
    author: {
      id: authorId,
      handle,
      name: str(user?.name),
      followers: userMetrics ? count(userMetrics.followers_count) : null,
    },
    text: capText(decodeXEntities(rawText)),
    lang: langTag(t.lang),
    createdAt: isoOf(createdMs),
    createdAtSource: claimed !== null ? 'platform' : 'id',
    replyTo: refOf('replied_to'),
    quoteOf: refOf('quoted'),
    conversationId: str(t.conversation_id),
    metrics: m ? { likes: count(m.like_count), reposts: count(m.retweet_count), replies: count(m.reply_count), quotes: count(m.quote_count) } : null,
    links: [...new Set(links)],
    hashtags: arr(entities.hashtags)
      .filter(isObj)
      .map((h) => str(h.tag))
      .filter((h): h is string => !!h),
    mentions: arr(entities.mentions)
      .filter(isObj)
      .map((h) => str(h.username))
      .filter((h): h is string => !!h),
    raw: user ? { tweet: t, author: user } : { tweet: t },
  }
}

/**
 * X escapes exactly &, < and > in post text. Decode those once, in one pass, so `&amp;lt;` becomes the
 * `&lt;` the author typed rather than `<`.
 */
export function decodeXEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'))
}

function langTag(v: unknown): string | null {
  const s = str(v)
  // und, zxx and art, and X's q-codes (qme media only, qht hashtags only, qam mentions only…) name no language.
  return s && !/^(?:und|zxx|art|q[a-z]{2})$/i.test(s) ? s.toLowerCase() : null
}
