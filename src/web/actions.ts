/*
 * The only writes the dashboard makes: a person's label (and its undo), a retraining, an alert's state (in
 * alerts.ts). Each is the same code path as its command, so the dashboard can do nothing the CLI cannot.
 */
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { labelPost, type LabelResult } from '../jobs/label.js'
import { undoLastLabels, type UndoResult } from '../jobs/label-undo.js'
import { withJobLease } from '../jobs/leases.js'
import { trainTopic, type TrainResult } from '../jobs/train.js'
import { currentStance, findPost, type CurrentStance } from '../store/labels.js'
import { topicOf } from './filters.js'

/** Who a label given in the dashboard is recorded as (the `--by` of `stancewatch label`). */
export const DASHBOARD_AUTHOR = 'dashboard'

export interface LabelRequest {
  post: number
  /** A stance label, or null to hand the post back to the model. */
  label: string | null
  topic?: string
}

export function readLabelRequest(body: unknown): LabelRequest {
  const b = (body ?? {}) as Record<string, unknown>
  if (!Number.isInteger(b.post)) throw new UsageError('post: the post number (#N)')
  if (b.label !== null && typeof b.label !== 'string') throw new UsageError('label: a stance label, or null to clear')
  if (b.topic !== undefined && typeof b.topic !== 'string') throw new UsageError('topic: a topic id')
  return { post: b.post as number, label: b.label, topic: b.topic }
}

export function setLabel(ctx: AppContext, r: LabelRequest): LabelResult & { stance: CurrentStance | null } {
  const ref = { kind: 'row' as const, id: r.post, text: `#${r.post}` }
  const result = labelPost(ctx, ref, r.label, { topic: r.topic, by: DASHBOARD_AUTHOR })
  // What the post shows now: the person's label, or the model's again after a clear.
  const stance = currentStance(ctx.db, result.topicId, findPost(ctx.db, ref)!)
  return { ...result, stance }
}

export function undoLabel(ctx: AppContext): UndoResult {
  return undoLastLabels(ctx)
}

/**
 * Retrain a topic now, as the classify job does after enough new labels (jobs/retrain.ts → trainTopic),
 * holding the classify job's lease like any manual run: refused (409) while the daemon is classifying.
 * Re-scoring is left to the next classify run, as after the daemon's retraining.
 */
export async function retrain(ctx: AppContext, topicId: string | undefined): Promise<TrainResult> {
  const topic = topicOf(ctx, topicId)
  return withJobLease(ctx, 'classify', { command: 'stancewatch serve (retrain)' }, () => Promise.resolve(trainTopic(ctx, topic)))
}
