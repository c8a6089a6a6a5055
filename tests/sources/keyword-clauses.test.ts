import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import type { TopicConfig } from '../../src/config/schema.js'
import { keywordClauses } from '../../src/sources/keyword-clauses.js'
import { langFreeTerms, looksLikeName } from '../../src/sources/lang-free-terms.js'

const shipped = loadConfig(path.join(import.meta.dirname, '../../config/stancewatch.yaml')).config.topics[0]!

/** The shipped topic with these keyword rules instead of its own. */
function topicWith(keywords: TopicConfig['keywords']): TopicConfig {
  return { ...shipped, keywords }
}

const RULES: TopicConfig['keywords'] = [
  { id: 'models-en', lang: 'en', any: ['DeepSeek', 'DeepSeek-R1', 'Chinese models'], with: ['AI', 'model'] },
  { id: 'models-zh', lang: 'zh', any: ['DeepSeek', 'Qwen', '大模型', '国产大模型'] },
  { id: 'models-fr', lang: 'fr', any: ['Qwen', 'modèles ouverts'] },
  { id: 'chips-en', lang: 'en', any: ['H20', 'chip ban'], with: ['China'] },
  { id: 'chips-fr', lang: 'fr', any: ['H20', 'Nvidia', 'puces'], with: ['Chine'] },
  { id: 'chips-ja', lang: 'ja', any: ['NVIDIA', '輸出規制'], with: ['中国'] },
  { id: 'fund-zh', lang: 'zh', any: ['AI基金'], with: ['初创'], not: ['足球'] },
]

describe('language-free terms', () => {
  it.each([
    ['DeepSeek', true],
    ['H20', true],
    ['DeepSeek-R1', true],
    ['GLM', true],
    ['Qwen', false],
    ['subsidies', false],
    ['AI fund', false],
    ['fonds', false],
  ])('%s looks like a name: %s', (term, yes) => {
    expect(looksLikeName(term)).toBe(yes)
  })

  it('counts as free the script terms, the names, and Latin terms the config lists under two languages', () => {
    const free = langFreeTerms(topicWith(RULES))
    expect(['大模型', 'DeepSeek', 'Qwen', 'Nvidia', 'NVIDIA', 'H20'].every((t) => free.isFree(t))).toBe(true)
    expect(['Chinese models', 'chip ban', 'puces', 'modèles ouverts'].some((t) => free.isFree(t))).toBe(false)
  })
})

describe('keyword clauses', () => {
  const clauses = keywordClauses(topicWith(RULES))

  it('asks the terms some rule takes alone once, bare, and drops the terms that contain one', () => {
    expect(clauses[0]).toEqual({ rules: ['keyword:models-zh', 'keyword:models-fr'], any: ['DeepSeek', 'Qwen', '大模型'], with: [], not: [] })
    expect(clauses.flatMap((c) => c.any)).not.toContain('DeepSeek-R1')
    expect(clauses.flatMap((c) => c.any)).not.toContain('国产大模型')
  })

  it('asks a name listed by several rules once, with all their `with` terms and no language', () => {
    const h20 = clauses.filter((c) => c.any.includes('H20'))
    expect(h20).toEqual([{ rules: ['keyword:chips-en', 'keyword:chips-fr'], any: ['H20'], with: ['China', 'Chine'], not: [] }])
    expect(clauses.filter((c) => c.any.some((t) => t.toLowerCase() === 'nvidia'))).toEqual([
      { rules: ['keyword:chips-fr', 'keyword:chips-ja'], any: ['Nvidia'], with: ['Chine', '中国'], not: [] },
    ])
  })

  it("keeps a rule's common words in its language, and its `not` with its own terms", () => {
    expect(clauses).toContainEqual({ rules: ['keyword:chips-en'], any: ['chip ban'], with: ['China'], not: [], lang: 'en' })
    expect(clauses).toContainEqual({ rules: ['keyword:models-fr'], any: ['modèles ouverts'], with: [], not: [], lang: 'fr' })
    expect(clauses).toContainEqual({ rules: ['keyword:fund-zh'], any: ['AI基金'], with: ['初创'], not: ['足球'] })
  })
})
