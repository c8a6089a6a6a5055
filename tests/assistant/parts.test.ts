import { describe, expect, it } from 'vitest'
import { agreement } from '../../src/classify/agreement.js'
import { parseAnswer } from '../../src/classify/assistant-answer.js'
import { AssistantBudget } from '../../src/classify/assistant-budget.js'
import { answerKey, labelPrompt } from '../../src/classify/assistant-prompt.js'
import { pickSample } from '../../src/classify/assistant-sample.js'

const LABELS = ['concern', 'praise', 'neutral']

describe('agreement between people and the assistant', () => {
  it('gives percent agreement, Cohen’s kappa and the confusion on a known case', () => {
    const pairs = [
      ...Array.from({ length: 4 }, () => ({ person: 'concern', assistant: 'concern' })),
      ...Array.from({ length: 3 }, () => ({ person: 'praise', assistant: 'praise' })),
      { person: 'concern', assistant: 'praise' },
      { person: 'praise', assistant: 'concern' },
      { person: 'praise', assistant: 'concern' },
    ]
    // Observed 0.7; by chance 0.5 × 0.6 + 0.5 × 0.4 = 0.5; kappa (0.7 − 0.5) / (1 − 0.5) = 0.4.
    const a = agreement(pairs, LABELS)
    expect(a.n).toBe(10)
    expect(a.percent).toBeCloseTo(70, 10)
    expect(a.kappa).toBeCloseTo(0.4, 10)
    expect(a.confusion.praise).toEqual({ concern: 2, praise: 3, neutral: 0 })
    expect(a.confusion.neutral).toEqual({ concern: 0, praise: 0, neutral: 0 })
  })

  it('has no figures without pairs, and no kappa when both always say the same one label', () => {
    expect(agreement([], LABELS)).toMatchObject({ n: 0, percent: null, kappa: null })
    expect(agreement([{ person: 'praise', assistant: 'praise' }], LABELS)).toMatchObject({ n: 1, percent: 100, kappa: null })
  })
})

describe('reading an answer', () => {
  it('takes a known label (any case, fenced or not), unsure, and a confidence in 0..1 only', () => {
    expect(parseAnswer('{"label":"Concern","confidence":0.8,"reason":"subsidies"}', LABELS)).toEqual({
      kind: 'label',
      label: 'concern',
      confidence: 0.8,
      reason: 'subsidies',
    })
    expect(parseAnswer('```json\n{"label":"praise","confidence":"0.6"}\n```', LABELS)).toMatchObject({ label: 'praise', confidence: 0.6, reason: '' })
    expect(parseAnswer('{"label":"praise","confidence":7}', LABELS)).toMatchObject({ label: 'praise', confidence: null })
    expect(parseAnswer('{"label":"unsure","reason":"short"}', LABELS)).toEqual({ kind: 'unsure', reason: 'short' })
  })

  it('calls prose, a wrong shape and an unknown label malformed', () => {
    expect(parseAnswer('I think it is concern', LABELS)).toMatchObject({ kind: 'malformed', why: 'not JSON' })
    expect(parseAnswer('{"stance":"concern"}', LABELS)).toMatchObject({ kind: 'malformed' })
    expect(parseAnswer('["concern"]', LABELS)).toMatchObject({ kind: 'malformed' })
    expect(parseAnswer('{"label":"angry"}', LABELS)).toMatchObject({ kind: 'malformed', why: 'unknown label "angry"' })
    expect(parseAnswer('{"label":"uncertain"}', LABELS)).toMatchObject({ kind: 'malformed' })
  })
})

describe('the prompt and its cache key', () => {
  const labels = [
    { id: 'concern', name: 'Concern', definition: 'Worry about the fund.' },
    { id: 'praise', name: 'Praise', definition: 'Pride in the fund.' },
  ]
  it('names every label with its definition, and keys answers by model, prompt and text', () => {
    const p = labelPrompt('The fund', labels)
    expect(p.system).toContain('- concern: Worry about the fund.')
    expect(p.system).toContain('"unsure"')
    const key = answerKey('m', p, 'text')
    expect(answerKey('m', p, 'text')).toBe(key)
    expect(answerKey('m2', p, 'text')).not.toBe(key)
    expect(answerKey('m', p, 'text!')).not.toBe(key)
    expect(answerKey('m', labelPrompt('The fund', [labels[0]!, { ...labels[1]!, definition: 'Other.' }]), 'text')).not.toBe(key)
  })
})

describe('the sample', () => {
  const day = (d: number) => Date.UTC(2025, 6, d, 12)
  it('takes languages and days in turn and one post per set of copies', () => {
    const c = [
      ...Array.from({ length: 6 }, (_, i) => ({ postId: i + 1, text: `english post number ${i}`, lang: 'en', createdAt: day(16) })),
      { postId: 10, text: '日本語の投稿です', lang: 'ja', createdAt: day(16) },
      { postId: 11, text: 'un message en français', lang: 'fr', createdAt: day(17) },
      { postId: 12, text: 'RT @a: un message en français', lang: 'fr', createdAt: day(18) },
      { postId: 13, text: 'an english post a day later', lang: 'en', createdAt: day(17) },
    ]
    expect(pickSample(c, 4).map((x) => x.postId)).toEqual([1, 13, 11, 10])
    // The retweet of post 11 is never taken with it.
    expect(pickSample(c, 100).map((x) => x.postId)).not.toContain(12)
    expect(pickSample(c, 100)).toHaveLength(9)
  })
})

describe('the budget', () => {
  it('refuses a request that could go past the tokens or the cost, estimating output from earlier answers', () => {
    const b = new AssistantBudget({ maxTokens: 1000, maxCostUsd: 1, usdPer1kInput: 0, usdPer1kOutput: 0 }, 200)
    expect(b.allows(700)).toEqual({ ok: true })
    expect(b.allows(801)).toEqual({ ok: false, reason: 'tokens' })
    b.spend({ input: 300, output: 50 }, 150)
    // Output expected 50 now; input estimates doubled (the server counted twice what was estimated).
    expect(b.expectedOutput()).toBe(50)
    expect(b.expectedInput(100)).toBe(200)
    expect(b.allows(300)).toEqual({ ok: true })
    expect(b.allows(301)).toEqual({ ok: false, reason: 'tokens' })
    const c = new AssistantBudget({ maxTokens: 1e9, maxCostUsd: 0.01, usdPer1kInput: 1, usdPer1kOutput: 0 }, 0)
    expect(c.allows(10)).toEqual({ ok: true })
    expect(c.allows(11)).toEqual({ ok: false, reason: 'cost' })
  })
})
