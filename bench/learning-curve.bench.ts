/*
 * Does a person's label move the model? bench/data/in-domain*.jsonl (hand-written reactions to the default
 * topic's story, en/zh/fr/ja, with copy-pastes and quote posts) is split into a pool people could label and a
 * held-out test part (stratified, fixed seeds, several repetitions averaged). Macro-F1 on the test part with
 * the seeds only, then with 50, 100 and 200 labels from the pool, chosen (a) at random and (b) as `review`
 * chooses them: among the unlabelled posts the current model scored, the least confident (as many as
 * src/store/labels.ts `leastCertain` reads), the most unsure of them first (src/classify/uncertainty.ts), a round of 25 at a time
 * with the model retrained between rounds (as the retrain job does after `stance.retrain_after_labels`).
 * Posts a person's label already covers (label memory) are not offered, as they are not the model's to doubt.
 *
 * Every method trains through `trainingSet` + `trainStanceModel` and predicts through `predictStance`,
 * the code paths of `stancewatch train` and `classify`. `npx tsx bench/run.ts learning-curve`
 * (LEARNING_CURVE_REPS=N splits, 12 by default; LEARNING_CURVE_DRAWS=N random draws per split, 4; LEARNING_CURVE_METHODS=a,b
 * to choose methods, `all` for every one tried, the kept one by default; LEARNING_CURVE_DATA=data/x.jsonl for one set).
 */
import path from 'node:path'
import { copyKey, LabelMemory } from '../src/classify/label-memory.js'
import { readSeedExamples } from '../src/classify/seeds.js'
import type { Example } from '../src/classify/stance-model.js'
import { predictStance, trainingSet, type StancePrediction } from '../src/classify/people-labels.js'
import { trainStanceModel } from '../src/classify/training.js'
import { mostUncertainFirst } from '../src/classify/uncertainty.js'
import { leastCertainPool } from '../src/store/labels.js'
import { IN_DOMAIN_SETS, LABELS, macroF1, randomLabels, readRows, SEEDS, split, type Row } from './in-domain-sets.js'

const STEPS = [50, 100, 200]
const ROUND = 25
const REPS = Number(process.env.LEARNING_CURVE_REPS ?? 12)
/** Random draws of labels per split, averaged: one draw alone swings by ±0.03 from split to split. */
const DRAWS = Number(process.env.LEARNING_CURVE_DRAWS ?? 4)

interface Method {
  /** Weight of a person's label against a seed's 1. */
  peopleWeight: number
  memory: boolean
  /** Self-training: the topic's unlabelled posts the first model labels at least this confidently join the training set. */
  selfTrain?: number
}

/** The topic's collected posts, unlabelled (pool and held-out texts, as a database holds them all). */
let collected: string[] = []

const KEPT = 'weight 3 + memory (kept)'
const METHODS: Record<string, Method> = {
  'seeds + labels (before)': { peopleWeight: 1, memory: false },
  'weight 3': { peopleWeight: 3, memory: false },
  'label memory': { peopleWeight: 1, memory: true },
  'weight 2 + memory': { peopleWeight: 2, memory: true },
  [KEPT]: { peopleWeight: 3, memory: true },
  'weight 5 + memory': { peopleWeight: 5, memory: true },
  'weight 3 + self-training': { peopleWeight: 3, memory: true, selfTrain: 0.75 },
}

type Predict = (text: string) => StancePrediction

function build(seeds: readonly Example[], people: readonly Row[], m: Method): Predict {
  const labelled = people.map((r) => ({ text: r.text, label: r.label, ref: r.id }))
  let model = trainStanceModel(trainingSet(seeds, labelled, m.peopleWeight), LABELS, 0)
  if (m.selfTrain) {
    const known = new Set(labelled.map((l) => l.text))
    const confident = collected
      .filter((t) => !known.has(t))
      .map((text) => ({ text, p: model.predict(text) }))
      .filter((x) => x.p.confidence >= m.selfTrain!)
      .map((x) => ({ text: x.text, label: x.p.label }))
    model = trainStanceModel([...trainingSet(seeds, labelled, m.peopleWeight), ...confident], LABELS, 0)
  }
  const memory = new LabelMemory(m.memory ? labelled : [])
  return (text) => predictStance(model, memory, text)
}

/**
 * What `review` would offer next: the least confident posts (as many as its SQL reads), the most unsure of them
 * first (its ranking), one of each set of copies.
 */
