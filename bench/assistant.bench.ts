/*
 * What the optional assistant could add where the n-gram model stops (README: **People's labels count**): on
 * the in-domain sets and splits of learning-curve.bench.ts, macro-F1 on the held-out third of
 *   - the model from the seeds only;
 *   - the assistant's own answers ("unsure" counts as a miss);
 *   - the model trained on the seeds and the assistant's labels of the pool, as `assist` gives them with
 *     `use_for_training` (at ASSIST_BENCH_WEIGHT, the topic's `training_weight` by default);
 *   - that and 200 people's labels chosen at random.
 * It needs a model, and sends it every post of both sets once (~1,240 posts, ~230 input tokens each):
 *   LLM_BASE_URL=https://… LLM_API_KEY=… LLM_MODEL=… npx tsx bench/run.ts assistant
 * Without LLM_BASE_URL it says so and measures nothing, so `npm run bench` stays offline. Answers are cached in
 * the system's temporary folder by model, prompt and text: a second run sends nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseAnswer } from '../src/classify/assistant-answer.js'
import { answerKey, labelPrompt, MAX_OUTPUT_TOKENS, postMessage, UNSURE } from '../src/classify/assistant-prompt.js'
import { trainingSet } from '../src/classify/people-labels.js'
import { readSeedExamples } from '../src/classify/seeds.js'
import type { Example } from '../src/classify/stance-model.js'
import { trainStanceModel } from '../src/classify/training.js'
import { loadConfig } from '../src/config/load.js'
import { chatClient } from '../src/sources/assistant/chat-client.js'
import { IN_DOMAIN_SETS, LABELS, macroF1, randomLabels, readRows, SEEDS, split, type Row } from './in-domain-sets.js'

const REPS = Number(process.env.LEARNING_CURVE_REPS ?? 12)
const PEOPLE = 200
const PARALLEL = Number(process.env.ASSIST_BENCH_PARALLEL ?? 4)
const CACHE = path.join(tmpdir(), 'stancewatch-assistant-bench.json')

export async function run(): Promise<void> {
  const baseUrl = process.env.LLM_BASE_URL
  const model = process.env.LLM_MODEL
  if (!baseUrl || !model) {
    console.log('skipped: set LLM_BASE_URL, LLM_MODEL (and LLM_API_KEY if the server wants one) to measure the assistant on the in-domain sets')
    return
  }
  const { config } = loadConfig(path.join(import.meta.dirname, '../config/stancewatch.yaml'))
  const topic = config.topics[0]!
  const prompt = labelPrompt(topic.name, topic.stance.labels)
  const weight = Number(process.env.ASSIST_BENCH_WEIGHT ?? topic.assistant.training_weight)
  const client = chatClient({ baseUrl, apiKey: process.env.LLM_API_KEY ?? null, timeoutMs: 60_000, maxRetries: 3 })
  const cache = existsSync(CACHE) ? (JSON.parse(readFileSync(CACHE, 'utf8')) as Record<string, string>) : {}
  const seeds = readSeedExamples(SEEDS, LABELS)
  let sent = 0
  const usage = { input: 0, output: 0, failed: 0 }

  /** The assistant's label of a text, or "unsure" (also for an answer that could not be used). */
  async function ask(text: string): Promise<string> {
    const key = answerKey(model!, prompt, text)
    if (!cache[key]) {
      const out = await client.complete({ model: model!, system: prompt.system, user: postMessage(text), maxOutputTokens: MAX_OUTPUT_TOKENS })
      sent++
      if (out.kind === 'unauthorized') throw new Error(`the server refused the key (${out.status})`)
      if ('usage' in out) {
        usage.input += out.usage.input
        usage.output += out.usage.output
      }
      const parsed = out.kind === 'answer' ? parseAnswer(out.content, LABELS) : null
      if (parsed?.kind !== 'label' && parsed?.kind !== 'unsure') usage.failed++
      cache[key] = parsed?.kind === 'label' ? parsed.label : UNSURE
    }
    return cache[key]
  }

  for (const file of IN_DOMAIN_SETS) {
    const rows = readRows(file)
    const answers = new Map<string, string>()
    let next = 0
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < rows.length) {
          const r = rows[next++]!
          answers.set(r.id, await ask(r.text))
        }
      }),
    )
    writeFileSync(CACHE, JSON.stringify(cache))
    const unsure = rows.filter((r) => answers.get(r.id) === UNSURE).length
    const sums = { seeds: 0, assistant: 0, trained: 0, withPeople: 0, peopleOnly: 0 }
    for (let rep = 0; rep < REPS; rep++) {
      const { test, pool } = split(rows, rep)
      const answered = pool.filter((r) => answers.get(r.id) !== UNSURE)
      const people = randomLabels(pool, rep, 0, PEOPLE)
      // A person's label wins over the assistant's on the same post, as in training (src/jobs/train.ts).
      const labelledByPeople = new Set(people.map((r) => r.id))
      const assistantLabels = (skip: ReadonlySet<string>): Example[] =>
        answered.filter((r) => !skip.has(r.id)).map((r) => ({ text: r.text, label: answers.get(r.id)!, weight }))
      const trained = (extra: readonly Example[], labelled: readonly Row[]) => {
        const m = trainStanceModel([...trainingSet(seeds, labelled), ...extra], LABELS, 0)
        return (text: string) => m.predict(text)
      }
      const answerOf = new Map(test.map((r) => [r.text, answers.get(r.id)!]))
      sums.seeds += macroF1(trained([], []), test)
      sums.assistant += macroF1((text) => ({ label: answerOf.get(text)! }), test)
      sums.trained += macroF1(trained(assistantLabels(new Set()), []), test)
      sums.withPeople += macroF1(trained(assistantLabels(labelledByPeople), people), test)
      sums.peopleOnly += macroF1(trained([], people), test)
    }
    const f = (v: number) => (v / REPS).toFixed(3)
    console.log(
      `${path.basename(file)}: ${rows.length} posts, the assistant (${model}) unsure of ${unsure}; macro-F1 on the held-out third, mean of ${REPS} splits`,
    )
    console.log(`  seeds only ${f(sums.seeds)}; + ${PEOPLE} people's labels at random ${f(sums.peopleOnly)}`)
    console.log(`  the assistant's own answers ${f(sums.assistant)}`)
    console.log(`  seeds + the assistant's labels of the pool (weight ${weight}) ${f(sums.trained)}; and ${PEOPLE} people's labels ${f(sums.withPeople)}`)
  }
  console.log(`requests sent ${sent} (the rest from ${CACHE}); tokens in ${usage.input}, out ${usage.output}; answers not usable ${usage.failed}`)
}
