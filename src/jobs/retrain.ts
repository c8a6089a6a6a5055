import type { AppContext } from '../context.js'
import { latestTrainingAt, labelsSince } from '../store/models.js'
import { trainTopic, type TrainResult } from './train.js'

export interface RetrainCheck {
  topicId: string
  /** Labels given or imported since the topic's latest model was trained. */
  newLabels: number
  threshold: number
  /** The new model, when the check retrained. */
  trained: TrainResult | null
}

/**
 * Retrain each topic whose people have given `stance.retrain_after_labels` labels (or more) since its latest
 * model, through the same `trainTopic` as `stancewatch train`. Re-scoring is left to the classify run that
 * follows: a new active model sends every post back to it, batch by batch. A topic without a model is left to
 * classify, which trains its first one; a threshold of 0 turns this off.
 */
/**
 * Per topic, the new labels counted when a retraining was last refused (below the quality floor): the
 * next attempt waits for `retrain_after_labels` more, instead of retraining the same set every run.
 */
const refusedAt = new Map<string, number>()

export function retrainIfDue(ctx: AppContext): RetrainCheck[] {
  const out: RetrainCheck[] = []
  for (const topic of ctx.config.topics) {
    const threshold = topic.stance.retrain_after_labels
    const since = latestTrainingAt(ctx.db, topic.id)
    if (threshold === 0 || since === null) continue
    const newLabels = labelsSince(ctx.db, topic.id, since)
    const check: RetrainCheck = { topicId: topic.id, newLabels, threshold, trained: null }
    const key = `${ctx.db.name}\u0000${topic.id}`
    if (newLabels >= threshold && newLabels >= (refusedAt.get(key) ?? 0) + threshold) {
      ctx.log.info({ topic: topic.id, newLabels, threshold }, 'retraining after new labels')
      check.trained = trainTopic(ctx, topic)
      if (check.trained.decision.status === 'refused') {
        refusedAt.set(key, newLabels)
        ctx.log.warn({ topic: topic.id, problems: check.trained.decision.problems }, 'retrained model refused; the previous one stays active')
      } else refusedAt.delete(key)
    }
    out.push(check)
  }
  return out
}
