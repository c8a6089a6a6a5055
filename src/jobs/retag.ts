import type { AppContext } from '../context.js'
import { themesOfText } from '../match/matcher.js'
import { countTopicPosts, retagBatch, TOPIC_START } from '../store/posts.js'
import type { Progress } from '../domain/progress.js'
import { detectLang } from '../text/detect-lang.js'
import { topicById } from './topics.js'

export interface RetagResult {
  topic: string
  /** Stored posts of the topic looked at (deleted ones included). */
  posts: number
  /** Posts whose set of themes changed. */
  changed: number
  /** Posts whose detected language changed (stored by an earlier language detector). */
  languages: number
}

const BATCH = 1000

/**
 * Recompute the themes and the language of every stored post of a topic from its current text, the current
 * config and the current language detector (after someone edits theme terms, or for posts stored before
 * themes existed or by an earlier detector). Batches of posts are each read
 * and rewritten in one transaction; running it again changes nothing.
 */
export function retag(ctx: AppContext, opts: { topic?: string; onProgress?: (p: Progress) => void; batchSize?: number } = {}): RetagResult {
  const [topic] = topicById(ctx, opts.topic ?? ctx.config.topics[0]!.id)
  const compiled = ctx.topics.find((t) => t.id === topic!.id)!
  const themesOf = (text: string) => themesOfText(text, [compiled]).get(compiled.id) ?? []
  const total = countTopicPosts(ctx.db, compiled.id)
  const result: RetagResult = { topic: compiled.id, posts: 0, changed: 0, languages: 0 }
  let after = TOPIC_START
  for (;;) {
    const batch = retagBatch(ctx.db, compiled.id, after, opts.batchSize ?? BATCH, themesOf, detectLang)
    if (batch.last === null) break
    result.posts += batch.posts
    result.changed += batch.changed
    result.languages += batch.relanguaged
    after = batch.last
    // Posts stored while this runs can push the count past the first estimate.
    opts.onProgress?.({ done: result.posts, total: Math.max(total, result.posts), label: compiled.id })
  }
  ctx.log.info({ ...result }, 'retag finished')
  return result
}
