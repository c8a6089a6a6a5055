import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { readSeedExamples } from '../classify/seeds.js'
import { ALGORITHM, crossValidate, modelVersion, StanceModel, type Example } from '../classify/stance-model.js'
import type { EvalMetrics } from '../classify/metrics.js'
import { peopleLabels, saveActiveModel } from '../store/models.js'

export interface TrainResult {
  topicId: string
  modelId: number
  version: string
  examples: { seed: number; people: number; extra: number }
  cv: Pick<EvalMetrics, 'accuracy' | 'macro_f1' | 'n'> & { folds: number }
  trainSeconds: number
}

const CV_FOLDS = 5

export function topicById(ctx: AppContext, id: string | undefined): TopicConfig[] {
  if (!id) return [...ctx.config.topics]
  const t = ctx.config.topics.find((x) => x.id === id)
  if (!t) throw new UsageError(`no topic "${id}" in ${ctx.configFile}; topics: ${ctx.config.topics.map((x) => x.id).join(', ')}`)
  return [t]
}

/**
 * Train a topic's model from its seed labels, the labels people gave, and any extra examples; evaluate it
 * by cross-validation; store it as the active version. Posts are re-scored by the next classify run.
 */
export function trainTopic(ctx: AppContext, topic: TopicConfig, extra: readonly Example[] = []): TrainResult {
  const labels = topic.stance.labels.map((l) => l.id)
  const seed = readSeedExamples(topic.stance.seeds, labels)
  const people = peopleLabels(ctx.db, topic.id).filter((e) => labels.includes(e.label))
  const examples = [...seed, ...people, ...extra.filter((e) => labels.includes(e.label))]
  const started = performance.now()
  const cv = crossValidate(examples, labels, CV_FOLDS)
  const model = StanceModel.train(examples, labels, topic.stance.min_confidence)
  const trainSeconds = (performance.now() - started) / 1000
  const { params, weights } = model.serialize()
  const at = ctx.now()
  const version = modelVersion(topic.id, examples, model.params, at)
  const modelId = saveActiveModel(ctx.db, {
    topicId: topic.id,
    version,
    algorithm: ALGORITHM,
    params,
    metrics: { cv_folds: CV_FOLDS, ...cv },
    trainingSize: examples.length,
    trainedAt: at.getTime(),
    weights,
  })
  ctx.log.info({ topic: topic.id, version, accuracy: cv.accuracy, macro_f1: cv.macro_f1 }, 'model trained')
  return {
    topicId: topic.id,
    modelId,
    version,
    examples: { seed: seed.length, people: people.length, extra: extra.length },
    cv: { accuracy: cv.accuracy, macro_f1: cv.macro_f1, n: cv.n, folds: CV_FOLDS },
    trainSeconds,
  }
}
