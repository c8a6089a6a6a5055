import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { InputError, UsageError } from '../domain/errors.js'
import type { PostRef } from '../domain/post-ref.js'
import { UNCERTAIN } from '../domain/stance.js'
import { StanceModel, type Explanation } from '../classify/stance-model.js'
import { saveClassifications } from '../store/classifications.js'
import { activeModel } from '../store/models.js'
import {
  clearHumanLabel,
  currentStance,
  findPost,
  leastCertain,
  setHumanLabel,
  type CurrentStance,
  type FoundPost,
  type ReviewCandidate,
} from '../store/labels.js'
import { topicById } from './topics.js'

export interface LabelResult {
  post: { id: number; platform: string; url: string }
  topicId: string
  label: string | null
  previous: CurrentStance
  by: string | null
}

export function requirePost(ctx: AppContext, ref: PostRef): FoundPost {
  const post = findPost(ctx.db, ref)
  if (!post)
    throw new InputError(`no stored post matches "${ref.text}". Give its URL, its platform id (tweet id or at:// URI) or #N from an export or \`review\``)
  return post
}

/** The topic a person means: the one named, or the post's only topic. */
export function topicOfPost(ctx: AppContext, post: FoundPost, wanted: string | undefined): TopicConfig {
  if (wanted) {
    const [topic] = topicById(ctx, wanted)
    if (!post.topics.includes(topic!.id))
      throw new InputError(`post #${post.id} is not in topic "${wanted}"${post.topics.length ? `; its topics: ${post.topics.join(', ')}` : ''}`)
    return topic!
  }
  const known = ctx.config.topics.filter((t) => post.topics.includes(t.id))
  if (known.length === 1) return known[0]!
  if (known.length === 0) throw new InputError(`post #${post.id} matched no configured topic, so it has no stance to label`)
  throw new UsageError(`post #${post.id} is in several topics (${known.map((t) => t.id).join(', ')}); choose one with --topic`)
}

/**
 * A person's label for a post. It overrides the model in every output from now on and joins the topic's
 * training set; `clear` hands the post back to the model.
 */
export function labelPost(ctx: AppContext, ref: PostRef, label: string | null, o: { topic?: string; by?: string | null }): LabelResult {
  const post = requirePost(ctx, ref)
  const topic = topicOfPost(ctx, post, o.topic)
  const labels = topic.stance.labels.map((l) => l.id)
  if (label !== null && !labels.includes(label)) {
    throw new UsageError(
      `"${label}" is not a stance of topic "${topic.id}"; use one of: ${labels.join(', ')}${label === UNCERTAIN ? ' (uncertain is what the model says when it cannot tell; a person labels what they see)' : ''}`,
    )
  }
  const previous = currentStance(ctx.db, topic.id, post)!
  if (label === null) clearHumanLabel(ctx.db, post, topic.id)
  else setHumanLabel(ctx.db, post, topic.id, label, o.by ?? null, ctx.now().getTime())
  if (label === null && previous.source === 'human') rescoreOne(ctx, topic, post)
  ctx.log.info({ post: post.id, topic: topic.id, label, previous: previous.label }, label === null ? 'human label cleared' : 'human label set')
  return { post: { id: post.id, platform: post.platform, url: post.url }, topicId: topic.id, label, previous, by: o.by ?? null }
}

/** A cleared post gets the active model's label straight away rather than waiting for the next classify run. */
function rescoreOne(ctx: AppContext, topic: TopicConfig, post: FoundPost): void {
  const stored = activeModel(ctx.db, topic.id)
  if (!stored) return
  const p = StanceModel.load(stored.params, stored.weights).predict(post.text)
  saveClassifications(ctx.db, topic.id, stored.id, [{ postId: post.id, createdAt: post.createdAt, ...p }], ctx.now().getTime())
}

export interface ReviewQueue {
  topicId: string
  model: string
  labels: string[]
  posts: (Omit<ReviewCandidate, 'createdAt'> & { createdAt: string })[]
}

/** The posts the active model is least sure about, for people to label next. */
export function reviewQueue(ctx: AppContext, o: { topic?: string; n: number }): ReviewQueue[] {
  return topicById(ctx, o.topic).map((topic) => {
    const stored = activeModel(ctx.db, topic.id)
    if (!stored) throw new InputError(`topic "${topic.id}" has no model yet: run \`stancewatch classify\` first`)
    return {
      topicId: topic.id,
      model: stored.version,
      labels: topic.stance.labels.map((l) => l.id),
      posts: leastCertain(ctx.db, topic.id, stored.id, o.n).map((p) => ({ ...p, createdAt: new Date(p.createdAt).toISOString() })),
    }
  })
}

export interface ExplainResult extends Explanation {
  topicId: string
  model: string
  post: { id: number; url: string; human: string | null } | null
  text: string
}

/** Why the model labels a stored post, or any text, the way it does. */
export function explain(ctx: AppContext, o: { ref?: PostRef; text?: string; topic?: string; top?: number }): ExplainResult {
  let post: FoundPost | null = null
  let topic: TopicConfig
  if (o.ref) {
    post = requirePost(ctx, o.ref)
    topic = topicOfPost(ctx, post, o.topic)
  } else if (o.text !== undefined) {
    if (!o.text.trim()) throw new UsageError('--text is empty; give the text to explain')
    topic = topicById(ctx, o.topic)[0]!
    if (!o.topic && ctx.config.topics.length > 1)
      throw new UsageError(`several topics are configured; choose one with --topic (${ctx.config.topics.map((t) => t.id).join(', ')})`)
  } else throw new UsageError('give a post (URL, id or #N) or --text "…"')
  const stored = activeModel(ctx.db, topic.id)
  if (!stored) throw new InputError(`topic "${topic.id}" has no model yet: run \`stancewatch train\` or \`stancewatch classify\` first`)
  const text = post ? post.text : o.text!
  const e = StanceModel.load(stored.params, stored.weights).explain(text, o.top ?? 10)
  const now = post ? currentStance(ctx.db, topic.id, post) : null
  return {
    ...e,
    topicId: topic.id,
    model: stored.version,
    post: post ? { id: post.id, url: post.url, human: now?.source === 'human' ? now.label : null } : null,
    text,
  }
}
