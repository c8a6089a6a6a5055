import type { Post, PostDeletion, ReceivedPayload } from '../domain/post.js'
import type { TopicMatch } from '../domain/topic.js'
import type { Db } from './db.js'
import { setCursor, type CursorWrite } from './cursors.js'
import { StanceCountBatch } from './stance-counts.js'
import { stmt } from './statements.js'

/** A topic match as stored: themes omitted means none. */
export type MatchToStore = Omit<TopicMatch, 'themes'> & { themes?: string[] }

export interface PostToStore {
  post: Post
  langDetected: string
  /** Canonical links. */
  links: string[]
  matches: MatchToStore[]
  /**
   * The raw payload already serialised (by a worker thread); otherwise `post.raw` is serialised here. As
   * UTF-8 bytes it crosses threads without a copy and is stored without converting it back to a string.
   */
  rawJson?: string | Uint8Array
  /**
   * The payload the post arrived in, as received (a replayed line). Stored once for all its posts that are
   * new, in place of each one's serialised item (posts.raw is then ''); `rawJson` is not needed.
   */
  payload?: ReceivedPayload
  /** `post.createdAt` in milliseconds, when the preparing thread already worked it out. */
  createdAtMs?: number
  /**
   * Edits: the themes the new text mentions, per topic with themes. They replace the stored themes of every
   * topic the post is on; without them, an edit takes the themes of its matches.
   */
  textThemes?: Record<string, string[]>
}

export interface PageWrite {
  items: PostToStore[]
  /** New versions of posts: replace text, links and language; keep the old text and labels in post_edits. */
  edits?: PostToStore[]
  deletions?: PostDeletion[]
  /** Provenance recorded with each new topic membership. */
  source: string
  query: string | null
  /** When these posts (and their counts) were observed. */
  observedAt: number
  /** Written in the same transaction as the posts, so a crash never separates them. */
  cursor?: CursorWrite
  /** Other writes that belong with this page (billable reads, pending pagination), in the same transaction. */
  alsoWrite?: (db: Db) => void
}

export interface PageWriteResult {
  inserted: number
  duplicates: number
  deleted: number
  edited: number
  /** Edits of posts never stored and on no topic: nothing to do. */
  editsIgnored: number
}

// Positional parameters: binding 23 named ones costs more than the insert itself on a bulk replay. The raw
// item or payload may come as UTF-8 bytes (see PostToStore): the CAST stores them as the text they are.
const INSERT_POST = `INSERT INTO posts (platform, platform_id, url, author_id, author_handle, author_name, author_followers,
  text, lang, lang_detected, created_at, created_at_source, reply_to, quote_of, conversation_id,
  likes, reposts, replies, quotes, metrics_at, first_seen_at, last_seen_at, links, topics, raw, payload_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?)
  ON CONFLICT (platform, platform_id) DO NOTHING`

const INSERT_PAYLOAD = 'INSERT INTO payloads (id, source, received_at, body) VALUES (?, ?, ?, CAST(? AS TEXT))'

// A post seen again: refresh what changes over time, keep what a lookup without it (Jetstream) cannot know.
const REFRESH_POST = `UPDATE posts SET
  author_handle = coalesce(@authorHandle, author_handle),
  author_name = coalesce(@authorName, author_name),
  author_followers = coalesce(@authorFollowers, author_followers),
  likes = CASE WHEN @hasMetrics AND @observedAt >= coalesce(metrics_at, 0) THEN @likes ELSE likes END,
  reposts = CASE WHEN @hasMetrics AND @observedAt >= coalesce(metrics_at, 0) THEN @reposts ELSE reposts END,
  replies = CASE WHEN @hasMetrics AND @observedAt >= coalesce(metrics_at, 0) THEN @replies ELSE replies END,
  quotes = CASE WHEN @hasMetrics AND @observedAt >= coalesce(metrics_at, 0) THEN @quotes ELSE quotes END,
  metrics_at = CASE WHEN @hasMetrics AND @observedAt >= coalesce(metrics_at, 0) THEN @observedAt ELSE metrics_at END,
  last_seen_at = max(last_seen_at, @observedAt)
  WHERE platform = @platform AND platform_id = @platformId
  RETURNING id, created_at AS createdAt, links, topics, platform, lang_detected AS lang, deleted_at IS NOT NULL AS deleted`

