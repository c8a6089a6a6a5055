import path from 'node:path'
import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { InputError } from '../domain/errors.js'
import { readLabelledFile } from '../classify/labelled-files.js'
import { readSeedExamples } from '../classify/seeds.js'
import { trainingSet } from '../classify/people-labels.js'
import type { Example } from '../classify/stance-model.js'
import { ALGORITHM, crossValidate, modelVersion, trainStanceModel } from '../classify/training.js'
import type { EvalMetrics } from '../classify/metrics.js'
import { importLabels } from '../store/labels.js'
import { activeModel, peopleLabels, saveActiveModel } from '../store/models.js'
import { assistantTrainingExamples } from '../store/assistant.js'

/**
 * Whether a new model was put in use. `active`: it cleared the topic's bar; `refused`: it did not and the
 * previous model (if any) stays in use; `forced`: it did not, and `--force` made it active anyway.
 */
export interface TrainDecision {
  status: 'active' | 'refused' | 'forced'
  /** stance.min_cv_macro_f1 */
  minMacroF1: number
  minPerLabel: number
  /** Why the model falls short, one sentence each; empty when it clears the bar. */
  problems: string[]
  /** The version in use after this training: the new one, the one kept, or null (no model at all). */
  activeVersion: string | null
}

export interface TrainResult {
  topicId: string
  /** The stored model's id; null when it was refused (it is not stored). */
  modelId: number | null
  version: string
  /** `assistant`: the assistant's labels trained on (only where the topic's assistant.use_for_training says so). */
  examples: { seed: number; people: number; imported: number; extra: number; assistant: number; byLabel: Record<string, number> }
  cv: Pick<EvalMetrics, 'accuracy' | 'macro_f1' | 'n'> & { folds: number }
  decision: TrainDecision
  trainSeconds: number
  cvSeconds: number
}

const CV_FOLDS = 5
/** Fewer examples of a label than folds, and some folds cannot test it: the estimate means little. */
export const MIN_EXAMPLES_PER_LABEL = CV_FOLDS

/**
 * Train a topic's model from its seed labels, the labels people gave, and any extra examples; evaluate it
 * by cross-validation; store it as the active version if it clears the topic's bar (cross-validated
 * macro-F1 at least stance.min_cv_macro_f1, every label with enough examples), or if `force`. A refused
 * model is not stored and the previous one stays active. Posts are re-scored by the next classify run.
 * Every caller but a person's `train --force` leaves `force` off, so nothing scheduled lowers the bar.
 */
export function trainTopic(ctx: AppContext, topic: TopicConfig, extra: readonly Example[] = [], opts: { force?: boolean } = {}): TrainResult {
  const labels = topic.stance.labels.map((l) => l.id)
  const seed = readSeedExamples(topic.stance.seeds, labels)
  const stored = peopleLabels(ctx.db, topic.id).filter((e) => labels.includes(e.label))
  const people = stored.filter((e) => e.source === 'human').length
  // People's labels, imported files and extra examples all weigh more than seeds (classify/people-labels.ts).
  const base = trainingSet(seed, [...stored, ...extra.filter((e) => labels.includes(e.label))], topic.stance.people_label_weight)
  // The assistant's labels never stand for a person's: their own weight, none for a post a person labelled.
  const assistant = topic.assistant.use_for_training
    ? assistantTrainingExamples(ctx.db, topic.id)
        .filter((e) => labels.includes(e.label))
        .map((e) => ({ ...e, weight: topic.assistant.training_weight }))
    : []
  const examples = [...base, ...assistant]
  const byLabel = Object.fromEntries(labels.map((l) => [l, examples.filter((e) => e.label === l).length]))
  const started = performance.now()
  const model = trainStanceModel(examples, labels, topic.stance.min_confidence)
  const trainSeconds = (performance.now() - started) / 1000
  // The whole procedure (hyper-parameter choice included) re-run per fold: an honest estimate, at k× the cost.
  const cv = crossValidate(examples, labels, CV_FOLDS)
  const cvSeconds = (performance.now() - started) / 1000 - trainSeconds
  const { params, weights } = model.serialize()
  const at = ctx.now()
  const version = modelVersion(topic.id, examples, model.params, at)
  const result = {
    topicId: topic.id,
    version,
    examples: { seed: seed.length, people, imported: stored.length - people, extra: extra.length, assistant: assistant.length, byLabel },
    cv: { accuracy: cv.accuracy, macro_f1: cv.macro_f1, n: cv.n, folds: CV_FOLDS },
    trainSeconds,
    cvSeconds,
  }
  const problems = shortcomings(byLabel, cv.macro_f1, topic.stance.min_cv_macro_f1)
  const bar = { minMacroF1: topic.stance.min_cv_macro_f1, minPerLabel: MIN_EXAMPLES_PER_LABEL, problems }
  if (problems.length > 0 && !opts.force) {
    const kept = activeModel(ctx.db, topic.id)?.version ?? null
    ctx.log.warn({ topic: topic.id, version, macro_f1: cv.macro_f1, problems, kept }, 'model refused: the previous one stays active')
    return { ...result, modelId: null, decision: { status: 'refused', ...bar, activeVersion: kept } }
  }
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
  if (problems.length > 0) ctx.log.warn({ topic: topic.id, version, macro_f1: cv.macro_f1, problems }, 'model below the bar made active (--force)')
  else ctx.log.info({ topic: topic.id, version, accuracy: cv.accuracy, macro_f1: cv.macro_f1 }, 'model trained')
  return { ...result, modelId, decision: { status: problems.length ? 'forced' : 'active', ...bar, activeVersion: version } }
}

