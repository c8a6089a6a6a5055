import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../../src/context.js'
import { closeContext } from '../../src/context.js'
import { ingest } from '../../src/jobs/ingest.js'
import { retrainIfDue } from '../../src/jobs/retrain.js'
import { runJob } from '../../src/jobs/scheduled.js'
import { countToClassify, recalledClassifications } from '../../src/store/classifications.js'
import { currentStance, findPost, leastCertain, setHumanLabel } from '../../src/store/labels.js'
import { activeModel } from '../../src/store/models.js'
import { makePost } from '../post.js'
import { tempDir, testContext, writeTestConfig } from '../helpers.js'

const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
const TOPIC = 'china-ai-fund'
const TEXTS = [
  'Reading the piece on the fund this morning',
  'Does anyone know how the 400 start-ups were picked?',
  'The fund is a bold plan and it is working',
  'Subsidies will distort the whole market',
  'Podcast episode about the fund, link in bio',
  'Another round of state money for zombie firms',
]
// A copy-paste of the first post, and a quote post repeating the second's words.
const COPIES = [`RT @reader: ${TEXTS[0]}`, `This 👇 "${TEXTS[1]}"`]

describe('retraining after people’s labels (the classify job)', () => {
  const tmp = tempDir()
  // The clock moves between steps: labels given after a model count towards the next retraining.
  const clock = new Date('2025-07-17T12:00:00Z')
  let ctx: AppContext
  const post = (i: number) => findPost(ctx.db, { kind: 'tweet', id: `19456000000000001${10 + i}`, text: '' } as never)!
  const tick = () => clock.setTime(clock.getTime() + 60_000)

  beforeAll(() => {
    const configPath = writeTestConfig(tmp.dir, (c) => (c.topics[0].stance.retrain_after_labels = 3))
    ctx = testContext({ configPath, now: clock })
    const posts = [...TEXTS, ...COPIES].map((text, i) =>
      makePost({ platformId: `19456000000000001${10 + i}`, text, links: [ARTICLE], createdAt: `2025-07-16T1${i % 10}:00:00.000Z` }),
    )
    ingest(ctx, [{ kind: 'x-search', posts, edits: [], deletions: [], skipped: [], ignored: 0, streamTimeUs: null } as never], {
      source: 'replay',
      query: 'test',
    })
  })
  afterAll(() => {
    closeContext(ctx)
    tmp.cleanup()
  })

  it('retrains once enough new labels exist, re-scores every post, and gives copies the person’s label', async () => {
    const first = await runJob(ctx, 'classify')
    expect(first.status).toBe('ok')
    const model1 = activeModel(ctx.db, TOPIC)!
    expect(first.reason).toBe(`${TEXTS.length + COPIES.length} posts classified`)

    tick()
    setHumanLabel(ctx.db, post(0), TOPIC, 'concern', 'alice', clock.getTime())
    setHumanLabel(ctx.db, post(1), TOPIC, 'praise', 'alice', clock.getTime())
    tick()
    // Two labels, three wanted: nothing to do yet.
    expect(retrainIfDue(ctx)).toEqual([{ topicId: TOPIC, newLabels: 2, threshold: 3, trained: null }])
    expect((await runJob(ctx, 'classify')).reason).toBe('0 posts classified')
    expect(activeModel(ctx.db, TOPIC)!.id).toBe(model1.id)

    setHumanLabel(ctx.db, post(2), TOPIC, 'praise', 'bob', clock.getTime())
    tick()
    const run = await runJob(ctx, 'classify')
    const model2 = activeModel(ctx.db, TOPIC)!
    expect(model2.id).not.toBe(model1.id)
    expect(run.reason).toMatch(new RegExp(`^${TEXTS.length + COPIES.length} posts classified; retrained ${TOPIC} after 3 new labels \\(${TOPIC}@`))
    expect(countToClassify(ctx.db, TOPIC, model2.id)).toBe(0)

    // The copies repeat the people's labels and say so; they stay the model's posts (a person can still correct them).
    const copy0 = post(TEXTS.length)
    const copy1 = post(TEXTS.length + 1)
    expect(currentStance(ctx.db, TOPIC, copy0)).toMatchObject({ label: 'concern', source: 'model', confidence: 1 })
    expect(currentStance(ctx.db, TOPIC, copy1)).toMatchObject({ label: 'praise', source: 'model', confidence: 1 })
    const recalled = recalledClassifications(ctx.db, TOPIC, model2.id)
    expect(recalled).toEqual(
      expect.arrayContaining([
        { postId: copy0.id, label: 'concern', from: `#${post(0).id}`, similarity: 1 },
        expect.objectContaining({ postId: copy1.id, label: 'praise', from: `#${post(1).id}` }),
      ]),
    )

    // `review` offers the posts the model decided, not the copies of people's labels.
    const offered = leastCertain(ctx.db, TOPIC, model2.id, 50).map((c) => c.id)
    expect(offered.length).toBeGreaterThan(0)
    expect(offered).not.toContain(copy0.id)
    expect(offered).not.toContain(copy1.id)

    // Nothing new since: the next run neither retrains nor re-scores.
    tick()
    expect(retrainIfDue(ctx)).toEqual([{ topicId: TOPIC, newLabels: 0, threshold: 3, trained: null }])
    expect((await runJob(ctx, 'classify')).reason).toBe('0 posts classified')
  })

  it('a run the daemon stops is partial and says so, as every job does', async () => {
    const stop = new AbortController()
    stop.abort()
    const run = await runJob(ctx, 'classify', { signal: stop.signal })
    expect(run.status).toBe('partial')
    expect(run.reason).toBe('0 posts classified; stopped on request, the next run classifies the rest')
  })

  it('a threshold of 0 never retrains', () => {
    const configPath = writeTestConfig(tmp.dir, (c) => (c.topics[0].stance.retrain_after_labels = 0), 'off.yaml')
    const other = testContext({ configPath })
    try {
      expect(retrainIfDue(other)).toEqual([])
    } finally {
      closeContext(other)
    }
  })
})
