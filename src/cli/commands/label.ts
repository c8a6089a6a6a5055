import type { Command } from 'commander'
import { UsageError } from '../../domain/errors.js'
import { labelPost } from '../../jobs/label.js'
import { printJson, println, type Io } from '../io.js'
import { parsePostRef } from '../post-ref.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  topic?: string
  by?: string
  clear?: boolean
  json?: boolean
}

export function registerLabel(program: Command, io: Io): void {
  program
    .command('label')
    .description("Correct a post's stance: a person's label overrides the model everywhere and joins the training set")
    .argument('<post>', 'the post: its URL, tweet id, at:// URI, or #N as shown by export and review')
    .argument('[label]', 'the stance, one of the topic labels (omit with --clear)')
    .option('-t, --topic <id>', 'the topic, when the post is in several')
    .option('--by <name>', 'who labelled it, kept with the label (default: $STANCEWATCH_USER or $USER)')
    .option('--clear', "remove the person's label: the post goes back to the model")
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The label takes effect at once in stance queries, digests and exports (marked as human). It trains the
next model: run \`stancewatch train\` to retrain and re-score.

Examples:
  $ stancewatch label https://x.com/someone/status/1946000000000000001 concern
  $ stancewatch label '#1234' praise --by alice
  $ stancewatch label at://did:plc:abc/app.bsky.feed.post/3lu2k neutral --topic china-ai-fund
  $ stancewatch label '#1234' --clear`,
    )
    .action(async (ref: string, label: string | undefined, _: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      if (o.clear && label) throw new UsageError('give either a label or --clear, not both')
      if (!o.clear && !label) throw new UsageError('missing the label; give one of the topic labels, or --clear to remove a label')
      await withContext(io, o, (ctx) => {
        const by = o.by ?? io.env.STANCEWATCH_USER ?? io.env.USER ?? null
        const r = labelPost(ctx, parsePostRef(ref), o.clear ? null : label!, { topic: o.topic, by })
        if (o.json) printJson(io, r)
        else if (r.label === null)
          println(io, `#${r.post.id} (${r.topicId}): person's label removed; the model decides again${r.previous.source === 'human' ? '' : ' (it had none)'}`)
        else
          println(
            io,
            `#${r.post.id} (${r.topicId}): ${r.label}, labelled by ${r.by ?? 'a person'} (was ${r.previous.label ?? 'unclassified'}${r.previous.source ? `, by ${r.previous.source === 'human' ? 'a person' : 'the model'}` : ''})`,
          )
      })
    })
}
