import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import { ConfigError } from '../../src/domain/errors.js'
import { assistantAgreement, assistLabels } from '../../src/jobs/assistant-labels.js'
import { assistantLabelOf } from '../../src/store/assistant.js'
import { currentStance, setHumanLabel } from '../../src/store/labels.js'
import { startChatServer, type ChatServer } from '../servers/chat-completions.js'
import { tempDir } from '../helpers.js'
import { readFilters } from '../../src/web/filters.js'
import { postsPage } from '../../src/web/pages/posts.js'
import { postsView } from '../../src/web/views.js'
import { assistantConfig, assistantContext, KEY, postByText, storePosts, TEXTS, TOPIC } from './setup.js'

describe('the assistant labels a sample of posts (loopback chat-completions server)', () => {
  const tmp = tempDir()
  let server: ChatServer
  const contexts: AppContext[] = []
  const open = (assistant: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = { LLM_BASE_URL: server.url, LLM_API_KEY: KEY }) => {
    const ctx = assistantContext(assistantConfig(tmp.dir, assistant, `config-${contexts.length}.yaml`), env)
    contexts.push(ctx)
    storePosts(ctx, TEXTS)
    return ctx
  }

  beforeAll(async () => {
    server = await startChatServer({ apiKey: KEY })
  })
  afterEach(() => {
    server.requests.length = 0
  })
  afterAll(async () => {
    for (const c of contexts) closeContext(c)
    await server.close()
    tmp.cleanup()
  })

  it('stores assistant labels apart from people’s, skips posts a person labelled, and never changes the shown stance', async () => {
    const ctx = open()
    const person = postByText(ctx, TEXTS[0]!)
    setHumanLabel(ctx.db, person, TOPIC, 'praise', 'alice', 1)
    const r = await assistLabels(ctx, { topic: TOPIC })
    expect(r).toMatchObject({ sample: TEXTS.length - 1, sent: TEXTS.length - 1, cached: 0, malformed: 0, refused: 0, failed: 0, stoppedBy: null })
    expect(r.labelled).toEqual({ concern: 2, praise: 2, neutral: 2 })
    expect(r.unsure).toBe(1)
    // Never sent: the post a person labelled.
    expect(server.requests.map((q) => q.postText)).not.toContain(TEXTS[0])
    expect(server.requests[0]!.body).toMatchObject({ model: 'test-model', response_format: { type: 'json_object' } })
    expect(server.requests[0]!.body.messages[0].content).toContain('concern: Worry or criticism')
    expect(assistantLabelOf(ctx.db, TOPIC, person.id)).toBeNull()
    // The person's label is untouched, and an assistant-labelled post's shown stance is not the assistant's.
    expect(currentStance(ctx.db, TOPIC, person)).toMatchObject({ label: 'praise', source: 'human' })
    const other = postByText(ctx, TEXTS[1]!)
    expect(assistantLabelOf(ctx.db, TOPIC, other.id)).toMatchObject({ label: 'concern', confidence: 0.9, model: 'test-model' })
    expect(currentStance(ctx.db, TOPIC, other)).toMatchObject({ label: null, source: null })
    // The dashboard's posts view shows it as the assistant's, beside the stance (here: not scored).
    const page = postsPage(
      ctx,
      readFilters(ctx, new URLSearchParams({ topic: TOPIC })),
      postsView(ctx, readFilters(ctx, new URLSearchParams({ topic: TOPIC }))),
    ).value
    expect(page).toMatch(
      new RegExp(
        `data-post="${other.id}"[\\s\\S]*?unclassified <small>\\(not scored\\)</small></span\\s*>\\s*<small class="assistant">assistant: concern</small>`,
      ),
    )
    expect(ctx.db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(1)
    expect(r.tokens.input).toBeGreaterThan(0)
    expect(r.tokens.output).toBeGreaterThan(0)

    // A second pass finds nothing left to ask.
    const again = await assistLabels(ctx, { topic: TOPIC })
    expect(again).toMatchObject({ sample: 0, sent: 0 })

    // A person labelling a post the assistant labelled: their label wins, and the agreement counts it.
    setHumanLabel(ctx.db, other, TOPIC, 'concern', 'alice', 2)
    setHumanLabel(ctx.db, postByText(ctx, TEXTS[2]!), TOPIC, 'neutral', 'alice', 2)
    expect(currentStance(ctx.db, TOPIC, other)).toMatchObject({ label: 'concern', source: 'human' })
    const a = assistantAgreement(ctx, TOPIC)
    expect(a.agreement).toMatchObject({ n: 2, percent: 50 })
    expect(a.agreement.confusion.neutral!.praise).toBe(1)
  })

  it('answers the same words from the cache: nothing sent, no tokens counted', async () => {
    const ctx = open()
    storePosts(ctx, [TEXTS[1]!], 500) // a second post with the very same words
    const first = await assistLabels(ctx, { topic: TOPIC })
    expect(first.sent).toBe(TEXTS.length) // the copy waits: one post per set of copies
    server.requests.length = 0
    const second = await assistLabels(ctx, { topic: TOPIC })
    expect(second).toMatchObject({ sample: 1, sent: 0, cached: 1, tokens: { input: 0, output: 0 }, costUsd: 0 })
    expect(second.labelled.concern).toBe(1)
    expect(server.requests).toHaveLength(0)
  })

  it('counts malformed, refused and failed answers and goes on', async () => {
    const ctx = open({ max_retries: 1, timeout_seconds: 1 })
    server.inject(
      { kind: 'malformed-body' },
      { kind: 'not-json' },
      { kind: 'unknown-label' },
      { kind: 'empty-choices' },
      { kind: 'refusal' },
      { kind: 'content-filter' },
      // Retried once, then counted as failed.
      { kind: 'server-error', status: 500 },
      { kind: 'server-error', status: 500 },
    )
    const r = await assistLabels(ctx, { topic: TOPIC })
    expect(r).toMatchObject({ sample: TEXTS.length, sent: TEXTS.length, malformed: 4, refused: 2, failed: 1, stoppedBy: null })
    // The eighth post, after the faults, is answered.
    expect(Object.values(r.labelled).reduce((a, b) => a + b, 0) + r.unsure).toBe(1)
    expect(r.tokens.input).toBeGreaterThan(0)
    // Nothing stored for the seven: the next pass asks again (and this time they answer).
    const next = await assistLabels(ctx, { topic: TOPIC })
    expect(next).toMatchObject({ sample: TEXTS.length - 1, sent: TEXTS.length - 1, malformed: 0, refused: 0, failed: 0 })
  })

  it('waits out a 429 (retry-after) and gives up on a request that hangs past the timeout', async () => {
    const ctx = open({ max_retries: 1, timeout_seconds: 1 })
    // The first post: 429, then its retry answers; the second hangs twice (the request and its retry).
    server.inject({ kind: 'rate-limit', retryAfterSeconds: 1 }, { kind: 'ok' }, { kind: 'hang', ms: 30_000 }, { kind: 'hang', ms: 30_000 })
    const r = await assistLabels(ctx, { topic: TOPIC, limit: 2 })
    expect(r).toMatchObject({ sample: 2, sent: 2, failed: 1 })
    expect(Object.values(r.labelled).reduce((x, y) => x + y, 0) + r.unsure).toBe(1)
    expect(server.requests.map((q) => q.status)).toEqual([429, 200, 0, 0])
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900)
  })

  it('stops before the token budget, and before the cost budget, would be exceeded', async () => {
    const tokens = open({ max_tokens_per_run: 1200 })
    const r = await assistLabels(tokens, { topic: TOPIC })
    expect(r.stoppedBy).toBe('tokens')
    expect(r.sent).toBeGreaterThan(0)
    expect(r.sent).toBeLessThan(TEXTS.length)
    expect(r.tokens.input + r.tokens.output).toBeLessThanOrEqual(1200)
    expect(r.budgetLeft.tokens).toBe(1200 - r.tokens.input - r.tokens.output)

    server.requests.length = 0
    const cost = open({ usd_per_1k_input_tokens: 1, usd_per_1k_output_tokens: 2, max_cost_usd_per_run: 1 })
    const c = await assistLabels(cost, { topic: TOPIC })
    expect(c.stoppedBy).toBe('cost')
    expect(c.costUsd).toBeLessThanOrEqual(1)
    expect(c.costUsd).toBeCloseTo(c.tokens.input / 1000 + (2 * c.tokens.output) / 1000, 10)
    expect(server.requests).toHaveLength(c.sent)
  })

  it('a dry run estimates and sends nothing', async () => {
    const ctx = open()
    const r = await assistLabels(ctx, { topic: TOPIC, dryRun: true })
    expect(r.wouldSend!.posts).toBe(TEXTS.length)
    expect(r.wouldSend!.inputTokens).toBeGreaterThan(0)
    expect(r.sent).toBe(0)
    expect(server.requests).toHaveLength(0)
  })

  it('sends nothing when the topic does not enable it, and names LLM_BASE_URL when it is unset', async () => {
    const off = open({ enabled: false })
    await expect(assistLabels(off, { topic: TOPIC })).rejects.toThrow(/assistant\.enabled: the assistant is off for topic "china-ai-fund"/)
    const noServer = open({}, {})
    const e = await assistLabels(noServer, { topic: TOPIC }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ConfigError)
    expect((e as ConfigError).problems[0]).toMatchObject({ file: 'environment', key: 'LLM_BASE_URL' })
    expect(server.requests).toHaveLength(0)
  })

  it('stops at a refused key (401) after one request', async () => {
    const ctx = open({}, { LLM_BASE_URL: server.url, LLM_API_KEY: 'sk-wrong-key-000' })
    const r = await assistLabels(ctx, { topic: TOPIC })
    expect(r).toMatchObject({ sent: 1, failed: 1, stoppedBy: 'unauthorized' })
    expect(server.requests.map((q) => q.status)).toEqual([401])
  })
})
