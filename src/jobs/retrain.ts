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
export function retrainIfDue(ctx: AppContext): RetrainCheck[] {
  const out: RetrainCheck[] = []
  for (const topic of ctx.config.topics) {
    const threshold = topic.stance.retrain_after_labels
    const since = latestTrainingAt(ctx.db, topic.id)
    if (threshold === 0 || since === null) continue
    const newLabels = labelsSince(ctx.db, topic.id, since)
    const check: RetrainCheck = { topicId: topic.id, newLabels, threshold, trained: null }
    if (newLabels >= threshold) {
      ctx.log.info({ topic: topic.id, newLabels, threshold }, 'retraining after new labels')
      check.trained = trainTopic(ctx, topic)
    }
    out.push(check)
  }
  return out
}
