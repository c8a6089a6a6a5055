import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import { assistLabels } from '../../src/jobs/assistant-labels.js'
import { trainTopic } from '../../src/jobs/train.js'
import { setHumanLabel } from '../../src/store/labels.js'
import { startChatServer, type ChatServer } from '../servers/chat-completions.js'
import { tempDir } from '../helpers.js'
import { assistantConfig, assistantContext, KEY, postByText, storePosts, TEXTS, TOPIC } from './setup.js'

describe('training on the assistant’s labels', () => {
  const tmp = tempDir()
  let server: ChatServer
  const contexts: AppContext[] = []

  /** A topic whose assistant labelled every post, one of which a person then labelled too. */
  const labelled = async (assistant: Record<string, unknown>) => {
    const ctx = assistantContext(assistantConfig(tmp.dir, assistant, `config-${contexts.length}.yaml`), { LLM_BASE_URL: server.url, LLM_API_KEY: KEY })
    contexts.push(ctx)
    storePosts(ctx, TEXTS)
    const r = await assistLabels(ctx, { topic: TOPIC })
    expect(Object.values(r.labelled).reduce((a, b) => a + b, 0)).toBe(7)
    setHumanLabel(ctx.db, postByText(ctx, TEXTS[0]!), TOPIC, 'praise', 'alice', 1)
    return ctx
  }

  beforeAll(async () => {
    server = await startChatServer({ apiKey: KEY })
  })
  afterAll(async () => {
    for (const c of contexts) closeContext(c)
    await server.close()
    tmp.cleanup()
  })

  it('leaves them out unless the topic enables it', async () => {
    const ctx = await labelled({})
    const r = trainTopic(ctx, ctx.config.topics[0]!)
    expect(r.examples).toMatchObject({ people: 1, assistant: 0 })
  })

  it('adds them where the topic enables it, never for a post a person labelled', async () => {
    const ctx = await labelled({ use_for_training: true, training_weight: 0.5 })
    const r = trainTopic(ctx, ctx.config.topics[0]!)
    // Seven assistant labels, one of them on the post the person labelled.
    expect(r.examples).toMatchObject({ people: 1, assistant: 6 })
    expect(r.examples.byLabel.concern! + r.examples.byLabel.praise! + r.examples.byLabel.neutral!).toBe(r.examples.seed + 1 + 6)
  })
})