const INSERT_TOPIC = `INSERT OR IGNORE INTO post_topics (topic_id, created_at, post_id, rules, themes, source, query, matched_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

/**
 * Store one page: posts, their links and topics, deletions and the cursor, in one transaction.
 * Idempotent: the same page twice leaves the same rows (counts take the newest observation).
 */
export function savePage(db: Db, page: PageWrite): PageWriteResult {
  const insertPost = stmt(db, INSERT_POST)
  const refreshPost = stmt(db, REFRESH_POST)
  const insertTopic = stmt(db, INSERT_TOPIC)
  const topicTags = stmt(db, 'SELECT rules, themes FROM post_topics WHERE topic_id = ? AND created_at = ? AND post_id = ?')
  const updateTags = stmt(db, 'UPDATE post_topics SET rules = ?, themes = ? WHERE topic_id = ? AND created_at = ? AND post_id = ?')
  const updateSets = stmt(db, 'UPDATE posts SET links = ?, topics = ? WHERE id = ?')
  const markDeleted = stmt(db, 'UPDATE posts SET deleted_at = ? WHERE platform = ? AND platform_id = ? AND deleted_at IS NULL')

  const run = db.transaction((): PageWriteResult => {
    const result: PageWriteResult = { inserted: 0, duplicates: 0, deleted: 0, edited: 0, editsIgnored: 0 }
    const payloads = new PayloadsOfPage(db, page)
    // The page's new posts are counted into the stance aggregates here, once, rather than by the trigger
    // per row; edits and deletions below go back to the triggers.
    let counts: StanceCountBatch | null = null
    const store = (item: PostToStore) => {
      const p = postParams(item, page.observedAt)
      const topicIds = item.matches.map((m) => m.topicId)
      const payloadId = item.payload ? payloads.idFor(item.payload) : null
      const info = insertPost.run(
        p.platform,
        p.platformId,
        p.url,
        p.authorId,
        p.authorHandle,
        p.authorName,
        p.authorFollowers,
        p.text,
        p.lang,
        p.langDetected,
        p.createdAt,
        p.createdAtSource,
        p.replyTo,
        p.quoteOf,
        p.conversationId,
        p.likes,
        p.reposts,
        p.replies,
        p.quotes,
        p.metricsAt,
        p.observedAt,
        p.observedAt,
        JSON.stringify(item.links),
        JSON.stringify(topicIds),
        p.raw,
        payloadId,
      )
      if (info.changes === 1) {
        if (item.payload) payloads.used(item.payload)
        const postId = Number(info.lastInsertRowid)
        result.inserted++
        for (const m of item.matches) {
          insertTopic.run(m.topicId, p.createdAt, postId, JSON.stringify(m.rules), JSON.stringify(m.themes ?? []), page.source, page.query, page.observedAt)
          counts?.add(m.topicId, p.createdAt, p.platform, p.langDetected, m.themes ?? [])
        }
        return
      }
      // Seen before: fresher counts, and any link, topic, rule or theme this sighting adds.
      result.duplicates++
      const known = refreshPost.get(p) as { id: number; createdAt: number; links: string; topics: string; platform: string; lang: string; deleted: number }
      const links = JSON.parse(known.links) as string[]
      const topics = JSON.parse(known.topics) as string[]
      const linksBefore = links.length
      const topicsBefore = topics.length
      for (const l of item.links) if (!links.includes(l)) links.push(l)
      for (const m of item.matches) {
        const t = insertTopic.run(
          m.topicId,
          known.createdAt,
          known.id,
          JSON.stringify(m.rules),
          JSON.stringify(m.themes ?? []),
          page.source,
          page.query,
          page.observedAt,
        )
        if (t.changes === 1) {
          if (!known.deleted) counts?.add(m.topicId, known.createdAt, known.platform, known.lang, m.themes ?? [])
          topics.push(m.topicId)
          continue
        }
        const before = topicTags.get(m.topicId, known.createdAt, known.id) as { rules: string; themes: string }
        const rulesBefore = JSON.parse(before.rules) as string[]
        const themesBefore = JSON.parse(before.themes) as string[]
        const rules = [...new Set([...rulesBefore, ...m.rules])]
        const themes = [...new Set([...themesBefore, ...(m.themes ?? [])])]
        if (rules.length !== rulesBefore.length || themes.length !== themesBefore.length)
          updateTags.run(JSON.stringify(rules), JSON.stringify(themes), m.topicId, known.createdAt, known.id)
      }
      if (links.length !== linksBefore || topics.length !== topicsBefore) updateSets.run(JSON.stringify(links), JSON.stringify(topics), known.id)
    }
    // Creates, then edits, then deletions: the order events about one post happen in.
    if (page.items.length) {
      counts = StanceCountBatch.open(db)
      for (const item of page.items) store(item)
      counts?.close()
      counts = null
    }
    for (const e of page.edits ?? []) {
      const applied = applyEdit(db, e, page, payloads)
      // An edit of a post never seen (it predates collection) is stored as the post, when on topic.
      if (applied === 'unknown' && e.matches.length) store(e)
      else if (applied === 'edited') result.edited++
      else if (applied === 'unknown') result.editsIgnored++
      else result.duplicates++
    }
    for (const d of page.deletions ?? []) {
      result.deleted += markDeleted.run(Date.parse(d.deletedAt), d.platform, d.platformId).changes
    }
    if (page.cursor) setCursor(db, page.cursor, page.observedAt)
    page.alsoWrite?.(db)
    return result
  })
  return run.immediate()
}

/**
 * A new version of a post. Unknown posts are for the caller to store like new ones (when on topic); a known
 * one keeps its identity, topics and human labels, gets the new text, and goes back to the model: its
 * previous text and labels are kept in post_edits.
 */
function applyEdit(db: Db, e: PostToStore, page: PageWrite, payloads: PayloadsOfPage): 'unknown' | 'same' | 'edited' {
  const known = stmt(db, 'SELECT id, text, created_at AS createdAt, topics FROM posts WHERE platform = ? AND platform_id = ?').get(
    e.post.platform,
    e.post.platformId,
  ) as { id: number; text: string; createdAt: number; topics: string } | undefined
  if (!known) return 'unknown'
  if (known.text === e.post.text) return 'same'
  const topics = JSON.parse(known.topics) as string[]
  const labelOf = stmt(
    db,
    'SELECT stance_label AS label, stance_confidence AS confidence, stance_model_id AS model_id, stance_source AS source FROM post_topics WHERE topic_id = ? AND created_at = ? AND post_id = ?',
  )
  const previous: Record<string, unknown> = {}
  for (const t of topics) previous[t] = labelOf.get(t, known.createdAt, known.id) ?? null
  stmt(db, 'INSERT INTO post_edits (post_id, edited_at, previous_text, previous_labels) VALUES (?, ?, ?, ?)').run(
    known.id,
    page.observedAt,
    known.text,
    JSON.stringify(previous),
  )
  const unscored = stmt(db, 'UPDATE post_topics SET stance_model_id = NULL WHERE topic_id = ? AND created_at = ? AND post_id = ?')
  for (const t of topics) unscored.run(t, known.createdAt, known.id)
  // The new text decides the themes on every topic the post is on (kept topics included).
  const themesOf = (topicId: string): string[] => e.textThemes?.[topicId] ?? e.matches.find((m) => m.topicId === topicId)?.themes ?? []
  const setThemes = stmt(db, 'UPDATE post_topics SET themes = ? WHERE topic_id = ? AND created_at = ? AND post_id = ?')
  for (const t of topics)
    if (e.textThemes?.[t] !== undefined || e.matches.some((m) => m.topicId === t)) setThemes.run(JSON.stringify(themesOf(t)), t, known.createdAt, known.id)
  const insertTopic = stmt(db, INSERT_TOPIC)
  for (const m of e.matches) {
    if (topics.includes(m.topicId)) continue
    insertTopic.run(
      m.topicId,
      known.createdAt,
      known.id,
      JSON.stringify(m.rules),
      JSON.stringify(themesOf(m.topicId)),
      page.source,
      page.query,
      page.observedAt,
    )
    topics.push(m.topicId)
  }
  const payloadId = e.payload ? payloads.idFor(e.payload) : null
  if (e.payload) payloads.used(e.payload)
  stmt(
    db,
    'UPDATE posts SET text = ?, lang_detected = ?, links = ?, topics = ?, raw = CAST(? AS TEXT), payload_id = ?, last_seen_at = max(last_seen_at, ?) WHERE id = ?',
  ).run(
    e.post.text,
    e.langDetected,
    JSON.stringify(e.links),
    JSON.stringify(topics),
    e.payload ? '' : (e.rawJson ?? JSON.stringify(e.post.raw)),
    payloadId,
    page.observedAt,
    known.id,
  )
  return 'edited'
}

function postParams(item: PostToStore, observedAt: number) {
  const p = item.post
  const m = p.metrics
  return {
    platform: p.platform,
    platformId: p.platformId,
    url: p.url,
    authorId: p.author.id,
    authorHandle: p.author.handle,
    authorName: p.author.name,
    authorFollowers: p.author.followers,
    text: p.text,
    lang: p.lang,
    langDetected: item.langDetected,
    createdAt: item.createdAtMs ?? Date.parse(p.createdAt),
    createdAtSource: p.createdAtSource,
    replyTo: p.replyTo,
    quoteOf: p.quoteOf,
    conversationId: p.conversationId,
    hasMetrics: m ? 1 : 0,
    likes: m?.likes ?? null,
    reposts: m?.reposts ?? null,
    replies: m?.replies ?? null,
    quotes: m?.quotes ?? null,
    metricsAt: m ? observedAt : null,
    observedAt,
    raw: item.payload ? '' : (item.rawJson ?? JSON.stringify(p.raw)),
  }
}

/**
 * The payloads a page's new posts arrived in, each stored once. A post is inserted pointing at the id its
 * payload will get, and the payload is written only if that post was new: the next id is known in advance
 * because the page's transaction is the only writer (BEGIN IMMEDIATE). Duplicates cost nothing (a replay
 * run twice stores no payload twice), and no post is written twice.
 */
class PayloadsOfPage {
  private readonly stored = new Map<ReceivedPayload, number>()
  private next = 0

  constructor(
    private readonly db: Db,
    private readonly page: Pick<PageWrite, 'source' | 'observedAt'>,
  ) {}

  /** The payload's id: its own once stored, else the one it gets if `stored` follows. */
  idFor(payload: ReceivedPayload): number {
    const id = this.stored.get(payload)
    if (id !== undefined) return id
    if (this.next === 0) this.next = ((stmt(this.db, 'SELECT max(id) FROM payloads').pluck().get() as number | null) ?? 0) + 1
    return this.next
  }

  /** A post just inserted points at `idFor(payload)`: make that row exist. */
  used(payload: ReceivedPayload): void {
    if (this.stored.has(payload)) return
    stmt(this.db, INSERT_PAYLOAD).run(this.next, this.page.source, this.page.observedAt, payload.body)
    this.stored.set(payload, this.next++)
  }
}

/** Where a walk through a topic's posts (in key order) has got to. */
export interface TopicPostPosition {
  createdAt: number
  postId: number
}

export const TOPIC_START: TopicPostPosition = { createdAt: Number.MIN_SAFE_INTEGER, postId: 0 }

/** Every stored post of a topic, deleted ones included. */
export function countTopicPosts(db: Db, topicId: string): number {
  return stmt(db, 'SELECT count(*) FROM post_topics WHERE topic_id = ?').pluck().get(topicId) as number
}

/**
 * Re-tag the next `limit` posts of a topic after `after` (key order) with the themes `themesOf` finds in
 * their current text. Read and write happen in one transaction, so a page being stored at the same time
 * cannot slip in between. A row is rewritten only when its set of themes changes.
 */
export function retagBatch(
  db: Db,
  topicId: string,
  after: TopicPostPosition,
  limit: number,
  themesOf: (text: string) => string[],
  langOf?: (text: string) => string,
): { posts: number; changed: number; relanguaged: number; last: TopicPostPosition | null } {
  const page = stmt(
    db,
    `SELECT pt.created_at AS createdAt, pt.post_id AS postId, p.text, pt.themes, p.lang_detected AS lang
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = ? AND (pt.created_at, pt.post_id) > (?, ?)
     ORDER BY pt.created_at, pt.post_id LIMIT ?`,
  )
  const update = stmt(db, 'UPDATE post_topics SET themes = ? WHERE topic_id = ? AND created_at = ? AND post_id = ?')
  // The posts_stance_update trigger moves the post's stance counts to the new language.
  const updateLang = stmt(db, 'UPDATE posts SET lang_detected = ? WHERE id = ?')
  const run = db.transaction(() => {
    const rows = page.all(topicId, after.createdAt, after.postId, limit) as (TopicPostPosition & { text: string; themes: string; lang: string })[]
    let changed = 0
    let relanguaged = 0
    for (const r of rows) {
      const lang = langOf?.(r.text)
      if (lang !== undefined && lang !== r.lang) {
        updateLang.run(lang, r.postId)
        relanguaged++
      }
      const before = new Set(JSON.parse(r.themes) as string[])
      const now = themesOf(r.text)
      if (now.length === before.size && now.every((t) => before.has(t))) continue
      update.run(JSON.stringify(now), topicId, r.createdAt, r.postId)
      changed++
    }
    const last = rows.at(-1)
    return { posts: rows.length, changed, relanguaged, last: last ? { createdAt: last.createdAt, postId: last.postId } : null }
  })
  return run.immediate()
}
