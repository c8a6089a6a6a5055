import type { Command } from 'commander'
import type { AppContext } from '../../context.js'
import { labelPost } from '../../jobs/label.js'
import { reviewQueue, type ReviewQueue } from '../../jobs/review.js'
import { labelProgressText } from '../../domain/stance.js'
import { displaySafe, truncateGraphemes } from '../../render/escape.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf, positiveInt } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  topic?: string
  n: number
  by?: string
  json?: boolean
}

export function registerReview(program: Command, io: Io): void {
  program
    .command('review')
    .description('The posts the model is least sure about, to label next (active learning); in a new topic, the first posts to label')
    .option('-t, --topic <id>', 'only this topic')
    .option('-n, --n <count>', 'how many posts', positiveInt, 20)
    .option('--by <name>', 'who is labelling (default: $STANCEWATCH_USER or $USER)')
    .option('--json', 'print the queue as JSON instead of asking')
    .addHelpText(
      'after',
      `
On a terminal, each post is shown with the model's scores and you answer with a label (or its first
letter), s to skip, q to stop. Every answer is saved at once, as \`stancewatch label\` would. Piped or
with --json, the queue is printed instead; label from it with \`stancewatch label '#N' LABEL\`.

A topic with no model yet (a new one: its seeds and labels do not give every label enough examples)
offers its unlabelled posts instead: one of each set of copies, the languages in turn, the most engaged
first, with each label's definition and the labels so far ("support 2/5 · oppose 0/5 · neutral 1/5").
The next \`stancewatch classify\` trains a first model once every label has enough.

Examples:
  $ stancewatch review
  $ stancewatch review --topic china-ai-fund --n 50 --json > to-label.json
  $ stancewatch review --topic new-topic          # a new topic: label its first posts`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, async (ctx) => {
        const queues = reviewQueue(ctx, { topic: o.topic, n: o.n })
        if (o.json) return printJson(io, { topics: queues })
        const by = o.by ?? io.env.STANCEWATCH_USER ?? io.env.USER ?? null
        if (io.ask) return interactive(ctx, io, io.ask, queues, by)
        for (const q of queues) {
          if (q.progress) {
            println(io, `${q.topicId} (no model yet): ${q.posts.length} posts to label, by language and engagement`)
            for (const line of firstModelLines(q)) println(io, `  ${line}`)
          } else println(io, `${q.topicId} (model ${q.model}): ${q.posts.length} posts to review`)
          for (const p of q.posts)
            println(io, `  #${p.id}  ${q.progress ? `${p.lang ?? ''} ${p.engagement ?? 0} engagements` : scoreLine(p.scores)}  ${oneLine(p.text, 100)}`)
        }
        println(io, `\nLabel one with: stancewatch label '#N' <${queues[0]?.labels.join('|') ?? 'label'}>`)
      })
    })
}

/** Ask about each post in turn; every answer is stored straight away, so stopping loses nothing. */
export async function interactive(
  ctx: AppContext,
  io: Io,
  ask: (q: string) => Promise<string | null>,
  queues: ReviewQueue[],
  by: string | null,
): Promise<void> {
  let labelled = 0
  for (const q of queues) {
    const keys = shortcuts(q.labels)
    const prompt = `${q.labels.map((l) => `[${keys.get(l)}]${l.slice(keys.get(l)!.length)}`).join(' ')} [s]kip [q]uit > `
    if (q.progress) for (const line of [`${q.topicId} has no model yet:`, ...firstModelLines(q)]) println(io, line)
    for (const [i, p] of q.posts.entries()) {
      println(
        io,
        `\n${q.topicId} ${i + 1}/${q.posts.length}  #${p.id}  ${p.platform}  ${p.createdAt.slice(0, 16).replace('T', ' ')}  ${displaySafe(p.author ?? '')}`,
      )
      println(io, displaySafe(p.text))
      println(io, q.progress ? p.url : `${p.url}\nmodel: ${scoreLine(p.scores)}`)
      for (;;) {
        const answer = await ask(prompt)
        const a = answer?.trim().toLowerCase() ?? 'q'
        if (a === 'q' || a === 'quit') return done(io, labelled, queues)
        if (a === 's' || a === 'skip' || a === '') break
        const label = q.labels.find((l) => l.toLowerCase() === a || keys.get(l) === a)
        if (!label) {
          println(io, `  answer with one of: ${q.labels.join(', ')}, s or q`)
          continue
        }
        labelPost(ctx, { kind: 'row', id: p.id, text: `#${p.id}` }, label, { topic: q.topicId, by })
        labelled++
        break
      }
    }
  }
  done(io, labelled, queues)
}

/** For a topic with no model: what each label means, and how far its labels are from a first model. */
function firstModelLines(q: ReviewQueue): string[] {
  return [
    ...q.definitions.map((d) => `${d.id}: ${d.definition}`),
    `labels so far: ${labelProgressText(q.progress!, ' · ')} (a first model is trained once every label has ${q.progress!.floor})`,
  ]
}

function done(io: Io, labelled: number, queues: ReviewQueue[]): void {
  // A topic without a model gets its first one from the next classify run, once every label has enough examples.
  const next = queues.some((q) => q.progress)
    ? ' The next `stancewatch classify` trains a first model once every label has enough examples.'
    : ' Run `stancewatch train` to retrain and re-score.'
  println(io, `\n${labelled} post${labelled === 1 ? '' : 's'} labelled.${labelled ? next : ''}`)
}

/** The shortest distinct prefix of each label, so a person types one or two letters. */
function shortcuts(labels: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const l of labels) {
    let n = 1
    while (n < l.length && labels.some((o) => o !== l && o.toLowerCase().startsWith(l.slice(0, n).toLowerCase()))) n++
    let key = l.slice(0, n).toLowerCase()
    if (key === 's' || key === 'q') key = l.slice(0, n + 1).toLowerCase()
    out.set(l, key)
  }
  return out
}

function scoreLine(scores: Record<string, number>): string {
  return Object.entries(scores)
    .sort((a, b) => b[1] - a[1])
    .map(([l, s]) => `${l} ${(s * 100).toFixed(0)}%`)
    .join(' · ')
}

function oneLine(text: string, max: number): string {
  return truncateGraphemes(displaySafe(text).replace(/\s+/g, ' '), max)
}
