import type { AppContext } from '../context.js'
import type { Post, PostDeletion, ReceivedPayload } from '../domain/post.js'
import type { TopicMatch } from '../domain/topic.js'
import { canonicalLinks, matchPost, themesOfText, type CompiledTopic } from '../match/matcher.js'
import type { Normalized } from '../normalize/index.js'
import type { CursorWrite } from '../store/cursors.js'
import type { Db } from '../store/db.js'
import { savePage, type PostToStore } from '../store/posts.js'
import { topicsOfPosts } from '../store/topics.js'
import { detectLang } from '../text/detect-lang.js'

/** Counts a collector run accumulates; stored with the run so nobody has to guess what happened. */
export interface IngestStats {
  fetched: number
  newPosts: number
  duplicates: number
  offTopic: number
  skipped: number
  ignored: number
  deletions: number
  /** Stored posts replaced by a new version (their old text and labels kept). */
  edits: number
  skipReasons: Record<string, number>
}

export function emptyStats(): IngestStats {
  return { fetched: 0, newPosts: 0, duplicates: 0, offTopic: 0, skipped: 0, ignored: 0, deletions: 0, edits: 0, skipReasons: {} }
}

export function addStats(into: IngestStats, more: IngestStats): IngestStats {
  into.fetched += more.fetched
  into.newPosts += more.newPosts
  into.duplicates += more.duplicates
  into.offTopic += more.offTopic
  into.skipped += more.skipped
  into.ignored += more.ignored
  into.deletions += more.deletions
  into.edits += more.edits
  for (const [k, v] of Object.entries(more.skipReasons)) into.skipReasons[k] = (into.skipReasons[k] ?? 0) + v
  return into
}

export interface Provenance {
  source: string
  query: string | null
}

/** A batch matched and ready to store: the pure half of ingest, which may run in a worker thread. */
export interface PreparedBatch {
  items: PostToStore[]
  /** New versions of posts (edits): stored over the old text, with the old text and labels kept. */
  edits: PostToStore[]
  /** Replies and quotes on no topic by their own words: may still join their parent's topic (thread:reply, thread:quote). */
  unmatched: PostToStore[]
  deletions: PostDeletion[]
  stats: IngestStats
}

/**
 * normalize → detect language → canonicalise links → match, for a batch of payloads; touches no database.
 * A kept post's raw item is serialised here, once, so a worker can hand over a string instead of the object
 * (unless its payload came as received: then that is stored instead).
 */
export function prepareBatch(topics: readonly CompiledTopic[], batch: readonly Normalized[]): PreparedBatch {
  const stats = emptyStats()
  const items: PostToStore[] = []
  const unmatched: PostToStore[] = []
  const edits: PostToStore[] = []
  // Off-topic posts are most of a stream: their language and serialised payload are only worked out if
  // they join a topic later (a reply to a topic post), in `completeItem`.
  const prepare = (post: Post, payload: ReceivedPayload | undefined): PostToStore => {
    const links = canonicalLinks(post)
    const matches = matchPost(post, links, topics)
    const item: PostToStore = { post, langDetected: '', links, matches, payload }
    return matches.length ? completeItem(item) : item
  }
  for (const n of batch) {
    stats.ignored += n.ignored
    for (const s of n.skipped) {
      stats.skipped++
      stats.skipReasons[s.reason] = (stats.skipReasons[s.reason] ?? 0) + 1
    }
    for (const post of n.posts) {
      stats.fetched++
      const item = prepare(post, n.received)
      if (item.matches.length) items.push(item)
      // Only a reply or a quote can still join a topic (its parent's); any other off-topic post is done with.
      else if (post.replyTo || post.quoteOf) unmatched.push(item)
      else stats.offTopic++
    }
    for (const post of n.edits) {
      stats.fetched++
      // An edit re-tags the post's themes on every topic it is stored under, not only those its new text matches.
      edits.push({ ...completeItem(prepare(post, n.received)), textThemes: Object.fromEntries(themesOfText(post.text, topics)) })
    }
  }
  return { items, edits, unmatched, deletions: batch.flatMap((n) => n.deletions), stats }
}

/**
 * match → store for a batch of normalized payloads, with the cursor that covers them, in one transaction.
 * Posts that belong to no topic are counted and dropped: a broad query's noise is not a reaction.
 */
export function ingest(ctx: AppContext, batch: readonly Normalized[], provenance: Provenance, cursor?: CursorWrite, alsoWrite?: (db: Db) => void): IngestStats {
  return commitPrepared(ctx, prepareBatch(ctx.topics, batch), provenance, cursor, alsoWrite)
}

