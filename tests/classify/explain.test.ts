import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Contribution } from '../../src/classify/explain-text.js'
import { readSeedExamples } from '../../src/classify/seeds.js'
import type { StanceModel } from '../../src/classify/stance-model.js'
import { trainStanceModel } from '../../src/classify/training.js'
import { prepareText, prepareTextAligned } from '../../src/text/tokenize.js'
import { ROOT } from '../helpers.js'

const SEEDS = path.join(ROOT, 'config/seeds/china-ai-fund.jsonl')
const LABELS = ['concern', 'praise', 'neutral']

/** Notes that are not words of the post: a link, the language, a word read under a negation. */
function wordsOf(c: Contribution): string | null {
  if (c.text === 'a link' || c.text.startsWith('language: ')) return null
  return c.text.replace(/ \(negated\)$/, '')
}

describe('explain in a person’s words', () => {
  let model: StanceModel
  beforeAll(() => {
    model = trainStanceModel(readSeedExamples(SEEDS, LABELS), LABELS, 0.45)
  })

  const POSTS = [
    // hashtag, URL, mention, words English stems ("startups" → startup, "this will" a bigram), negation
    'Great, another $8.5bn for #DeepSeek zombie startups in Beijing — this will not end well https://t.co/abc123XYZ @someone_42',
    // CJK text, a hashtag, a link
    '国家意志！大基金撑起中国AI，骄傲 #国产大模型 https://t.co/x9Y8z7',
    'これは補助金の問題じゃなくて戦略の問題。#生成AI https://www.nytimes.com/2025/07/16/technology/china-ai.html',
    "Ce n'est pas de la politique industrielle, c'est une course aux subventions. ＡＩ ＦＵＮＤ 🙃",
  ]

  it.each(POSTS)('lists only words of the post (and notes), never internal tokens: %s', (text) => {
    const e = model.explain(text, 1000)
    const all = [...e.for, ...e.against]
    expect(all.length).toBeGreaterThan(3)
    for (const c of all) {
      const words = wordsOf(c)
      if (words === null) continue
      // As written: a substring of the post (white space aside), never a stem, a marker or an n-gram in quotes.
      expect(text.replace(/\s+/g, ' '), JSON.stringify(c)).toContain(words)
      expect(c.text).not.toMatch(/xhashtag|xurl|xmention|NOT_|^"/)
      for (const [s, t] of c.spans) {
        expect(s).toBeGreaterThanOrEqual(0)
        expect(t).toBeLessThanOrEqual(text.length)
      }
      expect(c.features.length).toBeGreaterThan(0)
      expect(Object.keys(c.labels)).toEqual(LABELS)
    }
  })

  it('names the words it read: a hashtag as written, a stemmed word in full, a bigram, a link, Chinese words', () => {
    const en = model.explain(POSTS[0]!, 1000)
    const texts = [...en.for, ...en.against].map((c) => c.text)
    expect(texts).toContain('#DeepSeek')
    expect(texts).toContain('startups')
    expect(texts).toContain('this will')
    expect(texts).toContain('a link')
    expect(texts).toContain('@someone_42')
    expect(texts.join('\n')).not.toMatch(/\bstartup\b(?!s)|\bthi\b|beij/)
    const link = [...en.for, ...en.against].find((c) => c.text === 'a link')!
    expect(link.spans.map(([s, t]) => POSTS[0]!.slice(s, t))).toEqual(['https://t.co/abc123XYZ'])
    expect(link.features.some((f) => f.includes('xurl'))).toBe(true)

    const zh = model.explain(POSTS[1]!, 1000)
    const zhTexts = [...zh.for, ...zh.against].map((c) => c.text)
    expect(zhTexts).toContain('#国产大模型')
    expect(zhTexts.some((t) => /国家|意志|骄傲/.test(t))).toBe(true)
    expect(zh.for.every((c) => c.weight > 0)).toBe(true)
    expect(zh.against.every((c) => c.weight < 0)).toBe(true)
  })

  it('pushes add up per label to what the features add, so the words account for the decision', () => {
    const e = model.explain(POSTS[2]!, 1000)
    const all = [...e.for, ...e.against]
    // The push towards the label is the label's share minus the mean of the others', word by word.
    for (const c of all) {
      const others = LABELS.filter((l) => l !== e.toward).reduce((a, l) => a + c.labels[l]!, 0) / 2
      expect(c.weight).toBeCloseTo(c.labels[e.toward]! - others, 3)
    }
    expect(e.for.length + e.against.length).toBe(all.length)
  })

  it('aligns the prepared text with the original: same text, each character from where it was written', () => {
    const texts = readFileSync(SEEDS, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { text: string }).text)
    for (const t of [...texts, ...POSTS, 'İstanbul ＡＩ ﬁne #CamelCase @a @b.c x@y.z https://a.b/c#d']) {
      const a = prepareTextAligned(t)
      expect(a.text, t).toBe(prepareText(t))
      let bad = 0
      for (let i = 0; i < a.text.length; i++) if (!(a.start[i]! >= 0 && a.start[i]! < a.end[i]! && a.end[i]! <= t.length)) bad++
      expect(bad, t).toBe(0)
    }
  })
})

describe('the shipped seeds', () => {
  const rows = readFileSync(SEEDS, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; label: string; lang: string; case?: string })

  it('agree with themselves: no text twice, every language has every label in equal numbers', () => {
    expect(new Set(rows.map((r) => r.text.trim())).size).toBe(rows.length)
    for (const lang of ['en', 'zh', 'fr', 'ja']) {
      const counts = LABELS.map((l) => rows.filter((r) => r.lang === lang && r.label === l).length)
      expect(new Set(counts).size, lang).toBe(1)
      expect(counts[0], lang).toBeGreaterThanOrEqual(40)
    }
    // Publishers' headlines and questions without a stance are neutral, in every language.
    for (const kind of ['headline', 'question']) {
      const of = rows.filter((r) => r.case === kind)
      expect(new Set(of.map((r) => r.lang)).size, kind).toBe(4)
      expect(
        of.every((r) => r.label === 'neutral'),
        kind,
      ).toBe(true)
    }
  })

  it('teach the model that a publisher’s plain headline and a reading-group invitation are neutral', () => {
    const model = trainStanceModel(readSeedExamples(SEEDS, LABELS), LABELS, 0.45)
    // From the demo's sample, which the seeds do not contain.
    for (const text of [
      'How China’s government is funding its A.I. start-ups. https://t.co/2GIWv6uYnS',
      "Hosting a reading group Thursday on China's industrial policy for AI, the NYT piece is on the list. DM if interested",
    ]) {
      expect(rows.some((r) => r.text === text)).toBe(false)
      expect(model.predict(text).label, text).toBe('neutral')
    }
  })
})
