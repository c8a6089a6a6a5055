import type { Command } from 'commander'
import { classify } from '../../jobs/classify.js'
import { ReportedFailure, UsageError } from '../../domain/errors.js'
import { labelProgressText, reviewCommand, type LabelProgress } from '../../domain/stance.js'
import { topicById } from '../../jobs/topics.js'
import { importTrainingFile, MIN_EXAMPLES_PER_LABEL, trainTopic, type TrainResult } from '../../jobs/train.js'
import { printJson, println, type Io } from '../io.js'
import { abortOnSignals, optionsOf } from '../options.js'
import { progressBar } from '../progress.js'
import { exclusive, withContext } from '../session.js'

interface Flags {
  topic?: string
  json?: boolean
}

export function registerClassify(program: Command, io: Io): void {
  program
    .command('classify')
    .description("Label the stance of every stored post the topic's active model has not scored yet")
    .option('-t, --topic <id>', 'only this topic')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
A topic without a model gets one trained from its seed labels (and people's labels) first, if it clears
the bar that \`train\` applies (otherwise the topic's posts stay unscored and the command exits 1). A new
topic whose labels do not yet give every label ${MIN_EXAMPLES_PER_LABEL} examples is not trained: it is reported as
"stance not yet measured" with its count per label (--json: {status: "awaiting-labels", counts, floor}),
and that alone does not fail the command; label its posts with \`stancewatch review --topic T\` and the
next run trains it. Labels given by people are kept: they override the model.

Examples:
  $ stancewatch classify
  $ stancewatch classify --topic china-ai-fund --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, async (ctx) => {
        const bar = progressBar(io, 'posts')
        const stop = abortOnSignals()
        try {
          const results = await exclusive(
            ctx,
            io,
            o,
            'classify',
            'stancewatch classify',
            () => classify(ctx, { topic: o.topic, onProgress: bar.update, signal: stop.signal }),
            stop.signal,
          )
          bar.stop()
          if (o.json) printJson(io, { topics: results })
          else
            for (const r of results)
              println(
                io,
                r.status === 'awaiting-labels'
                  ? awaitingLine(r.topicId, { counts: r.counts!, floor: r.floor! })
                  : r.refused
                    ? `${r.topicId}: no posts classified: the first model, trained from the seed labels, was refused: ${r.refused.join('; ')}. Fix: add labelled examples, or \`stancewatch train --topic ${r.topicId} --force\``
                    : `${r.topicId}: ${r.classified} posts classified with ${r.model}${r.trained ? ' (model trained from seed labels)' : ''}`,
              )
          const refused = results.filter((r) => r.refused).map((r) => r.topicId)
          if (refused.length) throw new ReportedFailure(`no acceptable model for ${refused.join(', ')}`)
        } finally {
          bar.stop()
          stop.dispose()
        }
      })
    })

  program
    .command('train')
    .description("Train a new stance model for a topic from its seed labels, people's labels and imported files, make it active and re-score stored posts")
    .option('-t, --topic <id>', 'only this topic')
    .option('--data <file>', 'import labelled examples first: TSV, CSV or JSONL with text and label columns (optional target, id)')
    .option('--no-rescore', 'keep stored posts on the old model until the next classify run')
    .option('--force', 'make the new model active even below stance.min_cv_macro_f1 or with a label short of examples')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Prints the 5-fold cross-validated accuracy and macro-F1 of the new model. It is made active only if its
macro-F1 is at least the topic's stance.min_cv_macro_f1 and every label has at least ${MIN_EXAMPLES_PER_LABEL} examples;
otherwise the previous model stays active, the reasons are printed and the command exits 1 (--force
makes it active anyway, and says so). --json reports each topic's decision: {status: active|refused|forced,
problems, activeVersion, minMacroF1, minPerLabel}.

Imported examples are kept: later trainings use them too, and importing the same file twice adds nothing.
With a target column, only rows whose target is the topic id (or empty) are used. Every stored post is
then re-scored by the new model, with progress on a terminal; people's labels stay as they are.