/** Why a model should not be made active: labels short of examples, cross-validated macro-F1 under the floor. */
function shortcomings(byLabel: Record<string, number>, macroF1: number, floor: number): string[] {
  const out: string[] = []
  const short = Object.entries(byLabel).filter(([, n]) => n < MIN_EXAMPLES_PER_LABEL)
  if (short.length)
    out.push(
      `too few examples of ${short.map(([label, n]) => `"${label}" (${n})`).join(', ')}: at least ${MIN_EXAMPLES_PER_LABEL} of each label are needed, one per cross-validation fold`,
    )
  if (macroF1 < floor) out.push(`cross-validated macro-F1 ${macroF1.toFixed(3)} is below stance.min_cv_macro_f1 (${floor})`)
  return out
}

export interface ImportResult {
  file: string
  topicId: string
  rows: number
  added: number
  known: number
  skipped: { otherTarget: number; unknownLabel: Record<string, number> }
  warnings: string[]
}

/**
 * Labelled examples from a TSV, CSV or JSONL file join a topic's training set (stored, so later trainings
 * keep them). Rows for another target, or with a label the topic does not define, are counted and left out.
 */
export function importTrainingFile(ctx: AppContext, topic: TopicConfig, file: string): ImportResult {
  const data = readLabelledFile(file)
  const labels = topic.stance.labels.map((l) => l.id)
  const skipped: ImportResult['skipped'] = { otherTarget: 0, unknownLabel: {} }
  const rows: Example[] = []
  for (const r of data.rows) {
    if (r.target !== null && r.target !== topic.id) skipped.otherTarget++
    else if (!labels.includes(r.label)) skipped.unknownLabel[r.label] = (skipped.unknownLabel[r.label] ?? 0) + 1
    else rows.push({ text: r.text, label: r.label })
  }
  if (rows.length === 0) {
    const unknown = Object.keys(skipped.unknownLabel)
    throw new InputError(
      `${file}: no row can train topic "${topic.id}"` +
        (unknown.length ? `; its labels are ${labels.join(', ')} but the file has ${unknown.map((l) => JSON.stringify(l)).join(', ')}` : '') +
        (skipped.otherTarget ? `; ${skipped.otherTarget} rows name another target (the target column must be "${topic.id}" or empty)` : '') +
        '. Fix: relabel the file with the topic labels, or choose the topic with --topic',
    )
  }
  const { added, known } = importLabels(ctx.db, topic.id, rows, path.basename(file), ctx.now().getTime())
  ctx.log.info({ file, topic: topic.id, added, known, skipped }, 'labels imported')
  return { file, topicId: topic.id, rows: data.rows.length, added, known, skipped, warnings: data.warnings }
}
