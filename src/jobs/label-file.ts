import type { AppContext } from '../context.js'
import { UserError } from '../domain/errors.js'
import type { Progress } from '../domain/progress.js'
import type { PostRef } from '../domain/post-ref.js'
import { applyLabel, planLabel, LabelRefused, type Batch, type LabelPlan, type Models, type RefusalReason } from './label.js'

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