Examples:
  $ stancewatch train
  $ stancewatch train --topic china-ai-fund --data labelled.tsv --json
  $ stancewatch train --topic new-topic --force      # use a model below the bar anyway
  $ stancewatch train --no-rescore && stancewatch classify`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags & { data?: string; rescore: boolean; force?: boolean }>(cmd)
      await withContext(io, o, async (ctx) => {
        const topics = topicById(ctx, o.topic)
        if (o.data && topics.length > 1) throw new UsageError(`--data needs --topic when several topics are configured (${topics.map((t) => t.id).join(', ')})`)
        const imported = o.data ? importTrainingFile(ctx, topics[0]!, o.data) : null
        if (imported && !o.json) {
          for (const w of imported.warnings) io.stderr(`stancewatch: ${o.data}: ${w}\n`)
          const unknown = Object.entries(imported.skipped.unknownLabel).map(([l, n]) => `${n} labelled ${JSON.stringify(l)}`)
          println(
            io,
            `${o.data}: ${imported.added} new examples for ${imported.topicId} (${imported.known} already imported${imported.skipped.otherTarget ? `, ${imported.skipped.otherTarget} for other targets` : ''}${unknown.length ? `, skipped: ${unknown.join(', ')}` : ''})`,
          )
        }
        const results = topics.map((t) => trainTopic(ctx, t, [], { force: o.force }))
        if (!o.json)
          for (const r of results) {
            println(
              io,
              `${r.topicId}: model ${r.version} from ${r.examples.seed} seed + ${r.examples.people} people's + ${r.examples.imported} imported${r.examples.assistant ? ` + ${r.examples.assistant} assistant` : ''} labels; ${r.cv.folds}-fold accuracy ${(r.cv.accuracy * 100).toFixed(1)}%, macro-F1 ${r.cv.macro_f1.toFixed(3)} (trained in ${r.trainSeconds.toFixed(1)} s, cross-validated in ${r.cvSeconds.toFixed(1)} s)`,
            )
            println(io, decisionLine(r))
          }
        for (const r of results.filter((x) => x.decision.status === 'forced'))
          io.stderr(`stancewatch: warning: ${r.topicId}: a model below the bar was made active because of --force: ${r.decision.problems.join('; ')}\n`)
        const accepted = results.filter((r) => r.decision.status !== 'refused').map((r) => r.topicId)
        let rescored: Awaited<ReturnType<typeof classify>> = []
        // Only topics with a new model need re-scoring; a refused one keeps its model and its scores.
        if (o.rescore && accepted.length) {
          const bar = progressBar(io, 'posts')
          const stop = abortOnSignals()
          try {
            rescored = await exclusive(
              ctx,
              io,
              o,
              'classify',
              'stancewatch train',
              async () => {
                const out: Awaited<ReturnType<typeof classify>> = []
                for (const topic of accepted) out.push(...(await classify(ctx, { topic, onProgress: bar.update, signal: stop.signal })))
                return out
              },
              stop.signal,
            )
          } finally {
            bar.stop()
            stop.dispose()
          }
          if (!o.json) for (const r of rescored) println(io, `${r.topicId}: ${r.classified} stored posts re-scored`)
        }
        if (o.json)
          printJson(io, { import: imported, topics: results.map((r) => ({ ...r, rescored: rescored.find((x) => x.topicId === r.topicId)?.classified ?? 0 })) })
        const refused = results.filter((r) => r.decision.status === 'refused')
        if (refused.length)
          throw new ReportedFailure(`model refused for ${refused.map((r) => r.topicId).join(', ')} (the previous model stays active; --force to override)`)
      })
    })
}

/** A new topic's stance, not yet measured: how far its labels are from a first model, and how to get there. */
export function awaitingLine(topicId: string, p: LabelProgress): string {
  return `${topicId}: stance not yet measured: labels so far ${labelProgressText(p)}; label posts with \`${reviewCommand(topicId)}\``
}

/** What became of the new model, in a line a person can act on. */
function decisionLine(r: TrainResult): string {
  const d = r.decision
  if (d.status === 'active') return `${r.topicId}: the new model is active`
  if (d.status === 'forced') return `${r.topicId}: the new model is active although it falls short (--force): ${d.problems.join('; ')}`
  return (
    `${r.topicId}: the new model was NOT made active: ${d.problems.join('; ')}. ` +
    (d.activeVersion ? `The previous model ${d.activeVersion} stays active. ` : 'The topic has no active model. ') +
    `Fix: add labelled examples (label, review, train --data) or seeds, or \`stancewatch train --topic ${r.topicId} --force\` to use it anyway`
  )
}
