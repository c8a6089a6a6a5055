import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { InputError, UsageError, UserError } from '../domain/errors.js'
import type { Progress } from '../domain/progress.js'
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
import {
  changesOf,
  lastOpenBatch,
  markBatchUndone,
  personLabel,
  recordLabelChange,
  startLabelBatch,
  type BatchKind,
  type PersonLabel,
} from '../store/label-history.js'
import { topicById } from './topics.js'

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

interface LabelPlan {
  post: FoundPost
  topic: TopicConfig
  label: string | null
}

/** In a label file's label column: remove the person's label (a typed label has --clear). */
export const CLEAR_WORD = 'clear'

/** Every check a label goes through, whether typed or read from a file; throws `LabelRefused`. */
function planLabel(ctx: AppContext, ref: PostRef, label: string | null, topic: string | undefined, fromFile = false): LabelPlan {
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
interface Batch {
  kind: BatchKind
  source: string | null
  by: string | null
  id: number | null
  seq: number
}

type Models = Map<string, StanceModel | null>

/** Write one planned label unless it is already so, with its history. Runs inside the caller's transaction. */
function applyLabel(ctx: AppContext, plan: LabelPlan, by: string | null, batch: Batch, models: Models): { changed: boolean; before: PersonLabel | null } {
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
function rescoreOne(ctx: AppContext, topic: TopicConfig, post: FoundPost, models: Models): void {
  const stored = activeModel(ctx.db, topic.id)
  if (!stored) return
  let model = models.get(topic.id)
  if (model === undefined) models.set(topic.id, (model = StanceModel.load(stored.params, stored.weights)))
  const p = model!.predict(post.text)
  saveClassifications(ctx.db, topic.id, stored.id, [{ postId: post.id, createdAt: post.createdAt, ...p }], ctx.now().getTime())
}

// ---------------------------------------------------------------------------------------------------
// Bulk labels and undo

/** One row of a label file, its post reference parsed; `label` null or "clear" clears. */
export interface LabelRowInput {
  line: number
  ref: PostRef
  label: string | null
  topic: string | null
  by: string | null
}

export interface LabelRowResult {
  line: number
  post: string
  postId: number | null
  topicId: string | null
  label: string | null
  status: 'applied' | 'unchanged' | 'refused'
  /** The person's label before (null: none, the model's); for applied and unchanged rows. */
  previous?: string | null
  reason?: RefusalReason
  message?: string
}

export interface LabelFileReport {
  file: string
  applied: number
  unchanged: number
  refused: number
  /** The history batch that `label --undo` takes back as one; null when nothing changed. */
  batch: number | null
  rows: LabelRowResult[]
}

/**
 * A file of labels. Each row is checked on its own, as \`label\` checks one (a refused row never stops the
 * others), then every accepted row is written in one transaction: an interrupted run leaves the database as
 * before the file, and the file is one batch for \`label --undo\`. Rows already so are `unchanged`, so
 * running a file twice changes nothing the second time. Rows that give the same post different labels are
 * all refused: which one the person meant is not for the program to guess.
 */
export function labelRows(
  ctx: AppContext,
  input: readonly LabelRowInput[],
  malformed: readonly { line: number; message: string }[],
  o: { file: string; topic?: string; by: string | null; onProgress?: (p: Progress) => void },
): LabelFileReport {
  const total = input.length
  const results: LabelRowResult[] = malformed.map((m) => ({
    line: m.line,
    post: '',
    postId: null,
    topicId: null,
    label: null,
    status: 'refused',
    reason: 'malformed',
    message: m.message,
  }))
  const planned: { plan: LabelPlan; result: LabelRowResult; by: string | null }[] = []
  for (const [i, row] of input.entries()) {
    const result: LabelRowResult = { line: row.line, post: row.ref.text, postId: null, topicId: null, label: row.label, status: 'refused' }
    results.push(result)
    try {
      const plan = planLabel(ctx, row.ref, row.label, row.topic ?? o.topic, true)
      result.postId = plan.post.id
      result.topicId = plan.topic.id
      result.label = plan.label
      planned.push({ plan, result, by: row.by ?? o.by })
    } catch (e) {
      if (!(e instanceof UserError)) throw e
      result.reason = e instanceof LabelRefused ? e.reason : 'malformed'
      result.message = e.message
    }
    if (i % 500 === 0) o.onProgress?.({ done: i, total, label: 'checking' })
  }

  // The same post twice: the same label is written once, different labels are all refused.
  const byPost = new Map<string, typeof planned>()
  for (const p of planned) {
    const key = `${p.plan.topic.id}\u0000${p.plan.post.id}`
    byPost.set(key, [...(byPost.get(key) ?? []), p])
  }
  const toApply: typeof planned = []
  for (const group of byPost.values()) {
    const labels = new Set(group.map((g) => g.plan.label))
    if (labels.size > 1) {
      const which = group.map((g) => `${g.plan.label ?? 'clear'} (line ${g.result.line})`).join(', ')
      for (const g of group) {
        g.result.reason = 'conflict'
        g.result.message = `the file gives post #${g.plan.post.id} different labels: ${which}; none of them applied`
      }
      continue
    }
    toApply.push(group[0]!)
    for (const g of group.slice(1)) {
      g.result.status = 'unchanged'
      g.result.message = `same post and label as line ${group[0]!.result.line}`
    }
  }
  toApply.sort((a, b) => a.result.line - b.result.line)

  const batch: Batch = { kind: 'file', source: o.file, by: o.by, id: null, seq: 0 }
  const models: Models = new Map()
  ctx.db.transaction(() => {
    for (const [i, p] of toApply.entries()) {
      const { changed, before } = applyLabel(ctx, p.plan, p.by, batch, models)
      p.result.status = changed ? 'applied' : 'unchanged'
      p.result.previous = before?.label ?? null
      if (i % 500 === 0) o.onProgress?.({ done: i, total: toApply.length, label: 'labelling' })
    }
  })()
  for (const p of toApply)
    if (p.result.status === 'unchanged') p.result.message ??= p.plan.label === null ? "no person's label to clear" : 'already labelled so'
  for (const g of byPost.values()) for (const x of g.slice(1)) if (x.result.status === 'unchanged') x.result.previous = g[0]!.result.previous ?? null

  results.sort((a, b) => a.line - b.line)
  const count = (s: LabelRowResult['status']) => results.filter((r) => r.status === s).length
  return { file: o.file, applied: count('applied'), unchanged: count('unchanged'), refused: count('refused'), batch: batch.id, rows: results }
}

export interface UndoResult {
  /** The batch taken back; null when there was nothing to undo. */
  batch: { id: number; kind: BatchKind; file: string | null; by: string | null; at: string } | null
  restored: { postId: number; url: string; topicId: string; undid: string | null; restored: string | null; by: string | null; stance: string | null }[]
  /** Changes that could not be taken back: the post is gone, or its label was changed since by other means. */
  skipped: { postId: number; topicId: string; message: string }[]
}

/**
 * Take back the newest batch of label changes not undone yet (one \`label\`, one answer in \`review\`, or a
 * whole \`label --file\`): each post gets exactly the person's label it had before, or none, and then the
 * active model's label. Called again, it takes back the batch before.
 */
export function undoLastLabels(ctx: AppContext): UndoResult {
  const models: Models = new Map()
  return ctx.db.transaction((): UndoResult => {
    const batch = lastOpenBatch(ctx.db)
    if (!batch) return { batch: null, restored: [], skipped: [] }
    const restored: UndoResult['restored'] = []
    const skipped: UndoResult['skipped'] = []
    for (const c of changesOf(ctx.db, batch.id)) {
      const post = findPost(ctx.db, { kind: 'row', id: c.postId, text: `#${c.postId}` })
      if (!post) {
        skipped.push({ postId: c.postId, topicId: c.topicId, message: 'the post is no longer stored' })
        continue
      }
      const now = personLabel(ctx.db, c.topicId, c.postId)
      if ((now?.label ?? null) !== (c.after?.label ?? null)) {
        skipped.push({ postId: c.postId, topicId: c.topicId, message: `its label was changed since (now ${now?.label ?? 'none'}); left as it is` })
        continue
      }
      const topic = ctx.config.topics.find((t) => t.id === c.topicId)
      if (c.before === null) {
        clearHumanLabel(ctx.db, post, c.topicId)
        if (topic) rescoreOne(ctx, topic, post, models)
      } else setHumanLabel(ctx.db, post, c.topicId, c.before.label, c.before.author, c.before.at)
      restored.push({
        postId: post.id,
        url: post.url,
        topicId: c.topicId,
        undid: c.after?.label ?? null,
        restored: c.before?.label ?? null,
        by: c.before?.author ?? null,
        stance: currentStance(ctx.db, c.topicId, post)?.label ?? null,
      })
    }
    const at = ctx.now().getTime()
    markBatchUndone(ctx.db, batch.id, at)
    ctx.log.info({ batch: batch.id, restored: restored.length, skipped: skipped.length }, 'label changes undone')
    return {
      batch: { id: batch.id, kind: batch.kind, file: batch.source, by: batch.author, at: new Date(batch.createdAt).toISOString() },
      restored: restored.reverse(),
      skipped: skipped.reverse(),
    }
  })()
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
