import type { Command } from 'commander'
import { classify } from '../../jobs/classify.js'
import { trainTopic, topicById } from '../../jobs/train.js'
import { printJson, println, type Io } from '../io.js'
import { abortOnSignals, optionsOf } from '../options.js'
import { progressBar } from '../progress.js'
import { withContext } from '../session.js'

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
A topic without a model gets one trained from its seed labels first. Labels given by people are kept:
they override the model.

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
          const results = await classify(ctx, { topic: o.topic, onProgress: bar.update, signal: stop.signal })
          bar.stop()
          if (o.json) printJson(io, { topics: results })
          else for (const r of results) println(io, `${r.topicId}: ${r.classified} posts classified with ${r.model}${r.trained ? ' (model trained from seed labels)' : ''}`)
        } finally {
          bar.stop()
          stop.dispose()
        }
      })
    })

  program
    .command('train')
    .description("Train a new stance model for a topic from its seed labels and people's labels, and make it active")
    .option('-t, --topic <id>', 'only this topic')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Prints the cross-validated accuracy. Stored posts are re-scored by the next \`classify\` (or daemon run).

Examples:
  $ stancewatch train
  $ stancewatch train --topic china-ai-fund --json && stancewatch classify`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, (ctx) => {
        const results = topicById(ctx, o.topic).map((t) => trainTopic(ctx, t))
        if (o.json) printJson(io, { topics: results })
        else
          for (const r of results)
            println(io, `${r.topicId}: model ${r.version} from ${r.examples.seed} seed + ${r.examples.people} people's labels; ${r.cv.folds}-fold accuracy ${(r.cv.accuracy * 100).toFixed(1)}%, macro-F1 ${r.cv.macro_f1.toFixed(3)} (${r.trainSeconds.toFixed(1)} s)`)
      })
    })
}
