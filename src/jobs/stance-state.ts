import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import type { LabelProgress } from '../domain/stance.js'
import { readSeedExamples } from '../classify/seeds.js'
import { activeModelVersion, peopleLabels } from '../store/models.js'
import { MIN_EXAMPLES_PER_LABEL } from './train.js'

/**
 * Where a topic's stance stands: measured by an active model, or awaiting labels (no model, and some label
 * still short of the floor `train` needs). A topic with no model whose labels all reach the floor is
 * `ready`: the next classify run trains its first model.
 */
export type StanceState = { status: 'measured'; model: string } | ({ status: 'awaiting-labels' } & LabelProgress) | ({ status: 'ready' } & LabelProgress)

/** Examples per label in the training set `trainTopic` would build: seeds, people's labels, imported files. */
export function labelProgress(ctx: AppContext, topic: TopicConfig): LabelProgress {
  const labels = topic.stance.labels.map((l) => l.id)
  const counts = Object.fromEntries(labels.map((l) => [l, 0]))
  for (const e of [...readSeedExamples(topic.stance.seeds, labels), ...peopleLabels(ctx.db, topic.id)]) if (Object.hasOwn(counts, e.label)) counts[e.label]!++
  return { counts, floor: MIN_EXAMPLES_PER_LABEL }
}

export function reachesFloor(p: LabelProgress): boolean {
  return Object.values(p.counts).every((n) => n >= p.floor)
}

export function stanceState(ctx: AppContext, topic: TopicConfig): StanceState {
  const model = activeModelVersion(ctx.db, topic.id)
  if (model) return { status: 'measured', model }
  const p = labelProgress(ctx, topic)
  return { status: reachesFloor(p) ? 'ready' : 'awaiting-labels', ...p }
}
