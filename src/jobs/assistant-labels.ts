import { agreement, type Agreement } from '../classify/agreement.js'
import { parseAnswer } from '../classify/assistant-answer.js'
import { AssistantBudget } from '../classify/assistant-budget.js'
import { answerKey, estimateTokens, labelPrompt, MAX_OUTPUT_TOKENS, postMessage } from '../classify/assistant-prompt.js'
import { pickSample } from '../classify/assistant-sample.js'
import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { ConfigError } from '../domain/errors.js'
import { chatClient, type ChatClient } from '../sources/assistant/chat-client.js'
import { agreementPairs, assistantCandidates, assistantLabelCounts, cacheAnswer, cachedAnswer, saveAssistantLabel } from '../store/assistant.js'
import { oneTopic } from './topics.js'

export interface AssistReport {
  topic: string
  model: string | null
  dryRun: boolean
  /** Posts picked for this run (at most the limit). */
  sample: number
  /** Requests made (each post once; the client's own retries not counted). */
  sent: number
  /** Posts answered from the cache: nothing sent, no tokens. */
  cached: number
  /** New assistant labels, per label. */
  labelled: Record<string, number>
  unsure: number
  /** Answers that were not the JSON asked for, named an unknown label, or were empty. */
  malformed: number
  refused: number
  /** Requests that timed out, could not connect, or ended in an HTTP error after the retries. */
  failed: number
  tokens: { input: number; output: number }
  costUsd: number
  budgetLeft: { tokens: number; costUsd: number }
  /** Why the run ended before its sample did; null when it did not. */
  stoppedBy: 'tokens' | 'cost' | 'unauthorized' | null
  /** --dry-run: what would be sent. */
  wouldSend?: { posts: number; inputTokens: number; outputTokens: number; costUsd: number }
  /** People's labels against the assistant's, on every post both labelled. */
  agreement: Agreement
}

export interface AssistOptions {
  topic?: string
  /** At most this many posts (and never more than the topic's sample_size). */
  limit?: number
  dryRun?: boolean
}

/** Candidates read per post wanted: enough to spread the sample over languages and days. */
const CANDIDATES_PER_POST = 20
const MAX_CANDIDATES = 20_000

/**
 * One labelling pass of the optional assistant over a sample of a topic's posts that no person has labelled.
 * Its labels are stored apart (assistant_labels) and never touch people's labels or the shown stance.
 * Nothing is sent unless the topic enables the assistant; every answer that cannot be used is counted and
 * skipped, and the run stops before its token or cost budget would be exceeded.
 */
export async function assistLabels(ctx: AppContext, opts: AssistOptions = {}): Promise<AssistReport> {
  const topic = oneTopic(ctx, opts.topic)
  const a = topic.assistant
  // A dry run sends nothing, so it may show what enabling the assistant would send.
  if (!opts.dryRun) requireEnabled(ctx, topic)
  const labels = topic.stance.labels.map((l) => l.id)
  const prompt = labelPrompt(topic.name, topic.stance.labels)
  const size = Math.min(opts.limit ?? a.sample_size, a.sample_size)
  const sample = pickSample(assistantCandidates(ctx.db, topic.id, Math.min(size * CANDIDATES_PER_POST, MAX_CANDIDATES)), size)
  const budget = budgetFor(topic)
  const report: AssistReport = {
    topic: topic.id,
    model: a.model ?? null,
    dryRun: Boolean(opts.dryRun),
    sample: sample.length,
    sent: 0,
    cached: 0,
    labelled: Object.fromEntries(labels.map((l) => [l, 0])),
    unsure: 0,
    malformed: 0,
    refused: 0,
    failed: 0,
    tokens: { input: 0, output: 0 },
    costUsd: 0,
    budgetLeft: budget.left(),
    stoppedBy: null,
    agreement: agreement([], labels),
  }
  const client = opts.dryRun ? null : clientFor(ctx, topic)
  const would = { posts: 0, inputTokens: 0, outputTokens: 0 }
  for (const post of sample) {
    const key = a.model ? answerKey(a.model, prompt, post.text) : null
    const hit = key ? cachedAnswer(ctx.db, key) : null
    if (hit && !opts.dryRun) {
      report.cached++
      record(ctx, topic, report, post.postId, hit.answer, labels, prompt.hash)
      continue
    }
    if (hit) {
      report.cached++
      continue
    }
    const user = postMessage(post.text)
    const estimate = estimateTokens(prompt.system) + estimateTokens(user) + 12
    const fits = budget.allows(estimate)
    if (!fits.ok) {
      report.stoppedBy = fits.reason
      break
    }
    if (!client) {
      // Dry run: count the request as if it used what is expected of it.
      const expected = { input: budget.expectedInput(estimate), output: budget.expectedOutput() }
      budget.spend(expected, estimate)
      would.posts++
      would.inputTokens += expected.input
      would.outputTokens += expected.output
      continue
    }
    report.sent++
    const out = await client.complete({ model: a.model!, system: prompt.system, user, maxOutputTokens: MAX_OUTPUT_TOKENS })
    if ('usage' in out) budget.spend(out.usage, estimate)
    switch (out.kind) {
      case 'answer':
        if (record(ctx, topic, report, post.postId, out.content, labels, prompt.hash))
          cacheAnswer(ctx.db, key!, { answer: out.content, inputTokens: out.usage.input, outputTokens: out.usage.output }, ctx.now().getTime())
        break
      case 'refused':
        report.refused++
        ctx.log.warn({ topic: topic.id, post: post.postId }, 'assistant refused to label a post')
        break
      case 'empty':
      case 'malformed':
        report.malformed++
        ctx.log.warn({ topic: topic.id, post: post.postId, answer: out.kind === 'malformed' ? out.reason : 'empty' }, 'assistant answer unusable')
        break
      case 'failed':
        report.failed++
        ctx.log.warn({ topic: topic.id, post: post.postId, reason: out.reason }, 'assistant request failed')
        break
      case 'unauthorized':
        report.failed++
        report.stoppedBy = 'unauthorized'
        ctx.log.error({ topic: topic.id, status: out.status }, 'the assistant server refused the key (LLM_API_KEY): run stopped')
        break
    }
    if (report.stoppedBy) break
  }
  if (opts.dryRun) report.wouldSend = { ...would, costUsd: budget.costOf(would.inputTokens, would.outputTokens) }
  else {
    report.tokens = { input: budget.inputTokens, output: budget.outputTokens }
    report.costUsd = budget.costUsd
  }
  report.budgetLeft = opts.dryRun ? { tokens: a.max_tokens_per_run, costUsd: a.max_cost_usd_per_run } : budget.left()
  report.agreement = agreement(agreementPairs(ctx.db, topic.id), labels)
  ctx.log.info({ ...report, agreement: undefined, labelled: report.labelled }, 'assistant pass finished')
  return report
}

