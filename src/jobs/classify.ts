import type { AppContext } from '../context.js'
import { LabelMemory } from '../classify/label-memory.js'
import { predictStances } from '../classify/people-labels.js'
import { StanceModel } from '../classify/stance-model.js'
import { isDetectedLang } from '../text/detect-lang.js'
import { countToClassify, postsToClassify, saveClassifications } from '../store/classifications.js'
import { activeModel, labelledTexts } from '../store/models.js'
import type { Progress } from '../domain/progress.js'
import { labelProgress, reachesFloor } from './stance-state.js'
import { topicById } from './topics.js'
import { trainTopic } from './train.js'

export interface ClassifyTopicResult {
  topicId: string
  /** The model that scored the posts; null when the topic has none (its first model was refused). */
  model: string | null
  trained: boolean
  classified: number
  /** Why the first model trained from the seeds was not made active (see `train`); the topic's posts wait unscored. */
  refused?: string[]
  /**
   * Set when the topic has no model and some label is still short of the examples a model needs: a normal
   * state for a new topic, not a failure. Its posts wait for people's labels (`review`).
   */
  status?: 'awaiting-labels'
  counts?: Record<string, number>
  floor?: number
}

const BATCH = 1000

/**
 * Label every topic post the active model has not scored. A topic without a model gets one trained from
 * its seed labels first, so a fresh install classifies without a separate step, unless that model falls
 * short of the topic's bar (see trainTopic): then the topic is reported as refused and left unscored. A
 * topic whose labels do not yet reach the floor is not trained at all: it is reported as awaiting labels.
 */
export async function classify(
  ctx: AppContext,
  opts: { topic?: string; onProgress?: (p: Progress) => void; signal?: AbortSignal } = {},
): Promise<ClassifyTopicResult[]> {
  const results: ClassifyTopicResult[] = []
  for (const topic of topicById(ctx, opts.topic)) {
    let stored = activeModel(ctx.db, topic.id)
    let trained = false
    if (!stored) {
      // A cross-validation that must be refused for want of examples would only cost time: wait for labels.
      const progress = labelProgress(ctx, topic)
      if (!reachesFloor(progress)) {
        results.push({ topicId: topic.id, model: null, trained: false, classified: 0, status: 'awaiting-labels', ...progress })
        continue
      }
      // Never forced: a topic whose seeds cannot make an acceptable model stays unscored (and says why) rather than guessed.
      const first = trainTopic(ctx, topic)
      if (first.decision.status === 'refused') {
        results.push({ topicId: topic.id, model: null, trained: false, classified: 0, refused: first.decision.problems })
        continue
      }
      stored = activeModel(ctx.db, topic.id)!
      trained = true
    }
    const model = StanceModel.load(stored.params, stored.weights)
    // A person's label goes to every copy of the words they labelled, whatever the model would say.
    const memory = new LabelMemory(labelledTexts(ctx.db, topic.id))
    const total = countToClassify(ctx.db, topic.id, stored.id)
    let done = 0
    let after = { createdAt: Number.MIN_SAFE_INTEGER, postId: 0 }
    for (;;) {
      const batch = postsToClassify(ctx.db, topic.id, stored.id, after, BATCH)
      if (batch.length === 0) break
      const predictions = predictStances(
        model,
        memory,
        batch.map((p) => ({ text: p.text, lang: isDetectedLang(p.lang) ? p.lang : undefined })),
      )
      const rows = batch.map((p, i) => {
        const { remembered, ...prediction } = predictions[i]!
        return { postId: p.postId, createdAt: p.createdAt, ...prediction, recalled: remembered }
      })
      saveClassifications(ctx.db, topic.id, stored.id, rows, ctx.now().getTime())
      const last = batch[batch.length - 1]!
      after = { createdAt: last.createdAt, postId: last.postId }
      done += batch.length
      opts.onProgress?.({ done, total, label: topic.id })
      if (opts.signal?.aborted) break
      // Yield between batches so a daemon stays responsive (signals, schedules) during a large re-score.
      await new Promise((r) => setImmediate(r))
    }
    results.push({ topicId: topic.id, model: stored.version, trained, classified: done })
  }
  return results
}
