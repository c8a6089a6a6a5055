import type { Command } from 'commander'
import { retag } from '../../jobs/retag.js'
import { oneTopic } from '../../jobs/topics.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { progressBar } from '../progress.js'
import { withContext } from '../session.js'

interface Flags {
  topic?: string
  json?: boolean
}

export function registerRetag(program: Command, io: Io): void {
  program
    .command('retag')
    .description("Recompute the themes and languages of every stored post of a topic from its text, the config's theme terms and the language detector")
    .option('-t, --topic <id>', 'the topic (may be left out when the config has only one)')
    .option('--json', 'print {topic, posts, changed, languages} as JSON')
    .addHelpText(
      'after',
      `
Run it after editing a topic's \`themes\`, and once after upgrading, for posts stored before themes
existed or before languages came from eld (an earlier detector read Spanish as French, German as English).
New posts are tagged as they are stored; stance labels, rules and topics are left as they are, and the
stance counts follow each post's new language.
Posts are rewritten in batches, each in one transaction; running it again changes nothing.

Examples:
  $ stancewatch retag
  $ stancewatch retag --topic china-ai-fund --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, (ctx) => {
        const bar = progressBar(io, 'posts')
        try {
          const r = retag(ctx, { topic: oneTopic(ctx, o.topic).id, onProgress: bar.update })
          bar.stop()
          if (o.json) printJson(io, r)
          else println(io, `${r.topic}: ${r.posts} posts re-tagged, ${r.changed} with changed themes, ${r.languages} with a changed language`)
        } finally {
          bar.stop()
        }
      })
    })
}