/** Store one answer (new or cached); false when it could not be used (counted as malformed). */
function record(ctx: AppContext, topic: TopicConfig, report: AssistReport, postId: number, content: string, labels: string[], promptHash: string): boolean {
  const parsed = parseAnswer(content, labels)
  if (parsed.kind === 'malformed') {
    report.malformed++
    ctx.log.warn({ topic: topic.id, post: postId, answer: parsed.why }, 'assistant answer unusable')
    return false
  }
  const label = parsed.kind === 'label' ? parsed.label : null
  saveAssistantLabel(ctx.db, {
    topicId: topic.id,
    postId,
    label,
    confidence: parsed.kind === 'label' ? parsed.confidence : null,
    reason: parsed.reason,
    model: topic.assistant.model!,
    promptHash,
    createdAt: ctx.now().getTime(),
  })
  if (label) report.labelled[label] = (report.labelled[label] ?? 0) + 1
  else report.unsure++
  return true
}

/** People's labels against the assistant's, and how many labels it has stored. */
export function assistantAgreement(ctx: AppContext, topicId?: string): { topic: string; stored: Record<string, number>; unsure: number; agreement: Agreement } {
  const topic = oneTopic(ctx, topicId)
  const labels = topic.stance.labels.map((l) => l.id)
  const counts = assistantLabelCounts(ctx.db, topic.id)
  return {
    topic: topic.id,
    stored: Object.fromEntries(counts.filter((c) => c.label !== null).map((c) => [c.label!, c.n])),
    unsure: counts.find((c) => c.label === null)?.n ?? 0,
    agreement: agreement(agreementPairs(ctx.db, topic.id), labels),
  }
}

function topicIndex(ctx: AppContext, topic: TopicConfig): number {
  return ctx.config.topics.findIndex((t) => t.id === topic.id)
}

/** The assistant sends posts' text to a server: only a topic that says so may. */
export function requireEnabled(ctx: AppContext, topic: TopicConfig): void {
  if (topic.assistant.enabled) return
  throw new ConfigError([
    {
      file: ctx.configFile,
      key: `topics[${topicIndex(ctx, topic)}].assistant.enabled`,
      message: `the assistant is off for topic "${topic.id}" (nothing is sent unless it is on)`,
      fix: 'set assistant.enabled: true and assistant.model in that topic to let the assistant label a sample of its posts (their text is sent to LLM_BASE_URL); `--dry-run` shows what would be sent',
    },
  ])
}

/** The chat client from the environment; the server is required once the topic enables the assistant. */
export function clientFor(ctx: AppContext, topic: TopicConfig): ChatClient {
  const { baseUrl, apiKey } = ctx.env.llm
  if (!baseUrl) {
    throw new ConfigError([
      {
        file: 'environment',
        key: 'LLM_BASE_URL',
        message: `topic "${topic.id}" enables the assistant but LLM_BASE_URL is not set`,
        fix: 'set LLM_BASE_URL to an OpenAI-compatible API root (e.g. https://api.openai.com/v1, or http://127.0.0.1:8080/v1 for llama.cpp) and LLM_API_KEY if it needs a key, in the environment or .env',
      },
    ])
  }
  return chatClient({ baseUrl, apiKey, timeoutMs: topic.assistant.timeout_seconds * 1000, maxRetries: topic.assistant.max_retries })
}

/** A run's token and cost budget, from the topic's `assistant` settings; `firstOutputGuess`: an answer's size before any came back. */
export function budgetFor(topic: TopicConfig, firstOutputGuess = MAX_OUTPUT_TOKENS): AssistantBudget {
  const a = topic.assistant
  return new AssistantBudget(
    {
      maxTokens: a.max_tokens_per_run,
      maxCostUsd: a.max_cost_usd_per_run,
      usdPer1kInput: a.usd_per_1k_input_tokens,
      usdPer1kOutput: a.usd_per_1k_output_tokens,
    },
    firstOutputGuess,
  )
}
