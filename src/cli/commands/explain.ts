import type { Command } from 'commander'
import { explain, type ExplainResult } from '../../jobs/review.js'
import { displaySafe, truncateGraphemes } from '../../render/escape.js'
import { printJson, println, type Io } from '../io.js'
import { parsePostRef } from '../post-ref.js'
import { optionsOf, positiveInt } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  text?: string
  topic?: string
  top: number
  json?: boolean
}

export function registerExplain(program: Command, io: Io): void {
  program
    .command('explain')
    .description('Why the model gives a post (or any text) its stance: label, confidence and the words behind it')
    .argument('[post]', 'a stored post: URL, tweet id, at:// URI or #N')
    .option('--text <text>', 'explain this text instead of a stored post')
    .option('-t, --topic <id>', 'the topic whose model explains (when several)')
    .option('--top <n>', 'how many words and phrases to show each way', positiveInt, 10)
    .option('--json', 'print the explanation as JSON')
    .addHelpText(
      'after',
      `
Lists the words and phrases of the text that moved the model, as they are written, with their push towards
the label and what they add to each label's score: "pushed towards" what made the label, "pulled away" what
argued for another. A link is shown as "a link", a word the model read under a negation ("not a bad move")
as "bad (negated)", and the detected language as "language: …". With --json, each entry also has its
offsets in the text ("spans") and the model's internal features behind it ("features"), for debugging.

Examples:
  $ stancewatch explain '#1234'
  $ stancewatch explain --text "国家意志！大基金撑起中国AI" --json`,
    )
    .action(async (ref: string | undefined, _: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, (ctx) => {
        const r = explain(ctx, { ref: ref === undefined ? undefined : parsePostRef(ref), text: o.text, topic: o.topic, top: o.top })
        if (o.json) printJson(io, r)
        else print(io, r)
      })
    })
}

function print(io: Io, r: ExplainResult): void {
  println(io, truncateGraphemes(displaySafe(r.text).replace(/\s+/g, ' '), 160))
  const human = r.post?.human ? ` — a person labelled this post ${r.post.human}, which overrides the model` : ''
  println(io, `\n${r.topicId}: ${r.label} (confidence ${(r.confidence * 100).toFixed(0)}%, language ${r.language}, model ${r.model})${human}`)
  println(
    io,
    `scores: ${Object.entries(r.scores)
      .map(([l, s]) => `${l} ${(s * 100).toFixed(0)}%`)
      .join(' · ')}`,
  )
  const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(3)}`
  const show = (title: string, list: ExplainResult['for']) => {
    println(io, `\n${title}`)
    if (!list.length) println(io, '  (none)')
    const width = Math.min(40, Math.max(0, ...list.map((c) => displayWidth(c.text))))
    for (const c of list) {
      const words = truncateGraphemes(displaySafe(c.text), 40)
      const each = Object.entries(c.labels)
        .map(([l, v]) => `${l} ${signed(v)}`)
        .join(' · ')
      println(io, `  ${signed(c.weight)}  ${words}${' '.repeat(Math.max(0, width - displayWidth(words)))}  (${each})`)
    }
  }
  show(`pushed towards ${r.toward}:`, r.for)
  show(`pulled away from ${r.toward}:`, r.against)
}

/** Columns a terminal gives the text: Chinese and Japanese characters (and full-width forms) take two. */
function displayWidth(text: string): number {
  let w = 0
  for (const ch of text) w += /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u.test(ch) ? 2 : 1
  return w
}
