import type { Command } from 'commander'
import { stringify as stringifyYaml } from 'yaml'
import type { Agreement } from '../../classify/agreement.js'
import { ReportedFailure } from '../../domain/errors.js'
import { assistantAgreement, assistLabels, type AssistReport } from '../../jobs/assistant-labels.js'
import { translateKeywords, type TranslateReport } from '../../jobs/assistant-translate.js'
import { printJson, println, type Io } from '../io.js'
import { listOf, optionsOf, positiveInt } from '../options.js'
import { exclusive, withContext } from '../session.js'

interface PassFlags {
  topic?: string
  limit?: number
  dryRun?: boolean
  json?: boolean
}

interface TranslateFlags {
  topic?: string
  to: string[]
  json?: boolean
}

interface AgreementFlags {
  topic?: string
  json?: boolean
}

export function registerAssist(program: Command, io: Io): void {
  const assist = program
    .command('assist')
    .description("Let the optional LLM assistant label a budgeted sample of a topic's posts (kept apart from people's labels)")
    .option('-t, --topic <id>', 'topic (needed when the config has several)')
    .option('-n, --limit <count>', "at most this many posts (never more than the topic's assistant.sample_size)", positiveInt)
    .option('--dry-run', 'show how many posts would be sent and the tokens and cost expected, sending nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
The assistant is any OpenAI-compatible chat-completions server (LLM_BASE_URL, LLM_API_KEY; a hosted service,
or llama.cpp's server, Ollama or vLLM) with the model named in the topic's \`assistant.model\`. Nothing is
sent unless the topic sets \`assistant.enabled: true\`. Each pass picks posts no person has labelled and the
assistant has not seen, spread across languages and days, one per set of copies, and stops before
\`assistant.max_tokens_per_run\` or \`max_cost_usd_per_run\` would be exceeded. Answers are cached by model,
prompt and text: a second pass over the same words sends nothing. An answer that is not the JSON asked for,
names an unknown label or is refused is counted and skipped.

Its labels are stored as assistant labels: they never replace a person's label nor the model's in stance,
digests or exports, and train the model only where \`assistant.use_for_training\` is on. Where a person
labelled the same post, the agreement is reported (percent, Cohen's kappa, confusion).

Exit 1 when the server refused the key; 2 when the topic's assistant is off or LLM_BASE_URL is unset.

Examples:
  $ stancewatch assist --topic china-ai-fund --dry-run
  $ stancewatch assist --topic china-ai-fund --limit 20
  $ stancewatch assist agreement --topic china-ai-fund --json
  $ stancewatch assist translate --topic china-ai-fund --to fr,ja`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<PassFlags>(cmd)
      await withContext(io, o, async (ctx) => {
        const pass = () => assistLabels(ctx, { topic: o.topic, limit: o.limit, dryRun: o.dryRun })
        // Two passes at once would ask (and pay) for the same posts: one at a time, as other jobs.
        const r = o.dryRun ? await pass() : await exclusive(ctx, io, o, 'assist', 'stancewatch assist', pass)
        if (o.json) printJson(io, r)
        else printReport(io, r)
        if (r.stoppedBy === 'unauthorized') throw new ReportedFailure('the assistant server refused the key: check LLM_API_KEY')
      })
    })
  assist
    .command('agreement')
    .description("People's labels against the assistant's, on the posts both labelled")
    .option('-t, --topic <id>', 'topic (needed when the config has several)')
    .option('--json', 'print {topic, stored, unsure, agreement} as JSON')
    .addHelpText(
      'after',
      `
Reads the database only; sends nothing.

Examples:
  $ stancewatch assist agreement
  $ stancewatch assist agreement --topic china-ai-fund --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<AgreementFlags>(cmd)
      await withContext(
        io,
        o,
        (ctx) => {
          const r = assistantAgreement(ctx, o.topic)
          if (o.json) return printJson(io, r)
          const stored = Object.entries(r.stored).map(([l, n]) => `${l} ${n}`)
          println(io, `${r.topic}: assistant labels: ${stored.length ? stored.join(', ') : 'none'}; unsure ${r.unsure}`)
          for (const line of agreementLines(r.agreement)) println(io, line)
        },
        { readOnly: true },
      )
    })
  registerTranslate(assist, io)
}

function registerTranslate(assist: Command, io: Io): void {
  assist
    .command('translate')
    .description("Propose the topic's keyword rules in other languages (printed as YAML to paste; the config is not changed)")
    .option('-t, --topic <id>', 'topic (needed when the config has several)')
    .requiredOption('--to <langs>', 'target languages, comma-separated: en, zh, fr, ja', listOf)
    .option('--json', 'print the proposals and counts as JSON')
    .addHelpText(
      'after',
      `
Each keyword rule not written in a target language is sent (its any and with terms, never a post) to the
assistant, which must answer with terms for every language in JSON; an answer that is not is counted and
skipped. A rule whose translation already exists (same id with -LANG) is skipped. Needs the topic's
assistant enabled, like \`assist\`; the answers are cached and the run keeps within its token and cost budget.
Read the proposals before pasting them under the topic's \`keywords:\`: a term too common in a language
would bring in posts that have nothing to do with the topic.

Examples:
  $ stancewatch assist translate --to fr,ja
  $ stancewatch assist translate --topic china-ai-fund --to zh --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<TranslateFlags>(cmd)
      await withContext(io, o, async (ctx) => {
        const r = await exclusive(ctx, io, o, 'assist', 'stancewatch assist translate', () => translateKeywords(ctx, { topic: o.topic, to: o.to }))
        if (o.json) printJson(io, r)
        else printTranslations(io, r)
        if (r.stoppedBy === 'unauthorized') throw new ReportedFailure('the assistant server refused the key: check LLM_API_KEY')
      })
    })
}

function printTranslations(io: Io, r: TranslateReport): void {
  const counts = `${r.sent} sent, ${r.cached} from the cache, malformed ${r.malformed}, refused ${r.refused}, failed ${r.failed}; tokens ${r.tokens.input} in / ${r.tokens.output} out, cost $${r.costUsd.toFixed(4)}`
  println(io, `# ${r.topic} (${r.model}): ${r.proposals.length} keyword rules proposed for ${r.to.join(', ')}; ${counts}`)
  if (r.stoppedBy)
    println(
      io,
      `# stopped: ${r.stoppedBy === 'unauthorized' ? 'the server refused the key (LLM_API_KEY)' : `the ${r.stoppedBy} budget would have been exceeded`}`,
    )
  if (r.skipped.length) println(io, `# left alone: ${r.skipped.join(', ')}`)
  if (r.proposals.length === 0) return
  println(io, "# Check each term, then paste under the topic's `keywords:`.")
  const rules = r.proposals.map((p) => ({ id: p.id, lang: p.lang, any: p.any, ...(p.with ? { with: p.with } : {}) }))
  io.stdout(stringifyYaml(rules, { indent: 2 }))
}

function printReport(io: Io, r: AssistReport): void {
  if (r.dryRun) {
    const w = r.wouldSend!
    println(
      io,
      `${r.topic}: dry run: ${r.sample} posts picked, ${r.cached} answered from the cache, ${w.posts} would be sent (~${w.inputTokens} input + ${w.outputTokens} output tokens, ~$${w.costUsd.toFixed(4)})`,
    )
    if (r.stoppedBy) println(io, `  the run would stop there: the ${r.stoppedBy === 'cost' ? 'cost' : 'token'} budget would be reached`)
    return
  }
  const labelled = Object.entries(r.labelled).map(([l, n]) => `${l} ${n}`)
  println(io, `${r.topic} (${r.model}): ${r.sample} posts picked, ${r.sent} sent, ${r.cached} from the cache`)
  println(io, `  labelled: ${labelled.join(', ')}; unsure ${r.unsure}`)
  println(io, `  malformed ${r.malformed}, refused ${r.refused}, failed ${r.failed}`)
  println(
    io,
    `  tokens ${r.tokens.input} in / ${r.tokens.output} out, cost $${r.costUsd.toFixed(4)}; budget left ${r.budgetLeft.tokens} tokens, $${r.budgetLeft.costUsd.toFixed(4)}`,
  )
  if (r.stoppedBy === 'unauthorized') println(io, '  stopped: the server refused the key (LLM_API_KEY)')
  else if (r.stoppedBy) println(io, `  stopped before the ${r.stoppedBy === 'cost' ? 'cost' : 'token'} budget would be exceeded`)
  for (const line of agreementLines(r.agreement)) println(io, line)
}

function agreementLines(a: Agreement): string[] {
  if (a.n === 0) return ['  agreement with people: no post labelled by both yet']
  const labels = Object.keys(a.confusion)
  const width = Math.max(8, ...labels.map((l) => l.length))
  return [
    `  agreement with people on ${a.n} posts: ${a.percent!.toFixed(1)}%, Cohen's kappa ${a.kappa === null ? 'n/a' : a.kappa.toFixed(3)}`,
    `  ${'person ↓'.padEnd(width)}  ${labels.map((l) => l.padStart(width)).join('  ')}   (assistant →)`,
    ...labels.map((p) => `  ${p.padEnd(width)}  ${labels.map((x) => String(a.confusion[p]![x]).padStart(width)).join('  ')}`),
  ]
}
