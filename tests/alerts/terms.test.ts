import { describe, expect, it } from 'vitest'
import { termsOf, topTerms } from '../../src/alerts/terms.js'

const post = (text: string, lang = 'en') => ({ text, lang })

describe('terms of a post and the terms that set a window apart', () => {
  it('keeps hashtags and hyphenated words whole, drops links, mentions, stop words and numbers', () => {
    const t = termsOf('The #H20Ban hits start-ups, says @nytimes: https://nyti.ms/abc and nytimes.com/2025/07/16 — 2025 is THE year', 'en')
    expect([...t].sort()).toEqual(['#h20ban', 'hits', 'start-ups', 'year'])
  })

  it('segments Chinese and Japanese (no spaces) and drops their function words', () => {
    expect(termsOf('我们的美国出口管制政策', 'zh')).toEqual(new Set(['美国', '出口', '管制', '政策']))
    expect([...termsOf('輸出規制のまとめです', 'ja')]).toContain('輸出')
  })

  it('ranks by how much more the window uses a term than the baseline, not by raw frequency', () => {
    const baseline = Array.from({ length: 200 }, (_, i) => post(i % 2 ? 'china fund startups' : 'china fund policy'))
    const window = [...Array.from({ length: 30 }, () => post('china fund H20 sanctions')), ...Array.from({ length: 30 }, () => post('china fund policy'))]
    const top = topTerms(window, baseline)
    expect(
      top
        .map((t) => t.term)
        .slice(0, 2)
        .sort(),
    ).toEqual(['h20', 'sanctions'])
    expect(top.find((t) => t.term === 'china')).toBeUndefined() // in every post, before and now
    expect(top[0]!.posts).toBe(30)
    expect(top[0]!.lift).toBeGreaterThan(10)
  })

  it('without a baseline, the most used terms', () => {
    expect(topTerms([post('alpha beta'), post('alpha gamma'), post('alpha beta')], [], 2)).toEqual([
      { term: 'alpha', posts: 3 },
      { term: 'beta', posts: 2 },
    ])
  })
})
