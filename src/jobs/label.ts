import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { UserError } from '../domain/errors.js'
import type { PostRef } from '../domain/post-ref.js'
import { UNCERTAIN } from '../domain/stance.js'
import { StanceModel } from '../classify/stance-model.js'
import { saveClassifications } from '../store/classifications.js'
import { activeModel } from '../store/models.js'
import { clearHumanLabel, currentStance, findPost, setHumanLabel, type CurrentStance, type FoundPost } from '../store/labels.js'
import { personLabel, recordLabelChange, startLabelBatch, type BatchKind, type PersonLabel } from '../store/label-history.js'

export interface LabelResult {
  post: { id: number; platform: string; url: string }
  topicId: string
  label: string | null
  previous: CurrentStance
  by: string | null
  /** False when the post already had this person's label (or had none to clear): nothing was written. */
  changed: boolean
}

/** Why a label was refused; the file report gives one per refused row. */
export type RefusalReason = 'malformed' | 'no-such-post' | 'unknown-topic' | 'not-in-topic' | 'ambiguous-topic' | 'unknown-label' | 'conflict'

/** A label that cannot be applied as asked: exit 2 for one label, one refused row in a file. */
export class LabelRefused extends UserError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    kind: 'UsageError' | 'InputError' = 'InputError',
  ) {
    super(message)
    this.name = kind
  }
}

export function requirePost(ctx: AppContext, ref: PostRef): FoundPost {
  const post = findPost(ctx.db, ref)
  if (!post)
    throw new LabelRefused(
      'no-such-post',
      `no stored post matches "${ref.text}". Give its URL, its platform id (tweet id or at:// URI) or #N from an export or \`review\``,
    )
  return post
}

/** The topic a person means: the one named, or the post's only topic. */
export function topicOfPost(ctx: AppContext, post: FoundPost, wanted: string | undefined): TopicConfig {
  if (wanted) {
    const topic = ctx.config.topics.find((t) => t.id === wanted)
    if (!topic)
      throw new LabelRefused(
        'unknown-topic',
        `no topic "${wanted}" in ${ctx.configFile}; topics: ${ctx.config.topics.map((x) => x.id).join(', ')}`,
        'UsageError',
      )
    if (!post.topics.includes(topic.id))
      throw new LabelRefused(
        'not-in-topic',
        `post #${post.id} is not in topic "${wanted}"${post.topics.length ? `; its topics: ${post.topics.join(', ')}` : ''}`,
      )
    return topic
  }
  const known = ctx.config.topics.filter((t) => post.topics.includes(t.id))
  if (known.length === 1) return known[0]!
  if (known.length === 0) throw new LabelRefused('not-in-topic', `post #${post.id} matched no configured topic, so it has no stance to label`)
  throw new LabelRefused(
    'ambiguous-topic',
    `post #${post.id} is in several topics (${known.map((t) => t.id).join(', ')}); choose one with --topic (or a topic column in a file)`,
    'UsageError',
  )
}

export interface LabelPlan {
  post: FoundPost
  topic: TopicConfig
  label: string | null
}

/** In a label file's label column: remove the person's label (a typed label has --clear). */
export const CLEAR_WORD = 'clear'

/** Every check a label goes through, whether typed or read from a file; throws `LabelRefused`. */
export function planLabel(ctx: AppContext, ref: PostRef, label: string | null, topic: string | undefined, fromFile = false): LabelPlan {
  const post = requirePost(ctx, ref)
  const t = topicOfPost(ctx, post, topic)
  const labels = t.stance.labels.map((l) => l.id)
  // The word a label file clears with, unless the topic happens to have a label of that name.
  if (fromFile && label !== null && label.toLowerCase() === CLEAR_WORD && !labels.includes(label)) label = null
  if (label !== null && !labels.includes(label)) {
    throw new LabelRefused(
      'unknown-label',
      `"${label}" is not a stance of topic "${t.id}"; use one of: ${labels.join(', ')}${label === UNCERTAIN ? ' (uncertain is what the model says when it cannot tell; a person labels what they see)' : ''}`,
      'UsageError',
    )
  }
  return { post, topic: t, label }
}

/** The history batch a command's changes go into, started by its first change: a command that changes nothing leaves no batch to undo. */
export interface Batch {
  kind: BatchKind
  source: string | null
  by: string | null
  id: number | null
  seq: number
}

export type Models = Map<string, StanceModel | null>

/** Write one planned label unless it is already so, with its history. Runs inside the caller's transaction. */
export function applyLabel(
  ctx: AppContext,
  plan: LabelPlan,
  by: string | null,
  batch: Batch,
  models: Models,
): { changed: boolean; before: PersonLabel | null } {
  const { post, topic, label } = plan
  const before = personLabel(ctx.db, topic.id, post.id)
  if (label === null ? before === null : before?.label === label) return { changed: false, before }
  const at = ctx.now().getTime()
  if (label === null) {
    clearHumanLabel(ctx.db, post, topic.id)
    rescoreOne(ctx, topic, post, models)
  } else setHumanLabel(ctx.db, post, topic.id, label, by, at)
  batch.id ??= startLabelBatch(ctx.db, { kind: batch.kind, source: batch.source, author: batch.by, createdAt: at })
  recordLabelChange(ctx.db, batch.id, batch.seq++, { topicId: topic.id, postId: post.id, before, after: label === null ? null : { label, author: by, at } })
  ctx.log.info({ post: post.id, topic: topic.id, label, previous: before?.label ?? null }, label === null ? 'human label cleared' : 'human label set')
  return { changed: true, before }
}

/**
 * A person's label for a post. It overrides the model in every output from now on and joins the topic's
 * training set; `clear` hands the post back to the model. The same label again changes nothing.
 */
export function labelPost(ctx: AppContext, ref: PostRef, label: string | null, o: { topic?: string; by?: string | null }): LabelResult {
  const plan = planLabel(ctx, ref, label, o.topic)
  const by = o.by ?? null
  return ctx.db.transaction(() => {
    const previous = currentStance(ctx.db, plan.topic.id, plan.post)!
    const { changed } = applyLabel(ctx, plan, by, { kind: 'label', source: null, by, id: null, seq: 0 }, new Map())
    const { post } = plan
    return { post: { id: post.id, platform: post.platform, url: post.url }, topicId: plan.topic.id, label, previous, by, changed }
  })()
}

/** The active model's label for a post handed back to it, now rather than at the next classify run. */
export function rescoreOne(ctx: AppContext, topic: TopicConfig, post: FoundPost, models: Models): void {
  const stored = activeModel(ctx.db, topic.id)
  if (!stored) return
  let model = models.get(topic.id)
  if (model === undefined) models.set(topic.id, (model = StanceModel.load(stored.params, stored.weights)))
  const p = model!.predict(post.text)
  saveClassifications(ctx.db, topic.id, stored.id, [{ postId: post.id, createdAt: post.createdAt, ...p }], ctx.now().getTime())
}