/** The database half of ingest: thread topics, then posts, deletions, cursor and extra writes in one transaction. */
export function commitPrepared(
  ctx: AppContext,
  prepared: PreparedBatch,
  provenance: Provenance,
  cursor?: CursorWrite,
  alsoWrite?: (db: Db) => void,
): IngestStats {
  const stats = prepared.stats
  const items = [...prepared.items]
  const matchedIds = new Map<string, string[]>(items.map((i) => [`${i.post.platform} ${i.post.platformId}`, i.matches.map((m) => m.topicId)]))
  // Repeat until nothing new joins: a reply to a reply that inherited its topic in this batch joins too.
  let pending = prepared.unmatched
  for (;;) {
    const joined = inheritThreadTopics(ctx, pending, matchedIds)
    const found = joined.filter((u) => u.matches.length > 0)
    if (found.length === 0) break
    for (const u of found) {
      items.push(u)
      matchedIds.set(
        `${u.post.platform} ${u.post.platformId}`,
        u.matches.map((m) => m.topicId),
      )
    }
    pending = joined.filter((u) => u.matches.length === 0)
  }
  stats.offTopic += pending.length

  const written = savePage(ctx.db, {
    items,
    edits: prepared.edits,
    deletions: prepared.deletions,
    source: provenance.source,
    query: provenance.query,
    observedAt: ctx.now().getTime(),
    cursor,
    alsoWrite,
  })
  stats.newPosts = written.inserted
  stats.duplicates = written.duplicates
  stats.deletions = written.deleted
  stats.edits += written.edited
  stats.offTopic += written.editsIgnored
  return stats
}

/** Fill in what `prepareBatch` leaves out for posts on no topic, once one is kept after all. */
export function completeItem(item: PostToStore): PostToStore {
  if (!item.langDetected) item.langDetected = detectLang(item.post.text)
  return serialiseItem(item)
}

/** Without the payload as received, the post's own item is stored: serialised once, here (maybe on a worker). */
export function serialiseItem(item: PostToStore): PostToStore {
  if (!item.payload) item.rawJson ??= JSON.stringify(item.post.raw)
  return item
}

/** A reply or quote without topic words joins the topics of the post it answers, if that post is one of ours. */
function inheritThreadTopics(ctx: AppContext, posts: readonly PostToStore[], inBatch: Map<string, string[]>): PostToStore[] {
  const byPlatform = new Map<Post['platform'], string[]>()
  for (const { post } of posts) {
    for (const ref of [post.replyTo, post.quoteOf]) if (ref) byPlatform.set(post.platform, [...(byPlatform.get(post.platform) ?? []), ref])
  }
  const stored = new Map<string, string[]>()
  for (const [platform, ids] of byPlatform) {
    for (const [id, topics] of topicsOfPosts(ctx.db, platform, ids)) stored.set(`${platform} ${id}`, topics)
  }
  return posts.map((item) => {
    const { post } = item
    const matches: TopicMatch[] = []
    const add = (ref: string | null, rule: string) => {
      if (!ref) return
      const key = `${post.platform} ${ref}`
      for (const topicId of inBatch.get(key) ?? stored.get(key) ?? []) {
        const existing = matches.find((m) => m.topicId === topicId)
        if (existing) existing.rules.push(rule)
        else matches.push({ topicId, rules: [rule], themes: [] })
      }
    }
    add(post.replyTo, 'thread:reply')
    add(post.quoteOf, 'thread:quote')
    if (matches.length === 0) return { ...item, matches }
    // The themes are the post's own: a reply saying "the subsidies are the point" is about state vs market,
    // whatever its parent was about.
    const themes = themesOfText(post.text, ctx.topics)
    for (const m of matches) m.themes = themes.get(m.topicId) ?? []
    return completeItem({ ...item, matches })
  })
}

/**
 * Fresh observations of posts already stored (engagement lookups): counts and author details are
 * updated, topics left as they are, and posts the platform no longer returns are marked deleted.
 */
export function refreshObserved(
  ctx: AppContext,
  batch: readonly Normalized[],
  deletions: PostDeletion[],
  provenance: Provenance,
  alsoWrite?: (db: Db) => void,
): { updated: number; deleted: number } {
  const items = batch.flatMap((n) => n.posts).map((post) => ({ post, langDetected: detectLang(post.text), links: canonicalLinks(post), matches: [] }))
  const r = savePage(ctx.db, { items, deletions, source: provenance.source, query: provenance.query, observedAt: ctx.now().getTime(), alsoWrite })
  return { updated: r.duplicates, deleted: r.deleted }
}
