import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { InputError, UsageError } from '../domain/errors.js'
import type { PostRef } from '../domain/post-ref.js'
import { copyKey } from '../classify/label-memory.js'
import { StanceModel, type Explanation } from '../classify/stance-model.js'
import { mostUncertainFirst } from '../classify/uncertainty.js'
import { activeModel } from '../store/models.js'
import { currentStance, leastCertain, type FoundPost, type ReviewCandidate } from '../store/labels.js'
import type { LabelProgress } from '../domain/stance.js'
import { firstLabelQueue } from './first-labels.js'
import { labelProgress } from './stance-state.js'
import { oneTopic, topicById } from './topics.js'
import { requirePost, topicOfPost } from './label.js'

export interface ReviewPost extends Omit<ReviewCandidate, 'createdAt' | 'label' | 'confidence'> {
  createdAt: string
  /** The model's label and confidence; null in a topic with no model yet (and `scores` empty). */
  label: string | null
  confidence: number | null
  /** For a topic with no model: the post's detected language and engagement, which chose it. */
  lang?: string
  engagement?: number
}

export interface ReviewQueue {
  topicId: string
  /** The active model's version; null while the topic has none (the queue is then by language and engagement). */
  model: string | null
  labels: string[]
  /** Each label's name and one-line definition, from the config: what a person labels by. */
  definitions: { id: string; name: string; definition: string }[]
  /** For a topic with no model: examples per label so far against the floor a first model needs. */
  progress: LabelProgress | null
  posts: ReviewPost[]
}

/**
 * The posts the active model is least sure about, for people to label next: one of each set of copies (a
 * retweet, a copy-paste), since the label given to one goes to the others through the label memory. A topic
 * with no model yet gets its unlabelled posts by language and engagement (first-labels.ts), with its progress
 * toward a first model.
 */
export function reviewQueue(ctx: AppContext, o: { topic?: string; n: number }): ReviewQueue[] {
  return topicById(ctx, o.topic).map((topic) => {
    const stored = activeModel(ctx.db, topic.id)
    const common = {
      topicId: topic.id,
      labels: topic.stance.labels.map((l) => l.id),
      definitions: topic.stance.labels.map((l) => ({ id: l.id, name: l.name, definition: l.definition })),
    }
    if (!stored)
      return {
        ...common,
        model: null,
        progress: labelProgress(ctx, topic),
        posts: firstLabelQueue(ctx, topic, o.n).map((p) => ({
          ...p,
          createdAt: new Date(p.createdAt).toISOString(),
          label: null,
          confidence: null,
          scores: {},
        })),
      }
    return {
      ...common,
      model: stored.version,
      progress: null,
      posts: oneOfEachCopy(mostUncertainFirst(leastCertain(ctx.db, topic.id, stored.id, o.n * 3)))
        .slice(0, o.n)
        .map((p) => ({ ...p, createdAt: new Date(p.createdAt).toISOString() })),
    }
  })
}

function oneOfEachCopy(posts: ReviewCandidate[]): ReviewCandidate[] {
  const seen = new Set<number>()
  return posts.filter((p) => {
    const key = copyKey(p.text)
    if (key === null) return true
    if (seen.has(key)) return false
    seen.add(key)
    return true
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
    topic = oneTopic(ctx, o.topic)
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