function reviewPick(predict: Predict, pool: readonly Row[], taken: ReadonlySet<string>, n: number): Row[] {
  const scored = pool
    .filter((r) => !taken.has(r.id))
    .map((r) => ({ r, p: predict(r.text) }))
    .filter((x) => !x.p.remembered)
    .sort((a, b) => a.p.confidence - b.p.confidence)
    // src/jobs/review.ts asks `leastCertain` for 3n, to have n left once copies are set aside.
    .slice(0, leastCertainPool(n * 3))
    .map((x) => ({ ...x, scores: x.p.scores }))
  const seen = new Set<number>()
  return mostUncertainFirst(scored)
    .filter((x) => {
      const key = copyKey(x.r.text)
      if (key === null) return true
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .slice(0, n)
    .map((x) => x.r)
}

function curve(seeds: readonly Example[], pool: readonly Row[], test: readonly Row[], m: Method, rep: number): { random: number[]; review: number[] } {
  const random = STEPS.map((n) => {
    let sum = 0
    for (let d = 0; d < DRAWS; d++) sum += macroF1(build(seeds, randomLabels(pool, rep, d, n), m), test)
    return sum / DRAWS
  })
  const review: number[] = []
  const taken: Row[] = []
  let predict = build(seeds, [], m)
  while (taken.length < STEPS[STEPS.length - 1]!) {
    const ids = new Set(taken.map((r) => r.id))
    taken.push(...reviewPick(predict, pool, ids, ROUND))
    predict = build(seeds, taken, m)
    if (STEPS.includes(taken.length)) review.push(macroF1(predict, test))
  }
  return { random, review }
}

function pairedLead(d: readonly number[]): string {
  const mean = d.reduce((a, b) => a + b, 0) / d.length
  const se = d.length > 1 ? Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1) / d.length) : 0
  return `${mean >= 0 ? '+' : '−'}${Math.abs(mean).toFixed(3)} ± ${se.toFixed(3)} (${d.filter((x) => x > 0).length}/${d.length})`
}

export function run(): void {
  for (const file of IN_DOMAIN_SETS) runOn(file)
}

function runOn(file: string): void {
  const seeds = readSeedExamples(SEEDS, LABELS)
  const rows = readRows(file)
  collected = rows.map((r) => r.text)
  const wanted = process.env.LEARNING_CURVE_METHODS?.split(',')
  const methods = Object.entries(METHODS).filter(([name]) => (wanted ?? [KEPT]).some((w) => w === 'all' || name.includes(w)))
  console.log(
    `${path.basename(file)}: ${rows.length} in-domain posts (${rows.filter((r) => r.copy_of).length} copies or quotes of another), ${seeds.length} seeds; ` +
      `per repetition ~1/3 held out, labels from the rest; macro-F1 on the held-out part, mean of ${REPS} repetitions (random: of ${DRAWS} draws in each)`,
  )
  const t0 = performance.now()
  const header = `  ${'method'.padEnd(26)} ${'seeds'.padStart(6)}  ${STEPS.map((n) => `rand ${n}`.padStart(8)).join(' ')}  ${STEPS.map((n) => `review ${n}`.padStart(10)).join(' ')}`
  console.log(header)
  let poolSize = 0
  for (const [name, m] of methods) {
    const sums = { seeds: 0, random: STEPS.map(() => 0), review: STEPS.map(() => 0), all: 0 }
    const lead: number[][] = STEPS.map(() => [])
    for (let rep = 0; rep < REPS; rep++) {
      const { test, pool } = split(rows, rep)
      sums.seeds += macroF1(build(seeds, [], m), test)
      // Every post of the pool labelled: what more labels could give at most, however they are chosen.
      sums.all += macroF1(build(seeds, pool, m), test)
      poolSize = pool.length
      const c = curve(seeds, pool, test, m, rep)
      c.random.forEach((v, i) => (sums.random[i]! += v))
      c.review.forEach((v, i) => (sums.review[i]! += v))
      c.review.forEach((v, i) => lead[i]!.push(v - c.random[i]!))
    }
    const f = (v: number) => (v / REPS).toFixed(3)
    console.log(
      `  ${name.padEnd(26)} ${f(sums.seeds).padStart(6)}  ${sums.random.map((v) => f(v).padStart(8)).join(' ')}  ${sums.review.map((v) => f(v).padStart(10)).join(' ')}`,
    )
    console.log(`  ${''.padEnd(26)} all ${poolSize} posts of the pool labelled: ${f(sums.all)} (+${f(sums.all - sums.seeds)} over seeds only)`)
    console.log(
      `  ${''.padEnd(26)} review − random, mean ± standard error over the splits (splits where review leads): ${lead.map((d, i) => `${STEPS[i]}: ${pairedLead(d)}`).join(', ')}`,
    )
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
}
