import { estimateTokens } from '../classify/assistant-prompt.js'
import { parseTranslation, translationPrompt } from '../classify/keyword-translation.js'
import { languageSchema } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { cacheAnswer, cachedAnswer } from '../store/assistant.js'
import { budgetFor, clientFor, requireEnabled } from './assistant-labels.js'
import { oneTopic } from './topics.js'

/** A keyword rule proposed for a language, for a person to read and paste into the config. */
export interface ProposedRule {
  id: string
  lang: string
  /** The rule it translates. */
  from: string
  any: string[]
  with?: string[]
}

export interface TranslateReport {
  topic: string
  model: string
  to: string[]
  proposals: ProposedRule[]
  /** Rules left alone: written in a target language already, or with every target's rule already there. */
  skipped: string[]
  sent: number
  cached: number
  malformed: number
  refused: number
  failed: number
  tokens: { input: number; output: number }
  costUsd: number
  stoppedBy: 'tokens' | 'cost' | 'unauthorized' | null
}

/** Room for a few dozen short terms in four languages. */
const MAX_OUTPUT_TOKENS = 800

/**
 * Ask the assistant for the topic's keyword rules in other languages. Nothing is written to the config: the
 * proposals are returned for a person to check and paste. Same rules as labelling: the topic must enable the
 * assistant, answers are validated and cached, the run keeps within its budget.
 */
export async function translateKeywords(ctx: AppContext, opts: { topic?: string; to: string[] }): Promise<TranslateReport> {
  const topic = oneTopic(ctx, opts.topic)
  const known = languageSchema.options as readonly string[]
  const bad = opts.to.filter((l) => !known.includes(l))
  if (bad.length || opts.to.length === 0)
    throw new UsageError(`--to ${opts.to.join(',')}: give languages keyword rules can have: ${known.join(', ')} (comma-separated, e.g. --to fr,ja)`)
  requireEnabled(ctx, topic)
  const a = topic.assistant
  const client = clientFor(ctx, topic)
  const budget = budgetFor(topic, MAX_OUTPUT_TOKENS)
  const ids = new Set(topic.keywords.map((r) => r.id))
  const report: TranslateReport = {
    topic: topic.id,
    model: a.model!,
    to: [...new Set(opts.to)],
    proposals: [],
    skipped: [],
    sent: 0,
    cached: 0,
    malformed: 0,
    refused: 0,
    failed: 0,
    tokens: { input: 0, output: 0 },
    costUsd: 0,
    stoppedBy: null,
  }
  for (const rule of topic.keywords) {
    const base = rule.lang ? rule.id.replace(new RegExp(`[-_]${rule.lang}$`), '') : rule.id
    const to = report.to.filter((l) => l !== rule.lang && !ids.has(`${base}-${l}`))
    if (to.length === 0) {
      report.skipped.push(rule.id)
      continue
    }
    const prompt = translationPrompt(topic.name, rule, to)
    const key = prompt.key(a.model!)
    let content = cachedAnswer(ctx.db, key)?.answer ?? null
    if (content !== null) report.cached++
    else {
      const estimate = estimateTokens(prompt.system) + estimateTokens(prompt.user) + 12
      const fits = budget.allows(estimate)
      if (!fits.ok) {
        report.stoppedBy = fits.reason
        break
      }
      report.sent++
      const out = await client.complete({ model: a.model!, system: prompt.system, user: prompt.user, maxOutputTokens: MAX_OUTPUT_TOKENS })
      if ('usage' in out) budget.spend(out.usage, estimate)
      if (out.kind === 'unauthorized') {
        report.failed++
        report.stoppedBy = 'unauthorized'
        break
      }
      if (out.kind === 'refused') report.refused++
      else if (out.kind === 'failed') report.failed++
      else if (out.kind !== 'answer') report.malformed++
      if (out.kind !== 'answer') continue
      content = out.content
      if (parseTranslation(content, to, Boolean(rule.with?.length)).kind === 'ok')
        cacheAnswer(ctx.db, key, { answer: content, inputTokens: out.usage.input, outputTokens: out.usage.output }, ctx.now().getTime())
    }
    const parsed = parseTranslation(content, to, Boolean(rule.with?.length))
    if (parsed.kind === 'malformed') {
      report.malformed++
      ctx.log.warn({ topic: topic.id, rule: rule.id, answer: parsed.why }, 'assistant translation unusable')
      continue
    }
    for (const l of to) {
      report.proposals.push({ id: `${base}-${l}`, lang: l, from: rule.id, ...parsed.byLang[l]! })
      // Another rule of the same name in another language (chips-en, chips-fr) is not asked again.
      ids.add(`${base}-${l}`)
    }
  }
  report.tokens = { input: budget.inputTokens, output: budget.outputTokens }
  report.costUsd = budget.costUsd
  return report
}
